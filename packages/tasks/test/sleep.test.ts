/**
 * sleep(), after CPython 3.14's test_tasks.py (test_sleep*, SleepTests).
 */
import {
  CancelledError,
  type Coroutine,
  type Future,
  RuntimeError,
  type TimerHandle,
  ValueError,
} from '@x/loop';
import { createTask, sleep, Task } from '@x/tasks';
import { describe, expect, test } from 'vitest';
import { makeLoop, runBriefly } from './task-helpers.js';

describe('SleepTests', () => {
  test('test_sleep', async () => {
    const { loop } = makeLoop();
    function* sleeper(dt: number, arg: string): Coroutine<string> {
      yield* sleep(dt / 2);
      return yield* sleep(dt / 2, arg);
    }
    const t0 = loop.time();
    const t = new Task(sleeper(0.01, 'yeah'), { loop });
    await loop.runUntilComplete(t);
    expect(t.done()).toBe(true);
    expect(t.result()).toBe('yeah');
    // It slept at least that long (give or take a host timer's rounding).
    expect(loop.time() - t0).toBeGreaterThanOrEqual(0.009);
  });

  test('test_sleep_cancel', async () => {
    const { loop } = makeLoop();
    const t = new Task(sleep(10.0, 'yeah'), { loop });
    let handle: TimerHandle | null = null;
    const origCallLater = loop.callLater.bind(loop);
    loop.callLater = ((delay: number, cb: (...a: unknown[]) => void, ...args: unknown[]) => {
      handle = origCallLater(delay, cb, ...args);
      return handle;
    }) as typeof loop.callLater;
    await runBriefly(loop);
    expect(handle).not.toBeNull();
    expect((handle as TimerHandle | null)?.cancelled()).toBe(false);
    t.cancel();
    await runBriefly(loop);
    expect((handle as TimerHandle | null)?.cancelled()).toBe(true);
    await expect(loop.runUntilComplete(t)).rejects.toBeInstanceOf(CancelledError);
  });

  test('test_task_cancel_sleeping_task', async () => {
    const { loop } = makeLoop();
    function* sleeper(dt: number): Coroutine<void> {
      yield* sleep(dt);
    }
    function* doit(): Coroutine<string> {
      const s = new Task(sleeper(5000), { loop });
      loop.callLater(0.001, () => s.cancel());
      try {
        yield* s;
      } catch (e) {
        if (e instanceof CancelledError) return 'cancelled';
        throw e;
      }
      return 'slept in';
    }
    expect(await loop.runUntilComplete(doit())).toBe('cancelled');
  });

  test('test_sleep_zero', async () => {
    const { loop } = makeLoop();
    let result = 0;
    const incResult = (num: number): void => {
      result += num;
    };
    function* coro(): Coroutine<void> {
      loop.callSoon(incResult, 1);
      expect(result).toBe(0);
      const num = yield* sleep(0, 10);
      expect(result).toBe(1); // inc'ed by callSoon
      incResult(num); // num should be 11
    }
    await loop.runUntilComplete(coro());
    expect(result).toBe(11);
  });

  test('test_sleep_zero_is_one_bare_yield', () => {
    // sleep(0) needs no loop: it yields nothing once, then returns the result.
    const g = sleep(0, 'r');
    expect(g.next()).toEqual({ value: undefined, done: false });
    expect(g.next()).toEqual({ value: 'r', done: true });
    // Run again, it fails as a CPython coroutine does, rather than return nothing.
    expect(() => g.next()).toThrow('cannot reuse already awaited coroutine');
    const h = sleep(0);
    expect(h.next()).toEqual({ value: undefined, done: false });
    expect(h.next()).toEqual({ value: undefined, done: true });
  });

  test('test_sleep_zero_interleaves_tasks', async () => {
    // Each sleep(0) gives every other ready task exactly one turn.
    const { loop } = makeLoop();
    const log: string[] = [];
    function* worker(name: string): Coroutine<void> {
      for (let i = 0; i < 3; i++) {
        log.push(`${name}${i}`);
        yield* sleep(0);
      }
    }
    function* main(): Coroutine<void> {
      const a = createTask(worker('a'));
      const b = createTask(worker('b'));
      yield* a;
      yield* b;
    }
    await loop.runUntilComplete(main());
    expect(log).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
  });

  test('test_sleep_negative_delay', async () => {
    // A negative delay is sleep(0), as in CPython.
    const g = sleep(-1, 'neg');
    expect(g.next()).toEqual({ value: undefined, done: false });
    expect(g.next()).toEqual({ value: 'neg', done: true });
    const h = sleep(Number.NEGATIVE_INFINITY);
    expect(h.next().value).toBeUndefined();
    const { loop } = makeLoop();
    expect(await loop.runUntilComplete(sleep(-5, 7))).toBe(7);
  });

  test('test_sleep_nan', async () => {
    const { loop } = makeLoop();
    const err = await loop.runUntilComplete(sleep(Number.NaN)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValueError);
    expect((err as Error).message).toBe('Invalid delay: NaN (not a number)');
    // Like any coroutine, it does nothing until it is stepped.
    const g = sleep(Number.NaN);
    expect(() => g.next()).toThrow('Invalid delay: NaN (not a number)');
    expect(() => g.next()).toThrow('cannot reuse already awaited coroutine');
  });

  test('test_sleep_not_a_number', async () => {
    const { loop } = makeLoop();
    await expect(loop.runUntilComplete(sleep('1' as never))).rejects.toThrow(
      'sleep() needs a number of seconds, got string',
    );
    await expect(loop.runUntilComplete(sleep(null as never))).rejects.toThrow(
      'sleep() needs a number of seconds, got null',
    );
    await expect(loop.runUntilComplete(sleep(undefined as never))).rejects.toThrow(TypeError);
  });

  test('test_sleep_needs_running_loop', () => {
    const g = sleep(1, 'r');
    expect(() => g.next()).toThrow(RuntimeError);
    expect(() => sleep(1).next()).toThrow('no running event loop');
    // A first step that threw ended it, as it ends a coroutine: it cannot run again.
    expect(() => g.next()).toThrow('cannot reuse already awaited coroutine');
  });

  test('test_sleep_infinity_until_cancelled', async () => {
    const { loop } = makeLoop();
    const t = new Task(sleep(Number.POSITIVE_INFINITY), { loop });
    await runBriefly(loop);
    expect(t.done()).toBe(false);
    t.cancel('enough');
    await expect(loop.runUntilComplete(t)).rejects.toThrow('enough');
    expect(loop._timers.size).toBe(0);
  });

  test('test_sleep_closed_early_cancels_timer', async () => {
    // Closing the coroutine (return/throw) while it waits cancels its timer.
    const { loop } = makeLoop();
    function* main(): Coroutine<void> {
      const g = sleep(10, 'x');
      const first = g.next();
      const fut = first.value as Future<unknown>;
      expect(first.done).toBe(false);
      expect(fut.done()).toBe(false);
      expect(loop._timers.size).toBe(1);
      expect(g.return('early')).toEqual({ value: 'early', done: true });
      const timer = loop._timers.peek();
      expect(timer?.cancelled()).toBe(true);

      const h = sleep(10);
      h.next();
      const boom = new Error('boom');
      expect(() => h.throw(boom)).toThrow(boom);
      expect(() => h.next()).toThrow('cannot reuse already awaited coroutine');
      yield* sleep(0);
    }
    await loop.runUntilComplete(main());
    // A coroutine closed before it started just ends.
    const k = sleep(1);
    expect(k.return(undefined)).toEqual({ value: undefined, done: true });
    expect(() => sleep(1).throw(new Error('x'))).toThrow('x');
  });

  test('test_sleep_result_not_set_on_cancelled_future', async () => {
    // If the future was cancelled by someone else first, the timer leaves it alone.
    const { loop, calls } = makeLoop();
    // biome-ignore lint/correctness/useYield: steps the sleep by hand
    function* main(): Coroutine<unknown> {
      const g = sleep(0.001, 'late');
      const fut = g.next().value as Future<unknown>;
      const timer = loop._timers.peek() as TimerHandle;
      fut.cancel();
      // Run the timer's callback by hand, as the loop would.
      timer._run(undefined);
      expect(fut.cancelled()).toBe(true);
      try {
        g.next();
      } catch (e) {
        return e;
      }
      return null;
    }
    expect(await loop.runUntilComplete(main())).toBeInstanceOf(CancelledError);
    expect(calls).toEqual([]);
  });

  test('test_sleep_is_a_coroutine', async () => {
    const { loop } = makeLoop();
    const s = sleep(0.001, 'ok');
    expect(Object.prototype.toString.call(s)).toBe('[object Generator]');
    expect(s[Symbol.iterator]()).toBe(s);
    const t = loop.createTask(s);
    expect(await loop.runUntilComplete(t)).toBe('ok');
    // sleep(0) is a different object (one bare yield), and a coroutine all the same.
    const y = sleep(0, 'now');
    expect(Object.prototype.toString.call(y)).toBe('[object Generator]');
    expect(await loop.runUntilComplete(loop.createTask(y))).toBe('now');
    // Finished, both refuse to run again, as a CPython coroutine does (a
    // finished JavaScript generator would return undefined once more).
    for (const c of [s, y])
      expect(() => c.next()).toThrow('cannot reuse already awaited coroutine');
  });
});
