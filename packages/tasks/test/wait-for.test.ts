/**
 * Port of CPython's Lib/test/test_asyncio/test_waitfor.py (3.14), plus the
 * TypeScript-specific parts (promises, argument checks). Delays are real and
 * a few milliseconds; `SlowTask.TASK_TIMEOUT` is 0.05 s instead of 0.2 s.
 *
 * CPython checks `cm.exception.__context__` for the CancelledError behind a
 * TimeoutError; here it is the TimeoutError's `cause` (JavaScript has no
 * implicit exception context).
 */
import {
  CancelledError,
  type Coroutine,
  type Future,
  getRunningLoop,
  RuntimeError,
  TimeoutError,
} from '@x/loop';
import { createTask, currentTask, ensureFuture, sleep, type Task, waitFor } from '@x/tasks';
import { describe, expect, test } from 'vitest';
import { raises, runTest } from './scope-helpers.js';

// A very small timeout: it passes the check "timeout > 0", but has almost no
// effect on the test's duration.
const EPSILON = 0.0001;

/** A task body that runs for TASK_TIMEOUT seconds, ignoring cancel requests. */
class SlowTask {
  static readonly TASK_TIMEOUT = 0.05;
  exited = false;

  *run(): Coroutine<void> {
    const exitAt = performance.now() / 1000 + SlowTask.TASK_TIMEOUT;
    for (;;) {
      const toSleep = exitAt - performance.now() / 1000;
      if (toSleep <= 0) break;
      try {
        yield* sleep(toSleep);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
      }
    }
    this.exited = true;
  }
}

/** `await asyncio.wait({fut})`: waits until `fut` is done, without its outcome. */
function* waitDone(fut: Future<unknown>): Coroutine<void> {
  const w = getRunningLoop().createFuture<void>();
  fut.addDoneCallback(() => w.setResult());
  yield* w;
}

describe('AsyncioWaitForTest', () => {
  test('test_asyncio_wait_for_cancelled', async () => {
    await runTest(function* () {
      const t = new SlowTask();
      const waitForTask = createTask(waitFor(t.run(), SlowTask.TASK_TIMEOUT * 2));
      yield* sleep(0);
      waitForTask.cancel();
      yield* waitDone(waitForTask);
      expect(t.exited).toBe(true);
      // The coroutine ran inside waitFor's task and swallowed the cancellation.
      expect(waitForTask.cancelled()).toBe(false);
    });
  });

  test('test_asyncio_wait_for_timeout', async () => {
    await runTest(function* () {
      const t = new SlowTask();
      try {
        yield* waitFor(t.run(), SlowTask.TASK_TIMEOUT / 2);
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
      }
      expect(t.exited).toBe(true);
    });
  });

  test('test_wait_for_timeout_less_then_0_or_0_future_done', async () => {
    await runTest(function* (loop) {
      const fut = loop.createFuture<string>();
      fut.setResult('done');
      const ret = yield* waitFor(fut, 0);
      expect(ret).toBe('done');
      expect(fut.done()).toBe(true);
    });
  });

  test('test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started', async () => {
    await runTest(function* () {
      let fooStarted = false;
      // biome-ignore lint/correctness/useYield: a coroutine that does not wait
      function* foo(): Coroutine<void> {
        fooStarted = true;
      }
      yield* raises(TimeoutError, () => waitFor(foo(), 0));
      expect(fooStarted).toBe(false);
    });
  });

  for (const timeout of [0, -1]) {
    test(`test_wait_for_timeout_less_then_0_or_0 (timeout=${timeout})`, async () => {
      await runTest(function* (loop) {
        let fooRunning: boolean | null = null;
        const started = loop.createFuture<void>();
        function* foo(): Coroutine<string> {
          fooRunning = true;
          started.setResult();
          try {
            yield* sleep(10);
          } finally {
            fooRunning = false;
          }
          return 'done';
        }
        const fut = createTask(foo());
        yield* started;
        yield* raises(TimeoutError, () => waitFor(fut, timeout));
        expect(fut.done()).toBe(true);
        // It was cancelled because of the timeout.
        expect(fut.cancelled()).toBe(true);
        expect(fooRunning).toBe(false);
      });
    });
  }

  test('test_wait_for', async () => {
    await runTest(function* (loop) {
      let fooRunning: boolean | null = null;
      function* foo(): Coroutine<string> {
        fooRunning = true;
        try {
          yield* sleep(10);
        } finally {
          fooRunning = false;
        }
        return 'done';
      }
      const fut = createTask(foo());
      const t0 = loop.time();
      yield* raises(TimeoutError, () => waitFor(fut, 0.01));
      const t1 = loop.time();
      expect(fut.done()).toBe(true);
      expect(fut.cancelled()).toBe(true);
      expect(t1 - t0).toBeLessThan(5);
      expect(fooRunning).toBe(false);
    });
  });

  test('test_wait_for_blocking', async () => {
    await runTest(function* () {
      // biome-ignore lint/correctness/useYield: a coroutine that does not wait
      function* coro(): Coroutine<string> {
        return 'done';
      }
      const res = yield* waitFor(coro(), null);
      expect(res).toBe('done');
    });
  });

  test('test_wait_for_race_condition', async () => {
    await runTest(function* (loop) {
      const fut = loop.createFuture<string>();
      const task = waitFor(fut, 0.5);
      loop.callLater(0.01, () => fut.setResult('ok'));
      const res = yield* task;
      expect(res).toBe('ok');
    });
  });

  test('test_wait_for_cancellation_race_condition', async () => {
    await runTest(function* () {
      function* inner(): Coroutine<number> {
        yield* raises(CancelledError, () => sleep(1));
        return 1;
      }
      const result = yield* waitFor(inner(), 0.01);
      expect(result).toBe(1);
    });
  });

  test('test_wait_for_waits_for_task_cancellation', async () => {
    await runTest(function* () {
      let taskDone = false;
      function* inner(): Coroutine<void> {
        try {
          yield* sleep(10);
        } catch (e) {
          if (e instanceof CancelledError) yield* sleep(EPSILON);
          throw e;
        } finally {
          taskDone = true;
        }
      }
      const innerTask = createTask(inner());
      const e = yield* raises(TimeoutError, () => waitFor(innerTask, EPSILON));
      expect(taskDone).toBe(true);
      expect(e.cause).toBeInstanceOf(CancelledError);
    });
  });

  test('test_wait_for_waits_for_task_cancellation_w_timeout_0', async () => {
    await runTest(function* () {
      let taskDone = false;
      function* foo(): Coroutine<void> {
        function* inner(): Coroutine<void> {
          try {
            yield* sleep(10);
          } catch (e) {
            if (e instanceof CancelledError) yield* sleep(EPSILON);
            throw e;
          } finally {
            taskDone = true;
          }
        }
        const innerTask = createTask(inner());
        yield* sleep(EPSILON);
        yield* waitFor(innerTask, 0);
      }
      const e = yield* raises(TimeoutError, () => foo());
      expect(taskDone).toBe(true);
      expect(e.cause).toBeInstanceOf(CancelledError);
    });
  });

  test('test_wait_for_reraises_exception_during_cancellation', async () => {
    await runTest(function* () {
      class FooException extends Error {}
      function* foo(): Coroutine<void> {
        function* inner(): Coroutine<void> {
          try {
            yield* sleep(0.2);
          } finally {
            // biome-ignore lint/correctness/noUnsafeFinally: the test is about exactly this
            throw new FooException();
          }
        }
        const innerTask = createTask(inner());
        yield* waitFor(innerTask, EPSILON);
      }
      yield* raises(FooException, () => foo());
    });
  });

  test('test_wait_for_self_cancellation', async () => {
    await runTest(function* () {
      function* inner(): Coroutine<number> {
        try {
          yield* sleep(0.03);
        } catch {
          try {
            yield* sleep(0.03);
          } catch {
            yield* sleep(0.03);
          }
        }
        return 42;
      }
      const innerTask = createTask(inner());
      const wait = waitFor(innerTask, 0.01);
      // waitFor itself is properly cancellable even when the initial task
      // holds up the initial cancellation.
      const task = createTask(wait);
      task.cancel();
      yield* raises(CancelledError, () => task[Symbol.iterator]());
      expect(yield* innerTask).toBe(42);
    });
  });

  for (const [name, timeout] of [
    ['test_cancel_blocking_wait_for', null],
    ['test_cancel_wait_for', 60],
  ] as const) {
    test(name, async () => {
      await runTest(function* (loop) {
        function* blockingCoroutine(): Coroutine<void> {
          const fut = loop.createFuture<void>();
          // Block: fut's result is never set.
          yield* fut;
        }
        const task = createTask(blockingCoroutine());
        const wait = createTask(waitFor(task, timeout));
        loop.callSoon(() => wait.cancel());
        yield* raises(CancelledError, () => wait[Symbol.iterator]());
        // Python issue #23219: cancelling the wait must also cancel the task.
        expect(task.cancelled()).toBe(true);
      });
    });
  }

  test('test_wait_for_cancel_suppressed', async () => {
    await runTest(function* () {
      // See https://github.com/python/cpython/issues/84849
      function* return42(): Coroutine<number> {
        try {
          yield* sleep(10);
        } catch (e) {
          if (e instanceof CancelledError) return 42;
          throw e;
        }
        return 0;
      }
      const res = yield* waitFor(return42(), 0.01);
      expect(res).toBe(42);
    });
  });

  test('test_wait_for_issue86296', async () => {
    await runTest(function* () {
      // See https://github.com/python/cpython/issues/86296
      function* inner(): Coroutine<void> {}
      let reachedEnd = false;
      function* waitForCoro(): Coroutine<void> {
        yield* waitFor(inner(), 100);
        yield* sleep(1);
        reachedEnd = true;
      }
      const task = createTask(waitForCoro());
      yield* sleep(0);
      expect(task.done()).toBe(false);
      task.cancel();
      yield* raises(CancelledError, () => task[Symbol.iterator]());
      expect(reachedEnd).toBe(false);
    });
  });
});

describe('waitFor (TypeScript)', () => {
  test('the inner task is finished when waitFor returns, however it ends', async () => {
    await runTest(function* () {
      const log: string[] = [];
      function* slowCleanup(): Coroutine<string> {
        try {
          yield* sleep(10);
        } finally {
          yield* sleep(0.005);
          log.push('cleaned up');
        }
        return 'never';
      }
      const t = createTask(slowCleanup());
      yield* raises(TimeoutError, () => waitFor(t, 0.005));
      expect(t.done()).toBe(true);
      expect(log).toEqual(['cleaned up']);
    });
  });

  test('an inner task that refuses the cancellation: its value is returned', async () => {
    await runTest(function* () {
      function* stubborn(): Coroutine<string> {
        try {
          yield* sleep(10);
        } catch {
          yield* sleep(0.002);
          return 'refused';
        }
        return 'slept';
      }
      const t = createTask(stubborn());
      expect(yield* waitFor(t, 0.002)).toBe('refused');
      expect(currentTask()?.cancelling()).toBe(0);
    });
  });

  test('timeout <= 0: a done future with an exception throws it', async () => {
    await runTest(function* (loop) {
      const fut = loop.createFuture<void>();
      fut.setException(new RuntimeError('boom'));
      yield* raises(RuntimeError, () => waitFor(fut, 0));
    });
  });

  test('timeout <= 0: a task that refuses the cancellation gives its value', async () => {
    await runTest(function* () {
      function* stubborn(): Coroutine<string> {
        try {
          yield* sleep(10);
        } catch {
          return 'refused';
        }
        return 'slept';
      }
      const t = createTask(stubborn());
      yield* sleep(0);
      expect(yield* waitFor(t, 0)).toBe('refused');
    });
  });

  test('timeout <= 0: an error thrown while the task is cancelled goes on', async () => {
    await runTest(function* () {
      class CleanupError extends Error {}
      function* failingCleanup(): Coroutine<void> {
        try {
          yield* sleep(10);
        } finally {
          // biome-ignore lint/correctness/noUnsafeFinally: the test is about exactly this
          throw new CleanupError();
        }
      }
      const t = createTask(failingCleanup());
      yield* sleep(0);
      yield* raises(CleanupError, () => waitFor(t, 0));
    });
  });

  test('timeout <= 0: cancelling the caller while it waits for the cancelled task', async () => {
    await runTest(function* (loop) {
      const release = loop.createFuture<void>();
      function* slowCleanup(): Coroutine<void> {
        try {
          yield* sleep(10);
        } finally {
          yield* release;
        }
      }
      const inner = createTask(slowCleanup());
      yield* sleep(0);
      const outer = createTask(waitFor(inner, 0));
      yield* sleep(0);
      yield* sleep(0);
      // The inner task was cancelled and is cleaning up; waitFor waits for it.
      expect(inner.done()).toBe(false);
      expect(outer.done()).toBe(false);
      outer.cancel();
      yield* raises(CancelledError, function* () {
        yield* outer;
      });
      // waitFor stopped waiting at once; the inner task still cleans up.
      expect(inner.done()).toBe(false);
      release.setResult();
      yield* raises(CancelledError, function* () {
        yield* inner;
      });
    });
  });

  test('timeout <= 0: cancelled in the iteration the task finishes', async () => {
    await runTest(function* () {
      const inner = createTask(sleep(10));
      yield* sleep(0);
      let outer: Task<void> | null = null;
      // Runs right before waitFor's own done callback, in the same iteration.
      inner.addDoneCallback(() => (outer as unknown as Task<void>).cancel());
      outer = createTask(waitFor(inner, 0));
      yield* raises(CancelledError, function* () {
        yield* outer as unknown as Task<void>;
      });
      expect(inner.cancelled()).toBe(true);
    });
  });

  test('a promise: its value, or TimeoutError if it is late', async () => {
    await runTest(function* () {
      const fast = new Promise<string>((r) => setTimeout(() => r('fast'), 1));
      expect(yield* waitFor(fast, 1)).toBe('fast');
      let timer: ReturnType<typeof setTimeout> | undefined;
      const slow = new Promise<string>((r) => {
        timer = setTimeout(() => r('slow'), 1000);
      });
      yield* raises(TimeoutError, () => waitFor(slow, 0.005));
      clearTimeout(timer);
      // A promise with timeout <= 0 is wrapped, then cancelled at once.
      yield* raises(TimeoutError, () => waitFor(new Promise<void>(() => {}), 0));
      const done = ensureFuture(Promise.resolve(7));
      yield* sleep(0.001);
      expect(yield* waitFor(done, 0)).toBe(7);
    });
  });

  test('works with the eager task factory', async () => {
    await runTest(
      function* () {
        // biome-ignore lint/correctness/useYield: a coroutine that does not wait
        function* quick(): Coroutine<number> {
          return 5;
        }
        // Eager: the task is already done when waitFor sees it.
        expect(yield* waitFor(createTask(quick()), 0)).toBe(5);
        const t = createTask(
          (function* (): Coroutine<number> {
            yield* sleep(10);
            return 1;
          })(),
        );
        yield* raises(TimeoutError, () => waitFor(t, 0.002));
        expect(t.cancelled()).toBe(true);
      },
      { eager: true },
    );
  });

  test('a bad timeout is a TypeError', async () => {
    await runTest(function* (loop) {
      const fut = loop.createFuture<void>();
      yield* raises(TypeError, () => waitFor(fut, '1' as never));
      yield* raises(TypeError, () => waitFor(fut, Number.NaN));
      fut.setResult();
      // undefined is no timeout, as null.
      yield* waitFor(fut, undefined as never);
    });
  });

  test('something that cannot be awaited is a TypeError', async () => {
    await runTest(function* () {
      yield* raises(TypeError, () => waitFor(42 as never, 1));
      yield* raises(TypeError, () => waitFor(42 as never, 0));
    });
  });
});
