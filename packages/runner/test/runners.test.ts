// Port of CPython's Lib/test/test_asyncio/test_runners.py (3.11 copy, with the 3.12-3.14
// additions: loop_factory, awaitables, no repr of the result), then what x-async adds:
// functions as main, signals other than SIGINT, shutdownTimeout, listener hygiene.
//
// CPython's tests interrupt themselves with _thread.interrupt_main(), which simulates a
// signal; here interruptSelf() emits the signal event on `process` the same way. A few
// tests send real signals to this process, always while run() has its listener installed.

import { logger } from '@x/loop';
import { getCurrentLoopOrNull } from '@x/loop/internal';
import {
  addSignalHandler,
  asyncGenerator,
  CancelledError,
  ContextVar,
  type Coroutine,
  copyContext,
  createTask,
  currentTask,
  EventLoop,
  type ExceptionContext,
  type Executor,
  ensureFuture,
  type Future,
  getEventLoop,
  getRunningLoop,
  KeyboardInterrupt,
  newEventLoop,
  Runner,
  RuntimeError,
  run,
  SignalExit,
  SystemExit,
  sleep,
  Task,
  ValueError,
} from '@x/runner';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

const WATCHED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let before: Record<string, number>;

function listenerCounts(): Record<string, number> {
  return Object.fromEntries(WATCHED.map((s) => [s, process.listenerCount(s)]));
}

function interruptSelf(sig: NodeJS.Signals = 'SIGINT'): void {
  process.emit(sig, sig);
}

class ZeroDivisionError extends Error {
  override name = 'ZeroDivisionError';
}

/** Collects what reaches the running loop's exception handler. */
function* captureReports(into: ExceptionContext[]): Coroutine<void> {
  getRunningLoop().setExceptionHandler((_loop, ctx) => {
    into.push(ctx);
  });
}

beforeEach(() => {
  before = listenerCounts();
});

afterEach(() => {
  // Every run(), close() and loop.close() gives the process its listeners back.
  expect(listenerCounts()).toEqual(before);
  expect(getCurrentLoopOrNull()).toBe(null);
});

describe('RunTests', () => {
  test('test_asyncio_run_return', async () => {
    function* main(): Coroutine<number> {
      yield* sleep(0);
      return 42;
    }
    expect(await run(main())).toBe(42);
  });

  test('test_asyncio_run_raises', async () => {
    function* main(): Coroutine<void> {
      yield* sleep(0);
      throw new ValueError('spam');
    }
    await expect(run(main())).rejects.toThrow(ValueError);
    await expect(run(main())).rejects.toThrow('spam');
  });

  test('test_asyncio_run_only_coro', async () => {
    for (const o of [1, null, 'text', { then: 42 }]) {
      const p = run(o as never);
      await expect(p).rejects.toThrow(TypeError);
      await expect(p).rejects.toThrow(/a coroutine was expected.*an awaitable is required/);
    }
    // A function is called in the main task: what it returns must be awaitable too.
    await expect(run((() => undefined) as never)).rejects.toThrow(
      /^a coroutine was expected, got undefined from/,
    );
  });

  test('test_asyncio_run_debug', async () => {
    // Debug mode logs the loop's close through logger.debug (silent by default).
    const debugLog = vi.spyOn(logger, 'debug');
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* main(expected: boolean): Coroutine<void> {
      const loop = getEventLoop();
      expect(loop.getDebug()).toBe(expected);
    }
    await run(main(false), { debug: false });
    await run(main(true), { debug: true });
    const saved = process.env.XASYNC_DEBUG;
    try {
      process.env.XASYNC_DEBUG = '1';
      await run(main(true));
      await run(main(false), { debug: false });
      process.env.XASYNC_DEBUG = '0';
      await run(main(true), { debug: true });
      await run(main(false));
    } finally {
      if (saved === undefined) delete process.env.XASYNC_DEBUG;
      else process.env.XASYNC_DEBUG = saved;
      debugLog.mockRestore();
    }
  });

  test('test_asyncio_run_from_running_loop', async () => {
    function* main(): Coroutine<void> {
      const p = run(main());
      // A refusal is a rejection, never a synchronous throw.
      expect(p).toBeInstanceOf(Promise);
      yield* ensureFuture(p);
    }
    await expect(run(main())).rejects.toThrow(
      'asyncio.run() cannot be called from a running event loop',
    );
  });

  test('test_asyncio_run_cancels_hanging_tasks', async () => {
    let loTask: Task<void> | null = null;
    function* leftover(): Coroutine<void> {
      yield* sleep(0.1);
    }
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* main(): Coroutine<number> {
      loTask = createTask(leftover());
      return 123;
    }
    expect(await run(main())).toBe(123);
    expect((loTask as Task<void> | null)?.done()).toBe(true);
    expect((loTask as Task<void> | null)?.cancelled()).toBe(true);
  });

  test('test_asyncio_run_reports_hanging_tasks_errors', async () => {
    let loTask: Task<void> | null = null;
    const callExcHandlerMock = vi.fn();
    function* leftover(): Coroutine<void> {
      try {
        yield* sleep(0.1);
      } catch (e) {
        if (e instanceof CancelledError) throw new ZeroDivisionError('division by zero');
        throw e;
      }
    }
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* main(): Coroutine<number> {
      const loop = getRunningLoop();
      loop.callExceptionHandler = callExcHandlerMock;
      loTask = createTask(leftover());
      return 123;
    }
    expect(await run(main())).toBe(123);
    expect((loTask as Task<void> | null)?.done()).toBe(true);
    // Compared key by key: a matcher would iterate the Task (it is iterable, for `yield*`).
    const ctx = callExcHandlerMock.mock.lastCall?.[0] as ExceptionContext;
    expect(Object.keys(ctx).sort()).toEqual(['exception', 'message', 'task']);
    expect(ctx.message).toMatch(/asyncio.run.*shutdown/);
    expect(ctx.task).toBe(loTask);
    expect(ctx.exception).toBeInstanceOf(ZeroDivisionError);
  });

  test('test_asyncio_run_closes_gens_after_hanging_tasks_errors', async () => {
    let spinnerClosed = false;
    let lazyboy: Task<void> | null = null;
    class FancyExit extends Error {}
    const fidget = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        for (;;) {
          yield* emit(1);
          yield* sleep(1);
        }
      } finally {
        spinnerClosed = true;
      }
    });
    function* spin(): Coroutine<void> {
      const spinner = fidget();
      try {
        for (;;) {
          const r = yield* spinner.next();
          if (r.done === true) break;
        }
      } catch (e) {
        if (e instanceof CancelledError) throw new ZeroDivisionError();
        throw e;
      }
    }
    function* main(): Coroutine<void> {
      const loop = getRunningLoop();
      loop.callExceptionHandler = vi.fn();
      lazyboy = createTask(spin());
      yield* sleep(0);
      throw new FancyExit();
    }
    await expect(run(main())).rejects.toBeInstanceOf(FancyExit);
    expect((lazyboy as Task<void> | null)?.done()).toBe(true);
    expect(spinnerClosed).toBe(true);
  });

  test('test_asyncio_run_set_event_loop', async () => {
    // See https://github.com/python/cpython/issues/93896
    let current: EventLoop | null = null;
    function* main(): Coroutine<number> {
      current = getCurrentLoopOrNull();
      expect(current).toBe(getRunningLoop());
      yield* sleep(0);
      return 42;
    }
    await run(main());
    expect(current).toBeInstanceOf(EventLoop);
    // ...and unsets it once done (checked in afterEach).
  });

  test('test_asyncio_run_without_uncancel', async () => {
    // See https://github.com/python/cpython/issues/95097: a task without uncancel()
    // cannot tell whether the interrupt is still pending, so run() re-raises CancelledError.
    const loopFactory = (): EventLoop => {
      const loop = newEventLoop();
      loop.setTaskFactory((l, coro, options) => {
        const t = new Task(coro, { ...options, loop: l });
        (t as { uncancel?: unknown }).uncancel = undefined;
        return t;
      });
      return loop;
    };
    function* main(): Coroutine<void> {
      interruptSelf();
      yield* getRunningLoop().createFuture<void>();
    }
    await expect(run(main(), { loopFactory })).rejects.toBeInstanceOf(CancelledError);
  });

  test('test_asyncio_run_loop_factory', async () => {
    const loop = newEventLoop();
    const factory = vi.fn(() => loop);
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* main(): Coroutine<void> {
      expect(getRunningLoop()).toBe(loop);
    }
    await run(main(), { loopFactory: factory });
    expect(factory).toHaveBeenCalledTimes(1);
    expect(factory).toHaveBeenCalledWith();
    expect(loop.isClosed()).toBe(true);
  });

  test('test_loop_factory_default_event_loop', async () => {
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* main(): Coroutine<void> {
      expect(getRunningLoop()).toBeInstanceOf(EventLoop);
    }
    await run(main(), { loopFactory: () => new EventLoop() });
  });
});

describe('RunnerTests', () => {
  test('test_non_debug', async () => {
    const runner = new Runner({ debug: false });
    expect(runner.getLoop().getDebug()).toBe(false);
    await runner.close();
  });

  test('test_debug', async () => {
    // Debug mode logs the loop's close through logger.debug (silent by default).
    const debugLog = vi.spyOn(logger, 'debug');
    const runner = new Runner({ debug: true });
    expect(runner.getLoop().getDebug()).toBe(true);
    await runner.close();
    expect(debugLog).toHaveBeenCalledWith(expect.stringMatching(/^Close <EventLoop/));
    debugLog.mockRestore();
  });

  test('test_custom_factory', async () => {
    const loop = newEventLoop();
    const runner = new Runner({ loopFactory: () => loop });
    expect(runner.getLoop()).toBe(loop);
    // A loop from a factory is not made the current loop.
    expect(getCurrentLoopOrNull()).toBe(null);
    await runner.close();
    expect(loop.isClosed()).toBe(true);
  });

  test('test_run', async () => {
    function* f(): Coroutine<string> {
      yield* sleep(0);
      return 'done';
    }
    const runner = new Runner();
    expect(await runner.run(f())).toBe('done');
    const loop = runner.getLoop();
    await runner[Symbol.asyncDispose]();
    expect(() => runner.getLoop()).toThrow(RuntimeError);
    expect(() => runner.getLoop()).toThrow('Runner is closed');
    expect(loop.isClosed()).toBe(true);
  });

  test('test_run_non_coro', async () => {
    const runner = new Runner();
    try {
      await expect(runner.run(123 as never)).rejects.toThrow(TypeError);
      await expect(runner.run(123 as never)).rejects.toThrow('an awaitable is required');
    } finally {
      await runner.close();
    }
  });

  test('test_run_future', async () => {
    const runner = new Runner();
    try {
      const fut = runner.getLoop().createFuture<string>();
      fut.setResult('done');
      expect(await runner.run(fut)).toBe('done');
    } finally {
      await runner.close();
    }
  });

  test('test_run_awaitable', async () => {
    const myAwaitable: PromiseLike<string> = {
      then: (onfulfilled) => Promise.resolve('done').then(onfulfilled) as never,
    };
    const runner = new Runner();
    try {
      expect(await runner.run(myAwaitable)).toBe('done');
    } finally {
      await runner.close();
    }
  });

  test('test_explicit_close', async () => {
    const runner = new Runner();
    const loop = runner.getLoop();
    await runner.close();
    expect(() => runner.getLoop()).toThrow('Runner is closed');
    expect(loop.isClosed()).toBe(true);
  });

  test('test_double_close', async () => {
    const runner = new Runner();
    const loop = runner.getLoop();
    await runner.close();
    expect(loop.isClosed()).toBe(true);
    // The second call is a no-op.
    await runner.close();
    expect(loop.isClosed()).toBe(true);
  });

  test('test_second_with_block_raises', async () => {
    const ret: number[] = [];
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* f(arg: number): Coroutine<void> {
      ret.push(arg);
    }
    const runner = new Runner();
    await runner.run(f(1));
    await runner.close();
    await expect(runner.run(f(2))).rejects.toThrow('Runner is closed');
    expect(ret).toEqual([1]);
  });

  test('test_run_keeps_context', async () => {
    const cvar = new ContextVar<number>('cvar', { default: -1 });
    function* f(val: number): Coroutine<number> {
      const old = cvar.get();
      yield* sleep(0);
      cvar.set(val);
      return old;
    }
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* getContext(): Coroutine<ReturnType<typeof copyContext>> {
      return copyContext();
    }
    const runner = new Runner();
    try {
      expect(await runner.run(f(1))).toBe(-1);
      expect(await runner.run(f(2))).toBe(1);
      expect((await runner.run(getContext())).get(cvar)).toBe(2);
    } finally {
      await runner.close();
    }
  });

  test('test_recursive_run', async () => {
    const runner = new Runner();
    function* g(): Coroutine<void> {}
    function* f(): Coroutine<void> {
      yield* ensureFuture(runner.run(g()));
    }
    try {
      await expect(runner.run(f())).rejects.toThrow(
        'Runner.run() cannot be called from a running event loop',
      );
    } finally {
      await runner.close();
    }
  });

  test('test_interrupt_call_soon', async () => {
    // The only case when task is not suspended by waiting a future or another task.
    let sawCancel = false;
    function* coro(): Coroutine<void> {
      try {
        for (;;) yield* sleep(0);
      } catch (e) {
        sawCancel = e instanceof CancelledError;
      }
      throw new CancelledError();
    }
    const runner = new Runner();
    try {
      runner.getLoop().callLater(0.1, interruptSelf);
      await expect(runner.run(coro())).rejects.toBeInstanceOf(KeyboardInterrupt);
      expect(sawCancel).toBe(true);
    } finally {
      await runner.close();
    }
  });

  test('test_interrupt_wait', async () => {
    // Interrupting when waiting a future cancels both the future and the main task.
    let sawCancel = false;
    function* coro(fut: Future<void>): Coroutine<void> {
      try {
        yield* fut;
      } catch (e) {
        sawCancel = e instanceof CancelledError;
      }
      throw new CancelledError();
    }
    const runner = new Runner();
    try {
      const fut = runner.getLoop().createFuture<void>();
      runner.getLoop().callLater(0.1, interruptSelf);
      await expect(runner.run(coro(fut))).rejects.toBeInstanceOf(KeyboardInterrupt);
      expect(sawCancel).toBe(true);
      expect(fut.cancelled()).toBe(true);
    } finally {
      await runner.close();
    }
  });

  test('test_interrupt_cancelled_task', async () => {
    // Interrupting a cancelled main task doesn't raise KeyboardInterrupt.
    function* subtask(task: Task<unknown>): Coroutine<void> {
      yield* sleep(0);
      task.cancel();
      interruptSelf();
    }
    function* coro(): Coroutine<void> {
      createTask(subtask(currentTask() as Task<unknown>));
      yield* sleep(10);
    }
    const runner = new Runner();
    try {
      await expect(runner.run(coro())).rejects.toBeInstanceOf(CancelledError);
    } finally {
      await runner.close();
    }
  });

  test('test_signal_install_not_supported_ok', async () => {
    // CPython leaves SIGINT alone when signal.signal() refuses; here, when the
    // process already has a listener of its own for it.
    const own = vi.fn();
    process.on('SIGINT', own);
    try {
      let during = -1;
      function* coro(): Coroutine<string> {
        during = process.listenerCount('SIGINT');
        interruptSelf();
        yield* sleep(0.01);
        return 'not interrupted';
      }
      const runner = new Runner();
      try {
        expect(await runner.run(coro())).toBe('not interrupted');
      } finally {
        await runner.close();
      }
      expect(during).toBe(before.SIGINT + 1);
      expect(own).toHaveBeenCalledTimes(1);
    } finally {
      process.removeListener('SIGINT', own);
    }
  });

  test('test_set_event_loop_called_once', async () => {
    // See https://github.com/python/cpython/issues/95736
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* coro(): Coroutine<EventLoop | null> {
      return getCurrentLoopOrNull();
    }
    const runner = new Runner();
    const first = await runner.run(coro());
    const second = await runner.run(coro());
    expect(first).toBe(runner.getLoop());
    expect(second).toBe(first);
    await runner.close();
  });

  test('test_no_repr_is_call_on_the_task_result', async () => {
    // See https://github.com/python/cpython/issues/112559.
    class MyResult {
      reprCount = 0;
      toString(): string {
        this.reprCount += 1;
        return 'MyResult';
      }
    }
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* coro(): Coroutine<MyResult> {
      return new MyResult();
    }
    const runner = new Runner();
    const result = await runner.run(coro());
    await runner.close();
    expect(result.reprCount).toBe(0);
  });
});

describe('Runner: main as a function or a promise', () => {
  test('a function is called inside the main task, in the runner context', async () => {
    const v = new ContextVar<string>('v', { default: 'unset' });
    const runner = new Runner();
    try {
      let task: Task<unknown> | null = null;
      const r1 = await runner.run(() => {
        task = currentTask();
        v.set('first');
        return sleep(0, 'coro');
      });
      expect(r1).toBe('coro');
      expect(task).toBeInstanceOf(Task);
      expect(
        // biome-ignore lint/correctness/useYield: a coroutine that does not wait
        await runner.run(function* () {
          return v.get();
        }),
      ).toBe('first');
      // A context of one's own, for one run.
      const ctx = copyContext();
      expect(await runner.run(() => sleep(0, v.get()), { context: ctx })).toBe('unset');
      ctx.run(() => v.set('other'));
      expect(await runner.run(() => sleep(0, v.get()), { context: ctx })).toBe('other');
      expect(await runner.run(() => sleep(0, v.get()))).toBe('first');
    } finally {
      await runner.close();
    }
  });

  test('an async function and a promise', async () => {
    let loopSeen: EventLoop | null = null;
    const r = await run(async () => {
      loopSeen = getRunningLoop();
      await new Promise((resolve) => setTimeout(resolve, 5));
      return 'async';
    });
    expect(r).toBe('async');
    expect(loopSeen).toBeInstanceOf(EventLoop);
    expect(await run(Promise.resolve(7))).toBe(7);
    await expect(run(Promise.reject(new ValueError('no')))).rejects.toThrow('no');
  });

  test('a Ctrl-C releases a main that waits on a promise', async () => {
    const r = run(() => {
      setTimeout(interruptSelf, 5);
      return new Promise<never>(() => {});
    });
    await expect(r).rejects.toBeInstanceOf(KeyboardInterrupt);
  });
});

describe('Runner: signals', () => {
  test('the main task is cancelled with the signal name as message', async () => {
    let message: string | undefined;
    function* main(): Coroutine<void> {
      try {
        interruptSelf();
        yield* sleep(10);
      } catch (e) {
        message = (e as CancelledError).message;
        throw e;
      }
    }
    const p = run(main());
    await expect(p).rejects.toBeInstanceOf(KeyboardInterrupt);
    await expect(p).rejects.toMatchObject({ cause: expect.any(CancelledError) });
    expect(message).toBe('SIGINT');
  });

  test('a real SIGINT during a sleep: the finally runs, run() rejects after cleanup', async () => {
    const order: string[] = [];
    function* background(): Coroutine<void> {
      try {
        yield* sleep(10);
      } finally {
        yield* sleep(0.005);
        order.push('background finally');
      }
    }
    function* main(): Coroutine<void> {
      createTask(background());
      try {
        process.kill(process.pid, 'SIGINT');
        yield* sleep(10);
      } finally {
        yield* sleep(0.005);
        order.push('main finally');
      }
    }
    await expect(run(main())).rejects.toBeInstanceOf(KeyboardInterrupt);
    order.push('run rejected');
    expect(order).toEqual(['main finally', 'background finally', 'run rejected']);
  });

  test('a real SIGTERM, when asked for, rejects with SignalExit', async () => {
    function* main(): Coroutine<void> {
      process.kill(process.pid, 'SIGTERM');
      yield* sleep(10);
    }
    const p = run(main(), { signals: ['SIGINT', 'SIGTERM'] });
    await expect(p).rejects.toBeInstanceOf(SignalExit);
    await expect(p).rejects.toMatchObject({ signal: 'SIGTERM', message: 'SIGTERM' });
  });

  test('a main that swallows the cancellation returns its value', async () => {
    function* main(): Coroutine<string> {
      try {
        interruptSelf();
        yield* sleep(10);
        return 'slept';
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        currentTask()?.uncancel();
        return 'interrupted, cleaned up';
      }
    }
    expect(await run(main())).toBe('interrupted, cleaned up');
  });

  test('a main that catches the cancellation and fails anyway keeps its error', async () => {
    function* main(): Coroutine<void> {
      try {
        interruptSelf();
        yield* sleep(10);
      } catch {
        throw new ValueError('cleanup failed');
      }
    }
    await expect(run(main())).rejects.toThrow('cleanup failed');
  });

  test('a second signal rejects at once; shutdown abandons a task that refuses', async () => {
    const reports: ExceptionContext[] = [];
    const order: string[] = [];
    function* stubborn(): Coroutine<void> {
      yield* captureReports(reports);
      for (;;) {
        try {
          yield* sleep(10);
        } catch (e) {
          order.push(`refused ${(e as Error).message || 'cancel'}`);
          if (order.length === 1) getRunningLoop().callLater(0.01, interruptSelf, 'SIGINT');
        }
      }
    }
    function* main(): Coroutine<void> {
      getRunningLoop().callLater(0.01, interruptSelf, 'SIGINT');
      yield* stubborn();
    }
    const p = run(main(), { shutdownTimeout: 0.05 });
    await expect(p).rejects.toBeInstanceOf(KeyboardInterrupt);
    // First SIGINT: refused; second: run() rejects; shutdown's cancel: refused, then abandoned.
    expect(order).toEqual(['refused SIGINT', 'refused cancel']);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.message).toMatch(
      /^Task still running 0.05 seconds after it was cancelled at shutdown \(shutdownTimeout\): abandoned/,
    );
    expect(reports[0]?.task).toBeInstanceOf(Task);
    // Abandoned, not also reported as destroyed while pending.
    expect(reports.some((r) => /destroyed/.test(r.message))).toBe(false);
  });

  test('a second, different signal rejects with its own error', async () => {
    function* main(): Coroutine<void> {
      for (;;) {
        try {
          interruptSelf('SIGINT');
          yield* sleep(10);
        } catch {
          interruptSelf('SIGTERM');
          currentTask()?.uncancel();
          yield* sleep(10);
          return;
        }
      }
    }
    const p = run(main(), { signals: ['SIGINT', 'SIGTERM'], shutdownTimeout: 0.05 });
    await expect(p).rejects.toBeInstanceOf(SignalExit);
    await expect(p).rejects.toMatchObject({ signal: 'SIGTERM' });
  });

  test('signals: [] installs nothing', async () => {
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* main(): Coroutine<number> {
      return process.listenerCount('SIGINT');
    }
    expect(await run(main(), { signals: [] })).toBe(before.SIGINT);
  });

  test('listener hygiene: run(), Runner.close() and loop.close()', async () => {
    const seen: number[] = [];
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* count(): Coroutine<void> {
      seen.push(process.listenerCount('SIGINT'), process.listenerCount('SIGHUP'));
    }
    await run(count(), { signals: ['SIGINT', 'SIGHUP'] });
    expect(listenerCounts()).toEqual(before);
    const runner = new Runner({ signals: ['SIGINT', 'SIGHUP'] });
    await runner.run(count());
    expect(listenerCounts()).toEqual(before);
    await runner.run(count());
    await expect(runner.run(() => Promise.reject(new ValueError('x')))).rejects.toThrow('x');
    expect(listenerCounts()).toEqual(before);
    // Outside run(): no runner listener, so the host's default is back.
    addSignalHandler(runner.getLoop(), 'SIGHUP', () => {});
    expect(process.listenerCount('SIGHUP')).toBe(before.SIGHUP + 1);
    await runner.close();
    expect(listenerCounts()).toEqual(before);
    expect(seen).toEqual([
      before.SIGINT + 1,
      before.SIGHUP + 1,
      before.SIGINT + 1,
      before.SIGHUP + 1,
      before.SIGINT + 1,
      before.SIGHUP + 1,
    ]);
  });

  test("a handler the main replaced is left to the loop's close", async () => {
    const runner = new Runner();
    const mine = vi.fn();
    function* main(): Coroutine<void> {
      addSignalHandler(getRunningLoop(), 'SIGINT', mine);
      interruptSelf();
      yield* sleep(0.01);
    }
    await runner.run(main());
    expect(mine).toHaveBeenCalledTimes(1);
    // As CPython leaves a SIGINT handler that is not its own.
    expect(process.listenerCount('SIGINT')).toBe(before.SIGINT + 1);
    await runner.close();
  });
});

describe('Runner: shutdown', () => {
  test('close() finalises async generators, then the default executor', async () => {
    const order: string[] = [];
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        yield* emit(1);
        yield* emit(2);
      } finally {
        yield* sleep(0.005);
        order.push('generator finally');
      }
    });
    const executor: Executor = {
      submit: (fn, args) => Promise.resolve(fn(...args)),
      shutdown: (wait) => {
        order.push(`executor shutdown(${wait})`);
        return Promise.resolve();
      },
    };
    function* main(): Coroutine<number> {
      getRunningLoop().setDefaultExecutor(executor);
      const g = gen();
      const first = yield* g.next();
      expect(yield* getRunningLoop().runInExecutor(null, (a: number) => a * 2, 21)).toBe(42);
      return first.value as number;
    }
    expect(await run(main())).toBe(1);
    expect(order[0]).toBe('generator finally');
    expect(order[1]).toBe('executor shutdown(true)');
  });

  test('shutdownTimeout bounds the closing of async generators', async () => {
    const reports: ExceptionContext[] = [];
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        yield* emit(1);
      } finally {
        yield* getRunningLoop().createFuture<void>();
      }
    });
    function* main(): Coroutine<void> {
      yield* captureReports(reports);
      yield* gen().next();
    }
    await run(main(), { shutdownTimeout: 0.02 });
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.every((r) => /closing the async generators/.test(r.message))).toBe(true);
  });

  test('close() while running is refused; concurrent close() share one shutdown', async () => {
    const runner = new Runner();
    function* main(): Coroutine<void> {
      yield* sleep(0.01);
    }
    const p = runner.run(main());
    await expect(runner.close()).rejects.toThrow(/cannot be called while its loop is running/);
    await p;
    const a = runner.close();
    const b = runner.close();
    expect(a).toBe(b);
    await a;
    await runner.close();
  });

  test('a KeyboardInterrupt thrown by main propagates after the cleanup', async () => {
    const order: string[] = [];
    function* other(): Coroutine<void> {
      try {
        yield* sleep(10);
      } finally {
        order.push('other finally');
      }
    }
    function* main(): Coroutine<void> {
      createTask(other());
      yield* sleep(0);
      throw new KeyboardInterrupt();
    }
    await expect(run(main())).rejects.toBeInstanceOf(KeyboardInterrupt);
    expect(order).toEqual(['other finally']);
    function* exits(): Coroutine<void> {
      yield* sleep(0);
      throw new SystemExit(3);
    }
    await expect(run(exits())).rejects.toMatchObject({ name: 'SystemExit', code: 3 });
  });

  test('options are checked', () => {
    expect(() => new Runner({ signals: ['SIGFOO' as NodeJS.Signals] })).toThrow(
      "Invalid signal: 'SIGFOO'",
    );
    expect(() => new Runner({ signals: ['SIGKILL'] })).toThrow(/^sig 9 cannot be caught/);
    expect(() => new Runner({ signals: 'SIGINT' as never })).toThrow(TypeError);
    expect(() => new Runner({ shutdownTimeout: -1 })).toThrow(ValueError);
    expect(() => new Runner({ shutdownTimeout: '1' as never })).toThrow(TypeError);
    expect(() => new Runner({ loopFactory: 3 as never })).toThrow(TypeError);
    expect(() => new Runner({ debug: 'yes' as never })).toThrow(TypeError);
    expect(() => new Runner(5 as never)).toThrow(TypeError);
    const runner = new Runner({ loopFactory: () => ({}) as EventLoop });
    expect(() => runner.getLoop()).toThrow('loopFactory must return an EventLoop');
  });
});
