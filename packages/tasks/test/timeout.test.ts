/**
 * Port of CPython's Lib/test/test_asyncio/test_timeouts.py (3.14), plus the
 * TypeScript-specific parts (the scope function, argument checks, closing).
 *
 * `async with asyncio.timeout(d) as cm: ...` becomes
 * `yield* timeout(d, function* (cm) { ... })`. Delays are real and short.
 *
 * Not ported, and why: test_timeout_already_entered and
 * test_timeout_double_enter (a Timeout is entered only by the scope function
 * that creates it, so it cannot be entered twice); the `__context__` halves
 * of test_timeout_exception_context, test_foreign_exception_on_timeout(_2),
 * test_nested_timeout_in_finally and test_timeout_taskgroup (JavaScript has
 * no implicit exception context; the `__cause__` parts are kept).
 */

import { inspect } from 'node:util';
import {
  CancelledError,
  type Coroutine,
  getRunningLoop,
  RuntimeError,
  TimeoutError,
} from '@x/loop';
import {
  createTask,
  currentTask,
  ExceptionGroup,
  sleep,
  type Task,
  Timeout,
  taskGroup,
  timeout,
  timeoutAt,
} from '@x/tasks';
import { describe, expect, test } from 'vitest';
import { busyWait, MyExc, makeLoop, raises, runTest, ZeroDivisionError } from './scope-helpers.js';

class KeyError extends Error {
  override name = 'KeyError';
}
class ValueErr extends Error {
  override name = 'ValueError';
}

describe('TimeoutTests', () => {
  test('test_timeout_basic', async () => {
    await runTest(function* () {
      let cm: Timeout | null = null;
      yield* raises(TimeoutError, () =>
        timeout(0.01, function* (c) {
          cm = c;
          yield* sleep(10);
        }),
      );
      expect((cm as unknown as Timeout).expired()).toBe(true);
    });
  });

  test('test_timeout_at_basic', async () => {
    await runTest(function* (loop) {
      let cm: Timeout | null = null;
      const deadline = loop.time() + 0.01;
      yield* raises(TimeoutError, () =>
        timeoutAt(deadline, function* (c) {
          cm = c;
          yield* sleep(10);
        }),
      );
      const c = cm as unknown as Timeout;
      expect(c.expired()).toBe(true);
      expect(c.when()).toBe(deadline);
    });
  });

  test('test_nested_timeouts', async () => {
    await runTest(function* (loop) {
      let cancelled = false;
      let cm1: Timeout | null = null;
      let cm2: Timeout | null = null;
      const deadline = loop.time() + 0.01;
      yield* raises(TimeoutError, () =>
        timeoutAt(deadline, function* (c1) {
          cm1 = c1;
          // Only the topmost scope throws TimeoutError.
          try {
            yield* timeoutAt(deadline, function* (c2) {
              cm2 = c2;
              yield* sleep(10);
            });
          } catch (e) {
            if (e instanceof CancelledError) cancelled = true;
            throw e;
          }
        }),
      );
      expect(cancelled).toBe(true);
      expect((cm1 as unknown as Timeout).expired()).toBe(true);
      expect((cm2 as unknown as Timeout).expired()).toBe(true);
    });
  });

  test('test_waiter_cancelled', async () => {
    await runTest(function* () {
      let cancelled = false;
      yield* raises(TimeoutError, () =>
        timeout(0.01, function* () {
          try {
            yield* sleep(10);
          } catch (e) {
            if (e instanceof CancelledError) cancelled = true;
            throw e;
          }
        }),
      );
      expect(cancelled).toBe(true);
    });
  });

  test('test_timeout_not_called', async () => {
    await runTest(function* (loop) {
      const cm = yield* timeout(10, function* (c) {
        yield* sleep(0.01);
        return c;
      });
      const t1 = loop.time();
      expect(cm.expired()).toBe(false);
      expect(cm.when()).toBeGreaterThan(t1);
    });
  });

  test('test_timeout_disabled', async () => {
    await runTest(function* () {
      const cm = yield* timeout(null, function* (c) {
        yield* sleep(0.01);
        return c;
      });
      expect(cm.expired()).toBe(false);
      expect(cm.when()).toBeNull();
    });
  });

  test('test_timeout_at_disabled', async () => {
    await runTest(function* () {
      const cm = yield* timeoutAt(null, function* (c) {
        yield* sleep(0.01);
        return c;
      });
      expect(cm.expired()).toBe(false);
      expect(cm.when()).toBeNull();
    });
  });

  test('test_timeout_zero', async () => {
    await runTest(function* (loop) {
      const t0 = loop.time();
      let cm: Timeout | null = null;
      yield* raises(TimeoutError, () =>
        timeout(0, function* (c) {
          cm = c;
          yield* sleep(10);
        }),
      );
      const t1 = loop.time();
      const c = cm as unknown as Timeout;
      expect(c.expired()).toBe(true);
      expect(c.when()).toBeGreaterThanOrEqual(t0);
      expect(c.when()).toBeLessThanOrEqual(t1);
    });
  });

  test('test_timeout_zero_sleep_zero', async () => {
    await runTest(function* (loop) {
      const t0 = loop.time();
      let cm: Timeout | null = null;
      yield* raises(TimeoutError, () =>
        timeout(0, function* (c) {
          cm = c;
          yield* sleep(0);
        }),
      );
      const t1 = loop.time();
      const c = cm as unknown as Timeout;
      expect(c.expired()).toBe(true);
      expect(c.when()).toBeGreaterThanOrEqual(t0);
      expect(c.when()).toBeLessThanOrEqual(t1);
    });
  });

  test('test_timeout_in_the_past_sleep_zero', async () => {
    await runTest(function* (loop) {
      const t0 = loop.time();
      let cm: Timeout | null = null;
      yield* raises(TimeoutError, () =>
        timeout(-11, function* (c) {
          cm = c;
          yield* sleep(0);
        }),
      );
      const c = cm as unknown as Timeout;
      expect(c.expired()).toBe(true);
      expect(c.when()).toBeLessThanOrEqual(t0);
    });
  });

  test('test_foreign_exception_passed', async () => {
    await runTest(function* () {
      let cm: Timeout | null = null;
      yield* raises(KeyError, () =>
        // biome-ignore lint/correctness/useYield: a coroutine that does not wait
        timeout(0.01, function* (c) {
          cm = c;
          throw new KeyError();
        }),
      );
      expect((cm as unknown as Timeout).expired()).toBe(false);
    });
  });

  test('test_timeout_exception_context', async () => {
    await runTest(function* () {
      const e = yield* raises(TimeoutError, () =>
        timeout(0.01, function* () {
          try {
            throw new ZeroDivisionError();
          } finally {
            yield* sleep(1);
          }
        }),
      );
      // TimeoutError caused by the CancelledError that interrupted the finally.
      expect(e.cause).toBeInstanceOf(CancelledError);
    });
  });

  test('test_foreign_exception_on_timeout', async () => {
    await runTest(function* () {
      function* crash(): Coroutine<void> {
        try {
          yield* sleep(1);
        } finally {
          // biome-ignore lint/correctness/noUnsafeFinally: the test is about exactly this
          throw new ZeroDivisionError();
        }
      }
      let cm: Timeout | null = null;
      yield* raises(ZeroDivisionError, () =>
        timeout(0.01, function* (c) {
          cm = c;
          yield* crash();
        }),
      );
      expect((cm as unknown as Timeout).expired()).toBe(true);
      expect(currentTask()?.cancelling()).toBe(0);
    });
  });

  test('test_foreign_exception_on_timeout_2', async () => {
    await runTest(function* () {
      yield* raises(ZeroDivisionError, () =>
        timeout(0.01, function* () {
          try {
            try {
              throw new ValueErr();
            } finally {
              yield* sleep(1);
            }
          } finally {
            try {
              // biome-ignore lint/correctness/noUnsafeFinally: the test is about exactly this
              throw new KeyError();
            } finally {
              // biome-ignore lint/correctness/noUnsafeFinally: the test is about exactly this
              throw new ZeroDivisionError();
            }
          }
        }),
      );
    });
  });

  test('test_foreign_cancel_doesnt_timeout_if_not_expired', async () => {
    await runTest(function* () {
      let cm: Timeout | null = null;
      yield* raises(CancelledError, () =>
        timeout(10, function* (c) {
          cm = c;
          currentTask()?.cancel();
          yield* sleep(10);
        }),
      );
      expect((cm as unknown as Timeout).expired()).toBe(false);
    });
  });

  test('test_outer_task_is_not_cancelled', async () => {
    await runTest(function* () {
      function* outer(): Coroutine<void> {
        yield* raises(TimeoutError, () =>
          timeout(0.001, function* () {
            yield* sleep(10);
          }),
        );
      }
      const task = createTask(outer());
      yield* task;
      expect(task.cancelled()).toBe(false);
      expect(task.done()).toBe(true);
    });
  });

  test('test_nested_timeouts_concurrent', async () => {
    await runTest(function* () {
      yield* raises(TimeoutError, () =>
        timeout(0.002, function* () {
          // The inner scope has not expired: the CancelledError goes through it.
          yield* raises(TimeoutError, () =>
            timeout(0.1, function* () {
              // Pretend we crunch some numbers.
              busyWait(0.01);
              yield* sleep(1);
            }),
          );
        }),
      );
    });
  });

  test('test_nested_timeouts_loop_busy', async () => {
    await runTest(function* (loop) {
      // After the inner timeout is an expensive operation which should be
      // stopped by the outer timeout.
      const t0 = loop.time();
      yield* raises(TimeoutError, () =>
        timeout(0.05, function* () {
          yield* raises(TimeoutError, () =>
            timeout(0.01, function* () {
              // Pretend the loop is busy for a while.
              busyWait(0.05);
              yield* sleep(1);
            }),
          );
          // This sleep is interrupted by the outer scope.
          yield* sleep(10);
        }),
      );
      const t1 = loop.time();
      // Far less than the sleep(10) it interrupted, with room for a loaded machine.
      expect(t1 - t0).toBeLessThan(5);
    });
  });

  test('test_reschedule', async () => {
    await runTest(function* (loop) {
      const fut = loop.createFuture<Timeout>();
      const deadline1 = loop.time() + 10;
      const deadline2 = deadline1 + 20;
      function* f(): Coroutine<void> {
        yield* timeoutAt(deadline1, function* (cm) {
          fut.setResult(cm);
          yield* sleep(50);
        });
      }
      const task = createTask(f());
      const cm = yield* fut;
      expect(cm.when()).toBe(deadline1);
      cm.reschedule(deadline2);
      expect(cm.when()).toBe(deadline2);
      cm.reschedule(null);
      expect(cm.when()).toBeNull();
      task.cancel();
      yield* raises(CancelledError, () => task[Symbol.iterator]());
      expect(cm.expired()).toBe(false);
    });
  });

  test('test_repr_active', async () => {
    await runTest(function* () {
      // biome-ignore lint/correctness/useYield: a coroutine that does not wait
      yield* timeout(10, function* (cm) {
        expect(String(cm)).toMatch(/^<Timeout \[active\] when=\d+(\.\d*)?>$/);
      });
    });
  });

  test('test_repr_expired', async () => {
    await runTest(function* () {
      let cm: Timeout | null = null;
      yield* raises(TimeoutError, () =>
        timeout(0.01, function* (c) {
          cm = c;
          yield* sleep(10);
        }),
      );
      expect(String(cm)).toBe('<Timeout [expired]>');
    });
  });

  test('test_repr_finished', async () => {
    await runTest(function* () {
      const cm = yield* timeout(10, function* (c) {
        yield* sleep(0);
        return c;
      });
      expect(String(cm)).toBe('<Timeout [finished]>');
    });
  });

  test('test_repr (util.inspect)', async () => {
    await runTest(function* () {
      // biome-ignore lint/correctness/useYield: a coroutine that does not wait
      yield* timeout(null, function* (cm) {
        expect(inspect(cm)).toBe('<Timeout [active] when=null>');
      });
    });
  });

  test('test_repr_disabled', async () => {
    await runTest(function* () {
      // biome-ignore lint/correctness/useYield: a coroutine that does not wait
      yield* timeout(null, function* (cm) {
        expect(String(cm)).toBe('<Timeout [active] when=null>');
      });
    });
  });

  test('test_nested_timeout_in_finally', async () => {
    await runTest(function* () {
      let e2: TimeoutError | null = null;
      const e1 = yield* raises(TimeoutError, () =>
        timeout(0.01, function* () {
          try {
            yield* sleep(1);
          } finally {
            e2 = yield* raises(TimeoutError, () =>
              timeout(0.01, function* () {
                yield* sleep(10);
              }),
            );
          }
        }),
      );
      expect(e1.cause).toBeInstanceOf(CancelledError);
      expect((e2 as unknown as TimeoutError).cause).toBeInstanceOf(CancelledError);
      expect((e2 as unknown as TimeoutError).cause).not.toBe(e1.cause);
    });
  });

  test('test_timeout_after_cancellation', async () => {
    await runTest(function* () {
      try {
        currentTask()?.cancel();
        yield* sleep(1); // work which will be cancelled
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
      } finally {
        yield* raises(TimeoutError, () =>
          timeout(0, function* () {
            yield* sleep(1); // some cleanup
          }),
        );
      }
    });
  });

  test('test_cancel_in_timeout_after_cancellation', async () => {
    await runTest(function* () {
      try {
        currentTask()?.cancel();
        yield* sleep(1); // work which will be cancelled
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
      } finally {
        yield* raises(CancelledError, () =>
          timeout(1, function* () {
            currentTask()?.cancel();
            yield* sleep(2); // some cleanup
          }),
        );
      }
    });
  });

  test('test_timeout_exception_cause', async () => {
    await runTest(function* () {
      const e = yield* raises(TimeoutError, () =>
        timeout(0, function* () {
          yield* sleep(1);
        }),
      );
      expect(e.cause).toBeInstanceOf(CancelledError);
    });
  });

  test('test_timeout_finished', async () => {
    await runTest(function* () {
      // biome-ignore lint/correctness/useYield: a coroutine that does not wait
      const cm = yield* timeout(0.01, function* (c) {
        return c;
      });
      expect(() => cm.reschedule(0.02)).toThrow(RuntimeError);
      expect(() => cm.reschedule(0.02)).toThrow('Cannot change state of finished Timeout');
    });
  });

  test('test_timeout_expired', async () => {
    await runTest(function* () {
      let cm: Timeout | null = null;
      yield* raises(TimeoutError, () =>
        timeout(0.01, function* (c) {
          cm = c;
          yield* sleep(1);
        }),
      );
      expect(() => (cm as unknown as Timeout).reschedule(0.02)).toThrow(
        'Cannot change state of expired Timeout',
      );
    });
  });

  test('test_timeout_expiring', async () => {
    await runTest(function* () {
      yield* timeout(0.01, function* (cm) {
        yield* raises(CancelledError, () => sleep(1));
        expect(() => cm.reschedule(0.02)).toThrow('Cannot change state of expiring Timeout');
      });
    });
  });

  test('test_timeout_not_entered', async () => {
    await runTest(function* () {
      const cm = new Timeout(getRunningLoop().time() + 0.01);
      expect(() => cm.reschedule(0.02)).toThrow(RuntimeError);
      expect(() => cm.reschedule(0.02)).toThrow('Timeout has not been entered');
    });
  });

  test('test_timeout_without_task', async () => {
    const { loop } = makeLoop();
    let entered = false;
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    const coro = timeout(0.01, function* () {
      entered = true;
    });
    const outcome = loop.createFuture<unknown>();
    // Stepped by a plain callback: the running loop has no current task.
    loop.callSoon(() => {
      try {
        coro.next();
        outcome.setResult(null);
      } catch (e) {
        outcome.setResult(e);
      }
    });
    const err = await loop.runUntilComplete(outcome);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toBe('Timeout should be used inside a task');
    expect(entered).toBe(false);
  });

  test('test_timeout_taskgroup', async () => {
    await runTest(function* () {
      function* task(): Coroutine<void> {
        try {
          yield* sleep(2); // Interrupted after 0.01 second
        } finally {
          // biome-ignore lint/correctness/noUnsafeFinally: crash in cleanup
          throw new ZeroDivisionError();
        }
      }
      const eg = yield* raises(ExceptionGroup, () =>
        timeout(0.01, function* () {
          yield* taskGroup(function* (tg) {
            tg.createTask(task());
            try {
              throw new ValueErr();
            } finally {
              yield* sleep(1);
            }
          });
        }),
      );
      expect(eg.errors).toHaveLength(1);
      expect(eg.errors[0]).toBeInstanceOf(ZeroDivisionError);
      // The group's own cancellation was taken back: the task goes on normally.
      expect(currentTask()?.cancelling()).toBe(0);
      yield* sleep(0.001);
    });
  });
});

describe('timeout (TypeScript)', () => {
  test('the scope returns what the body returns', async () => {
    const r = await runTest(function* () {
      return yield* timeout(1, function* () {
        yield* sleep(0.001);
        return 42;
      });
    });
    expect(r).toBe(42);
  });

  test('the outer scope expires first: the inner one lets the cancellation through', async () => {
    await runTest(function* () {
      let inner: Timeout | null = null;
      let outer: Timeout | null = null;
      let innerSaw: unknown = null;
      yield* raises(TimeoutError, () =>
        timeout(0.01, function* (o) {
          outer = o;
          try {
            yield* timeout(10, function* (i) {
              inner = i;
              yield* sleep(10);
            });
          } catch (e) {
            innerSaw = e;
            throw e;
          }
        }),
      );
      expect(innerSaw).toBeInstanceOf(CancelledError);
      expect((inner as unknown as Timeout).expired()).toBe(false);
      expect(String(inner)).toBe('<Timeout [finished]>');
      expect((outer as unknown as Timeout).expired()).toBe(true);
      expect(currentTask()?.cancelling()).toBe(0);
    });
  });

  test('a body that swallows the CancelledError returns normally, the scope still expired', async () => {
    await runTest(function* () {
      let cm: Timeout | null = null;
      const r = yield* timeout(0.005, function* (c) {
        cm = c;
        try {
          yield* sleep(10);
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
          return 'swallowed';
        }
        return 'slept';
      });
      expect(r).toBe('swallowed');
      expect((cm as unknown as Timeout).expired()).toBe(true);
      expect(currentTask()?.cancelling()).toBe(0);
      // No cancellation is left over for the rest of the task.
      yield* sleep(0.001);
    });
  });

  test('expiry and an outside cancel together: the CancelledError goes on', async () => {
    await runTest(function* (loop) {
      let cm: Timeout | null = null;
      function* child(): Coroutine<void> {
        yield* timeout(0.005, function* (c) {
          cm = c;
          const self = currentTask() as Task<unknown>;
          // Another cancel at the same loop time: the same iteration, after the timeout's.
          loop.callAt(c.when() as number, () => self.cancel());
          yield* sleep(10);
        });
      }
      const t = createTask(child());
      yield* raises(CancelledError, function* () {
        yield* t;
      });
      expect(t.cancelled()).toBe(true);
      expect((cm as unknown as Timeout).expired()).toBe(true);
    });
  });

  test('reschedule() moves the deadline earlier and later', async () => {
    await runTest(function* (loop) {
      // Later: the body outlives the first deadline.
      const r = yield* timeout(0.005, function* (cm) {
        cm.reschedule(loop.time() + 10);
        yield* sleep(0.02);
        return 'done';
      });
      expect(r).toBe('done');
      // Earlier, into the past: expires on the next iteration.
      let cm2: Timeout | null = null;
      yield* raises(TimeoutError, () =>
        timeout(10, function* (cm) {
          cm2 = cm;
          cm.reschedule(loop.time() - 1);
          expect(cm.expired()).toBe(false);
          yield* sleep(10);
        }),
      );
      expect((cm2 as unknown as Timeout).expired()).toBe(true);
      // From none to some.
      yield* raises(TimeoutError, () =>
        timeout(null, function* (cm) {
          cm.reschedule(loop.time() + 0.005);
          yield* sleep(10);
        }),
      );
    });
  });

  test('bad arguments are refused at once with a TypeError', () => {
    const body = function* (): Coroutine<void> {};
    expect(() => timeout('1' as never, body)).toThrow(TypeError);
    expect(() => timeout(Number.NaN, body)).toThrow(/NaN/);
    expect(() => timeoutAt({} as never, body)).toThrow(/timeoutAt\(\) needs when/);
    expect(() => timeout(1, null as never)).toThrow(/needs a body/);
    expect(() => timeoutAt(1, 'x' as never)).toThrow(/needs a body/);
    expect(() => new Timeout('x' as never)).toThrow(TypeError);
    // undefined means no deadline, as null.
    expect(new Timeout(undefined as never).when()).toBeNull();
  });

  test('reschedule() checks its argument', async () => {
    await runTest(function* () {
      yield* timeout(10, function* (cm) {
        expect(() => cm.reschedule(Number.NaN)).toThrow(TypeError);
        expect(cm.when()).not.toBeNull();
      });
    });
  });

  test('a body that is not a function* is an error of the scope', async () => {
    await runTest(function* () {
      const cm = new Set<Timeout>();
      const e = yield* raises(TypeError, () =>
        timeout(1, ((c: Timeout) => {
          cm.add(c);
          return Promise.resolve(1);
        }) as never),
      );
      expect(e.message).toMatch(/function\* returning a coroutine/);
      expect(String([...cm][0])).toBe('<Timeout [finished]>');
    });
  });

  test('outside a running loop: no running event loop', () => {
    const coro = timeout(1, function* () {});
    expect(() => coro.next()).toThrow('no running event loop');
  });

  test('closing the coroutine with return() ends the scope and its timer', async () => {
    await runTest(function* (loop) {
      let cm: Timeout | null = null;
      const coro = timeout(0.005, function* (c) {
        cm = c;
        yield* sleep(10);
      });
      // Step it by hand inside this task, then close it while it waits.
      const first = coro.next();
      expect(first.done).toBe(false);
      expect(coro.return(undefined as never).done).toBe(true);
      expect(String(cm)).toBe('<Timeout [finished]>');
      expect(loop.isRunning()).toBe(true);
      // The timer was cancelled: nothing cancels this task later.
      yield* sleep(0.02);
      expect(currentTask()?.cancelling()).toBe(0);
    });
  });

  test('closing after expiry takes the cancellation back', async () => {
    await runTest(function* () {
      let cm: Timeout | null = null;
      const counts: number[] = [];
      const task = createTask(
        (function* (): Coroutine<number> {
          const coro = timeout(0, function* (c) {
            cm = c;
            yield* sleep(10);
          });
          coro.next(); // entered by hand: the deadline has passed already
          try {
            yield* sleep(0); // the timeout fires and cancels this task here
          } catch (e) {
            if (!(e instanceof CancelledError)) throw e;
          }
          counts.push(currentTask()?.cancelling() ?? -1);
          coro.return(undefined as never); // Python's GeneratorExit into the scope
          return currentTask()?.cancelling() ?? -1;
        })(),
      );
      expect(yield* task).toBe(0);
      expect(counts).toEqual([1]);
      expect((cm as unknown as Timeout).expired()).toBe(true);
    });
  });

  test('works inside eager tasks', async () => {
    await runTest(
      function* () {
        const t = createTask(
          (function* (): Coroutine<string> {
            return yield* timeout(0.005, function* () {
              try {
                yield* sleep(1);
              } catch (e) {
                if (e instanceof CancelledError) return 'cancelled inside';
                throw e;
              }
              return 'slept';
            });
          })(),
        );
        expect(yield* t).toBe('cancelled inside');
        const e = yield* raises(TimeoutError, () =>
          timeout(0, function* () {
            yield* sleep(0.01);
          }),
        );
        expect(e).toBeInstanceOf(TimeoutError);
      },
      { eager: true },
    );
  });

  test('MyExc in the body is not turned into TimeoutError', async () => {
    await runTest(function* () {
      let cm: Timeout | null = null;
      yield* raises(MyExc, () =>
        timeout(0.001, function* (c) {
          cm = c;
          try {
            yield* sleep(1);
          } catch {
            throw new MyExc();
          }
        }),
      );
      expect((cm as unknown as Timeout).expired()).toBe(true);
      expect(currentTask()?.cancelling()).toBe(0);
    });
  });
});
