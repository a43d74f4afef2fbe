/**
 * Task, after CPython 3.14's Lib/test/test_asyncio/test_tasks.py
 * (BaseTaskTests, BaseCurrentLoopTests) and test_eager_task_factory.py.
 */
import {
  BaseException,
  CancelledError,
  Context,
  ContextVar,
  type Coroutine,
  copyContext,
  type EventLoop,
  Future,
  getRunningLoop,
  InvalidStateError,
  KeyboardInterrupt,
  RuntimeError,
  SystemExit,
  setEventLoop,
  type TaskFactory,
  ValueError,
} from '@x/loop';
import {
  allTasks,
  createEagerTaskFactory,
  createTask,
  currentTask,
  eagerTaskFactory,
  ensureFuture,
  sleep,
  Task,
} from '@x/tasks';
import { describe, expect, test } from 'vitest';
import {
  caught,
  collectGarbage,
  hostTurns,
  makeLoop,
  runBriefly,
  waitDone,
} from './task-helpers.js';

function newTask<T>(
  loop: EventLoop,
  coro: Coroutine<T>,
  name: string | null = 'TestTask',
  context?: Context,
): Task<T> {
  return new Task(coro, { loop, name: name as string, context });
}

// biome-ignore lint/correctness/useYield: a coroutine that returns at once
function* notmuch(): Coroutine<string> {
  return 'ok';
}

describe('BaseTaskTests', () => {
  test('test_task_cancel_message_getter', async () => {
    const { loop } = makeLoop();
    const t = newTask(loop, notmuch());
    expect(t._cancelMessage).toBeUndefined();
    t.cancel('my message');
    expect(t._cancelMessage).toBe('my message');
    const e = await loop.runUntilComplete(t).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CancelledError);
    expect((e as Error).message).toBe('my message');
  });

  test('test_task_cancel_message_setter', async () => {
    const { loop } = makeLoop();
    const t = newTask(loop, notmuch());
    t.cancel('my message');
    t._cancelMessage = 'my new message';
    const e = await loop.runUntilComplete(t).catch((x: unknown) => x);
    expect((e as Error).message).toBe('my new message');
  });

  test('test_other_loop_future', async () => {
    const { loop } = makeLoop();
    const { loop: other } = makeLoop();
    const fut = new Future<void>({ loop: other });
    function* run(): Coroutine<void> {
      yield* fut;
    }
    await expect(loop.runUntilComplete(run())).rejects.toThrow(
      /^Task .* got Future .* attached to a different loop.*createFuture/,
    );
  });

  test('test_task_awaits_on_itself', async () => {
    const { loop } = makeLoop();
    function* test(): Coroutine<void> {
      yield* task;
    }
    const task: Future<void> = ensureFuture(test(), { loop });
    await expect(loop.runUntilComplete(task)).rejects.toThrow(/^Task cannot await on itself/);
  });

  test('test_task_class', async () => {
    const { loop } = makeLoop();
    const t = newTask(loop, notmuch());
    await loop.runUntilComplete(t);
    expect(t.done()).toBe(true);
    expect(t.result()).toBe('ok');
    expect(t._loop).toBe(loop);
    expect(t.getLoop()).toBe(loop);

    const { loop: loop2 } = makeLoop();
    setEventLoop(loop2);
    const t2 = new Task(notmuch());
    expect(t2._loop).toBe(loop2);
    await loop2.runUntilComplete(t2);
    expect(t2.result()).toBe('ok');
    loop2.close();
  });

  test('test_task_repr', async () => {
    const { loop } = makeLoop();
    loop.setDebug(false);
    function* notmuch2(): Coroutine<string> {
      yield undefined;
      return 'abc';
    }
    const t = newTask(loop, notmuch2());
    function dummy(): void {}
    t.addDoneCallback(dummy);
    expect(String(t)).toBe("<Task pending name='TestTask' coro=<Generator> cb=[dummy()]>");
    t.cancel(); // Does not take immediate effect!
    expect(String(t)).toBe("<Task cancelling name='TestTask' coro=<Generator> cb=[dummy()]>");
    await expect(loop.runUntilComplete(t)).rejects.toBeInstanceOf(CancelledError);
    expect(String(t)).toBe("<Task cancelled name='TestTask' coro=<Generator done>>");

    const t2 = newTask(loop, notmuch2());
    await loop.runUntilComplete(t2);
    expect(String(t2)).toBe(`<Task finished name='TestTask' coro=<Generator done> result='abc'>`);

    // While it runs, the coroutine is "running" (as `gi_running`).
    let inside = '';
    // biome-ignore lint/correctness/useYield: does not wait
    function* introspect(): Coroutine<void> {
      inside = String(currentTask());
    }
    await loop.runUntilComplete(newTask(loop, introspect()));
    expect(inside).toBe("<Task pending name='TestTask' coro=<Generator running> cb=[onDone()]>");
    // util.inspect (console.log) shows the same.
    const { inspect } = await import('node:util');
    expect(inspect(t2)).toBe(String(t2));
  });

  test('test_task_repr_exception', async () => {
    const { loop } = makeLoop();
    // biome-ignore lint/correctness/useYield: fails at once
    function* fail(): Coroutine<void> {
      throw new ValueError('boom');
    }
    const t = newTask(loop, fail());
    await expect(loop.runUntilComplete(t)).rejects.toThrow('boom');
    expect(String(t)).toBe(
      `<Task finished name='TestTask' coro=<Generator done> exception=ValueError('boom')>`,
    );
  });

  test('test_task_repr_autogenerated', async () => {
    const { loop } = makeLoop();
    const t1 = newTask(loop, notmuch(), null);
    const t2 = newTask(loop, notmuch(), null);
    expect(String(t1)).not.toBe(String(t2));
    const m1 = /^<Task pending name='Task-(\d+)'/.exec(String(t1));
    const m2 = /^<Task pending name='Task-(\d+)'/.exec(String(t2));
    expect(m1).not.toBeNull();
    expect(m2).not.toBeNull();
    // Autogenerated task names have monotonically increasing numbers.
    expect(Number(m1?.[1])).toBeLessThan(Number(m2?.[1]));
    expect(t1.getName()).toBe(`Task-${m1?.[1]}`);
    await loop.runUntilComplete(t1);
    await loop.runUntilComplete(t2);
  });

  test('test_task_repr_name_not_str', async () => {
    const { loop } = makeLoop();
    const t = newTask(loop, notmuch());
    t.setName(6 as never);
    expect(t.getName()).toBe('6');
    t.setName({ toString: () => '{6}' } as never);
    expect(t.getName()).toBe('{6}');
    await loop.runUntilComplete(t);
  });

  test('test_task_set_name_pylong', async () => {
    // A number given as a name must not be mistaken for the counter of an
    // automatic name.
    const { loop } = makeLoop();
    const t = newTask(loop, notmuch(), 987654321 as never);
    expect(t.getName()).toBe('987654321');
    t.setName(123456789 as never);
    expect(t.getName()).toBe('123456789');
    t.setName((2n ** 100n) as never);
    expect(t.getName()).toBe('1267650600228229401496703205376');
    await loop.runUntilComplete(t);
  });

  test('test_task_repr_wait_for', async () => {
    const { loop } = makeLoop();
    const fut = loop.createFuture<void>();
    function* waitFor(): Coroutine<void> {
      return yield* fut;
    }
    const task = newTask(loop, waitFor());
    await runBriefly(loop);
    expect(String(task)).toBe(
      "<Task pending name='TestTask' coro=<Generator> wait_for=<Future pending cb=[Task._wakeup()]>>",
    );
    expect(String(task)).toContain(`wait_for=${String(fut)}`);
    fut.setResult();
    await loop.runUntilComplete(task);
  });

  test('test_task_basics', async () => {
    const { loop } = makeLoop();
    function* outer(): Coroutine<number> {
      const a = yield* inner1();
      const b = yield* inner2();
      return a + b;
    }
    // biome-ignore lint/correctness/useYield: returns at once
    function* inner1(): Coroutine<number> {
      return 42;
    }
    // biome-ignore lint/correctness/useYield: returns at once
    function* inner2(): Coroutine<number> {
      return 1000;
    }
    expect(await loop.runUntilComplete(outer())).toBe(1042);
  });

  test('test_cancelling', async () => {
    const { loop } = makeLoop();
    function* task(): Coroutine<void> {
      yield* sleep(10);
    }
    const t = newTask(loop, task());
    expect(t.cancelling()).toBe(0);
    expect(String(t)).not.toContain(' cancelling ');
    expect(t.cancel()).toBe(true);
    expect(t.cancelling()).toBe(1);
    expect(String(t)).toContain(' cancelling ');
    // A second request is counted too (the "controversial lines" are commented out in CPython).
    expect(t.cancel()).toBe(true);
    expect(t.cancelling()).toBe(2);
    await expect(loop.runUntilComplete(t)).rejects.toBeInstanceOf(CancelledError);
  });

  test('test_uncancel_basic', async () => {
    const { loop } = makeLoop();
    function* task(): Coroutine<void> {
      try {
        yield* sleep(10);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        currentTask()?.uncancel();
        yield* sleep(10);
      }
    }
    const t = newTask(loop, task());
    await loop.runUntilComplete(sleep(0.01));

    // Cancel first sleep
    expect(t.cancel()).toBe(true);
    expect(String(t)).toContain(' cancelling ');
    expect(t.cancelling()).toBe(1);
    expect(t.cancelled()).toBe(false); // Task is still not complete
    await loop.runUntilComplete(sleep(0.01));

    // after .uncancel()
    expect(String(t)).not.toContain(' cancelling ');
    expect(t.cancelling()).toBe(0);
    expect(t.cancelled()).toBe(false);

    // Cancel second sleep
    expect(t.cancel()).toBe(true);
    expect(t.cancelling()).toBe(1);
    expect(t.cancelled()).toBe(false);
    await expect(loop.runUntilComplete(t)).rejects.toBeInstanceOf(CancelledError);
    expect(t.cancelled()).toBe(true);
    expect(t.done()).toBe(true);

    // uncancel is no longer effective after the task is complete
    t.uncancel();
    expect(t.cancelled()).toBe(true);
    expect(t.done()).toBe(true);
  });

  test('test_uncancel_structured_blocks', async () => {
    // `try { async with timeout(...) } except TimeoutError` built from
    // cancel()/uncancel(), as in CPython.
    const { loop } = makeLoop();
    class Timeout extends Error {}
    function* makeRequestWithTimeout(
      sleepFor: number,
      timeoutAfter: number,
    ): Coroutine<[boolean, boolean, boolean]> {
      const task = currentTask() as Task<unknown>;
      const l = task.getLoop();
      let timedOut = false;
      let structuredBlockFinished = false;
      let outerCodeReached = false;
      const handle = l.callLater(timeoutAfter, () => {
        timedOut = true;
        task.cancel();
      });
      try {
        let inFlight: unknown;
        try {
          // Structured block affected by the timeout
          yield* sleep(sleepFor);
          structuredBlockFinished = true;
        } catch (e) {
          inFlight = e;
          throw e;
        } finally {
          handle.cancel();
          if (timedOut && task.uncancel() === 0 && inFlight instanceof CancelledError) {
            // biome-ignore lint/correctness/noUnsafeFinally: converts the cancellation, as CPython's test
            throw new Timeout();
          }
        }
      } catch (e) {
        if (!(e instanceof Timeout)) throw e;
        expect(timedOut).toBe(true);
      }
      // Outer code not affected by the timeout:
      outerCodeReached = true;
      yield* sleep(0);
      return [timedOut, structuredBlockFinished, outerCodeReached];
    }

    // Test which timed out.
    const t1 = newTask(loop, makeRequestWithTimeout(10.0, 0.01));
    expect(await loop.runUntilComplete(t1)).toEqual([true, false, true]);
    expect(t1.cancelling()).toBe(0); // no pending cancellation of the outer task

    // Test which did not time out.
    const t2 = newTask(loop, makeRequestWithTimeout(0, 10.0));
    expect(await loop.runUntilComplete(t2)).toEqual([false, true, true]);
    expect(t2.cancelling()).toBe(0);
  });

  test('test_uncancel_resets_must_cancel', async () => {
    // 3.13+: uncancel() down to zero drops a cancellation not yet delivered.
    const { loop } = makeLoop();
    const fut = loop.createFuture<void>();
    function* coro(): Coroutine<number> {
      yield* fut;
      return 42;
    }
    const task = newTask(loop, coro());
    await loop.runUntilComplete(sleep(0)); // Get task waiting for fut
    fut.setResult(); // Make task runnable
    task.cancel(); // Enter cancelled state
    expect(task.cancelling()).toBe(1);
    expect(task._mustCancel).toBe(true);
    task.uncancel(); // Undo cancellation
    expect(task.cancelling()).toBe(0);
    expect(task._mustCancel).toBe(false);
    expect(await loop.runUntilComplete(task)).toBe(42);
  });

  test('test_uncancel_not_to_zero_keeps_must_cancel', async () => {
    const { loop } = makeLoop();
    const fut = loop.createFuture<void>();
    function* coro(): Coroutine<number> {
      yield* fut;
      return 42;
    }
    const task = newTask(loop, coro());
    await runBriefly(loop);
    fut.setResult();
    task.cancel();
    task.cancel();
    expect(task.uncancel()).toBe(1);
    expect(task._mustCancel).toBe(true);
    await expect(loop.runUntilComplete(task)).rejects.toBeInstanceOf(CancelledError);
    // uncancel() never goes below zero.
    const t2 = newTask(loop, notmuch());
    expect(t2.uncancel()).toBe(0);
    expect(t2.cancelling()).toBe(0);
    await loop.runUntilComplete(t2);
  });

  test('test_cancel', async () => {
    const { loop } = makeLoop();
    function* task(): Coroutine<number> {
      yield* sleep(10.0);
      return 12;
    }
    const t = newTask(loop, task());
    loop.callSoon(() => t.cancel());
    await expect(loop.runUntilComplete(t)).rejects.toBeInstanceOf(CancelledError);
    expect(t.done()).toBe(true);
    expect(t.cancelled()).toBe(true);
    expect(t.cancel()).toBe(false);
  });

  for (const [label, args, expected] of [
    ['()', [], ''],
    ['(undefined)', [undefined], ''],
    ["('my message')", ['my message'], 'my message'],
  ] as const) {
    test(`test_cancel_with_message_then_future_result ${label}`, async () => {
      const { loop } = makeLoop();
      function* sleeper(): Coroutine<void> {
        yield* sleep(10);
      }
      function* coro(): Coroutine<void> {
        const task = newTask(loop, sleeper());
        yield* sleep(0);
        task.cancel(...(args as unknown as [string?]));
        yield* waitDone(task);
        task.result();
      }
      const task = newTask(loop, coro());
      const e = await loop.runUntilComplete(task).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(CancelledError);
      expect((e as Error).message).toBe(expected);
      expect((e as Error).cause).toBeUndefined();
    });

    test(`test_cancel_with_message_then_future_exception ${label}`, async () => {
      const { loop } = makeLoop();
      function* sleeper(): Coroutine<void> {
        yield* sleep(10);
      }
      function* coro(): Coroutine<void> {
        const task = newTask(loop, sleeper());
        yield* sleep(0);
        task.cancel(...(args as unknown as [string?]));
        yield* waitDone(task);
        task.exception();
      }
      const task = newTask(loop, coro());
      const e = await loop.runUntilComplete(task).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(CancelledError);
      expect((e as Error).message).toBe(expected);
    });
  }

  test('test_cancellation_exception_context', async () => {
    const { loop } = makeLoop();
    const fut = loop.createFuture<void>();
    function* sleeper(): Coroutine<void> {
      fut.setResult();
      yield* sleep(10);
    }
    function* coro(): Coroutine<void> {
      const innerTask = newTask(loop, sleeper());
      yield* fut;
      loop.callSoon(() => innerTask.cancel('msg'));
      try {
        yield* innerTask;
      } catch (ex) {
        throw new ValueError('cancelled', { cause: ex });
      }
    }
    const e = (await loop
      .runUntilComplete(newTask(loop, coro()))
      .catch((x: unknown) => x)) as Error;
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toBe('cancelled');
    expect(e.cause).toBeInstanceOf(CancelledError);
    expect((e.cause as Error).message).toBe('msg');
  });

  test('test_cancel_with_message_before_starting_task', async () => {
    const { loop } = makeLoop();
    let started = false;
    function* sleeper(): Coroutine<void> {
      started = true;
      yield* sleep(10);
    }
    function* coro(): Coroutine<void> {
      const task = newTask(loop, sleeper());
      // We deliberately leave out the sleep here.
      task.cancel('my message');
      yield* waitDone(task);
      task.exception();
    }
    const e = await loop.runUntilComplete(newTask(loop, coro())).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CancelledError);
    expect((e as Error).message).toBe('my message');
    // The coroutine was never started: CancelledError was thrown in at its start.
    expect(started).toBe(false);
  });

  test('test_cancel_yield', async () => {
    const { loop } = makeLoop();
    function* task(): Coroutine<number> {
      yield* sleep(0);
      yield* sleep(0);
      return 12;
    }
    const t = newTask(loop, task());
    await runBriefly(loop); // start coro
    t.cancel();
    await expect(loop.runUntilComplete(t)).rejects.toBeInstanceOf(CancelledError);
    expect(t.done()).toBe(true);
    expect(t.cancelled()).toBe(true);
    expect(t.cancel()).toBe(false);
  });

  test('test_cancel_inner_future', async () => {
    const { loop } = makeLoop();
    const f = loop.createFuture<void>();
    function* task(): Coroutine<number> {
      yield* f;
      return 12;
    }
    const t = newTask(loop, task());
    await runBriefly(loop); // start task
    f.cancel();
    await expect(loop.runUntilComplete(t)).rejects.toBeInstanceOf(CancelledError);
    expect(f.cancelled()).toBe(true);
    expect(t.cancelled()).toBe(true);
  });

  test('test_cancel_both_task_and_inner_future', async () => {
    const { loop } = makeLoop();
    const f = loop.createFuture<void>();
    function* task(): Coroutine<number> {
      yield* f;
      return 12;
    }
    const t = newTask(loop, task());
    await runBriefly(loop);
    f.cancel();
    t.cancel();
    await expect(loop.runUntilComplete(t)).rejects.toBeInstanceOf(CancelledError);
    expect(t.done()).toBe(true);
    expect(f.cancelled()).toBe(true);
    expect(t.cancelled()).toBe(true);
  });

  test('test_cancel_task_catching', async () => {
    const { loop } = makeLoop();
    const fut1 = loop.createFuture<void>();
    const fut2 = loop.createFuture<void>();
    function* task(): Coroutine<number | undefined> {
      yield* fut1;
      try {
        yield* fut2;
      } catch (e) {
        if (e instanceof CancelledError) return 42;
        throw e;
      }
      return undefined;
    }
    const t = newTask(loop, task());
    await runBriefly(loop);
    expect(t._futWaiter).toBe(fut1); // White-box test.
    fut1.setResult();
    await runBriefly(loop);
    expect(t._futWaiter).toBe(fut2); // White-box test.
    t.cancel();
    expect(fut2.cancelled()).toBe(true);
    expect(await loop.runUntilComplete(t)).toBe(42);
    expect(t.cancelled()).toBe(false);
  });

  test('test_cancel_task_ignoring', async () => {
    const { loop } = makeLoop();
    const fut1 = loop.createFuture<void>();
    const fut2 = loop.createFuture<void>();
    const fut3 = loop.createFuture<number>();
    function* task(): Coroutine<number> {
      yield* fut1;
      try {
        yield* fut2;
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
      }
      return yield* fut3;
    }
    const t = newTask(loop, task());
    await runBriefly(loop);
    expect(t._futWaiter).toBe(fut1); // White-box test.
    fut1.setResult();
    await runBriefly(loop);
    expect(t._futWaiter).toBe(fut2); // White-box test.
    t.cancel();
    expect(fut2.cancelled()).toBe(true);
    await runBriefly(loop);
    expect(t._futWaiter).toBe(fut3); // White-box test.
    fut3.setResult(42);
    expect(await loop.runUntilComplete(t)).toBe(42);
    expect(fut3.cancelled()).toBe(false);
    expect(t.cancelled()).toBe(false);
  });

  test('test_cancel_current_task', async () => {
    const { loop } = makeLoop();
    function* task(): Coroutine<number> {
      t.cancel();
      expect(t._mustCancel).toBe(true); // White-box test.
      // The sleep should be cancelled immediately.
      yield* sleep(100);
      return 12;
    }
    const t: Task<number> = newTask(loop, task());
    expect(t.cancelled()).toBe(false);
    await expect(loop.runUntilComplete(t)).rejects.toBeInstanceOf(CancelledError);
    expect(t.done()).toBe(true);
    expect(t.cancelled()).toBe(true);
    expect(t._mustCancel).toBe(false); // White-box test.
    expect(t.cancel()).toBe(false);
  });

  test('test_cancel_current_task_bare_yield', async () => {
    // A task that cancels itself and then gives a turn with a bare yield gets
    // CancelledError at its next step.
    const { loop } = makeLoop();
    const log: string[] = [];
    function* task(): Coroutine<number> {
      t.cancel('self');
      try {
        yield undefined;
      } catch (e) {
        log.push(`${(e as Error).name}: ${(e as Error).message}`);
        throw e;
      }
      return 12;
    }
    const t: Task<number> = newTask(loop, task());
    await expect(loop.runUntilComplete(t)).rejects.toThrow('self');
    expect(log).toEqual(['CancelledError: self']);
    expect(t._mustCancel).toBe(false);
  });

  test('test_cancel_at_end', async () => {
    // coroutine end right after task is cancelled
    const { loop } = makeLoop();
    // biome-ignore lint/correctness/useYield: returns at once
    function* task(): Coroutine<number> {
      t.cancel('at end');
      expect(t._mustCancel).toBe(true); // White-box test.
      return 12;
    }
    const t: Task<number> = newTask(loop, task());
    expect(t.cancelled()).toBe(false);
    await expect(loop.runUntilComplete(t)).rejects.toThrow('at end');
    expect(t.done()).toBe(true);
    expect(t.cancelled()).toBe(true);
    expect(t._mustCancel).toBe(false); // White-box test.
    expect(t.cancel()).toBe(false);
  });

  test('test_cancel_awaited_task', async () => {
    // A task cancels itself, then awaits a nested task: the nested task (and
    // what it waits on) must be cancelled too. See bpo-34872.
    const { loop } = makeLoop();
    const fut = loop.createFuture<void>();
    let nestedTask: Task<void> | null = null;
    function* nested(): Coroutine<void> {
      yield* fut;
    }
    function* coro(): Coroutine<void> {
      nestedTask = newTask(loop, nested());
      yield* sleep(0);
      task.cancel();
      yield* nestedTask;
    }
    const task: Task<void> = newTask(loop, coro());
    await expect(loop.runUntilComplete(task)).rejects.toBeInstanceOf(CancelledError);
    expect(task.cancelled()).toBe(true);
    expect((nestedTask as Task<void> | null)?.cancelled()).toBe(true);
    expect(fut.cancelled()).toBe(true);
  });

  test('test_cancel_traceback_for_future_result', async () => {
    // CPython checks that the traceback shows the interrupted line. A
    // JavaScript stack is fixed when the error is made, so the equivalent is
    // that the very CancelledError the interrupted coroutine saw travels up:
    // catching it anywhere shows where the cancellation was delivered.
    const { loop } = makeLoop();
    let seenInside: unknown = null;
    function* nested(): Coroutine<void> {
      try {
        yield* sleep(10); // This will get cancelled immediately.
      } catch (e) {
        seenInside = e;
        throw e;
      }
    }
    function* coro(): Coroutine<void> {
      const task = newTask(loop, nested());
      yield* sleep(0);
      task.cancel();
      yield* task; // search target
    }
    const e = await loop.runUntilComplete(newTask(loop, coro())).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CancelledError);
    expect(e).toBe(seenInside);
  });

  test('test_cancel_traceback_for_future_exception', async () => {
    const { loop } = makeLoop();
    let seenInside: unknown = null;
    function* nested(): Coroutine<void> {
      try {
        yield* sleep(10);
      } catch (e) {
        seenInside = e;
        throw e;
      }
    }
    function* coro(): Coroutine<void> {
      const task = newTask(loop, nested());
      yield* sleep(0);
      task.cancel();
      yield* waitDone(task);
      task.exception(); // search target
    }
    const e = await loop.runUntilComplete(newTask(loop, coro())).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CancelledError);
    expect(e).toBe(seenInside);
  });

  test('test_cancelled_error_handed_out_once', async () => {
    // As CPython's _make_cancelled_error(): the original error goes to the
    // first caller; later callers get a fresh one (with no message, because
    // the task was cancelled by its coroutine's CancelledError).
    const { loop } = makeLoop();
    const t = newTask(loop, sleep(10));
    await runBriefly(loop);
    t.cancel('why');
    await hostTurns();
    await runBriefly(loop);
    await runBriefly(loop);
    expect(t.cancelled()).toBe(true);
    let first: unknown;
    try {
      t.result();
    } catch (e) {
      first = e;
    }
    expect((first as Error).message).toBe('why');
    let second: unknown;
    try {
      t.result();
    } catch (e) {
      second = e;
    }
    expect(second).toBeInstanceOf(CancelledError);
    expect(second).not.toBe(first);
  });

  test('test_stop_while_run_in_complete', async () => {
    const { loop } = makeLoop();
    let x = 0;
    function* task(): Coroutine<void> {
      while (x < 10) {
        yield* sleep(0.001);
        x += 1;
        if (x === 2) loop.stop();
      }
    }
    const t = newTask(loop, task());
    await expect(loop.runUntilComplete(t)).rejects.toThrow(
      'Event loop stopped before Future completed.',
    );
    expect(t.done()).toBe(false);
    expect(x).toBe(2);
    t.cancel();
    await expect(loop.runUntilComplete(t)).rejects.toBeInstanceOf(CancelledError);
  });

  test('test_task_cancel_waiter_future', async () => {
    const { loop } = makeLoop();
    const fut = loop.createFuture<void>();
    function* coro(): Coroutine<void> {
      yield* fut;
    }
    const task = newTask(loop, coro());
    await runBriefly(loop);
    expect(task._futWaiter).toBe(fut);
    task.cancel();
    await runBriefly(loop);
    await expect(loop.runUntilComplete(task)).rejects.toBeInstanceOf(CancelledError);
    expect(task._futWaiter).toBeNull();
    expect(fut.cancelled()).toBe(true);
  });

  test('test_task_set_methods', async () => {
    const { loop } = makeLoop();
    const task = newTask(loop, notmuch());
    expect(() => task.setResult('ok')).toThrow(RuntimeError);
    expect(() => task.setResult('ok')).toThrow('Task does not support set_result operation');
    expect(() => task.setException(new ValueError())).toThrow(
      'Task does not support set_exception operation',
    );
    expect(await loop.runUntilComplete(task)).toBe('ok');
  });

  test('test_step_result', async () => {
    // Yielding anything but a Future or nothing is an error thrown into the coroutine.
    const { loop } = makeLoop();
    function* notmuch2(): Coroutine<string> {
      yield undefined;
      yield 1 as never;
      return 'ko';
    }
    await expect(loop.runUntilComplete(notmuch2())).rejects.toThrow(RuntimeError);
  });

  test('test_step_result_future', async () => {
    // If coroutine awaits a future, the task waits on this future.
    const { loop } = makeLoop();
    class Fut<T> extends Future<T> {
      cbAdded = false;
      override _addWaker(r: Parameters<Future<T>['_addWaker']>[0]): void {
        this.cbAdded = true;
        super._addWaker(r);
      }
    }
    const fut = new Fut<object>({ loop });
    let result: unknown = null;
    function* waitForFuture(): Coroutine<void> {
      result = yield* fut;
    }
    const t = newTask(loop, waitForFuture());
    await runBriefly(loop);
    expect(fut.cbAdded).toBe(true);
    const res = {};
    fut.setResult(res);
    await runBriefly(loop);
    expect(result).toBe(res);
    expect(t.done()).toBe(true);
    expect(t.result()).toBeUndefined();
  });

  test('test_step_with_baseexception', async () => {
    // A BaseException other than KeyboardInterrupt/SystemExit is the task's
    // exception; it does not escape the loop.
    const { loop, calls } = makeLoop();
    const exc = new BaseException('base');
    // biome-ignore lint/correctness/useYield: fails at once
    function* notmuch2(): Coroutine<void> {
      throw exc;
    }
    const task = newTask(loop, notmuch2());
    await runBriefly(loop);
    expect(task.done()).toBe(true);
    expect(task.exception()).toBe(exc);
    expect(calls).toEqual([]);
  });

  test('test_baseexception_during_cancel', async () => {
    const { loop } = makeLoop();
    function* sleeper(): Coroutine<void> {
      yield* sleep(10);
    }
    const baseExc = new SystemExit();
    function* notmutch(): Coroutine<void> {
      try {
        yield* sleeper();
      } catch (e) {
        if (e instanceof CancelledError) throw baseExc;
        throw e;
      }
    }
    const task = newTask(loop, notmutch());
    await runBriefly(loop);
    task.cancel();
    expect(task.done()).toBe(false);
    await expect(runBriefly(loop)).rejects.toBe(baseExc);
    expect(task.done()).toBe(true);
    expect(task.cancelled()).toBe(false);
    expect(task.exception()).toBe(baseExc);
  });

  test('test_coroutine_non_gen_function_return_future', async () => {
    // Returning a Future (or a coroutine) from a coroutine returns it: it is
    // not awaited (test_return_coroutine_from_coroutine's modern form).
    const { loop } = makeLoop();
    const fut = loop.createFuture<string>();
    // biome-ignore lint/correctness/useYield: returns at once
    function* func(): Coroutine<Future<string>> {
      return fut;
    }
    // biome-ignore lint/correctness/useYield: returns at once
    function* coro(): Coroutine<void> {
      fut.setResult('test');
    }
    const t1 = newTask(loop, func());
    const t2 = newTask(loop, coro());
    await loop.runUntilComplete(t1);
    // (A promise adopts a thenable, so runUntilComplete() resolves with its value.)
    expect(t1.result()).toBe(fut);
    expect(t2.result()).toBeUndefined();
  });

  test('test_return_coroutine_from_coroutine', async () => {
    const { loop } = makeLoop();
    // biome-ignore lint/correctness/useYield: returns at once
    function* innerCoro(): Coroutine<number> {
      return 1;
    }
    const inner = innerCoro();
    // biome-ignore lint/correctness/useYield: returns at once
    function* outerCoro(): Coroutine<Coroutine<number>> {
      return inner;
    }
    const result = await loop.runUntilComplete(outerCoro());
    expect(result).toBe(inner);
    // The caller awaits it explicitly if it wants its value.
    expect(await loop.runUntilComplete(result)).toBe(1);
  });

  test('test_current_task', async () => {
    const { loop } = makeLoop();
    expect(currentTask(loop)).toBeNull();
    // biome-ignore lint/correctness/useYield: does not wait
    function* coro(): Coroutine<void> {
      expect(currentTask()).toBe(task);
      expect(currentTask(undefined)).toBe(task);
      expect(currentTask(loop)).toBe(task);
    }
    const task = newTask(loop, coro());
    await loop.runUntilComplete(task);
    expect(currentTask(loop)).toBeNull();
  });

  test('test_current_task_with_interleaving_tasks', async () => {
    const { loop } = makeLoop();
    expect(currentTask(loop)).toBeNull();
    const fut1 = loop.createFuture<boolean>();
    const fut2 = loop.createFuture<boolean>();
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
    const task1 = newTask(loop, coro1());
    const task2 = newTask(loop, coro2());
    function* both(): Coroutine<void> {
      yield* waitDone(task1);
      yield* waitDone(task2);
    }
    await loop.runUntilComplete(both());
    task1.result();
    task2.result();
    expect(currentTask(loop)).toBeNull();
  });

  test('test_current_task_in_callbacks_is_null', async () => {
    // A plain callback runs outside any task, even when a task scheduled it.
    const { loop } = makeLoop();
    let inCallback: unknown = 'unset';
    function* coro(): Coroutine<void> {
      loop.callSoon(() => {
        inCallback = currentTask();
      });
      yield* sleep(0);
    }
    await loop.runUntilComplete(coro());
    expect(inCallback).toBeNull();
  });

  test('test_yield_future_passes_cancel', async () => {
    // Cancelling outer() cancels inner() cancels waiter.
    const { loop } = makeLoop();
    let proof = 0;
    const waiter = loop.createFuture<void>();
    function* inner(): Coroutine<void> {
      try {
        yield* waiter;
      } catch (e) {
        if (e instanceof CancelledError) proof += 1;
        throw e;
      }
      expect.unreachable('got past sleep() in inner()');
    }
    function* outer(): Coroutine<void> {
      try {
        yield* inner();
      } catch (e) {
        if (e instanceof CancelledError)
          proof += 100; // Expect this path.
        else throw e;
        return;
      }
      proof += 10;
    }
    const f = ensureFuture(outer(), { loop });
    await runBriefly(loop);
    f.cancel();
    await loop.runUntilComplete(f);
    expect(proof).toBe(101);
    expect(waiter.cancelled()).toBe(true);
  });

  test('test_log_destroyed_pending_task', async () => {
    // The loop holds pending tasks, so a task is "destroyed" when the loop
    // closes; in debug mode the report says where the task was created.
    const { loop, calls } = makeLoop({ debug: true });
    function* killMe(): Coroutine<void> {
      const future = loop.createFuture<void>();
      yield* future;
      throw new Error('code never reached');
    }
    const task = ensureFuture(killMe(), { loop }) as Task<void>;
    expect(allTasks(loop)).toEqual(new Set([task]));
    await runBriefly(loop);
    expect(loop._ready.length).toBe(0);
    const sourceTraceback = task._sourceTraceback;
    expect(sourceTraceback).toMatch(/task\.test\.ts/);
    loop.close();
    // (toEqual() would iterate the task: a Future is iterable, for `yield*`.)
    expect(calls).toHaveLength(1);
    expect(calls[0]?.message).toBe('Task was destroyed but it is pending!');
    expect(calls[0]?.task).toBe(task);
    expect(calls[0]?.source_traceback).toBe(sourceTraceback);
    expect(allTasks(loop)).toEqual(new Set());
  });

  test('test_destroyed_pending_not_logged_for_run_until_complete_task', async () => {
    const { loop, calls } = makeLoop();
    function* forever(): Coroutine<void> {
      loop.callSoon(() => loop.stop());
      yield* loop.createFuture<void>();
    }
    await expect(loop.runUntilComplete(forever())).rejects.toThrow(
      'Event loop stopped before Future completed.',
    );
    const other = newTask(loop, forever());
    loop.close();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.message).toBe('Task was destroyed but it is pending!');
    expect(calls[0]?.task).toBe(other);
  });

  test('test_tb_logger_not_called_after_cancel', async () => {
    const { loop, calls } = makeLoop();
    // biome-ignore lint/correctness/useYield: fails at once
    function* coro(): Coroutine<void> {
      throw new TypeError();
    }
    function* runner(): Coroutine<void> {
      const task = newTask(loop, coro());
      yield* sleep(0.005);
      // Cancelling a done task marks its exception as seen.
      expect(task.cancel()).toBe(false);
    }
    await loop.runUntilComplete(runner());
    await collectGarbage();
    expect(calls).toEqual([]);
  });

  test('test_task_exception_never_retrieved', async () => {
    const { loop, calls } = makeLoop();
    const boom = new ValueError('boom');
    // biome-ignore lint/correctness/useYield: fails at once
    function* fail(): Coroutine<void> {
      throw boom;
    }
    (() => {
      loop.createTask(fail(), { name: 'lonely' });
    })();
    await runBriefly(loop);
    await runBriefly(loop);
    expect(allTasks(loop).size).toBe(0);
    await collectGarbage();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      message: 'Task exception was never retrieved',
      exception: boom,
    });
    expect(String(calls[0]?.future_repr)).toContain("name='lonely'");
  });

  test('test_task_exception_retrieved_by_awaiter_not_logged', async () => {
    const { loop, calls } = makeLoop();
    // biome-ignore lint/correctness/useYield: fails at once
    function* fail(): Coroutine<void> {
      throw new ValueError('boom');
    }
    function* main(): Coroutine<unknown> {
      return yield* caught(createTask(fail()));
    }
    expect(await loop.runUntilComplete(main())).toBeInstanceOf(ValueError);
    await collectGarbage();
    expect(calls).toEqual([]);
  });

  test('test_task_source_traceback', async () => {
    const { loop } = makeLoop();
    loop.setDebug(true);
    const task = newTask(loop, notmuch()); // created here
    expect(typeof task._sourceTraceback).toBe('string');
    // The first frame is this test's line, not the library's.
    expect(task._sourceTraceback?.split('\n')[0]).toMatch(/task\.test\.ts:\d+:\d+/);
    expect(String(task)).toMatch(/ created at .*task\.test\.ts:\d+:\d+>$/);
    await loop.runUntilComplete(task);
  });

  test('test_exception_traceback', async () => {
    const { loop } = makeLoop();
    // biome-ignore lint/correctness/useYield: fails at once
    function* foo(): Coroutine<void> {
      throw new ValueError('1 / 0');
    }
    function* main(): Coroutine<void> {
      const task = newTask(loop, foo());
      yield* sleep(0); // skip one loop iteration
      expect((task.exception() as Error).stack).toMatch(/foo/);
    }
    await loop.runUntilComplete(main());
  });

  test('test_create_task_with_noncoroutine', () => {
    const { loop } = makeLoop();
    expect(() => newTask(loop, 123 as never)).toThrow(TypeError);
    expect(() => newTask(loop, 123 as never)).toThrow(/^a coroutine was expected, got 123/);
    // A generator function (not called) is the usual mistake: say so.
    expect(() => newTask(loop, notmuch as never)).toThrow(/call the function\* to get one/);
    expect(() => loop.createTask(123 as never)).toThrow(/^a coroutine was expected, got 123/);
    expect(allTasks(loop).size).toBe(0);
  });

  test('test_create_task_with_asynclike_function', async () => {
    // Anything with next/throw/return and Symbol.iterator is a coroutine.
    const { loop } = makeLoop();
    const coroLike = {
      next: () => ({ done: true, value: 42 }),
      throw: (e: unknown) => {
        throw e;
      },
      return: (v: unknown) => ({ done: true, value: v }),
      [Symbol.iterator]() {
        return this;
      },
    };
    const task = newTask(loop, coroLike as unknown as Coroutine<number>);
    expect(task).toBeInstanceOf(Task);
    expect(await loop.runUntilComplete(task)).toBe(42);
  });

  test('test_create_task_with_bad_iterator_result', async () => {
    // A hand-written coroutine whose next() breaks the iterator protocol
    // fails its task instead of leaving it pending forever.
    const { loop, calls } = makeLoop();
    const broken = {
      next: () => 7,
      throw: (e: unknown) => {
        throw e;
      },
      return: (v: unknown) => ({ done: true, value: v }),
      [Symbol.iterator]() {
        return this;
      },
    };
    const task = newTask(loop, broken as unknown as Coroutine<number>);
    await expect(loop.runUntilComplete(task)).rejects.toThrow(
      /^Iterator result 7 is not an object/,
    );
    expect(calls).toEqual([]);
  });

  test('test_bare_create_task', async () => {
    const { loop } = makeLoop();
    // biome-ignore lint/correctness/useYield: returns at once
    function* inner(): Coroutine<number> {
      return 1;
    }
    function* coro(): Coroutine<void> {
      const task = createTask(inner());
      expect(task).toBeInstanceOf(Task);
      expect(yield* task).toBe(1);
    }
    await loop.runUntilComplete(coro());
    // Outside a running loop there is nowhere to run it.
    const c = inner();
    expect(() => createTask(c)).toThrow('no running event loop');
  });

  test('test_bare_create_named_task', async () => {
    const { loop } = makeLoop();
    function* coroNoop(): Coroutine<void> {}
    function* coro(): Coroutine<void> {
      const task = createTask(coroNoop(), { name: 'No-op' });
      expect(task.getName()).toBe('No-op');
      yield* task;
    }
    await loop.runUntilComplete(coro());
  });

  test('test_context_1', async () => {
    const cvar = new ContextVar('cvar', { default: 'nope' });
    const { loop } = makeLoop();
    function* sub(): Coroutine<void> {
      yield* sleep(0.001);
      expect(cvar.get()).toBe('nope');
      cvar.set('something else');
    }
    function* main(): Coroutine<void> {
      expect(cvar.get()).toBe('nope');
      const subtask = newTask(loop, sub());
      cvar.set('yes');
      expect(cvar.get()).toBe('yes');
      yield* subtask;
      expect(cvar.get()).toBe('yes');
    }
    await loop.runUntilComplete(newTask(loop, main()));
    expect(cvar.get()).toBe('nope');
  });

  test('test_context_2', async () => {
    const cvar = new ContextVar('cvar', { default: 'nope' });
    const { loop } = makeLoop();
    function* main(): Coroutine<void> {
      const futOnDone = (): void => {
        // This change must not pollute the context of the "main()" task.
        cvar.set('something else');
      };
      expect(cvar.get()).toBe('nope');
      for (let j = 0; j < 2; j++) {
        const fut = loop.createFuture<void>();
        fut.addDoneCallback(futOnDone);
        cvar.set(`yes${j}`);
        loop.callSoon(() => fut.setResult());
        yield* fut;
        expect(cvar.get()).toBe(`yes${j}`);
        for (let i = 0; i < 3; i++) {
          // Test that task passed its context to add_done_callback:
          cvar.set(`yes${i}-${j}`);
          yield* sleep(0.001);
          expect(cvar.get()).toBe(`yes${i}-${j}`);
        }
      }
    }
    await loop.runUntilComplete(newTask(loop, main()));
    expect(cvar.get()).toBe('nope');
  });

  test('test_context_3', async () => {
    // Run 100 Tasks in parallel, each modifying cvar.
    const cvar = new ContextVar('cvar', { default: -1 });
    const { loop } = makeLoop();
    let checked = 0;
    function* sub(num: number): Coroutine<void> {
      for (let i = 0; i < 10; i++) {
        cvar.set(num + i);
        yield* sleep(i % 3 === 0 ? 0 : Math.random() * 0.002);
        expect(cvar.get()).toBe(num + i);
        checked++;
      }
    }
    function* main(): Coroutine<void> {
      const tasks: Task<void>[] = [];
      for (let i = 0; i < 100; i++)
        tasks.push(loop.createTask(sub(Math.floor(Math.random() * 10))) as Task<void>);
      for (const t of tasks) yield* t;
    }
    await loop.runUntilComplete(main());
    expect(checked).toBe(1000);
    expect(cvar.get()).toBe(-1);
  });

  for (const [name, make] of [
    [
      'test_context_4',
      (loop: EventLoop, c: Coroutine<void>, ctx: Context) => newTask(loop, c, null, ctx),
    ],
    [
      'test_context_5',
      (_loop: EventLoop, c: Coroutine<void>, ctx: Context) => createTask(c, { context: ctx }),
    ],
    [
      'test_context_6',
      (loop: EventLoop, c: Coroutine<void>, ctx: Context) => loop.createTask(c, { context: ctx }),
    ],
  ] as const) {
    test(name, async () => {
      const cvar = new ContextVar<number>('cvar');
      const { loop } = makeLoop();
      function* coro(val: number): Coroutine<void> {
        yield* sleep(0);
        cvar.set(val);
      }
      function* main(): Coroutine<(number | undefined)[]> {
        const ret: (number | undefined)[] = [];
        const ctx = copyContext();
        ret.push(ctx.get(cvar));
        yield* make(loop, coro(1), ctx);
        ret.push(ctx.get(cvar));
        yield* make(loop, coro(2), ctx);
        ret.push(ctx.get(cvar));
        return ret;
      }
      expect(await loop.runUntilComplete(loop.createTask(main()))).toEqual([undefined, 1, 2]);
    });
  }

  test('test_context_in_task_each_step', async () => {
    // Every step (first, after a bare yield, after a wake-up, after a thrown
    // error) runs in the task's context, and leaves the caller's alone.
    const cvar = new ContextVar('cvar', { default: 'outside' });
    const { loop } = makeLoop();
    const seen: string[] = [];
    const fut = loop.createFuture<void>();
    function* coro(): Coroutine<void> {
      cvar.set('inside');
      yield undefined;
      seen.push(cvar.get());
      yield* fut;
      seen.push(cvar.get());
      try {
        yield 1 as never; // bad yield: RuntimeError thrown in
      } catch {
        seen.push(cvar.get());
      }
    }
    const task = newTask(loop, coro());
    loop.callSoon(() => seen.push(`callback:${cvar.get()}`));
    await runBriefly(loop);
    await runBriefly(loop);
    fut.setResult();
    await loop.runUntilComplete(task);
    expect(seen).toEqual(['callback:outside', 'inside', 'inside', 'inside']);
    expect(task.getContext().get(cvar)).toBe('inside');
    expect(cvar.get()).toBe('outside');
  });

  test('test_context_in_task_already_entered', () => {
    // Stepping a task whose context is already entered fails that step the
    // way CPython's Context.run() does, through the exception handler.
    const { loop, calls } = makeLoop();
    const ctx = new Context();
    function* inner(): Coroutine<void> {}
    const t = newTask(loop, inner(), null, ctx);
    // White-box: what the ready queue does for a step, from inside the context.
    ctx.run(() => t._run(undefined));
    expect(t.done()).toBe(false);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.message).toBe('Exception in callback Task.__step()');
    expect(calls[0]?.exception).toBeInstanceOf(RuntimeError);
    expect(String((calls[0]?.exception as Error | undefined)?.message)).toMatch(
      /cannot enter context: .* is already entered/,
    );
    expect(calls[0]?.task).toBe(t);
    expect(currentTask(loop)).toBeNull();
  });

  test('test_context_is_not_a_context', () => {
    const { loop } = makeLoop();
    expect(() => newTask(loop, notmuch(), null, {} as never)).toThrow(/^context must be a Context/);
  });

  test('test_get_coro', async () => {
    const { loop } = makeLoop();
    const coro = notmuch();
    const task = newTask(loop, coro);
    await loop.runUntilComplete(task);
    expect(task.getCoro()).toBe(coro);
  });

  test('test_get_context', async () => {
    const { loop } = makeLoop();
    const context = copyContext();
    const task = newTask(loop, notmuch(), null, context);
    await loop.runUntilComplete(task);
    expect(task.getContext()).toBe(context);
    // Without one, each task gets a copy of the current context.
    const t2 = newTask(loop, notmuch());
    expect(t2.getContext()).toBeInstanceOf(Context);
    expect(t2.getContext()).not.toBe(context);
    await loop.runUntilComplete(t2);
  });

  test('test_all_tasks', async () => {
    const { loop } = makeLoop();
    const fut = loop.createFuture<void>();
    function* waiter(): Coroutine<void> {
      yield* fut;
    }
    const t1 = newTask(loop, waiter());
    const t2 = newTask(loop, notmuch());
    expect(allTasks(loop)).toEqual(new Set([t1, t2]));
    function* main(): Coroutine<void> {
      // The running task is pending too; done tasks are not listed.
      expect(allTasks()).toEqual(new Set([t1, currentTask()]));
      fut.setResult();
      yield* t1;
      expect(allTasks()).toEqual(new Set([currentTask()]));
    }
    await loop.runUntilComplete(main());
    expect(allTasks(loop)).toEqual(new Set());
    // Another loop's tasks are not this loop's.
    const { loop: other } = makeLoop();
    const t3 = newTask(other, notmuch());
    expect(allTasks(loop).has(t3)).toBe(false);
    expect(allTasks(other)).toEqual(new Set([t3]));
    await other.runUntilComplete(t3);
  });

  test('test_all_tasks_no_running_loop', () => {
    expect(() => allTasks()).toThrow('no running event loop');
  });

  test('test_task_held_by_loop', async () => {
    // CPython issue 104091: a fire-and-forget task waiting on a future that
    // nothing else holds must not be collected mid-flight.
    const { loop } = makeLoop();
    let completed = false;
    let futRef: WeakRef<Future<number>> | null = null;
    (() => {
      function* fireAndForget(): Coroutine<void> {
        const fut = loop.createFuture<number>();
        futRef = new WeakRef(fut);
        const v = yield* fut;
        completed = v === 7;
      }
      loop.createTask(fireAndForget());
    })();
    await runBriefly(loop);
    await collectGarbage();
    const fut = (futRef as WeakRef<Future<number>> | null)?.deref();
    expect(fut).toBeDefined();
    fut?.setResult(7);
    await runBriefly(loop);
    expect(completed).toBe(true);
    expect(allTasks(loop).size).toBe(0);
  });
});

describe('BadYieldTests', () => {
  // A task that yields anything but a Future of its loop (with yield*) or
  // nothing gets a RuntimeError thrown in where it yielded, saying how to
  // await properly; the coroutine may catch it and go on.
  async function badYield(value: unknown): Promise<Error> {
    const { loop } = makeLoop();
    let recovered = false;
    function* coro(): Coroutine<Error> {
      let err: Error | null = null;
      try {
        yield value as never;
      } catch (e) {
        err = e as Error;
      }
      yield* sleep(0);
      recovered = true;
      return err as Error;
    }
    const err = await loop.runUntilComplete(coro());
    expect(recovered).toBe(true);
    expect(err).toBeInstanceOf(RuntimeError);
    return err;
  }

  test('test_yield_promise', async () => {
    const p = Promise.resolve(1);
    const err = await badYield(p);
    expect(err.message).toMatch(
      /^Task got bad yield: .*a promise cannot be awaited with yield; use `yield\* ensureFuture\(promise\)`/,
    );
  });

  test('test_yield_thenable', async () => {
    const err = await badYield({ then() {} });
    expect(err.message).toMatch(/ensureFuture\(promise\)/);
  });

  test('test_yield_number', async () => {
    const err = await badYield(42);
    expect(err.message).toMatch(/^Task got bad yield: 42: .*`yield\* fut`.*`yield\* coro\(\)`/);
  });

  test('test_yield_vs_yield_from_generator', async () => {
    function* inner(): Coroutine<void> {
      yield undefined;
    }
    const err = await badYield(inner());
    expect(err.message).toMatch(
      /^yield was used instead of yield\* for generator in task <Task .*>: write `yield\* coro`/,
    );
  });

  test('test_yield_vs_yield_from', async () => {
    const { loop } = makeLoop();
    const fut = loop.createFuture<void>();
    function* waitForFuture(): Coroutine<void> {
      yield fut;
    }
    await expect(loop.runUntilComplete(waitForFuture())).rejects.toThrow(
      /^yield was used instead of yield\* in task <Task .*> with <Future pending>: write `yield\* fut`/,
    );
    expect(fut.done()).toBe(false);
  });

  test('test_yield_other_loop_future', async () => {
    const { loop: other } = makeLoop();
    const fut = new Future<void>({ loop: other });
    const { loop } = makeLoop();
    function* coro(): Coroutine<void> {
      yield* fut;
    }
    await expect(loop.runUntilComplete(coro())).rejects.toThrow(
      /^Task <Task .*> got Future <Future pending> attached to a different loop; a task can only await Futures of its own loop/,
    );
  });
});

describe('InterruptTests', () => {
  test('test_keyboard_interrupt_propagates_out_of_run_until_complete', async () => {
    const { loop, calls } = makeLoop();
    const kbi = new KeyboardInterrupt();
    function* coro(): Coroutine<void> {
      yield* sleep(0);
      throw kbi;
    }
    await expect(loop.runUntilComplete(coro())).rejects.toBe(kbi);
    expect(loop.isRunning()).toBe(false);
    expect(calls).toEqual([]);
    // The loop can be run again afterwards.
    expect(await loop.runUntilComplete(notmuch())).toBe('ok');
  });

  test('test_system_exit_in_other_task_propagates_out_of_run_forever', async () => {
    const { loop } = makeLoop();
    const exit = new SystemExit(3);
    // biome-ignore lint/correctness/useYield: fails at once
    function* coro(): Coroutine<void> {
      throw exit;
    }
    const t = newTask(loop, coro());
    loop.callLater(1, () => loop.stop());
    await expect(loop.runForever()).rejects.toBe(exit);
    expect(t.done()).toBe(true);
    expect(t.exception()).toBe(exit);
  });

  test('test_system_exit_in_awaited_task_propagates_out_of_run_until_complete', async () => {
    const { loop } = makeLoop();
    const exit = new SystemExit(2);
    function* child(): Coroutine<void> {
      yield* sleep(0);
      throw exit;
    }
    let mainSawIt = false;
    function* main(): Coroutine<void> {
      const t = createTask(child());
      try {
        yield* sleep(1);
      } finally {
        mainSawIt = t.done();
      }
    }
    const m = newTask(loop, main());
    await expect(loop.runUntilComplete(m)).rejects.toBe(exit);
    expect(m.done()).toBe(false);
    m.cancel();
    await expect(loop.runUntilComplete(m)).rejects.toBeInstanceOf(CancelledError);
    expect(mainSawIt).toBe(true);
  });

  test('test_keyboard_interrupt_in_eager_step_propagates_out_of_create_task', async () => {
    const { loop } = makeLoop();
    loop.setTaskFactory(eagerTaskFactory);
    const kbi = new KeyboardInterrupt();
    // biome-ignore lint/correctness/useYield: fails at once
    function* coro(): Coroutine<void> {
      throw kbi;
    }
    let created: Task<void> | null = null;
    // biome-ignore lint/correctness/useYield: does not wait
    function* main(): Coroutine<unknown> {
      try {
        created = createTask(coro());
      } catch (e) {
        return e;
      }
      return null;
    }
    expect(await loop.runUntilComplete(main())).toBe(kbi);
    expect(created).toBeNull();
  });
});

describe('CurrentLoopTests', () => {
  test('test_current_task_no_running_loop', () => {
    const { loop } = makeLoop();
    setEventLoop(loop);
    expect(currentTask(loop)).toBeNull();
  });

  test('test_current_task_no_running_loop_implicit', () => {
    expect(() => currentTask()).toThrow(RuntimeError);
    expect(() => currentTask()).toThrow('no running event loop');
  });

  test('test_current_task_with_implicit_loop', async () => {
    const { loop } = makeLoop();
    setEventLoop(loop);
    // biome-ignore lint/correctness/useYield: does not wait
    function* coro(): Coroutine<void> {
      expect(currentTask(loop)).toBe(task);
      expect(currentTask(undefined)).toBe(task);
      expect(currentTask()).toBe(task);
    }
    const task = new Task(coro());
    await loop.runUntilComplete(task);
    expect(currentTask(loop)).toBeNull();
  });

  test('test_current_task_of_other_loop', async () => {
    const { loop } = makeLoop();
    const { loop: other } = makeLoop();
    // biome-ignore lint/correctness/useYield: does not wait
    function* coro(): Coroutine<void> {
      expect(currentTask(other)).toBeNull();
    }
    await loop.runUntilComplete(coro());
  });
});

describe('TaskStepInternals', () => {
  test('test_step_when_done', async () => {
    const { loop } = makeLoop();
    const t = newTask(loop, notmuch());
    await loop.runUntilComplete(t);
    expect(() => t._step(undefined)).toThrow(InvalidStateError);
    expect(() => t._step(undefined)).toThrow(/^_step\(\): already done: <Task finished/);
  });

  test('test_enter_task_while_another_runs', async () => {
    const { loop } = makeLoop();
    function* coro(): Coroutine<unknown> {
      const other = newTask(loop, notmuch());
      try {
        other._step(undefined);
      } catch (e) {
        // Not stepped: it still runs, later, as scheduled.
        expect(yield* other).toBe('ok');
        return e;
      }
      return null;
    }
    const e = (await loop.runUntilComplete(coro())) as Error;
    expect(e).toBeInstanceOf(RuntimeError);
    expect(e.message).toMatch(
      /^Cannot enter into task <Task .* while another task <Task .* is being executed\.$/,
    );
  });

  test('test_future_result_throws_undefined', async () => {
    // A Future subclass may throw anything from result(); undefined cannot
    // stand for "no error" there.
    const { loop } = makeLoop();
    class Odd extends Future<number> {
      override result(): number {
        if (this.done()) throw undefined;
        return super.result();
      }
    }
    const odd = new Odd({ loop });
    function* coro(): Coroutine<number> {
      return yield* odd;
    }
    const t = newTask(loop, coro());
    await runBriefly(loop);
    odd.setResult(1);
    const e = (await loop.runUntilComplete(t).catch((x: unknown) => x)) as Error;
    expect(e).toBeInstanceOf(RuntimeError);
    expect(e.message).toBe('<Odd finished result=1>.result() threw undefined');
  });

  test('test_leave_task_mismatch_is_reported', async () => {
    // White-box: stepping another loop's task from inside a step replaces the
    // current task; leaving the outer step notices instead of going on wrongly.
    const { loop, calls } = makeLoop();
    const { loop: other } = makeLoop();
    const t2 = newTask(other, notmuch());
    function* coro(): Coroutine<void> {
      t2._run(undefined);
      yield* sleep(1);
    }
    const t1 = newTask(loop, coro());
    await runBriefly(loop);
    expect(t2.result()).toBe('ok');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.task).toBe(t1);
    expect((calls[0]?.exception as Error | undefined)?.message).toMatch(
      /^Leaving task <Task .*> does not match the current task null\.$/,
    );
    t1.cancel();
    await expect(loop.runUntilComplete(t1)).rejects.toBeInstanceOf(CancelledError);
  });

  test('test_coroutine_throws_undefined_null_or_function', async () => {
    // A coroutine may throw any value; those a Future cannot hold become a
    // RuntimeError that says what was thrown.
    const { loop } = makeLoop();
    for (const [value, pattern] of [
      [undefined, /^the coroutine threw undefined/],
      [null, /^the coroutine threw null/],
      [
        ValueError,
        /^the coroutine threw the function ValueError.*`throw new ValueError\(\.\.\.\)`/,
      ],
      [
        Object.defineProperty(() => {}, 'name', { value: '' }),
        /^the coroutine threw the function Error/,
      ],
    ] as const) {
      // biome-ignore lint/correctness/useYield: fails at once
      function* coro(): Coroutine<void> {
        throw value;
      }
      const e = (await loop.runUntilComplete(coro()).catch((x: unknown) => x)) as Error;
      expect(e).toBeInstanceOf(RuntimeError);
      expect(e.message).toMatch(pattern);
      expect(e.cause).toBe(value);
    }
    // Anything else is kept as it is.
    // biome-ignore lint/correctness/useYield: fails at once
    function* str(): Coroutine<void> {
      throw 'oops';
    }
    await expect(loop.runUntilComplete(str())).rejects.toBe('oops');
  });
});

describe('EagerTaskFactoryLoopTests', () => {
  function setup(factory: TaskFactory = eagerTaskFactory): EventLoop {
    const { loop } = makeLoop();
    loop.setTaskFactory(factory);
    setEventLoop(loop);
    return loop;
  }
  // An eager step happens only if the loop is already running.
  function runCoro<T>(loop: EventLoop, coro: Coroutine<T>): Promise<T> {
    function* runner(): Coroutine<T> {
      expect(getRunningLoop()).toBe(loop);
      return yield* coro;
    }
    return loop.runUntilComplete(runner());
  }

  test('test_eager_task_factory_set', async () => {
    const loop = setup();
    expect(loop.getTaskFactory()).toBe(eagerTaskFactory);
    function* noop(): Coroutine<void> {}
    function* run(): Coroutine<void> {
      const t = loop.createTask(noop());
      expect(t).toBeInstanceOf(Task);
      yield* t;
    }
    await runCoro(loop, run());
  });

  test('test_await_future_during_eager_step', async () => {
    const loop = setup();
    // biome-ignore lint/correctness/useYield: returns at once
    function* setResult(fut: Future<string>, val: string): Coroutine<void> {
      fut.setResult(val);
    }
    function* run(): Coroutine<string> {
      const fut = loop.createFuture<string>();
      const t = loop.createTask(setResult(fut, 'my message'));
      // assert the eager step completed the task
      expect(t.done()).toBe(true);
      return yield* fut;
    }
    expect(await runCoro(loop, run())).toBe('my message');
  });

  test('test_eager_completion', async () => {
    const loop = setup();
    // biome-ignore lint/correctness/useYield: returns at once
    function* coro(): Coroutine<string> {
      return 'hello';
    }
    function* run(): Coroutine<string> {
      const ready = loop._ready.length;
      const t = loop.createTask(coro());
      // assert the eager step completed the task, without touching the loop
      expect(t.done()).toBe(true);
      expect(loop._ready.length).toBe(ready);
      expect(loop._tasks.has(t)).toBe(false);
      return yield* t;
    }
    expect(await runCoro(loop, run())).toBe('hello');
  });

  test('test_eager_failure', async () => {
    const loop = setup();
    const boom = new ValueError('boom');
    // biome-ignore lint/correctness/useYield: fails at once
    function* coro(): Coroutine<string> {
      throw boom;
    }
    function* run(): Coroutine<unknown> {
      const t = loop.createTask(coro());
      expect(t.done()).toBe(true);
      return yield* caught(t);
    }
    expect(await runCoro(loop, run())).toBe(boom);
  });

  test('test_block_after_eager_step', async () => {
    const loop = setup();
    function* coro(): Coroutine<string> {
      yield* sleep(0.001);
      return 'finished after blocking';
    }
    function* run(): Coroutine<string> {
      const t = loop.createTask(coro());
      expect(t.done()).toBe(false);
      const result = yield* t;
      expect(t.done()).toBe(true);
      return result;
    }
    expect(await runCoro(loop, run())).toBe('finished after blocking');
  });

  test('test_cancellation_after_eager_completion', async () => {
    const loop = setup();
    // biome-ignore lint/correctness/useYield: returns at once
    function* coro(): Coroutine<string> {
      return 'finished without blocking';
    }
    function* run(): Coroutine<string> {
      const t = loop.createTask(coro());
      expect(t.cancel()).toBe(false);
      const result = yield* t;
      // finished task can't be cancelled
      expect(t.cancelled()).toBe(false);
      return result;
    }
    expect(await runCoro(loop, run())).toBe('finished without blocking');
  });

  test('test_cancellation_after_eager_step_blocks', async () => {
    const loop = setup();
    function* coro(): Coroutine<string> {
      yield* sleep(0.1);
      return 'finished after blocking';
    }
    function* run(): Coroutine<void> {
      const t = loop.createTask(coro()) as Task<string>;
      t.cancel('cancellation message');
      expect(t.cancelling()).toBeGreaterThan(0);
      yield* t;
    }
    const e = await runCoro(loop, run()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CancelledError);
    expect((e as Error).message).toBe('cancellation message');
  });

  test('test_cancellation_during_eager_step', async () => {
    // A task that cancels itself in its eager step is cancelled at its first
    // wait, as a scheduled task would be.
    const loop = setup();
    function* coro(): Coroutine<string> {
      (currentTask() as Task<unknown>).cancel('self');
      yield* sleep(10);
      return 'unreachable';
    }
    function* run(): Coroutine<unknown> {
      const t = loop.createTask(coro());
      expect(t.done()).toBe(false);
      return yield* caught(t);
    }
    const e = await runCoro(loop, run());
    expect(e).toBeInstanceOf(CancelledError);
    expect((e as Error).message).toBe('self');
  });

  test('test_cancellation_before_first_step', async () => {
    // Eager start needs a running loop: otherwise the task is scheduled, and
    // can be cancelled before its coroutine ever runs.
    const loop = setup();
    let ran = false;
    // biome-ignore lint/correctness/useYield: returns at once
    function* coro(): Coroutine<string> {
      ran = true;
      return 'x';
    }
    const t = loop.createTask(coro()) as Task<string>;
    expect(t.done()).toBe(false);
    t.cancel();
    await expect(loop.runUntilComplete(t)).rejects.toBeInstanceOf(CancelledError);
    expect(ran).toBe(false);
  });

  test('test_current_task', async () => {
    const loop = setup();
    let captured: Task<unknown> | null = null;
    let outer: Task<unknown> | null = null;
    function* coro(): Coroutine<void> {
      captured = currentTask();
      // verify the task before and after blocking is identical
      yield* sleep(0.001);
      expect(currentTask()).toBe(captured);
    }
    function* run(): Coroutine<void> {
      outer = currentTask();
      const t = loop.createTask(coro());
      expect(captured).toBe(t);
      // Back in the creating task once the eager step is over.
      expect(currentTask()).toBe(outer);
      yield* t;
    }
    await runCoro(loop, run());
  });

  test('test_current_task_outside_tasks', async () => {
    // An eager task created from a plain callback runs as the current task
    // during its step; afterwards there is no current task again.
    const loop = setup();
    let inStep: Task<unknown> | null = null;
    let after: unknown = 'unset';
    let task: Future<unknown> | null = null;
    // biome-ignore lint/correctness/useYield: returns at once
    function* coro(): Coroutine<void> {
      inStep = currentTask();
    }
    loop.callSoon(() => {
      task = loop.createTask(coro());
      after = currentTask();
    });
    await runBriefly(loop);
    expect(inStep).toBe(task);
    expect(after).toBeNull();
  });

  test('test_all_tasks_with_eager_completion', async () => {
    const loop = setup();
    let captured: Set<Task<unknown>> | null = null;
    // biome-ignore lint/correctness/useYield: returns at once
    function* coro(): Coroutine<void> {
      captured = allTasks();
    }
    // biome-ignore lint/correctness/useYield: no wait needed
    function* run(): Coroutine<void> {
      const t = loop.createTask(coro()) as Task<void>;
      expect((captured as Set<Task<unknown>> | null)?.has(t)).toBe(true);
      expect(allTasks().has(t)).toBe(false);
    }
    await runCoro(loop, run());
  });

  test('test_all_tasks_with_blocking', async () => {
    const loop = setup();
    let captured: Set<Task<unknown>> | null = null;
    function* coro(fut1: Future<void>, fut2: Future<void>): Coroutine<void> {
      captured = allTasks();
      yield* fut1;
      fut2.setResult();
    }
    function* run(): Coroutine<void> {
      const fut1 = loop.createFuture<void>();
      const fut2 = loop.createFuture<void>();
      const t = loop.createTask(coro(fut1, fut2)) as Task<void>;
      expect((captured as Set<Task<unknown>> | null)?.has(t)).toBe(true);
      expect(allTasks().has(t)).toBe(true);
      fut1.setResult();
      yield* fut2;
      expect(allTasks().has(t)).toBe(false);
    }
    await runCoro(loop, run());
  });

  test('test_context_vars', async () => {
    const loop = setup();
    const cv = new ContextVar('cv', { default: 0 });
    let first = false;
    let second = false;
    function* coro(): Coroutine<void> {
      expect(cv.get()).toBe(1);
      cv.set(2);
      expect(cv.get()).toBe(2);
      first = true;
      yield* sleep(0.001);
      expect(cv.get()).toBe(2);
      cv.set(3);
      expect(cv.get()).toBe(3);
      second = true;
    }
    function* run(): Coroutine<void> {
      cv.set(1);
      const t = loop.createTask(coro());
      expect(first).toBe(true);
      expect(second).toBe(false);
      expect(cv.get()).toBe(1);
      yield* t;
      expect(second).toBe(true);
      expect(cv.get()).toBe(1);
    }
    await runCoro(loop, run());
  });

  test('test_eager_start_false', async () => {
    const loop = setup();
    let name: string | null = null;
    // biome-ignore lint/correctness/useYield: returns at once
    function* asyncfn(): Coroutine<void> {
      name = (currentTask() as Task<unknown>).getName();
    }
    function* main(): Coroutine<void> {
      const t = getRunningLoop().createTask(asyncfn(), { eagerStart: false, name: 'example' });
      expect(t.done()).toBe(false);
      expect(name).toBeNull();
      yield* t;
      expect(name).toBe('example');
    }
    await runCoro(loop, main());
  });

  test('test_eager_start_undefined_means_eager', async () => {
    // eager_task_factory's eager_start=True default holds when the option
    // is present but undefined, as options objects often carry it.
    const loop = setup();
    // biome-ignore lint/correctness/useYield: returns at once
    function* coro(): Coroutine<number> {
      return 1;
    }
    // biome-ignore lint/correctness/useYield: no wait needed
    function* main(): Coroutine<void> {
      const t = loop.createTask(coro(), { eagerStart: undefined, name: undefined });
      expect(t.done()).toBe(true);
      expect((t as Task<number>).getName()).toMatch(/^Task-\d+$/);
    }
    await runCoro(loop, main());
  });

  test('test_name', async () => {
    const loop = setup();
    let name: string | null = null;
    // biome-ignore lint/correctness/useYield: returns at once
    function* coro(): Coroutine<void> {
      name = (currentTask() as Task<unknown>).getName();
    }
    function* main(): Coroutine<void> {
      const task = loop.createTask(coro(), { name: 'test name' });
      expect(name).toBe('test name');
      yield* task;
    }
    await runCoro(loop, main());
  });

  test('test_eager_start_true_with_default_factory', async () => {
    const { loop } = makeLoop();
    let name: string | null = null;
    // biome-ignore lint/correctness/useYield: returns at once
    function* asyncfn(): Coroutine<void> {
      name = (currentTask() as Task<unknown>).getName();
    }
    function* main(): Coroutine<void> {
      const t = getRunningLoop().createTask(asyncfn(), { eagerStart: true, name: 'example' });
      expect(t.done()).toBe(true);
      expect(name).toBe('example');
      yield* t;
    }
    await loop.runUntilComplete(main());
  });

  test('test_eager_start_true_with_task_constructor', async () => {
    const { loop } = makeLoop();
    let name: string | null = null;
    // biome-ignore lint/correctness/useYield: returns at once
    function* asyncfn(): Coroutine<void> {
      name = (currentTask() as Task<unknown>).getName();
    }
    function* main(): Coroutine<void> {
      const t = new Task(asyncfn(), { loop: getRunningLoop(), eagerStart: true, name: 'example' });
      expect(t.done()).toBe(true);
      expect(name).toBe('example');
      yield* t;
    }
    await loop.runUntilComplete(main());
  });

  test('test_eager_bad_yield_is_thrown_in_later', async () => {
    const loop = setup();
    function* coro(): Coroutine<string> {
      try {
        yield 5 as never;
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    }
    function* main(): Coroutine<string> {
      const t = loop.createTask(coro());
      expect(t.done()).toBe(false);
      return yield* t;
    }
    expect(await runCoro(loop, main())).toMatch(/^Task got bad yield: 5/);
  });

  test('test_eager_context_already_entered', async () => {
    // Eager start inside the task's own context cannot enter it again; the
    // task is not left registered.
    const loop = setup();
    // biome-ignore lint/correctness/useYield: does not wait
    function* main(): Coroutine<unknown> {
      const ctx = (currentTask() as Task<unknown>).getContext();
      try {
        loop.createTask(notmuch(), { context: ctx });
      } catch (e) {
        return e;
      }
      return null;
    }
    const e = (await runCoro(loop, main())) as Error;
    expect(e).toBeInstanceOf(RuntimeError);
    expect(e.message).toMatch(/cannot enter context/);
    expect(allTasks(loop).size).toBe(0);
  });

  test('test_create_eager_task_factory_with_subclass', async () => {
    class CountingTask<T> extends Task<T> {
      static made = 0;
      constructor(coro: Coroutine<T>, options?: ConstructorParameters<typeof Task<T>>[1]) {
        super(coro, options);
        CountingTask.made++;
      }
    }
    const loop = setup(createEagerTaskFactory(CountingTask));
    // biome-ignore lint/correctness/useYield: returns at once
    function* coro(): Coroutine<number> {
      return 5;
    }
    function* main(): Coroutine<number> {
      const t = loop.createTask(coro());
      expect(t).toBeInstanceOf(CountingTask);
      expect(t.done()).toBe(true);
      return yield* t;
    }
    expect(await runCoro(loop, main())).toBe(5);
    expect(CountingTask.made).toBe(2);
  });

  test('test_awaitables_chain', async () => {
    // With the eager factory, a chain of awaits makes no scheduled task
    // (BaseTaskCountingTests).
    for (const eager of [false, true]) {
      const { loop } = makeLoop();
      let scheduled = 0;
      class CountingTask<T> extends Task<T> {
        constructor(coro: Coroutine<T>, options?: ConstructorParameters<typeof Task<T>>[1]) {
          if (options?.eagerStart !== true || !options.loop?.isRunning()) scheduled++;
          super(coro, options);
        }
      }
      const factory: TaskFactory = eager
        ? createEagerTaskFactory(CountingTask)
        : (l, coro, options) => new CountingTask(coro, { ...options, loop: l });
      loop.setTaskFactory(factory);
      function* chain(depth: number): Coroutine<number> {
        if (depth === 0) return 0;
        return 1 + (yield* chain(depth - 1));
      }
      function* spawner(n: number): Coroutine<number> {
        let total = 0;
        for (let i = 0; i < n; i++) total += yield* loop.createTask(chain(10));
        return total;
      }
      expect(await loop.runUntilComplete(spawner(5))).toBe(50);
      // The main task is scheduled (the loop was not running yet); the
      // five children were eager and never scheduled.
      expect(scheduled).toBe(eager ? 1 : 6);
    }
  });
});
