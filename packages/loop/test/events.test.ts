/**
 * Port of the loop-generic parts of CPython's Lib/test/test_asyncio/test_events.py
 * (EventLoopTestsMixin, HandleTests, TimerTests, the get/set/new_event_loop
 * tests of AbstractEventLoopTests / GetEventLoopTestsMixin) for @x/loop.
 *
 * Not ported, and why: sockets, pipes, ptys, subprocesses, signals, threads,
 * executors (runInExecutor comes later), policies (3.14 deprecates them; @x/loop
 * has none), servers, test_internal_fds, test_prompt_cancellation (reader
 * callbacks), test_timeout_rounding (counts selector wake-ups),
 * test_coroutine_like_object_debug_formatting (formats coroutine objects: Task
 * reprs belong to @x/tasks), test_handle_weakref's WeakValueDictionary (the
 * WeakRef analogue is kept), test_hash / test_timer_comparison's operators
 * (JavaScript has no operator overloading; the order they define is checked
 * through the timer heap instead).
 */
import {
  type Coroutine,
  EventLoop,
  type ExceptionContext,
  getEventLoop,
  getRunningLoop,
  getRunningLoopOrNull,
  Handle,
  logger,
  newEventLoop,
  RuntimeError,
  setEventLoop,
  TimerHandle,
} from '@x/loop';
import {
  captureCreationSite,
  firstFrame,
  formatCallback,
  getCurrentLoopOrNull,
  shortRepr,
} from '@x/loop/internal';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { assertNoRunningLoop, FakeClock, loopWithHandler, noop, runBriefly } from './utils.js';

describe('EventLoopTestsMixin', () => {
  let loop: EventLoop;
  beforeEach(() => {
    loop = newEventLoop();
    setEventLoop(loop);
    vi.spyOn(logger, 'debug').mockImplementation(() => {});
  });
  afterEach(() => {
    assertNoRunningLoop();
    loop.close();
    setEventLoop(null);
    vi.restoreAllMocks();
  });

  test('test_run_until_complete_nesting', async () => {
    // CPython awaits a coroutine that calls run_until_complete(); a callback
    // does it here. The inner call rejects, the outer run goes on.
    const inner: Array<Promise<unknown>> = [];
    const fut = loop.createFuture<void>();
    loop.callSoon(() => {
      expect(loop.isRunning()).toBe(true);
      const other = loop.createFuture();
      inner.push(loop.runUntilComplete(other));
      inner.push(loop.runForever());
      fut.setResult();
    });
    await loop.runUntilComplete(fut);
    await expect(inner[0]).rejects.toThrow(RuntimeError);
    await expect(inner[0]).rejects.toThrow('This event loop is already running');
    await expect(inner[1]).rejects.toThrow('This event loop is already running');
  });

  test('test_run_until_complete', async () => {
    const delay = 0.02;
    const t0 = loop.time();
    const fut = loop.createFuture<string>();
    loop.callLater(delay, () => fut.setResult('slept'));
    expect(await loop.runUntilComplete(fut)).toBe('slept');
    const dt = loop.time() - t0;
    expect(dt).toBeGreaterThanOrEqual(delay);
  });

  test('test_run_until_complete_stopped', async () => {
    const fut = loop.createFuture();
    loop.callSoon(() => loop.stop());
    loop.callLater(0.1, () => fut.setResult(1));
    await expect(loop.runUntilComplete(fut)).rejects.toThrow(RuntimeError);
    fut.cancel();
    loop.callSoon(() => loop.stop());
    await expect(loop.runUntilComplete(loop.createFuture())).rejects.toThrow(
      'Event loop stopped before Future completed.',
    );
  });

  test('test_run_until_complete_already_done', async () => {
    const fut = loop.createFuture<number>();
    fut.setResult(5);
    expect(await loop.runUntilComplete(fut)).toBe(5);
    const failed = loop.createFuture<number>();
    failed.setException(new RangeError('r'));
    await expect(loop.runUntilComplete(failed)).rejects.toThrow(RangeError);
  });

  test('test_call_later', async () => {
    const results: string[] = [];
    function callback(arg: string) {
      results.push(arg);
      loop.stop();
    }
    loop.callLater(0.02, callback, 'hello world');
    await loop.runForever();
    expect(results).toEqual(['hello world']);
  });

  test('test_call_soon', async () => {
    const results: Array<[string, string]> = [];
    function callback(arg1: string, arg2: string) {
      results.push([arg1, arg2]);
      loop.stop();
    }
    loop.callSoon(callback, 'hello', 'world');
    await loop.runForever();
    expect(results).toEqual([['hello', 'world']]);
  });

  test('test_call_soon_threadsafe', async () => {
    // No threads: the host stands in for the other thread. It schedules
    // callbacks while the loop waits with nothing to do, and wakes it.
    const results: string[] = [];
    function callback(arg: string) {
      results.push(arg);
      if (results.length >= 2) loop.stop();
    }
    setTimeout(() => loop.callSoonThreadsafe(callback, 'hello'), 1);
    loop.callSoon(() => setTimeout(() => loop.callSoonThreadsafe(callback, 'world'), 2));
    await loop.runForever();
    expect(results).toEqual(['hello', 'world']);
  });

  test('test_call_soon_threadsafe_same_thread', async () => {
    const results: string[] = [];
    function callback(arg: string) {
      results.push(arg);
      if (results.length >= 2) loop.stop();
    }
    loop.callSoonThreadsafe(callback, 'hello');
    loop.callSoon(callback, 'world');
    await loop.runForever();
    expect(results).toEqual(['hello', 'world']);
  });

  test('test_close_running_event_loop', async () => {
    const fut = loop.createFuture();
    loop.callSoon(() => {
      try {
        loop.close();
      } catch (e) {
        fut.setException(e);
      }
    });
    await expect(loop.runUntilComplete(fut)).rejects.toThrow(RuntimeError);
    await expect(loop.runUntilComplete(fut)).rejects.toThrow('Cannot close a running event loop');
    expect(loop.isClosed()).toBe(false);
  });

  test('test_close', async () => {
    loop.close();
    function* test(): Coroutine<void> {}
    const func = () => false;
    const coro = test();
    // operation blocked when the loop is closed
    await expect(loop.runForever()).rejects.toThrow(RuntimeError);
    const fut = loop.createFuture();
    await expect(loop.runUntilComplete(fut)).rejects.toThrow(RuntimeError);
    expect(() => loop.callSoon(func)).toThrow(RuntimeError);
    expect(() => loop.callSoonThreadsafe(func)).toThrow(RuntimeError);
    expect(() => loop.callLater(1.0, func)).toThrow(RuntimeError);
    expect(() => loop.callAt(loop.time() + 0.0, func)).toThrow(RuntimeError);
    expect(() => loop.createTask(coro)).toThrow('Event loop is closed');
    // Every refusal has CPython's message.
    expect(() => loop.callSoon(func)).toThrow('Event loop is closed');
  });

  test('test_stop_not_running', async () => {
    // stop() on a loop that is not running only marks it: the next run does one iteration.
    loop.stop();
    expect(loop.isRunning()).toBe(false);
    let n = 0;
    loop.callSoon(() => {
      n++;
      loop.callSoon(() => n++);
    });
    await loop.runForever();
    expect(n).toBe(1);
    await runBriefly(loop);
    expect(n).toBe(2);
  });

  test('test_is_running', async () => {
    expect(loop.isRunning()).toBe(false);
    const seen: boolean[] = [];
    loop.callLater(0.005, () => {
      seen.push(loop.isRunning());
      loop.stop();
    });
    const p = loop.runForever();
    // Running until the promise settles, as run_forever() blocks until it returns.
    expect(loop.isRunning()).toBe(true);
    await p;
    expect(seen).toEqual([true]);
    expect(loop.isRunning()).toBe(false);
  });
});

describe('HandleTests', () => {
  let loop: EventLoop;
  beforeEach(() => {
    loop = newEventLoop();
    vi.spyOn(logger, 'debug').mockImplementation(() => {});
  });
  afterEach(() => {
    assertNoRunningLoop();
    loop.close();
    vi.restoreAllMocks();
  });

  test('test_handle', async () => {
    const calls: unknown[][] = [];
    const callback = (...args: unknown[]) => {
      calls.push(args);
    };
    const h = loop.callSoon(callback);
    expect(h).toBeInstanceOf(Handle);
    expect(h.cancelled()).toBe(false);
    h.cancel();
    expect(h.cancelled()).toBe(true);
    await runBriefly(loop);
    expect(calls).toEqual([]);
  });

  test('test_callback_with_exception', async () => {
    const { loop: l, calls } = loopWithHandler();
    const err = new RangeError('value error');
    function callback() {
      throw err;
    }
    const h = l.callSoon(callback);
    await runBriefly(l);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual({
      message: 'Exception in callback callback()',
      exception: err,
      handle: h,
    });
    l.close();
  });

  test('test_callback_throws_non_error', async () => {
    // JavaScript can throw anything; it is reported the same way.
    const { loop: l, calls } = loopWithHandler();
    l.callSoon(() => {
      throw 'a string';
    });
    await runBriefly(l);
    expect(calls[0]?.exception).toBe('a string');
    expect(calls[0]?.message).toBe('Exception in callback <anonymous>()');
    l.close();
  });

  test('test_handle_weakref', async () => {
    let ref: WeakRef<Handle> | null = null;
    (() => {
      ref = new WeakRef(loop.callSoon(noop));
    })();
    // The loop holds the handle until it has run.
    expect((ref as unknown as WeakRef<Handle>).deref()).toBeInstanceOf(Handle);
  });

  test('test_handle_repr', () => {
    // simple function (CPython adds the source location "at file:line";
    // JavaScript functions do not carry theirs)
    let h = loop.callSoon(noop, 1, 2);
    expect(String(h)).toBe('<Handle noop(1, 2)>');
    // cancelled handle
    h.cancel();
    expect(String(h)).toBe('<Handle cancelled>');
    // bound function: its name without "bound "
    const bound = noop.bind(null, 1, 2);
    h = loop.callSoon(bound, 3);
    expect(String(h)).toBe('<Handle noop(3)>');
    // anonymous function, and arguments of many kinds
    h = loop.callSoon(
      (
        () =>
        (..._a: unknown[]) => {}
      )(),
      'str',
      null,
      undefined,
      10n,
      Symbol('s'),
      [1, [2]],
      { a: 1 },
      new RangeError('e'),
      noop,
    );
    expect(String(h)).toBe(
      "<Handle <anonymous>('str', null, undefined, 10n, Symbol(s), [1, [2]], <Object>, RangeError('e'), [Function noop])>",
    );
    // long arguments are shortened, as reprlib does
    h = loop.callSoon(noop, 'x'.repeat(100));
    expect(String(h)).toBe(`<Handle noop('${'x'.repeat(36)}...)>`);
    // node's util.inspect uses the repr
    const inspect = (h as unknown as Record<symbol, () => string>)[
      Symbol.for('nodejs.util.inspect.custom')
    ];
    expect(inspect?.call(h)).toBe(String(h));
  });

  test('test_format_helpers', () => {
    // The helpers behind the reprs (format_helpers.py / reprlib).
    expect(shortRepr(Object.create(null))).toBe('<Object>');
    expect(shortRepr(new (class Point {})())).toBe('<Point>');
    expect(shortRepr({ toString: () => 'custom' })).toBe('custom');
    expect(shortRepr('abc', 4)).toBe("'...");
    // Python's repr: single quotes unless the string holds one and no double quote.
    expect(shortRepr("it's")).toBe('"it\'s"');
    expect(shortRepr('a\nb')).toBe("'a\\nb'");
    expect(formatCallback('not a function', [1])).toBe('not a function(1)');
    expect(firstFrame(null)).toBeNull();
    expect(firstFrame('at fn (/a/b.ts:3:4)\nat other (/c.ts:1:1)')).toBe('/a/b.ts:3:4');
    expect(firstFrame('at /a/b.ts:3:4')).toBe('/a/b.ts:3:4');
    expect(firstFrame('at <anonymous>')).toBe('<anonymous>');
    const site = captureCreationSite();
    expect(site).toMatch(/^at .*events\.test\.ts:\d+:\d+/);
  });

  test('test_handle_repr_debug', () => {
    loop.setDebug(true);
    // simple function
    const h = loop.callSoon(noop, 1, 2);
    const created = /created at .*events\.test\.ts:\d+:\d+>$/;
    expect(String(h)).toMatch(/^<Handle noop\(1, 2\) created at /);
    expect(String(h)).toMatch(created);
    // cancelled handle
    h.cancel();
    const repr = String(h);
    expect(repr).toMatch(/^<Handle cancelled noop\(1, 2\) created at /);
    expect(repr).toMatch(created);
    // double cancellation won't overwrite _repr
    h.cancel();
    expect(String(h)).toBe(repr);
  });

  test('test_handle_source_traceback', () => {
    loop.setDebug(true);
    const check_source_traceback = (h: Handle) => {
      // The first frame is this test, not a frame of @x/loop.
      expect(String(h)).toMatch(/created at .*events\.test\.ts:\d+:\d+>$/);
    };
    // call_soon
    check_source_traceback(loop.callSoon(noop));
    // call_soon_threadsafe
    check_source_traceback(loop.callSoonThreadsafe(noop));
    // call_later
    check_source_traceback(loop.callLater(0, noop));
    // call_at
    check_source_traceback(loop.callAt(0, noop));
  });

  test('test_handle_get_context', async () => {
    const h = loop.callSoon(noop);
    const ctx = h.getContext();
    // The same object every time.
    expect(h.getContext()).toBe(ctx);
    await runBriefly(loop);
    expect(h.getContext()).toBe(ctx);
  });
});

describe('TimerTests', () => {
  let loop: EventLoop;
  let clock: FakeClock;
  beforeEach(() => {
    clock = new FakeClock();
    clock.t = 1000;
    loop = new EventLoop({ clock });
    vi.spyOn(logger, 'debug').mockImplementation(() => {});
  });
  afterEach(() => {
    assertNoRunningLoop();
    loop.close();
    vi.restoreAllMocks();
  });

  test('test_when', () => {
    const when = loop.time();
    const h = loop.callAt(when, () => false);
    expect(h.when()).toBe(when);
    expect(loop.callLater(2.5, noop).when()).toBe(1002.5);
  });

  test('test_timer', async () => {
    const calls: unknown[][] = [];
    const callback = (...args: unknown[]) => {
      calls.push(args);
    };
    const h = loop.callAt(loop.time(), callback, 1, 2, 3);
    expect(h).toBeInstanceOf(TimerHandle);
    expect(h.cancelled()).toBe(false);
    const h2 = loop.callAt(loop.time(), callback, 4);
    // cancel
    h.cancel();
    expect(h.cancelled()).toBe(true);
    await runBriefly(loop);
    expect(calls).toEqual([[4]]);
    expect(h2.cancelled()).toBe(false);
  });

  test('test_timer_repr', () => {
    // simple function
    const h = loop.callAt(123, noop);
    expect(String(h)).toBe('<TimerHandle when=123 noop()>');
    // cancelled handle
    h.cancel();
    expect(String(h)).toBe('<TimerHandle cancelled when=123>');
  });

  test('test_timer_repr_debug', () => {
    loop.setDebug(true);
    // simple function
    const h = loop.callAt(123, noop);
    expect(String(h)).toMatch(
      /^<TimerHandle when=123 noop\(\) created at .*events\.test\.ts:\d+:\d+>$/,
    );
    // cancelled handle
    h.cancel();
    expect(String(h)).toMatch(
      /^<TimerHandle cancelled when=123 noop\(\) created at .*events\.test\.ts:\d+:\d+>$/,
    );
  });

  test('test_timer_comparison', async () => {
    // CPython orders TimerHandles by when(); @x/loop's timer heap does too,
    // and breaks ties by creation order (CPython leaves them unordered).
    const order: string[] = [];
    const when = loop.time();
    loop.callAt(when + 10.0, () => order.push('h2'));
    loop.callAt(when, () => order.push('h1'));
    loop.callAt(when, () => order.push('h1b'));
    loop.callAt(when + 5, () => order.push('h3'));
    loop.callAt(when - 1, () => order.push('h0'));
    loop.callSoon(() => clock.advance(10));
    loop.callAt(when + 10.0, () => {
      order.push('h2b');
      loop.stop();
    });
    await loop.runForever();
    expect(order).toEqual(['h0', 'h1', 'h1b', 'h3', 'h2', 'h2b']);
  });

  test('test_timer_heap_many', async () => {
    // The heap keeps its order through many pushes and pops (sift down both
    // ways), with cancelled timers mixed in.
    const order: number[] = [];
    const whens: number[] = [];
    let x = 7;
    for (let i = 0; i < 300; i++) {
      x = (x * 48271) % 2147483647;
      whens.push(x % 1000);
    }
    const handles = whens.map((w) => loop.callLater(w / 10, () => order.push(w)));
    for (let i = 0; i < handles.length; i += 3) handles[i]?.cancel();
    const expected = whens.filter((_w, i) => i % 3 !== 0).sort((a, b) => a - b);
    loop.callSoon(() => clock.advance(1000));
    loop.callLater(101, () => loop.stop());
    await loop.runForever();
    // Equal `when`s keep creation order, which a stable sort of equal numbers cannot show,
    // but the values are in order.
    expect(order).toEqual(expected);
  });
});

describe('GetEventLoopTests', () => {
  afterEach(() => {
    assertNoRunningLoop();
    setEventLoop(null);
  });

  test('test_get_current_loop_or_null', () => {
    // The loop set with setEventLoop(), whether or not one runs (for @x/runner).
    expect(getCurrentLoopOrNull()).toBeNull();
    const loop = newEventLoop();
    setEventLoop(loop);
    expect(getCurrentLoopOrNull()).toBe(loop);
    setEventLoop(null);
    expect(getCurrentLoopOrNull()).toBeNull();
    loop.close();
  });

  test('test_get_event_loop_after_set_none', () => {
    setEventLoop(null);
    expect(() => getEventLoop()).toThrow(RuntimeError);
    expect(() => getEventLoop()).toThrow(/no current event loop/);
  });

  test('test_new_event_loop', () => {
    const loop = newEventLoop();
    expect(loop).toBeInstanceOf(EventLoop);
    expect(newEventLoop()).not.toBe(loop);
    loop.close();
  });

  test('test_set_event_loop', () => {
    const old_loop = newEventLoop();
    setEventLoop(old_loop);
    expect(() => setEventLoop({} as never)).toThrow(TypeError);
    expect(() => setEventLoop({} as never)).toThrow(
      /loop must be an instance of EventLoop or null/,
    );
    const loop = newEventLoop();
    setEventLoop(loop);
    expect(getEventLoop()).toBe(loop);
    expect(getEventLoop()).not.toBe(old_loop);
    loop.close();
    old_loop.close();
  });

  test('test_get_event_loop_returns_running_loop2', async () => {
    const loop = newEventLoop();
    const loop2 = newEventLoop();
    try {
      setEventLoop(loop2);
      expect(getEventLoop()).toBe(loop2);
      setEventLoop(null);
      expect(() => getEventLoop()).toThrow(/no current/);
      expect(() => getRunningLoop()).toThrow(/no running/);
      expect(getRunningLoopOrNull()).toBeNull();

      const seen: unknown[] = [];
      const fut = loop.createFuture();
      loop.callSoon(() => {
        seen.push(getEventLoop(), getRunningLoop(), getRunningLoopOrNull());
        // The running loop wins over the one that is set.
        setEventLoop(loop2);
        seen.push(getEventLoop());
        setEventLoop(null);
        fut.setResult(undefined);
      });
      await loop.runUntilComplete(fut);
      expect(seen).toEqual([loop, loop, loop, loop]);

      setEventLoop(loop);
      expect(getEventLoop()).toBe(loop);
      setEventLoop(null);
      expect(() => getEventLoop()).toThrow(/no current/);
    } finally {
      loop.close();
      loop2.close();
    }
    expect(() => getRunningLoop()).toThrow(RuntimeError);
    expect(() => getRunningLoop()).toThrow('no running event loop');
    expect(getRunningLoopOrNull()).toBeNull();
  });

  test('test_exception_context_type', async () => {
    // What a handler gets is a plain object: message, exception, handle.
    const { loop, calls } = loopWithHandler();
    const spy = vi.spyOn(logger, 'error');
    loop.callSoon(() => {
      throw new Error('x');
    });
    await runBriefly(loop);
    const ctx: ExceptionContext = calls[0] as ExceptionContext;
    expect(Object.keys(ctx)).toEqual(['message', 'exception', 'handle']);
    expect(spy).not.toHaveBeenCalled();
    loop.close();
  });
});
