/**
 * The promises the package README makes ("Where JavaScript differs": the host
 * keeps running, promise reactions run between iterations) about running
 * asyncio's loop on top of the host's event loop. No CPython counterpart: a
 * Python loop owns its thread.
 */
import {
  BaseException,
  CancelledError,
  EventLoop,
  Future,
  getRunningLoop,
  getRunningLoopOrNull,
  InvalidStateError,
  isInterrupt,
  KeyboardInterrupt,
  LookupError,
  logger,
  newEventLoop,
  RuntimeError,
  SystemExit,
  TimeoutError,
  ValueError,
} from '@x/loop';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  assertNoRunningLoop,
  collectGarbage,
  FakeClock,
  hostTurns,
  loopWithHandler,
  runBriefly,
} from './utils.js';

// A million callbacks take seconds on a loaded machine.
describe('HostIntegration', { timeout: 30_000 }, () => {
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

  test('basic run: callbacks in order, then timers', async () => {
    const out: string[] = [];
    loop.callSoon((a: string) => out.push(a), 'a');
    loop.callLater(0.01, () => {
      out.push('t');
      loop.stop();
    });
    loop.callSoon(() => out.push('b'));
    await loop.runForever();
    expect(out).toEqual(['a', 'b', 't']);
    const f = loop.createFuture<number>();
    loop.callLater(0.005, () => f.setResult(7));
    expect(await loop.runUntilComplete(f)).toBe(7);
    // A future completed from a host timer while the loop waits.
    const g = loop.createFuture<number>();
    setTimeout(() => g.cancel('x'), 5);
    await expect(loop.runUntilComplete(g)).rejects.toBeInstanceOf(CancelledError);
  });

  test('a host setTimeout(0) fires while the loop runs 1,000,000 callbacks', async () => {
    let fired = -1;
    let immediate = -1;
    let count = 0;
    const cb = () => {
      count++;
    };
    for (let i = 0; i < 1_000_000; i++) loop.callSoon(cb);
    setTimeout(() => {
      fired = count;
    }, 0);
    setImmediate(() => {
      immediate = count;
    });
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(count).toBe(1_000_000);
    // The host ran its timer and its immediate before the loop was done: the
    // loop yields to the host inside a single iteration of a million callbacks.
    expect(fired).toBeGreaterThan(-1);
    expect(fired).toBeLessThan(1_000_000);
    expect(immediate).toBeGreaterThan(-1);
    expect(immediate).toBeLessThan(1_000_000);
  });

  test('a host timer fires while the loop runs an endless chain of iterations', async () => {
    // Each iteration schedules the next: the loop is never idle, yet the host gets turns.
    let iterations = 0;
    let hostRan = false;
    const step = () => {
      iterations++;
      if (hostRan) loop.stop();
      else loop.callSoon(step);
    };
    loop.callSoon(step);
    setTimeout(() => {
      hostRan = true;
    }, 1);
    await loop.runForever();
    expect(hostRan).toBe(true);
    expect(iterations).toBeGreaterThan(1);
  });

  test('promise reactions (`await fut`) run between two loop iterations', async () => {
    const fut = loop.createFuture<number>();
    const order: string[] = [];
    const waiter = (async () => {
      const v = await fut;
      order.push(`resumed with ${v}`);
      // A second await of a future of the loop works the same way.
      const fut2 = loop.createFuture<number>();
      loop.callSoon(() => fut2.setResult(v + 1));
      order.push(`resumed with ${await fut2}`);
    })();
    // Iteration 1: the result is set; the future's callbacks are queued for iteration 2.
    loop.callSoon(() => {
      order.push('iteration 1');
      fut.setResult(1);
      // Iteration 2: the awaiting function is woken; iteration 3 runs after it.
      loop.callSoon(() => {
        order.push('iteration 2');
        loop.callSoon(() => {
          order.push('iteration 3');
          loop.callSoon(() => {
            order.push('iteration 4');
            loop.callSoon(() => {
              order.push('iteration 5');
              loop.stop();
            });
          });
        });
      });
    });
    await loop.runForever();
    await waiter;
    expect(order).toEqual([
      'iteration 1',
      'iteration 2',
      'resumed with 1',
      'iteration 3',
      'iteration 4',
      'resumed with 2',
      'iteration 5',
    ]);
  });

  test('promise reactions of runUntilComplete(promise) are not held back', async () => {
    // The loop gives microtasks a turn between iterations while a promise it
    // waits for is pending: a chain of promise steps completes.
    let ticks = 0;
    loop.callSoon(function tick() {
      ticks++;
      loop.callSoon(tick);
    });
    const chain = (async () => {
      let n = 0;
      for (let i = 0; i < 100; i++) n += await Promise.resolve(1);
      return n;
    })();
    expect(await loop.runUntilComplete(chain)).toBe(100);
    expect(ticks).toBeGreaterThan(0);
    // The tick callback is still queued; drop it.
    loop.close();
  });

  test('the process is kept alive while the loop runs and waits', async () => {
    // Watches the host timers the loop makes, rather than counting every
    // active timer of the process: a test runner's own timers come and go,
    // more so on a loaded machine.
    const setI = vi.spyOn(globalThis, 'setInterval');
    const clearI = vi.spyOn(globalThis, 'clearInterval');
    const setT = vi.spyOn(globalThis, 'setTimeout');
    const clearT = vi.spyOn(globalThis, 'clearTimeout');
    try {
      // The loop is idle (nothing scheduled): it holds a ref'd host handle itself.
      const stopped = loop.runForever();
      await hostTurns(2);
      expect(loop.isRunning()).toBe(true);
      expect(setI).toHaveBeenCalledTimes(1);
      const keepAlive = setI.mock.results[0]?.value as NodeJS.Timeout;
      expect(keepAlive.hasRef()).toBe(true);
      expect(clearI).not.toHaveBeenCalled();
      // Waiting for a timer: a host timer for it too, ref'd.
      loop.callLater(1000, () => {});
      await hostTurns(2);
      const i = setT.mock.calls.findIndex(([, ms]) => typeof ms === 'number' && ms >= 999_000);
      expect(i).toBeGreaterThanOrEqual(0);
      const hostTimer = setT.mock.results[i]?.value as NodeJS.Timeout;
      expect(hostTimer.hasRef()).toBe(true);
      expect(clearT).not.toHaveBeenCalledWith(hostTimer);
      loop.stop();
      await stopped;
      // Stopped: both are given back, nothing keeps the process alive.
      expect(clearI).toHaveBeenCalledWith(keepAlive);
      expect(clearT).toHaveBeenCalledWith(hostTimer);
    } finally {
      vi.restoreAllMocks();
    }
  });

  test('only one loop runs at a time', async () => {
    const other = newEventLoop();
    try {
      const run = loop.runForever();
      await expect(other.runForever()).rejects.toThrow(RuntimeError);
      await expect(other.runForever()).rejects.toThrow(
        'Cannot run the event loop while another loop is running',
      );
      await expect(other.runUntilComplete(other.createFuture())).rejects.toThrow(
        'Cannot run the event loop while another loop is running',
      );
      await expect(loop.runForever()).rejects.toThrow('This event loop is already running');
      loop.stop();
      await run;
      // Once the first one stopped, the other one can run.
      await runBriefly(other);
    } finally {
      other.close();
    }
  });

  test('getRunningLoop() across host turns', async () => {
    expect(getRunningLoopOrNull()).toBeNull();
    const seen: Array<EventLoop | null> = [];
    const run = loop.runForever();
    seen.push(getRunningLoop());
    await Promise.resolve();
    seen.push(getRunningLoop());
    await new Promise<void>((r) => setTimeout(r, 1));
    seen.push(getRunningLoop());
    await hostTurns(1);
    seen.push(getRunningLoopOrNull());
    loop.stop();
    await run;
    expect(seen).toEqual([loop, loop, loop, loop]);
    expect(() => getRunningLoop()).toThrow('no running event loop');
  });

  test('stop() before runForever() runs exactly one iteration', async () => {
    const calls: number[] = [];
    loop.callSoon(() => {
      calls.push(1);
      loop.callSoon(() => calls.push(2));
    });
    loop.stop();
    await loop.runForever();
    expect(calls).toEqual([1]);
    // With nothing ready either: one (empty) iteration, no waiting for the timer.
    loop.callLater(1000, () => calls.push(3));
    loop.stop();
    await loop.runForever();
    expect(calls).toEqual([1, 2]);
  });

  test('stop() inside a callback lets the current batch finish', async () => {
    const calls: string[] = [];
    loop.callSoon(() => calls.push('a'));
    loop.callSoon(() => {
      calls.push('b');
      loop.stop();
      loop.callSoon(() => calls.push('next iteration'));
    });
    loop.callSoon(() => calls.push('c'));
    loop.callSoon(() => calls.push('d'));
    await loop.runForever();
    expect(calls).toEqual(['a', 'b', 'c', 'd']);
    await runBriefly(loop);
    expect(calls).toEqual(['a', 'b', 'c', 'd', 'next iteration']);
  });

  test('stop() from the host wakes a waiting loop', async () => {
    setTimeout(() => loop.stop(), 2);
    await loop.runForever();
    expect(loop.isRunning()).toBe(false);
  });

  test('callSoon() from the host wakes a loop waiting for a timer', async () => {
    const calls: string[] = [];
    loop.callLater(1000, () => calls.push('timer'));
    setTimeout(() => {
      loop.callSoon(() => {
        calls.push('from host');
        loop.stop();
      });
    }, 2);
    await loop.runForever();
    expect(calls).toEqual(['from host']);
  });

  test('a timer scheduled from the host while the loop waits for a later one', async () => {
    const calls: string[] = [];
    loop.callLater(1000, () => calls.push('late'));
    setTimeout(() => {
      loop.callLater(0.001, () => {
        calls.push('early');
        loop.stop();
      });
    }, 1);
    await loop.runForever();
    expect(calls).toEqual(['early']);
  });

  test('_addTimerEntry(): an object that is its own timer wakes a waiting loop and runs in order', async () => {
    // The hook @x/tasks' sleep() uses: the entry is its own TimerHandle.
    const calls: string[] = [];
    const entry = (name: string) => ({
      _cancelled: false,
      _scheduled: false,
      cancelled() {
        return this._cancelled;
      },
      _run(arg: unknown) {
        calls.push(`${name}:${String(arg)}:${this._scheduled}`);
      },
    });
    const first = entry('first');
    const dropped = entry('dropped');
    loop.callLater(1000, () => calls.push('late'));
    setTimeout(() => {
      const when = loop.time() + 0.001;
      loop._addTimerEntry(first, when);
      expect(first._scheduled).toBe(true);
      // Cancelled at the top of the heap: dropped without running.
      loop._addTimerEntry(dropped, when - 0.0005);
      loop._timerHandleCancelled(dropped);
      dropped._cancelled = true;
      loop.callAt(when, () => {
        calls.push('handle');
        loop.stop();
      });
    }, 1);
    await loop.runForever();
    // Same due time: insertion order; `_run` sees it out of the heap.
    expect(calls).toEqual(['first:undefined:false', 'handle']);
    expect(dropped._scheduled).toBe(false);
    loop.close();
    expect(() => loop._addTimerEntry(entry('closed'), 0)).toThrow(RuntimeError);
  });

  test('timers due at the same time run in insertion order', async () => {
    const clock = new FakeClock();
    const l = new EventLoop({ clock });
    const order: number[] = [];
    for (let i = 0; i < 50; i++) l.callAt(5, () => order.push(i));
    l.callAt(4, () => order.push(-1));
    l.callSoon(() => clock.advance(5));
    l.callAt(5, () => l.stop());
    await l.runForever();
    expect(order).toEqual([-1, ...Array.from({ length: 50 }, (_, i) => i)]);
    l.close();
  });

  test('NaN delay is a TypeError; negative runs asap; Infinity never', async () => {
    expect(() => loop.callLater(Number.NaN, () => {})).toThrow(TypeError);
    expect(() => loop.callLater(Number.NaN, () => {})).toThrow(/must not be NaN/);
    expect(() => loop.callAt(Number.NaN, () => {})).toThrow(/when must not be NaN/);
    const calls: string[] = [];
    const never = loop.callLater(Number.POSITIVE_INFINITY, () => calls.push('never'));
    expect(never.when()).toBe(Number.POSITIVE_INFINITY);
    loop.callLater(-5, () => calls.push('negative'));
    loop.callLater(Number.NEGATIVE_INFINITY, () => calls.push('-Infinity'));
    loop.callSoon(() => calls.push('soon'));
    // The loop waits "forever" for the Infinity timer; the host stops it.
    setTimeout(() => loop.stop(), 5);
    await loop.runForever();
    expect(calls).toEqual(['soon', '-Infinity', 'negative']);
    expect(never.cancelled()).toBe(false);
  });

  test('a delay beyond the host timer range still waits', async () => {
    // setTimeout() takes at most 2^31-1 ms; a longer delay is clamped, not fired early.
    const calls: string[] = [];
    loop.callLater(3e6, () => calls.push('in 35 days'));
    setTimeout(() => loop.stop(), 2);
    await loop.runForever();
    expect(calls).toEqual([]);
  });

  for (const Interrupt of [KeyboardInterrupt, SystemExit]) {
    test(`a ${Interrupt.name} thrown by a callback rejects runForever(); the loop runs again`, async () => {
      const { loop: l, calls: handled } = loopWithHandler();
      const calls: string[] = [];
      const exc = Interrupt === SystemExit ? new SystemExit(2) : new KeyboardInterrupt();
      l.callSoon(() => calls.push('a'));
      l.callSoon(() => {
        calls.push('b');
        throw exc;
      });
      l.callSoon(() => calls.push('c'));
      l.callLater(0, () => calls.push('timer'));
      await expect(l.runForever()).rejects.toBe(exc);
      expect(calls).toEqual(['a', 'b']);
      expect(l.isRunning()).toBe(false);
      expect(getRunningLoopOrNull()).toBeNull();
      // The rest of the batch is still queued, in order.
      l.callSoon(() => l.stop());
      await l.runForever();
      expect(calls).toEqual(['a', 'b', 'c', 'timer']);
      expect(handled).toEqual([]);
      if (exc instanceof SystemExit) expect(exc.code).toBe(2);
      l.close();
    });
  }

  test('an interrupt rejects runUntilComplete() too', async () => {
    const fut = loop.createFuture();
    const ki = new KeyboardInterrupt('ctrl-c');
    loop.callSoon(() => {
      throw ki;
    });
    await expect(loop.runUntilComplete(fut)).rejects.toBe(ki);
    loop.callSoon(() => fut.setResult('done'));
    expect(await loop.runUntilComplete(fut)).toBe('done');
  });

  test('an interrupt thrown in debug mode', async () => {
    loop.setDebug(true);
    const ki = new KeyboardInterrupt();
    loop.callSoon(() => {
      throw ki;
    });
    await expect(loop.runForever()).rejects.toBe(ki);
  });

  test('CancelledError from a callback goes to the exception handler', async () => {
    const { loop: l, calls } = loopWithHandler();
    const exc = new CancelledError('cb');
    const h = l.callSoon(function cancelled_cb() {
      throw exc;
    });
    l.callSoon(() => l.stop());
    await l.runForever();
    expect(calls).toEqual([
      { message: 'Exception in callback cancelled_cb()', exception: exc, handle: h },
    ]);
    l.close();
  });

  test('"Future exception was never retrieved" after GC', async () => {
    const { loop: l, calls } = loopWithHandler();
    (() => {
      const f = l.createFuture();
      f.setException(new RangeError('lost'));
    })();
    (() => {
      const f = l.createFuture();
      f.setException(new RangeError('seen'));
      f.exception();
    })();
    await collectGarbage();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.message).toBe('Future exception was never retrieved');
    expect(String(calls[0]?.exception)).toBe('RangeError: lost');
    expect(calls[0]?.future_repr).toBe("<Future finished exception=RangeError('lost')>");
    l.close();
  });

  test('closed-loop errors', async () => {
    loop.close();
    expect(() => loop.callSoon(() => {})).toThrow('Event loop is closed');
    expect(() => loop.callLater(1, () => {})).toThrow('Event loop is closed');
    await expect(loop.runForever()).rejects.toThrow('Event loop is closed');
    await expect(loop.runUntilComplete(Promise.resolve(1))).rejects.toThrow('Event loop is closed');
  });

  test('close() on a running loop', async () => {
    const run = loop.runForever();
    expect(() => loop.close()).toThrow(RuntimeError);
    expect(() => loop.close()).toThrow('Cannot close a running event loop');
    loop.stop();
    await run;
    loop.close();
    expect(loop.isClosed()).toBe(true);
  });

  test('setResult twice is an InvalidStateError', () => {
    const f = new Future<number>({ loop });
    f.setResult(1);
    expect(() => f.setResult(2)).toThrow(InvalidStateError);
    expect(() => f.setResult(2)).toThrow(/^FINISHED: <Future finished result=1>$/);
    const g = new Future<number>({ loop });
    g.cancel();
    expect(() => g.setResult(2)).toThrow('CANCELLED: <Future cancelled>');
    expect(f.result()).toBe(1);
  });

  test('errors are the documented classes', () => {
    for (const E of [
      CancelledError,
      KeyboardInterrupt,
      SystemExit,
      RuntimeError,
      InvalidStateError,
    ]) {
      const e = new E();
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe(E.name);
    }
    expect(new SystemExit().code).toBeUndefined();
    expect(new SystemExit(null).message).toBe('');
    expect(new SystemExit('bye').message).toBe('bye');
    expect(new SystemExit(3).code).toBe(3);
    // BaseException subclasses are not "ordinary" errors; the others are.
    for (const E of [CancelledError, KeyboardInterrupt, SystemExit]) {
      expect(new E()).toBeInstanceOf(BaseException);
    }
    for (const E of [RuntimeError, InvalidStateError, TimeoutError, ValueError, LookupError]) {
      const e = new E('m');
      expect(e).not.toBeInstanceOf(BaseException);
      expect(e.name).toBe(E.name);
      expect(e.message).toBe('m');
    }
    const cause = new Error('root');
    expect(new TimeoutError('t', { cause }).cause).toBe(cause);
    expect(new BaseException('b', { cause }).cause).toBe(cause);
    expect(isInterrupt(new KeyboardInterrupt())).toBe(true);
    expect(isInterrupt(new SystemExit(0))).toBe(true);
    expect(isInterrupt(new CancelledError())).toBe(false);
    expect(isInterrupt('x')).toBe(false);
  });

  test('CancelledError captures a stack only while a debug loop runs', async () => {
    // Outside a loop: no frames, only the first line.
    expect(new CancelledError('fast').stack).toBe('CancelledError: fast');
    const stacks: string[] = [];
    loop.callSoon(() => stacks.push(new CancelledError('no debug').stack ?? ''));
    await runBriefly(loop);
    loop.setDebug(true);
    vi.spyOn(logger, 'debug').mockImplementation(() => {});
    loop.callSoon(() => stacks.push(new CancelledError('debug').stack ?? ''));
    await runBriefly(loop);
    expect(stacks[0]).toBe('CancelledError: no debug');
    expect(stacks[1]).toMatch(/^CancelledError: debug\n\s+at /);
    // The stack trace limit is restored.
    expect(new Error('x').stack?.split('\n').length).toBeGreaterThan(1);
    loop.setDebug(false);
  });

  test('logger writes to the console', () => {
    vi.restoreAllMocks();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    try {
      logger.error('plain');
      expect(error).toHaveBeenLastCalledWith('plain');
      const e = new ValueError('with stack');
      logger.error('msg', e);
      expect(error).toHaveBeenLastCalledWith(`msg\n${e.stack}`);
      const noStack = new ValueError('no stack');
      noStack.stack = undefined;
      logger.error('msg', noStack);
      expect(error).toHaveBeenLastCalledWith('msg\nValueError: no stack');
      logger.error('msg', 'a string');
      expect(error).toHaveBeenLastCalledWith('msg\nThrown value: "a string"');
      logger.error('msg', 42);
      expect(error).toHaveBeenLastCalledWith('msg\nThrown value: 42');
      logger.error('msg', null);
      expect(error).toHaveBeenLastCalledWith('msg\nThrown value: null');
      logger.warning('w');
      expect(warn).toHaveBeenLastCalledWith('w');
      logger.debug('d');
      // Silent by default, like DEBUG records under Python's default WARNING level.
      expect(debug).not.toHaveBeenCalled();
    } finally {
      vi.restoreAllMocks();
    }
  });

  test('debug mode without Error.captureStackTrace (non-V8 hosts)', () => {
    const EC = Error as unknown as { captureStackTrace?: unknown };
    const saved = EC.captureStackTrace;
    vi.spyOn(logger, 'debug').mockImplementation(() => {});
    loop.setDebug(true);
    try {
      EC.captureStackTrace = undefined;
      const h = loop.callSoon(() => {});
      // The frames of @x/loop are dropped: the creation site is this file.
      expect(String(h)).toMatch(/created at .*host-integration\.test\.ts:\d+:\d+>$/);
    } finally {
      EC.captureStackTrace = saved;
      loop.setDebug(false);
    }
  });

  test('the loop runs on a host without setImmediate (browsers)', async () => {
    // The module picks its way to yield to the host when it loads: load a
    // fresh copy of @x/loop while setImmediate is hidden.
    const g = globalThis as { setImmediate?: unknown };
    const saved = g.setImmediate;
    let fresh: typeof import('@x/loop');
    try {
      g.setImmediate = undefined;
      vi.resetModules();
      fresh = await import('@x/loop');
    } finally {
      g.setImmediate = saved;
    }
    const l = fresh.newEventLoop();
    let fired = -1;
    let count = 0;
    const cb = () => {
      count++;
    };
    for (let i = 0; i < 300_000; i++) l.callSoon(cb);
    setTimeout(() => {
      fired = count;
    }, 0);
    l.callSoon(() => l.stop());
    await l.runForever();
    expect(count).toBe(300_000);
    expect(fired).toBeGreaterThan(-1);
    expect(fired).toBeLessThan(300_000);
    l.close();
  });
});
