/**
 * A suite that sleeps for simulated hours, through `runWithVirtualClock` and
 * every timer of `@x/tasks`: sleep, callLater, timeout, waitFor, wait,
 * asCompleted and Condition timeouts. Each test asserts the virtual times
 * at which things happen, which are those real time would give.
 */

import {
  abortable,
  asCompleted,
  Condition,
  type Coroutine,
  createTask,
  Event,
  gather,
  getRunningLoop,
  Queue,
  sleep,
  TimeoutError,
  taskGroup,
  timeout,
  wait,
  waitFor,
} from '@x/runner';
import { runWithVirtualClock } from '@x/runner/testing';
import { describe, expect, it } from 'vitest';

const HOUR = 3600;

describe('runWithVirtualClock', () => {
  it('sleeps an hour at once and returns the test result', async () => {
    const result = await runWithVirtualClock(function* (clock) {
      yield* sleep(HOUR);
      return clock.now();
    });
    expect(result).toBe(HOUR);
  });

  it('callLater and sleep interleave as in real time', () =>
    runWithVirtualClock(function* () {
      const loop = getRunningLoop();
      const log: string[] = [];
      loop.callLater(90, () => log.push(`callLater@${loop.time()}`));
      const a = createTask(
        (function* () {
          yield* sleep(60);
          log.push(`a@${loop.time()}`);
          yield* sleep(60);
          log.push(`a@${loop.time()}`);
        })(),
      );
      yield* sleep(100);
      log.push(`main@${loop.time()}`);
      yield* a;
      expect(log).toEqual(['a@60', 'callLater@90', 'main@100', 'a@120']);
    }));

  it('timeout() of an hour fires at exactly an hour', () =>
    runWithVirtualClock(function* (clock) {
      let caught: unknown;
      try {
        yield* timeout(HOUR, function* () {
          yield* sleep(10 * HOUR);
        });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(TimeoutError);
      expect(clock.now()).toBe(HOUR);
    }));

  it('waitFor: a retry with exponential back-off over a simulated day', () =>
    runWithVirtualClock(function* (clock) {
      let attempts = 0;
      function* flaky(): Coroutine<string> {
        attempts++;
        if (attempts < 8) {
          yield* sleep(HOUR); // hangs past the timeout
        }
        return 'ok';
      }
      const starts: number[] = [];
      let delay = 60;
      for (;;) {
        starts.push(clock.now());
        try {
          const r = yield* waitFor(flaky(), 30);
          expect(r).toBe('ok');
          break;
        } catch (e) {
          expect(e).toBeInstanceOf(TimeoutError);
          yield* sleep(delay);
          delay *= 2;
        }
      }
      // 30 s timeout + 60, 120, 240, ... back-off
      expect(starts).toEqual([0, 90, 240, 510, 1020, 2010, 3960, 7830]);
      expect(attempts).toBe(8);
    }));

  it('wait() with a timeout and FIRST_COMPLETED', () =>
    runWithVirtualClock(function* (clock) {
      const loop = getRunningLoop();
      const t1 = createTask(sleep(2 * HOUR, 'two'));
      const t2 = createTask(sleep(HOUR, 'one'));
      const [done1, pending1] = yield* wait([t1, t2], { timeout: 10 });
      expect(done1.size).toBe(0);
      expect(pending1.size).toBe(2);
      expect(loop.time()).toBe(10);
      const [done2] = yield* wait([t1, t2], { returnWhen: 'FIRST_COMPLETED' });
      // toBe, not toEqual: a deep comparison would iterate the tasks' coroutines.
      expect(done2.size).toBe(1);
      expect([...done2][0]).toBe(t2);
      expect(clock.now()).toBe(HOUR);
      t1.cancel();
    }));

  it('asCompleted yields in the order of the virtual deadlines, and times out', () =>
    runWithVirtualClock(function* (clock) {
      const order: Array<[string, number]> = [];
      for (const next of asCompleted([sleep(300, 'c'), sleep(100, 'a'), sleep(200, 'b')])) {
        order.push([yield* next, clock.now()]);
      }
      expect(order).toEqual([
        ['a', 100],
        ['b', 200],
        ['c', 300],
      ]);
      let caught: unknown;
      try {
        for (const next of asCompleted([sleep(HOUR)], { timeout: 5 })) yield* next;
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(TimeoutError);
      expect(clock.now()).toBe(305);
    }));

  it('Condition.wait under a timeout, notified after 40 virtual minutes', () =>
    runWithVirtualClock(function* (clock) {
      const cond = new Condition();
      const waiter = createTask(
        (function* () {
          yield* cond.acquire();
          try {
            yield* timeout(HOUR, () => cond.wait());
            return clock.now();
          } finally {
            cond.release();
          }
        })(),
      );
      yield* sleep(40 * 60);
      yield* cond.acquire();
      cond.notify();
      cond.release();
      expect(yield* waiter).toBe(2400);
      // And a wait nobody notifies ends at its deadline.
      yield* cond.acquire();
      let caught: unknown;
      try {
        yield* waitFor(cond.wait(), 60);
      } catch (e) {
        caught = e;
      } finally {
        cond.release();
      }
      expect(caught).toBeInstanceOf(TimeoutError);
      expect(clock.now()).toBe(2460);
    }));

  it('a TaskGroup of workers polling a queue with idle timeouts, over 12 hours', () =>
    runWithVirtualClock(function* (clock) {
      const q = new Queue<number>();
      const stop = new Event();
      const handled: Array<[number, number]> = [];
      let idle = 0;
      function* worker(): Coroutine<void> {
        while (!stop.isSet()) {
          try {
            const item = (yield* waitFor(q.get(), 420)) as number;
            handled.push([item, clock.now()]);
          } catch (e) {
            if (!(e instanceof TimeoutError)) throw e;
            idle++;
          }
        }
      }
      yield* taskGroup(function* (tg) {
        tg.createTask(worker());
        for (let h = 1; h <= 12; h++) {
          yield* sleep(HOUR);
          q.putNowait(h);
        }
        yield* sleep(1);
        stop.set();
      });
      expect(handled).toEqual(Array.from({ length: 12 }, (_, i) => [i + 1, (i + 1) * HOUR]));
      // Eight 7-minute idle timeouts an hour, and the one that sees `stop`.
      expect(idle).toBe(12 * 8 + 1);
      expect(clock.now()).toBe(12 * HOUR + 420);
    }));

  it('a thousand sleepers over a simulated week finish in order', () =>
    runWithVirtualClock(function* (clock) {
      const woke: number[] = [];
      const week = 7 * 24 * HOUR;
      yield* gather(
        Array.from({ length: 1000 }, (_, i) =>
          (function* () {
            yield* sleep(((i * 7919) % 1000) * (week / 1000));
            woke.push(clock.now());
          })(),
        ),
      );
      expect(woke).toEqual([...woke].sort((a, b) => a - b));
      expect(clock.now()).toBe(999 * (week / 1000));
    }));

  it('a manual clock: autojumpThreshold null, the test jumps', () =>
    runWithVirtualClock(
      function* (clock) {
        const t = createTask(sleep(10, 'slept'));
        yield* sleep(0);
        expect(t.done()).toBe(false);
        clock.jump(10);
        expect(yield* t).toBe('slept');
        expect(clock.now()).toBe(10);
      },
      { autojumpThreshold: null },
    ));

  it('abortable() work takes its real time: the clock waits for it', () =>
    runWithVirtualClock(function* (clock) {
      const loop = getRunningLoop();
      const fired: number[] = [];
      loop.callLater(1, () => fired.push(loop.time()));
      const real0 = performance.now();
      const v = yield* abortable(
        (signal) =>
          new Promise<string>((resolve) => {
            const t = setTimeout(() => resolve('fetched'), 40);
            signal.addEventListener('abort', () => clearTimeout(t));
          }),
      );
      expect(v).toBe('fetched');
      expect(performance.now() - real0).toBeGreaterThanOrEqual(35);
      // The 1-second timer did not fire during the 40 real milliseconds.
      expect(fired).toEqual([]);
      expect(clock.now()).toBe(0);
      yield* sleep(2);
      expect(fired).toEqual([1]);
    }));

  it('start, a plain async function, and errors', async () => {
    expect(
      await runWithVirtualClock(
        async (clock) => {
          await createTask(sleep(5));
          return clock.now();
        },
        { start: 1000 },
      ),
    ).toBe(1005);
    await expect(
      runWithVirtualClock(function* () {
        yield* sleep(HOUR);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(runWithVirtualClock(42 as never)).rejects.toThrow(TypeError);
  });
});
