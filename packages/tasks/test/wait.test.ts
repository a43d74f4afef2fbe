/**
 * Port of the wait tests of CPython's Lib/test/test_asyncio/test_tasks.py
 * (test_wait*, test_yield_wait_does_not_shield_cancel,
 * test_current_task_with_interleaving_tasks) for 3.14's `wait`.
 *
 * CPython's test loop fakes time (`new_test_loop(gen)` checks each timer's
 * deadline); here the loops are real, the delays a few milliseconds, and the
 * tests check what is done and pending rather than the clock.
 */
import {
  CancelledError,
  type Coroutine,
  EventLoop,
  type Future,
  setEventLoop,
  ValueError,
} from '@x/loop';
import { createTask, currentTask, ensureFuture, sleep, Task, wait } from '@x/tasks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { caught, makeLoop, waitDone } from './task-helpers.js';

class ZeroDivisionError extends Error {
  override name = 'ZeroDivisionError';
}

async function runBriefly(loop: EventLoop): Promise<void> {
  await loop.runUntilComplete(
    (function* once(): Coroutine<void> {
      yield;
    })(),
  );
}

describe('TaskTests (wait)', () => {
  let loop: EventLoop;
  let calls: ReturnType<typeof makeLoop>['calls'];

  beforeEach(() => {
    ({ loop, calls } = makeLoop());
    setEventLoop(loop);
  });

  afterEach(() => {
    // Every failure was looked at; every task ended before its loop closed.
    expect(calls).toEqual([]);
  });

  test('test_wait', async () => {
    const a = new Task(sleep(0.01), { loop });
    const b = new Task(sleep(0.015), { loop });

    function* foo(): Coroutine<number> {
      const [done, pending] = yield* wait([b, a]);
      expect(done).toEqual(new Set([a, b]));
      expect(pending).toEqual(new Set());
      return 42;
    }

    expect(await loop.runUntilComplete(new Task(foo(), { loop }))).toBe(42);
    // Doing it again should take no time and exercise a different path.
    expect(await loop.runUntilComplete(new Task(foo(), { loop }))).toBe(42);
  });

  test('test_wait_duplicate_coroutines', async () => {
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* coro(s: string): Coroutine<string> {
      return s;
    }
    const c = loop.createTask(coro('test'));
    const task = new Task(wait([c, c, loop.createTask(coro('spam'))]), { loop });
    const [done, pending] = await loop.runUntilComplete(task);
    expect(pending.size).toBe(0);
    expect(done.size).toBe(2);
    expect(new Set([...done].map((f) => f.result()))).toEqual(new Set(['test', 'spam']));
  });

  test('test_wait_errors', async () => {
    await expect(loop.runUntilComplete(wait(new Set()))).rejects.toThrow(ValueError);
    await expect(loop.runUntilComplete(wait(new Set()))).rejects.toThrow(
      'Set of Tasks/Futures is empty.',
    );
    // -1 is an invalid returnWhen value
    const sleepCoro = sleep(10);
    const waitCoro = wait([sleepCoro as never], { returnWhen: -1 as never });
    await expect(loop.runUntilComplete(waitCoro)).rejects.toThrow('Invalid return_when value: -1');
  });

  test('test_wait_first_completed', async () => {
    const a = new Task(sleep(10), { loop });
    const b = new Task(sleep(0.01), { loop });
    const task = new Task(wait([b, a], { returnWhen: 'FIRST_COMPLETED' }), { loop });
    const [done, pending] = await loop.runUntilComplete(task);
    expect(done).toEqual(new Set([b]));
    expect(pending).toEqual(new Set([a]));
    expect(a.done()).toBe(false);
    expect(b.done()).toBe(true);
    expect(b.result()).toBe(undefined);
    a.cancel();
    await loop.runUntilComplete(wait([a, b]));
  });

  test('test_wait_really_done', async () => {
    // There is possibility that some tasks in the pending list
    // became done but their callbacks haven't all been called yet.
    function* coro1(): Coroutine<void> {
      yield* sleep(0);
    }
    function* coro2(): Coroutine<void> {
      yield* sleep(0);
      yield* sleep(0);
    }
    const a = new Task(coro1(), { loop });
    const b = new Task(coro2(), { loop });
    const task = new Task(wait([b, a], { returnWhen: 'FIRST_COMPLETED' }), { loop });
    const [done] = await loop.runUntilComplete(task);
    expect(done).toEqual(new Set([a, b]));
    expect(a.done()).toBe(true);
    expect(a.result()).toBe(undefined);
    expect(b.done()).toBe(true);
    expect(b.result()).toBe(undefined);
  });

  test('test_wait_first_exception', async () => {
    // first_exception, task already has exception
    const a = new Task(sleep(10), { loop });
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* exc(): Coroutine<void> {
      throw new ZeroDivisionError('err');
    }
    const b = new Task(exc(), { loop });
    const task = new Task(wait([b, a], { returnWhen: 'FIRST_EXCEPTION' }), { loop });
    const [done, pending] = await loop.runUntilComplete(task);
    expect(done).toEqual(new Set([b]));
    expect(pending).toEqual(new Set([a]));
    a.cancel();
    await loop.runUntilComplete(wait([a, b]));
  });

  test('test_wait_first_exception_in_wait', async () => {
    // first_exception, exception during waiting
    const a = new Task(sleep(10), { loop });
    function* exc(): Coroutine<void> {
      yield* sleep(0.01);
      throw new ZeroDivisionError('err');
    }
    const b = new Task(exc(), { loop });
    const [done, pending] = await loop.runUntilComplete(
      wait([b, a], { returnWhen: 'FIRST_EXCEPTION' }),
    );
    expect(done).toEqual(new Set([b]));
    expect(pending).toEqual(new Set([a]));
    a.cancel();
    await loop.runUntilComplete(wait([a, b]));
  });

  test('test_wait_with_exception', async () => {
    const a = new Task(sleep(0.01), { loop });
    function* sleeper(): Coroutine<void> {
      yield* sleep(0.015);
      throw new ZeroDivisionError('really');
    }
    const b = new Task(sleeper(), { loop });

    function* foo(): Coroutine<void> {
      const [done, pending] = yield* wait([b, a]);
      expect(done.size).toBe(2);
      expect(pending).toEqual(new Set());
      const errors = [...done].filter((f) => f.exception() !== null);
      expect(errors.length).toBe(1);
    }

    await loop.runUntilComplete(new Task(foo(), { loop }));
    await loop.runUntilComplete(new Task(foo(), { loop }));
  });

  test('test_wait_with_timeout', async () => {
    const a = new Task(sleep(0.01), { loop });
    const b = new Task(sleep(0.5), { loop });

    function* foo(): Coroutine<void> {
      const [done, pending] = yield* wait([b, a], { timeout: 0.05 });
      expect(done).toEqual(new Set([a]));
      expect(pending).toEqual(new Set([b]));
    }

    await loop.runUntilComplete(new Task(foo(), { loop }));
    // wait() does not cancel what is still pending.
    expect(b.done()).toBe(false);
    b.cancel();
    await loop.runUntilComplete(wait([a, b]));
  });

  test('test_wait_concurrent_complete', async () => {
    const a = new Task(sleep(0.01), { loop });
    const b = new Task(sleep(0.5), { loop });
    // The timeout and `a` are due together; `a`'s timer was set first.
    const [done, pending] = await loop.runUntilComplete(wait([b, a], { timeout: 0.01 }));
    expect(done).toEqual(new Set([a]));
    expect(pending).toEqual(new Set([b]));
    b.cancel();
    await loop.runUntilComplete(wait([a, b]));
  });

  test('test_wait_with_iterator_of_tasks', async () => {
    const a = new Task(sleep(0.01), { loop });
    const b = new Task(sleep(0.015), { loop });

    function* foo(): Coroutine<number> {
      const [done, pending] = yield* wait([b, a][Symbol.iterator]());
      expect(done).toEqual(new Set([a, b]));
      expect(pending).toEqual(new Set());
      return 42;
    }

    expect(await loop.runUntilComplete(new Task(foo(), { loop }))).toBe(42);
  });

  test('test_wait_generator', async () => {
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* func(a: number): Coroutine<number> {
      return a;
    }
    function* main(): Coroutine<void> {
      // A lazy iterable, as Python's generator expression. A generator object
      // itself would count as a coroutine here: see the next test.
      const tasks = {
        *[Symbol.iterator]() {
          for (let i = 0; i < 10; i++) yield new Task(func(i), { loop });
        },
      };
      const [done, pending] = yield* wait(tasks, { returnWhen: 'ALL_COMPLETED' });
      expect(done.size).toBe(10);
      expect(pending.size).toBe(0);
    }
    await loop.runUntilComplete(main());
  });

  test('test_wait_generator: a generator object is a coroutine here, and the error says to spread it', async () => {
    const gen = (function* () {
      yield loop.createFuture();
    })();
    const err = await loop.runUntilComplete(caught(wait(gen as never)));
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toMatch(/wait\(\[\.\.\.generator\]\)/);
  });

  test('test_wait_invalid_args', async () => {
    const fut = loop.createFuture();
    // wait() expects a list of futures, not a future instance
    await expect(loop.runUntilComplete(wait(fut as never))).rejects.toThrow(TypeError);
    await expect(loop.runUntilComplete(wait(fut as never))).rejects.toThrow(
      'expect a list of futures, not Future: pass an iterable, as in wait([fut])',
    );
    const coro = sleep(0);
    await expect(loop.runUntilComplete(wait(coro as never))).rejects.toThrow(
      /expect a list of futures, not coroutine: pass an iterable of tasks/,
    );
    // wait() expects at least a future
    await expect(loop.runUntilComplete(wait([]))).rejects.toThrow(ValueError);
  });

  test('test_yield_wait_does_not_shield_cancel', async () => {
    // Cancelling outer() makes wait() return early, leaves inner() running.
    let proof = 0;
    const waiter = loop.createFuture();

    function* inner(): Coroutine<void> {
      yield* waiter;
      proof += 1;
    }

    function* outer(): Coroutine<void> {
      yield* wait([createTask(inner())]);
      proof += 100;
    }

    const f = ensureFuture(outer(), { loop });
    await runBriefly(loop);
    f.cancel();
    await expect(loop.runUntilComplete(f)).rejects.toBeInstanceOf(CancelledError);
    waiter.setResult(undefined);
    await runBriefly(loop);
    expect(proof).toBe(1);
  });

  test('test_current_task_with_interleaving_tasks', async () => {
    const fut1 = loop.createFuture<boolean>();
    const fut2 = loop.createFuture<boolean>();
    let task1: Task<void> | null = null;
    let task2: Task<void> | null = null;

    function* coro1(): Coroutine<void> {
      expect(currentTask()).toBe(task1);
      yield* fut1;
      expect(currentTask()).toBe(task1);
      fut2.setResult(true);
    }

    function* coro2(): Coroutine<void> {
      expect(currentTask()).toBe(task2);
      fut1.setResult(true);
      yield* fut2;
      expect(currentTask()).toBe(task2);
    }

    task1 = new Task(coro1(), { loop });
    task2 = new Task(coro2(), { loop });
    await loop.runUntilComplete(wait([task1, task2]));
    expect(task1.result()).toBe(undefined);
    expect(task2.result()).toBe(undefined);
    expect(currentTask(loop)).toBe(null);
  });
});

describe('wait, beyond the CPython tests', () => {
  let loop: EventLoop;
  let otherLoop: EventLoop;

  beforeEach(() => {
    loop = makeLoop().loop;
    otherLoop = makeLoop().loop;
    setEventLoop(loop);
  });

  test('coroutines are refused (3.11+): wrap them in tasks', async () => {
    const err = await loop.runUntilComplete(caught(wait([sleep(0) as never])));
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toBe('Passing coroutines is forbidden, use tasks explicitly.');
  });

  test('a promise is refused with a hint to wrap it', async () => {
    const err = await loop.runUntilComplete(caught(wait([Promise.resolve(1) as never])));
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toMatch(
      /wait\(\) takes Futures and Tasks, got Promise; wrap it with ensureFuture\(\)/,
    );
  });

  test('a non-iterable is a TypeError', async () => {
    const err = await loop.runUntilComplete(caught(wait(42 as never)));
    expect((err as Error).message).toBe('expect a list of futures, not number');
    const err2 = await loop.runUntilComplete(caught(wait(null as never)));
    expect((err2 as Error).message).toBe('expect a list of futures, not null');
  });

  test('a Future of another loop is a ValueError instead of a wait that never ends', async () => {
    const err = await loop.runUntilComplete(caught(wait([otherLoop.createFuture()])));
    expect(err).toBeInstanceOf(ValueError);
    expect((err as Error).message).toMatch(/different loop/);
  });

  test('a timeout that is not a number is a TypeError', async () => {
    const fut = loop.createFuture();
    for (const bad of ['1', Number.NaN]) {
      const err = await loop.runUntilComplete(caught(wait([fut], { timeout: bad as never })));
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).toMatch(
        /wait\(\) timeout must be a number of seconds or null, got (string|NaN)/,
      );
    }
  });

  test('errors come when the coroutine is awaited, not when it is created (wait is async def)', () => {
    expect(() => wait(42 as never)).not.toThrow();
  });

  test('null and undefined timeouts wait for everything; the callbacks are removed afterwards', async () => {
    const a = new Task(sleep(0.005, 'a'), { loop });
    const b = loop.createFuture<string>();
    loop.callLater(0.01, () => b.setResult('b'));
    const [done, pending] = await loop.runUntilComplete(wait([a, b], { timeout: null }));
    expect(done).toEqual(new Set([a, b]));
    expect(pending.size).toBe(0);
    expect(b._cb0).toBe(null);
    const [done2] = await loop.runUntilComplete(wait([a, b], { timeout: undefined }));
    expect(done2.size).toBe(2);
  });

  test('FIRST_EXCEPTION: a cancelled future is not an exception, and without exceptions it waits for all', async () => {
    const a = loop.createFuture();
    const b = loop.createFuture();
    function* main(): Coroutine<[Set<Future<unknown>>, Set<Future<unknown>>]> {
      const w = createTask(wait([a, b], { returnWhen: 'FIRST_EXCEPTION' }));
      yield* sleep(0);
      a.cancel();
      yield* sleep(0);
      yield* sleep(0);
      expect(w.done()).toBe(false);
      b.setResult(2);
      return yield* w;
    }
    const [done, pending] = await loop.runUntilComplete(main());
    expect(done).toEqual(new Set([a, b]));
    expect(pending.size).toBe(0);
  });

  test('with a timeout, wait returns as soon as everything is done and cancels its timer', async () => {
    const a = new Task(sleep(0.001, 'a'), { loop });
    const [done, pending] = await loop.runUntilComplete(wait([a], { timeout: 10 }));
    expect(done).toEqual(new Set([a]));
    expect(pending.size).toBe(0);
    expect(loop._timers.items.every((t) => t._cancelled)).toBe(true);
  });

  test('FIRST_COMPLETED: futures completing together are all in done', async () => {
    const a = loop.createFuture<number>();
    const b = loop.createFuture<number>();
    loop.callSoon(() => {
      a.setResult(1);
      b.setResult(2);
    });
    const [done, pending] = await loop.runUntilComplete(
      wait([a, b], { returnWhen: 'FIRST_COMPLETED' }),
    );
    expect(done).toEqual(new Set([a, b]));
    expect(pending.size).toBe(0);
  });

  test('a timeout due in the iteration that cancels the waiting task does nothing (fake clock)', async () => {
    let now = 0;
    const fake = new EventLoop({ clock: { now: () => now } });
    try {
      const f = fake.createFuture();
      let w: Task<unknown> | null = null;
      // Due at t=1 like the timeout, and set before it: runs first.
      fake.callLater(1, () => w?.cancel());
      w = new Task(wait([f], { timeout: 1 }), { loop: fake });
      fake.stop();
      await fake.runForever();
      now = 1;
      const err = await fake.runUntilComplete(caught(w[Symbol.iterator]() as Coroutine<unknown>));
      expect(err).toBeInstanceOf(CancelledError);
      expect(f.done()).toBe(false);
    } finally {
      fake.close();
    }
  });

  test('cancelling the waiting task leaves the futures alone and removes its callbacks', async () => {
    const a = loop.createFuture();
    function* main(): Coroutine<void> {
      const w = createTask(wait([a], { timeout: 10 }));
      yield* sleep(0);
      w.cancel();
      yield* waitDone(w);
      expect(w.cancelled()).toBe(true);
    }
    await loop.runUntilComplete(main());
    expect(a.cancelled()).toBe(false);
    expect(a._cb0).toBe(null);
  });
});
