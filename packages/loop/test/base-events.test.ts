/**
 * Port of the loop-core parts of CPython's Lib/test/test_asyncio/test_base_events.py
 * (BaseEventLoopTests, RunningLoopTests) for @x/loop.
 *
 * Where CPython drives `_run_once()` by hand, these tests run one iteration
 * of a pre-stopped loop (`loop.stop(); await loop.runForever()`), which is
 * what `_run_once` with a zero timeout does. Where CPython inspects
 * `loop._scheduled`, they inspect the loop's timer heap `loop._timers`.
 *
 * Not ported, and why: sockets, getaddrinfo, sendfile, subprocess, executors
 * (runInExecutor comes later), threads (test_check_thread), async generators,
 * test_not_implemented (no abstract methods), test__add_callback_* (no
 * `_add_callback`), test_single_selecter_event_callback_after_stopping (no
 * selector), test_create_task / test_create_named_task_with_default_factory /
 * test_default_exc_handler_coro (need Task from @x/tasks).
 */
import {
  Context,
  ContextVar,
  type Coroutine,
  EventLoop,
  type ExceptionContext,
  Future,
  getRunningLoop,
  getRunningLoopOrNull,
  Handle,
  KeyboardInterrupt,
  logger,
  newEventLoop,
  RuntimeError,
  SystemExit,
  setEventLoop,
  TimerHandle,
  ValueError,
} from '@x/loop';
import { setDefaultTaskFactory } from '@x/loop/internal';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  assertNoRunningLoop,
  FakeClock,
  loopWithHandler,
  noop,
  runBriefly,
  runOnce,
} from './utils.js';

// The CPython constants this port checks against.
const MIN_SCHEDULED_TIMER_HANDLES = 100;
const MIN_CANCELLED_TIMER_HANDLES_FRACTION = 0.5;

function zeroDivision(): Error {
  return new RangeError('division by zero');
}

describe('BaseEventLoopTests', () => {
  let loop: EventLoop;
  let clock: FakeClock;
  beforeEach(() => {
    clock = new FakeClock();
    loop = new EventLoop({ clock });
    setEventLoop(loop);
    vi.spyOn(logger, 'debug').mockImplementation(() => {});
  });
  afterEach(() => {
    assertNoRunningLoop();
    loop.close();
    setEventLoop(null);
    vi.restoreAllMocks();
  });

  test('test_close', async () => {
    expect(loop.isClosed()).toBe(false);
    loop.close();
    expect(loop.isClosed()).toBe(true);
    // it should be possible to call close() more than once
    loop.close();
    loop.close();
    // operation blocked when the loop is closed (create_future() itself is allowed)
    const f = loop.createFuture();
    await expect(loop.runForever()).rejects.toThrow(RuntimeError);
    await expect(loop.runForever()).rejects.toThrow('Event loop is closed');
    await expect(loop.runUntilComplete(f)).rejects.toThrow('Event loop is closed');
  });

  test('test_close_drops_callbacks_and_timers', async () => {
    const calls: string[] = [];
    loop.callSoon(() => calls.push('soon'));
    const t = loop.callLater(1, () => calls.push('later'));
    loop.close();
    expect(loop._ready.length).toBe(0);
    expect(loop._timers.size).toBe(0);
    // The timer no longer counts as scheduled: cancelling it changes nothing.
    t.cancel();
    expect(loop._timerCancelledCount).toBe(0);
    expect(calls).toEqual([]);
  });

  test('test_call_soon', async () => {
    const calls: unknown[][] = [];
    function cb(...args: unknown[]) {
      calls.push(args);
    }
    const h = loop.callSoon(cb);
    expect(h).toBeInstanceOf(Handle);
    expect(h).not.toBeInstanceOf(TimerHandle);
    expect(loop._ready.length).toBe(1);
    loop.callSoon(cb, 1, 'a');
    await runBriefly(loop);
    expect(calls).toEqual([[], [1, 'a']]);
  });

  test('test_call_soon_non_callable', () => {
    loop.setDebug(true);
    expect(() => loop.callSoon(1 as never)).toThrow(TypeError);
    expect(() => loop.callSoon(1 as never)).toThrow(
      /a callable object was expected by callSoon\(\), got 1/,
    );
    loop.setDebug(false);
    // Unlike CPython (which checks only in debug mode), the check is always on.
    expect(() => loop.callSoon('x' as never)).toThrow(/a callable object/);
    expect(() => loop.callLater(1, {} as never)).toThrow(/callLater/);
    expect(() => loop.callAt(1, null as never)).toThrow(/callAt/);
    expect(() => loop.callSoonThreadsafe(undefined as never)).toThrow(/callSoonThreadsafe/);
  });

  test('test_call_later', () => {
    const h = loop.callLater(10.0, noop);
    expect(h).toBeInstanceOf(TimerHandle);
    expect(loop._timers.items).toContain(h);
    expect(loop._ready.length).toBe(0);
    expect(h.when()).toBe(10);
    expect(() => loop.callLater(null as never, noop)).toThrow(TypeError);
    expect(() => loop.callLater(null as never, noop)).toThrow(
      'delay must be a number of seconds, got null',
    );
    expect(() => loop.callLater('1' as never, noop)).toThrow('got string');
  });

  test('test_call_later_negative_delays', async () => {
    const calls: string[] = [];
    const cb = (arg: string) => {
      calls.push(arg);
    };
    loop.callLater(-1, cb, 'a');
    loop.callLater(-2, cb, 'b');
    await runBriefly(loop);
    expect(calls).toEqual(['b', 'a']);
  });

  test('test_time_and_call_at', async () => {
    // Real clock: the callback never runs before its time.
    const real = newEventLoop();
    try {
      const delay = 0.02;
      // t0 before `when`: on a busy machine time passes between the two reads.
      const t0 = real.time();
      const when = real.time() + delay;
      let ranAt = -1;
      real.callAt(when, () => {
        ranAt = real.time();
        real.stop();
      });
      await real.runForever();
      expect(ranAt).toBeGreaterThanOrEqual(when);
      expect(real.time() - t0).toBeGreaterThanOrEqual(delay);
      expect(() => real.callAt(null as never, noop)).toThrow(
        'when must be a number of seconds, got null',
      );
    } finally {
      real.close();
    }
  });

  test('test_time', () => {
    expect(loop.time()).toBe(0);
    clock.advance(2.5);
    expect(loop.time()).toBe(2.5);
    // The default clock is monotonic, in seconds.
    const real = newEventLoop();
    const a = real.time();
    const b = real.time();
    expect(b).toBeGreaterThanOrEqual(a);
    real.close();
  });

  test('test_clock_invalid', () => {
    expect(() => new EventLoop({ clock: {} as never })).toThrow(TypeError);
    expect(() => new EventLoop({ clock: null as never })).toThrow(
      /clock must have a now\(\) method/,
    );
  });

  test('test__run_once', async () => {
    const h1 = loop.callLater(5.0, () => true);
    const h2 = loop.callLater(10.0, () => true);
    h1.cancel();
    expect(loop._timerCancelledCount).toBe(1);
    await runBriefly(loop);
    // The cancelled timer at the head of the heap was dropped.
    expect(loop._timers.items).toEqual([h2]);
    expect(loop._timerCancelledCount).toBe(0);
    expect(h2.cancelled()).toBe(false);
  });

  test('test_set_debug', () => {
    loop.setDebug(true);
    expect(loop.getDebug()).toBe(true);
    loop.setDebug(false);
    expect(loop.getDebug()).toBe(false);
    loop.setDebug(1 as never);
    expect(loop.getDebug()).toBe(true);
  });

  test('test__run_once_schedule_handle', async () => {
    let handle: Handle | null = null;
    let processed = false;
    function cb(l: EventLoop) {
      processed = true;
      handle = l.callSoon(() => true);
    }
    loop.callAt(clock.now() - 1, cb, loop);
    await runBriefly(loop);
    expect(processed).toBe(true);
    // The handle scheduled by the timer waits for the next iteration.
    expect(handle).not.toBeNull();
    expect(loop._ready.length).toBe(1);
    // The queue holds the callback, not the Handle (it dies young when
    // dropped): what it shows for the entry is a stand-in equal to it.
    expect(loop._ready.peekTarget()).toEqual(handle);
  });

  test('test__run_once_cancelled_event_cleanup', async () => {
    expect(MIN_CANCELLED_TIMER_HANDLES_FRACTION).toBeGreaterThan(0);
    expect(MIN_CANCELLED_TIMER_HANDLES_FRACTION).toBeLessThan(1);
    const cb = noop;
    // Set up one "blocking" event that will not be cancelled to ensure later
    // cancelled events do not make it to the head of the queue and get cleaned.
    let not_cancelled_count = 1;
    loop.callLater(3000, cb);
    // Add less than threshold cancelled handles, ensure they aren't removed.
    let cancelled_count = 2;
    for (let x = 0; x < 2; x++) loop.callLater(3600, cb).cancel();
    // Add some cancelled events that will be at head and removed.
    cancelled_count += 2;
    for (let x = 0; x < 2; x++) loop.callLater(100, cb).cancel();
    // This test is invalid if MIN_SCHEDULED_TIMER_HANDLES is too low.
    expect(cancelled_count + not_cancelled_count).toBeLessThanOrEqual(MIN_SCHEDULED_TIMER_HANDLES);
    expect(loop._timerCancelledCount).toBe(cancelled_count);

    await runBriefly(loop);
    cancelled_count -= 2;
    expect(loop._timerCancelledCount).toBe(cancelled_count);
    expect(loop._timers.size).toBe(cancelled_count + not_cancelled_count);

    // Need enough events to pass MIN_CANCELLED_TIMER_HANDLES_FRACTION so that
    // deletion of cancelled events will occur on next _run_once.
    const add_cancel_count =
      Math.ceil(MIN_SCHEDULED_TIMER_HANDLES * MIN_CANCELLED_TIMER_HANDLES_FRACTION) + 1;
    const add_not_cancel_count = Math.max(MIN_SCHEDULED_TIMER_HANDLES - add_cancel_count, 0);
    // Add some events that will not be cancelled.
    not_cancelled_count += add_not_cancel_count;
    for (let x = 0; x < add_not_cancel_count; x++) loop.callLater(3600, cb);
    // Add enough cancelled events.
    cancelled_count += add_cancel_count;
    for (let x = 0; x < add_cancel_count; x++) loop.callLater(3600, cb).cancel();
    // Ensure all handles are still scheduled.
    expect(loop._timers.size).toBe(cancelled_count + not_cancelled_count);

    await runBriefly(loop);
    // Ensure cancelled events were removed.
    expect(loop._timers.size).toBe(not_cancelled_count);
    expect(loop._timerCancelledCount).toBe(0);
    // Ensure only uncancelled events remain scheduled.
    expect(loop._timers.items.every((x) => !x.cancelled())).toBe(true);
    // ... and that the heap is still a heap: they come out in time order.
    const order: number[] = [];
    loop.callSoon(() => clock.advance(4000));
    loop.callLater(3000.5, () => order.push(3000.5));
    loop.callLater(3500, () => order.push(3500));
    loop.callLater(3601, () => {
      order.push(3601);
      loop.stop();
    });
    await loop.runForever();
    expect(order).toEqual([3000.5, 3500, 3601]);
  });

  test('test_ready_queue_peek_empty', async () => {
    expect(loop._ready.peekTarget()).toBeUndefined();
    loop.callSoon(noop);
    expect(loop._ready.peekTarget()).toBeInstanceOf(Handle);
    await runBriefly(loop);
    expect(loop._ready.peekTarget()).toBeUndefined();
  });

  test('test_cancel_timer_twice', () => {
    const h = loop.callLater(1, noop);
    h.cancel();
    h.cancel();
    expect(loop._timerCancelledCount).toBe(1);
  });

  test('test_run_until_complete_type_error', async () => {
    await expect(loop.runUntilComplete('blah' as never)).rejects.toThrow(TypeError);
    await expect(loop.runUntilComplete(42 as never)).rejects.toThrow(
      /a coroutine or an awaitable is required/,
    );
  });

  test('test_run_until_complete_loop', async () => {
    const task = loop.createFuture();
    const other_loop = newEventLoop();
    try {
      await expect(other_loop.runUntilComplete(task)).rejects.toThrow(ValueError);
    } finally {
      other_loop.close();
    }
    task.cancel();
  });

  test('test_run_until_complete_loop_orphan_future_close_loop', async () => {
    class ShowStopper extends SystemExit {}
    // CPython awaits `foo(0.1)`, a coroutine; a future completed by a timer
    // stands in for it here.
    const foo = (delay: number) => {
      const f = loop.createFuture();
      loop.callLater(delay, () => f.setResult(undefined));
      return f;
    };
    loop.callSoon(() => {
      throw new ShowStopper();
    });
    await expect(loop.runUntilComplete(foo(0.1))).rejects.toBeInstanceOf(ShowStopper);
    // This call fails if runUntilComplete does not clean up the done-callback
    // of the previous future.
    const f2 = foo(0.2);
    loop.callSoon(() => clock.advance(1));
    await loop.runUntilComplete(f2);
    expect(f2.done()).toBe(true);
  });

  test('test_default_exc_handler_callback', async () => {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => {});
    function zero_error(fut: Future<boolean>) {
      fut.setResult(true);
      throw zeroDivision();
    }
    // Test callSoon (Handle)
    let fut = loop.createFuture<boolean>();
    loop.callSoon(zero_error, fut);
    fut.addDoneCallback(() => loop.stop());
    await loop.runForever();
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0]?.[0]).toMatch(
      /^Exception in callback zero_error\(<Future finished result=true>\)\nhandle: <Handle zero_error/,
    );
    expect(error.mock.calls[0]?.[1]).toBeInstanceOf(RangeError);

    // Test callLater (TimerHandle)
    fut = loop.createFuture<boolean>();
    loop.callLater(0.01, zero_error, fut);
    loop.callSoon(() => clock.advance(0.01));
    fut.addDoneCallback(() => loop.stop());
    await loop.runForever();
    expect(error).toHaveBeenCalledTimes(2);
    expect(error.mock.calls[1]?.[0]).toMatch(
      /^Exception in callback zero_error.*\nhandle: <TimerHandle when=0.01 zero_error/,
    );
    expect(error.mock.calls[1]?.[1]).toBeInstanceOf(RangeError);
  });

  test('test_default_exc_handler_format', () => {
    // The default handler logs the message, then every other key sorted, then
    // the exception (its stack) as the second argument.
    const error = vi.spyOn(logger, 'error').mockImplementation(() => {});
    const exc = new ValueError('bad');
    loop.defaultExceptionHandler({
      message: '',
      exception: exc,
      zeta: 1,
      alpha: 'text',
      source_traceback: 'at x (f.ts:1:2)',
    });
    expect(error).toHaveBeenLastCalledWith(
      'Unhandled exception in event loop\nalpha: text\nsource_traceback: Object created at (most recent call last):\nat x (f.ts:1:2)\nzeta: 1',
      exc,
    );
    loop.defaultExceptionHandler({ message: 'no exception here' });
    expect(error).toHaveBeenLastCalledWith('no exception here', undefined);
    // An explicit `exception: undefined` key is passed on as is.
    loop.defaultExceptionHandler({ message: 'm', exception: undefined });
    expect(error).toHaveBeenLastCalledWith('m', undefined);
  });

  test('test_default_exc_handler_handle_traceback', async () => {
    // In debug mode, an error reported while a handle runs shows where that
    // handle was created (handle_traceback), unless the context has its own
    // source_traceback.
    const error = vi.spyOn(logger, 'error').mockImplementation(() => {});
    loop.setDebug(true);
    loop.callSoon(() => {
      loop.callExceptionHandler({ message: 'reported from a callback' });
      loop.callExceptionHandler({ message: 'with its own', source_traceback: 'at here' });
    });
    await runBriefly(loop);
    expect(error.mock.calls[0]?.[0]).toMatch(
      /^reported from a callback\nhandle_traceback: Handle created at \(most recent call last\):\n.*base-events\.test\.ts/,
    );
    expect(error.mock.calls[1]?.[0]).toBe(
      'with its own\nsource_traceback: Object created at (most recent call last):\nat here',
    );
  });

  test('test_set_exc_handler_invalid', () => {
    expect(() => loop.setExceptionHandler('spam' as never)).toThrow(TypeError);
    expect(() => loop.setExceptionHandler('spam' as never)).toThrow(
      /A callable object or None is expected/,
    );
  });

  test('test_set_exc_handler_custom', async () => {
    function zero_error() {
      throw zeroDivision();
    }
    const run_loop = async () => {
      const handle = loop.callSoon(zero_error);
      await runBriefly(loop);
      return handle;
    };
    loop.setDebug(true);
    expect(loop.getExceptionHandler()).toBeNull();
    const mock_handler = vi.fn();
    loop.setExceptionHandler(mock_handler);
    expect(loop.getExceptionHandler()).toBe(mock_handler);
    const handle = await run_loop();
    expect(mock_handler).toHaveBeenCalledTimes(1);
    const [l, ctx] = mock_handler.mock.calls[0] as [EventLoop, ExceptionContext];
    expect(l).toBe(loop);
    expect(Object.keys(ctx).sort()).toEqual(['exception', 'handle', 'message', 'source_traceback']);
    expect(ctx.message).toMatch(/^Exception in callback zero_error\(\)$/);
    expect(ctx.exception).toBeInstanceOf(RangeError);
    expect(ctx.handle).toBe(handle);
    expect(ctx.source_traceback).toMatch(/base-events\.test\.ts/);
    mock_handler.mockReset();

    loop.setExceptionHandler(null);
    const error = vi.spyOn(logger, 'error').mockImplementation(() => {});
    await run_loop();
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0]?.[0]).toMatch(/^Exception in callback zero_error/);
    expect(error.mock.calls[0]?.[1]).toBeInstanceOf(RangeError);
    expect(mock_handler).not.toHaveBeenCalled();
  });

  test('test_set_exc_handler_broken', async () => {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => {});
    loop.setExceptionHandler(() => {
      throw new TypeError('spam');
    });
    loop.callSoon(() => {
      throw zeroDivision();
    });
    await runBriefly(loop);
    expect(error).toHaveBeenCalledTimes(1);
    const [message, exc] = error.mock.calls[0] as [string, unknown];
    // As CPython's repr of the context dict, then the original error with its
    // stack: the handler's own error must not hide it.
    expect(message).toMatch(
      /^Unhandled error in exception handler\ncontext: \{'message': 'Exception in callback <anonymous>\(\)', 'exception': RangeError\('division by zero'\), 'handle': <Handle <anonymous>\(\)>\}\n/,
    );
    expect(message).toMatch(
      /The exception handler was given this exception:\nRangeError: division by zero\n\s+at .*base-events\.test\.ts/,
    );
    expect(message).toMatch(/and failed with:$/);
    expect(exc).toBeInstanceOf(TypeError);
    // The loop is still usable.
    const ran: number[] = [];
    loop.callSoon(() => ran.push(1));
    await runBriefly(loop);
    expect(ran).toEqual([1]);
  });

  test('an exception handler whose promise rejects is reported as one that throws', async () => {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => {});
    // A plain function returning a promise (an async function is refused).
    loop.setExceptionHandler(() => Promise.reject(new TypeError('late handler bug')));
    loop.callSoon(() => {
      throw zeroDivision();
    });
    await runBriefly(loop);
    await new Promise((r) => setImmediate(r));
    expect(error).toHaveBeenCalledTimes(1);
    const [message, exc] = error.mock.calls[0] as [string, unknown];
    expect(message).toMatch(/^Unhandled error in exception handler\n/);
    expect(message).toContain('RangeError: division by zero');
    expect(String(exc)).toBe('TypeError: late handler bug');
  });

  test('test_default_exc_handler_broken', async () => {
    let _context: ExceptionContext | null = null;
    class Loop extends EventLoop {
      override defaultExceptionHandler(context: ExceptionContext): void {
        _context = context;
        // Simulates custom buggy "defaultExceptionHandler"
        throw new ValueError('spam');
      }
    }
    const l = new Loop();
    const error = vi.spyOn(logger, 'error').mockImplementation(() => {});
    const run_loop = async () => {
      l.callSoon(() => {
        throw zeroDivision();
      });
      await runBriefly(l);
    };
    try {
      await run_loop();
      expect(error).toHaveBeenLastCalledWith(
        'Exception in default exception handler',
        expect.any(ValueError),
      );

      l.setExceptionHandler(() => {
        throw new ValueError('ham');
      });
      _context = null;
      await run_loop();
      expect(error).toHaveBeenLastCalledWith(
        expect.stringMatching(/^Exception in default exception.*while handling.*in custom/),
        expect.any(ValueError),
      );
      // Check that original context was passed to default exception handler.
      const ctx = _context as unknown as ExceptionContext;
      expect(ctx).toHaveProperty('context');
      expect((ctx.context as ExceptionContext).exception).toBeInstanceOf(RangeError);
    } finally {
      l.close();
    }
  });

  test('test_exc_handler_interrupts_propagate', async () => {
    // KeyboardInterrupt and SystemExit raised by a handler are never swallowed.
    const ki = new KeyboardInterrupt();
    loop.setExceptionHandler(() => {
      throw ki;
    });
    expect(() => loop.callExceptionHandler({ message: 'x' })).toThrow(ki);
    // ... and escape runForever() when the handler runs for a callback.
    loop.callSoon(() => {
      throw new ValueError('v');
    });
    await expect(runBriefly(loop)).rejects.toBe(ki);

    class Loop extends EventLoop {
      override defaultExceptionHandler(): void {
        throw new SystemExit(3);
      }
    }
    const l = new Loop();
    expect(() => l.callExceptionHandler({ message: 'x' })).toThrow(SystemExit);
    // A custom handler that fails, then a default handler that raises an interrupt.
    l.setExceptionHandler(() => {
      throw new ValueError('first');
    });
    expect(() => l.callExceptionHandler({ message: 'x' })).toThrow(SystemExit);
    l.close();
  });

  test('test_exc_handler_runs_in_handle_context', async () => {
    // CPython 3.12+: the custom handler runs in the context of the task,
    // future or handle of the report, including what the callback set.
    const v = new ContextVar<string>('v', { default: 'outer' });
    const seen: string[] = [];
    loop.setExceptionHandler(() => {
      seen.push(v.get());
    });
    const ctx = new Context();
    ctx.run(() => v.set('explicit'));
    new Context().run(() => {
      v.set('scheduled');
      loop.callSoon(() => {
        v.set('changed by the callback');
        throw new ValueError('x');
      });
    });
    await runBriefly(loop);
    loop.callExceptionHandler({
      message: 'ctx of handle',
      handle: { getContext: () => ctx } as never,
    });
    // Without a handle, it runs in the current context.
    loop.callExceptionHandler({ message: 'plain' });
    expect(seen).toEqual(['changed by the callback', 'explicit', 'outer']);
    // A context already entered cannot be entered again: the handler runs in the current one.
    ctx.run(() =>
      loop.callExceptionHandler({ message: 'entered', handle: { getContext: () => ctx } as never }),
    );
    expect(seen[3]).toBe('explicit');
  });

  test('test_set_task_factory_invalid', () => {
    expect(() => loop.setTaskFactory(1 as never)).toThrow(TypeError);
    expect(() => loop.setTaskFactory(1 as never)).toThrow(
      'task factory must be a callable or None',
    );
    expect(loop.getTaskFactory()).toBeNull();
  });

  test('test_set_task_factory', async () => {
    // Task lives in @x/tasks: a factory that returns a Future stands in for MyTask.
    class MyTask<T> extends Future<T> {}
    function* coro(): Coroutine<number> {
      yield;
      return 7;
    }
    const factory = vi.fn((l: EventLoop, c: Coroutine<unknown>) => {
      const t = new MyTask<unknown>({ loop: l });
      let r = c.next();
      while (!r.done) r = c.next();
      t.setResult(r.value);
      return t;
    });
    expect(loop.getTaskFactory()).toBeNull();
    loop.setTaskFactory(factory);
    expect(loop.getTaskFactory()).toBe(factory);
    const task = loop.createTask(coro());
    expect(task).toBeInstanceOf(MyTask);
    expect(await loop.runUntilComplete(task)).toBe(7);
    // runUntilComplete() of a coroutine goes through the factory too.
    expect(await loop.runUntilComplete(coro())).toBe(7);
    expect(factory).toHaveBeenCalledTimes(2);
    loop.setTaskFactory(null);
    expect(loop.getTaskFactory()).toBeNull();
  });

  test('test_default_task_factory', async () => {
    // @x/tasks registers Task as the default factory through @x/loop/internal;
    // a factory set on the loop wins over it.
    const made: string[] = [];
    setDefaultTaskFactory((l, c) => {
      made.push('default');
      const f = l.createFuture();
      let r = c.next();
      while (!r.done) r = c.next();
      f.setResult(r.value);
      return f;
    });
    try {
      function* coro(): Coroutine<number> {
        yield;
        return 1;
      }
      expect(await loop.runUntilComplete(loop.createTask(coro()))).toBe(1);
      loop.setTaskFactory((l) => {
        made.push('loop');
        return l.createFuture();
      });
      loop.createTask(coro()).cancel();
      expect(made).toEqual(['default', 'loop']);
    } finally {
      setDefaultTaskFactory(null);
    }
  });

  test('test_create_task_without_factory', () => {
    // @x/tasks is not loaded in these tests: no default factory.
    function* coro(): Coroutine<void> {}
    const c = coro();
    expect(() => loop.createTask(c)).toThrow(RuntimeError);
    expect(() => loop.createTask(c)).toThrow(/no task factory/);
  });

  test('test_create_task_not_a_coroutine', () => {
    loop.setTaskFactory(() => loop.createFuture());
    expect(() => loop.createTask((() => 1) as never)).toThrow(TypeError);
    expect(() => loop.createTask((() => 1) as never)).toThrow(/a coroutine was expected/);
  });

  test('test_create_task_error_closes_coro', () => {
    function* test(): Coroutine<void> {}
    const l = newEventLoop();
    l.close();
    expect(() => l.createTask(test())).toThrow('Event loop is closed');
  });

  test('test_create_named_task_with_custom_factory', async () => {
    const seen: unknown[] = [];
    const task_factory = (l: EventLoop, _c: Coroutine<unknown>, options?: { name?: string }) => {
      seen.push(options?.name);
      const f = l.createFuture();
      f.setResult(options?.name);
      return f;
    };
    function* test(): Coroutine<void> {}
    loop.setTaskFactory(task_factory);
    const task = loop.createTask(test(), { name: 'test_task' });
    expect(await loop.runUntilComplete(task)).toBe('test_task');
    expect(seen).toEqual(['test_task']);
  });

  test('test_env_var_debug', () => {
    const saved = process.env.XASYNC_DEBUG;
    try {
      delete process.env.XASYNC_DEBUG;
      expect(newEventLoop().getDebug()).toBe(false);
      process.env.XASYNC_DEBUG = '';
      expect(newEventLoop().getDebug()).toBe(false);
      process.env.XASYNC_DEBUG = '0';
      expect(newEventLoop().getDebug()).toBe(false);
      process.env.XASYNC_DEBUG = '1';
      expect(newEventLoop().getDebug()).toBe(true);
      // An explicit option wins over the environment.
      expect(new EventLoop({ debug: false }).getDebug()).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.XASYNC_DEBUG;
      else process.env.XASYNC_DEBUG = saved;
    }
  });

  test('test_run_forever_keyboard_interrupt', async () => {
    // Python issue #22601: the future made by runUntilComplete() for an
    // awaitable consumes the KeyboardInterrupt, so nothing is logged later.
    const handler = vi.fn();
    loop.setExceptionHandler(handler);
    const ki = new KeyboardInterrupt();
    // A thenable that raises the interrupt in a loop callback, as
    // CPython's `raise_keyboard_interrupt()` coroutine does in its task step.
    const p = new Promise<void>(() => {});
    loop.callSoon(() => {
      throw ki;
    });
    await expect(loop.runUntilComplete(p)).rejects.toBe(ki);
    loop.close();
    expect(handler).not.toHaveBeenCalled();
  });

  test('test_run_until_complete_baseexception', async () => {
    // Python issue #22429: runUntilComplete() must not schedule a pending
    // call to stop() if the future raised a BaseException.
    const fut = loop.createFuture();
    loop.callSoon(() => {
      const ki = new KeyboardInterrupt();
      fut.setException(ki);
      throw ki;
    });
    await expect(loop.runUntilComplete(fut)).rejects.toBeInstanceOf(KeyboardInterrupt);
    let called = false;
    loop.callSoon(() => {
      loop.stop();
      called = true;
    });
    await loop.runForever();
    expect(called).toBe(true);
  });

  test('test_run_until_complete_consumes_interrupt_of_new_task', async () => {
    // run_until_complete(): "The coroutine raised a BaseException. Consume the
    // exception to not log a warning, the caller doesn't have access to the
    // local task."
    let made: Future | null = null;
    loop.setTaskFactory((l, c) => {
      const f = l.createFuture();
      made = f;
      l.callSoon(() => {
        const ki = new KeyboardInterrupt();
        f.setException(ki);
        c.return(undefined);
        throw ki;
      });
      return f;
    });
    function* coro(): Coroutine<void> {}
    await expect(loop.runUntilComplete(coro())).rejects.toBeInstanceOf(KeyboardInterrupt);
    // The exception was retrieved: no "never retrieved" report, and no
    // "Task was destroyed but it is pending!" either.
    const f = made as unknown as Future;
    expect(f._logInfo).toBeNull();
  });

  test('test_run_once', async () => {
    // Simple test for test_utils.run_once(): loop.call_soon(loop.stop); loop.run_forever().
    let count = 0;
    loop.callSoon(() => {
      count += 1;
    });
    await runOnce(loop);
    expect(count).toBe(1);
  });

  test('test_run_forever_pre_stopped', async () => {
    // Test that the old idiom for pre-stopping the loop works: one iteration,
    // which does not wait for a timer.
    const calls: string[] = [];
    loop.callLater(10, () => calls.push('timer'));
    loop.callSoon(() => {
      calls.push('a');
      loop.callSoon(() => calls.push('next iteration'));
    });
    loop.stop();
    await loop.runForever();
    expect(calls).toEqual(['a']);
    expect(loop.isRunning()).toBe(false);
    // The stop was consumed: the next run goes on until stopped again.
    loop.callSoon(() => loop.callSoon(() => loop.stop()));
    await loop.runForever();
    expect(calls).toEqual(['a', 'next iteration']);
  });

  test('test_call_coroutine', async () => {
    function* simple_coroutine(): Coroutine<void> {}
    loop.setDebug(true);
    const coro_func = simple_coroutine;
    const coro_obj = coro_func();
    for (const func of [coro_func, coro_obj] as never[]) {
      expect(() => loop.callSoon(func)).toThrow(TypeError);
      expect(() => loop.callSoon(func)).toThrow('coroutines cannot be used with callSoon()');
      expect(() => loop.callSoonThreadsafe(func)).toThrow(TypeError);
      expect(() => loop.callLater(60, func)).toThrow(TypeError);
      expect(() => loop.callAt(loop.time() + 60, func)).toThrow(TypeError);
    }
  });

  test('test_log_slow_callbacks', async () => {
    const warning = vi.spyOn(logger, 'warning').mockImplementation(() => {});
    function stop_loop_cb(l: EventLoop) {
      clock.advance(0.25);
      l.stop();
    }
    loop.setDebug(true);
    loop.slowCallbackDuration = 0.1;
    // slow callback
    loop.callSoon(stop_loop_cb, loop);
    await loop.runForever();
    expect(warning).toHaveBeenCalledTimes(1);
    expect(warning.mock.calls[0]?.[0]).toMatch(
      /^Executing <Handle stop_loop_cb\(<EventLoop running=true closed=false \.\.\.\) created at .*base-events\.test\.ts:\d+:\d+> took 0\.250 seconds$/,
    );

    // a fast one is not logged
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(warning).toHaveBeenCalledTimes(1);

    // slow timer
    loop.callLater(0, stop_loop_cb, loop);
    await loop.runForever();
    expect(warning.mock.calls[1]?.[0]).toMatch(
      /^Executing <TimerHandle when=\d+(\.\d+)? stop_loop_cb\(.*\) created at .*> took 0\.250 seconds$/,
    );

    // a slow callback that cancels its own handle keeps the repr it had
    let h: Handle | null = null;
    h = loop.callSoon(function cancel_self() {
      h?.cancel();
      clock.advance(1);
      loop.stop();
    });
    await loop.runForever();
    expect(warning.mock.calls[2]?.[0]).toMatch(
      /^Executing <Handle cancelled cancel_self\(\) created at .*> took 1\.000 seconds$/,
    );

    // slow task step: anything the ready queue runs (here a bare runnable, as
    // @x/tasks queues its task steps) is reported by its repr, as CPython
    // reports `<Task pending name=... coro=...>`
    class Step {
      _run() {
        clock.advance(0.5);
        loop.stop();
      }
      toString() {
        return '<Task pending stop_loop_coro()>';
      }
    }
    loop._push(new Step(), undefined);
    await loop.runForever();
    expect(warning.mock.calls[3]?.[0]).toBe(
      'Executing <Task pending stop_loop_coro()> took 0.500 seconds',
    );
  });

  test('test_close_reports_pending_tasks', () => {
    // "Task was destroyed but it is pending!": the loop holds pending tasks
    // (registered by @x/tasks in loop._tasks) and reports them when closed.
    const { loop: l, calls } = loopWithHandler({ debug: true });
    vi.spyOn(logger, 'debug').mockImplementation(() => {});
    const pending = l.createFuture();
    const quiet = l.createFuture() as Future & { _logDestroyPending?: boolean };
    quiet._logDestroyPending = false;
    const done = l.createFuture();
    done.setResult(1);
    l._tasks.add(pending);
    l._tasks.add(quiet);
    l._tasks.add(done);
    l.close();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.message).toBe('Task was destroyed but it is pending!');
    expect(calls[0]?.task).toBe(pending);
    expect(calls[0]?.source_traceback).toMatch(/base-events\.test\.ts/);
    expect(l._tasks.size).toBe(0);
    expect(logger.debug).toHaveBeenCalledWith(
      'Close <EventLoop running=false closed=false debug=true>',
    );
    // Without debug mode there is no creation site to show.
    const { loop: l2, calls: calls2 } = loopWithHandler({ debug: false });
    const p2 = l2.createFuture();
    l2._tasks.add(p2);
    l2.close();
    // (toBe, not toEqual: toEqual would iterate the pending future.)
    expect(calls2).toHaveLength(1);
    expect(Object.keys(calls2[0] ?? {})).toEqual(['message', 'task']);
    expect(calls2[0]?.task).toBe(p2);
  });

  test('test_close_hooks', () => {
    // loop._closeHooks (used by @x/signals) run once, on close; an error in
    // one goes to the exception handler, an interrupt propagates.
    const { loop: l, calls } = loopWithHandler();
    const ran: string[] = [];
    l._closeHooks.push(() => ran.push('a'));
    l._closeHooks.push(() => {
      throw new ValueError('hook');
    });
    l._closeHooks.push(() => ran.push('c'));
    l.close();
    l.close();
    expect(ran).toEqual(['a', 'c']);
    expect(calls.map((c) => c.message)).toEqual(['Exception in a close hook of the event loop']);
    const l2 = newEventLoop();
    l2._closeHooks.push(() => {
      throw new KeyboardInterrupt();
    });
    expect(() => l2.close()).toThrow(KeyboardInterrupt);
    expect(l2.isClosed()).toBe(true);
  });

  test('test_repr', () => {
    expect(String(loop)).toBe('<EventLoop running=false closed=false debug=false>');
    const inspect = (loop as unknown as Record<symbol, () => string>)[
      Symbol.for('nodejs.util.inspect.custom')
    ];
    expect(inspect?.call(loop)).toBe(String(loop));
  });
});

describe('RunningLoopTests', () => {
  afterEach(() => {
    assertNoRunningLoop();
  });

  test('test_running_loop_within_a_loop', async () => {
    const loop = newEventLoop();
    const outer_loop = newEventLoop();
    try {
      const inner: Array<Promise<void>> = [];
      const fut = outer_loop.createFuture();
      outer_loop.callSoon(() => {
        expect(getRunningLoop()).toBe(outer_loop);
        inner.push(loop.runForever());
        fut.setResult(undefined);
      });
      await outer_loop.runUntilComplete(fut);
      expect(inner).toHaveLength(1);
      await expect(inner[0]).rejects.toThrow(RuntimeError);
      await expect(inner[0]).rejects.toThrow(
        'Cannot run the event loop while another loop is running',
      );
      expect(getRunningLoopOrNull()).toBeNull();
    } finally {
      loop.close();
      outer_loop.close();
    }
  });
});
