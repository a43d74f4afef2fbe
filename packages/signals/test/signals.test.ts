// Real signals sent to this test process (process.kill(process.pid, ...)): every test
// installs a listener before it signals, so a default action never ends the worker.
// Ported where they apply from CPython's test_unix_events.SelectorEventLoopSignalTests.
import {
  BaseException,
  CancelledError,
  ContextVar,
  type Coroutine,
  type EventLoop,
  type ExceptionContext,
  Future,
  getRunningLoop,
  newEventLoop,
  RuntimeError,
  setEventLoop,
  ValueError,
} from '@x/loop';
import { addSignalHandler, removeSignalHandler, SignalExit, waitForSignal } from '@x/signals';
import { addSignalListener, signalHandlerCallback } from '@x/signals/internal';
import { createTask, sleep } from '@x/tasks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';

const SIGS = ['SIGUSR2', 'SIGHUP', 'SIGWINCH', 'SIGINT', 'SIGTERM'] as const;
let loop: EventLoop;
let before: Record<string, number>;

function counts(): Record<string, number> {
  return Object.fromEntries(SIGS.map((s) => [s, process.listenerCount(s)]));
}

/** Waits (on the loop) until `cond()` holds, giving the host turns in which signals arrive. */
function* until(cond: () => boolean, what: string): Coroutine<void> {
  const deadline = getRunningLoop().time() + 2;
  while (!cond()) {
    if (getRunningLoop().time() > deadline) throw new Error(`timed out waiting for ${what}`);
    yield* sleep(0.002);
  }
}

beforeEach(() => {
  before = counts();
  loop = newEventLoop();
});

afterEach(() => {
  loop.close();
  setEventLoop(null);
  // Listener hygiene: whatever a test did, closing its loop leaves the process as it was.
  expect(counts()).toEqual(before);
});

describe('SelectorEventLoopSignalTests', () => {
  test('test_check_signal', () => {
    const cb = (): void => {};
    expect(() => addSignalHandler(loop, 'SIGFOO' as NodeJS.Signals, cb)).toThrow(ValueError);
    expect(() => addSignalHandler(loop, 'SIGFOO' as NodeJS.Signals, cb)).toThrow(
      "Invalid signal: 'SIGFOO'",
    );
    expect(() => addSignalHandler(loop, 'sigint' as NodeJS.Signals, cb)).toThrow(
      "did you mean 'SIGINT'?",
    );
    expect(() => addSignalHandler(loop, 'INT' as NodeJS.Signals, cb)).toThrow(
      "did you mean 'SIGINT'?",
    );
    expect(() => addSignalHandler(loop, 2 as unknown as NodeJS.Signals, cb)).toThrow(TypeError);
    expect(() => addSignalHandler(loop, 2 as unknown as NodeJS.Signals, cb)).toThrow(
      "pass 'SIGINT'",
    );
    expect(() => addSignalHandler(loop, null as unknown as NodeJS.Signals, cb)).toThrow(
      "sig must be a signal name such as 'SIGINT', not null",
    );
    expect(() => removeSignalHandler(loop, 'SIGFOO' as NodeJS.Signals)).toThrow(ValueError);
    expect(() => removeSignalHandler(loop, 15 as unknown as NodeJS.Signals)).toThrow(TypeError);
    expect(counts()).toEqual(before);
  });

  test('test_add_signal_handler_coroutine_error', () => {
    function* coro(): Coroutine<void> {}
    expect(() => addSignalHandler(loop, 'SIGUSR2', coro as never)).toThrow(
      /^coroutines cannot be used with addSignalHandler\(\)/,
    );
    expect(() => addSignalHandler(loop, 'SIGUSR2', coro() as never)).toThrow(TypeError);
    expect(() => addSignalHandler(loop, 'SIGUSR2', 42 as never)).toThrow(
      'a callable object was expected by addSignalHandler(), got 42',
    );
    expect(counts()).toEqual(before);
  });

  test('an async function or a method without its object is refused at once', () => {
    async function onTerm(): Promise<void> {}
    expect(() => addSignalHandler(loop, 'SIGUSR2', onTerm as never)).toThrow(
      /^coroutines cannot be used with addSignalHandler\(\): onTerm is an async function/,
    );
    // Python passes `stop.set`; here it must be bound, or SIGTERM would only log a TypeError.
    const stop = loop.createFuture<void>();
    expect(() => addSignalHandler(loop, 'SIGUSR2', stop.cancel as never)).toThrow(
      /^Future\.cancel was passed to addSignalHandler\(\) without its Future.*\.bind\(future\)/,
    );
    expect(counts()).toEqual(before);
    addSignalHandler(loop, 'SIGUSR2', stop.cancel.bind(stop));
    expect(removeSignalHandler(loop, 'SIGUSR2')).toBe(true);
  });

  test('test_add_signal_handler_uncatchable', () => {
    // CPython: signal.signal() fails with EINVAL -> RuntimeError('sig 9 cannot be caught').
    expect(() => addSignalHandler(loop, 'SIGKILL', () => {})).toThrow(RuntimeError);
    expect(() => addSignalHandler(loop, 'SIGKILL', () => {})).toThrow(/^sig 9 cannot be caught/);
    expect(() => addSignalHandler(loop, 'SIGSTOP', () => {})).toThrow(/cannot be caught/);
    expect(() => waitForSignal('SIGKILL', { loop })).toThrow(/^sig 9 cannot be caught/);
    // Nothing was added, so nothing to remove.
    expect(removeSignalHandler(loop, 'SIGKILL')).toBe(false);
    expect(counts()).toEqual(before);
  });

  test('test_add_signal_handler_closed_loop', () => {
    const other = newEventLoop();
    other.close();
    expect(() => addSignalHandler(other, 'SIGUSR2', () => {})).toThrow('Event loop is closed');
    expect(() => waitForSignal('SIGUSR2', { loop: other })).toThrow('Event loop is closed');
    expect(() => addSignalHandler({} as EventLoop, 'SIGUSR2', () => {})).toThrow(
      'addSignalHandler() needs an EventLoop',
    );
    expect(counts()).toEqual(before);
  });

  test('test_add_signal_handler', async () => {
    const calls: unknown[][] = [];
    const cb = (...a: unknown[]): void => {
      calls.push(a);
    };
    addSignalHandler(loop, 'SIGUSR2', cb, 'a', 1);
    expect(process.listenerCount('SIGUSR2')).toBe(before.SIGUSR2 + 1);
    expect(signalHandlerCallback(loop, 'SIGUSR2')).toBe(cb);
    await loop.runUntilComplete(
      (function* () {
        process.kill(process.pid, 'SIGUSR2');
        yield* until(() => calls.length === 1, 'the handler');
      })(),
    );
    expect(calls).toEqual([['a', 1]]);
  });

  test('test_handler_runs_as_a_loop_callback', async () => {
    const order: string[] = [];
    addSignalHandler(loop, 'SIGUSR2', () => {
      order.push(`handler running=${getRunningLoop() === loop}`);
    });
    await loop.runUntilComplete(
      (function* () {
        // The listener only schedules: nothing ran when emit() returns.
        process.emit('SIGUSR2', 'SIGUSR2');
        order.push('after emit');
        yield* sleep(0);
        yield* sleep(0);
      })(),
    );
    expect(order).toEqual(['after emit', 'handler running=true']);
  });

  test('test_handler_runs_in_the_context_of_add', async () => {
    const v = new ContextVar<string>('v', { default: 'default' });
    const seen: string[] = [];
    await loop.runUntilComplete(
      (function* () {
        v.set('at add');
        addSignalHandler(loop, 'SIGUSR2', () => {
          seen.push(v.get());
        });
        v.set('later');
        process.kill(process.pid, 'SIGUSR2');
        yield* until(() => seen.length === 1, 'the handler');
      })(),
    );
    expect(seen).toEqual(['at add']);
  });

  test('test_handler_error_goes_to_the_exception_handler', async () => {
    const contexts: ExceptionContext[] = [];
    loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
    const err = new Error('boom');
    addSignalHandler(loop, 'SIGUSR2', function onUsr2() {
      throw err;
    });
    await loop.runUntilComplete(
      (function* () {
        process.kill(process.pid, 'SIGUSR2');
        yield* until(() => contexts.length === 1, 'the report');
      })(),
    );
    expect(contexts[0]?.exception).toBe(err);
    expect(contexts[0]?.message).toMatch(/^Exception in callback onUsr2\(\)/);
  });

  test('test_add_signal_handler_replaces', async () => {
    const calls: string[] = [];
    addSignalHandler(loop, 'SIGUSR2', () => calls.push('first'));
    const second = (): void => {
      calls.push('second');
    };
    addSignalHandler(loop, 'SIGUSR2', second);
    expect(process.listenerCount('SIGUSR2')).toBe(before.SIGUSR2 + 1);
    expect(signalHandlerCallback(loop, 'SIGUSR2')).toBe(second);
    await loop.runUntilComplete(
      (function* () {
        process.kill(process.pid, 'SIGUSR2');
        yield* until(() => calls.length === 1, 'the handler');
        yield* sleep(0.01);
      })(),
    );
    expect(calls).toEqual(['second']);
  });

  test('test_handlers_of_two_loops_are_independent', async () => {
    const other = newEventLoop();
    try {
      const calls: string[] = [];
      addSignalHandler(loop, 'SIGUSR2', () => calls.push('loop'));
      addSignalHandler(other, 'SIGUSR2', () => calls.push('other'));
      expect(process.listenerCount('SIGUSR2')).toBe(before.SIGUSR2 + 2);
      await loop.runUntilComplete(
        (function* () {
          process.kill(process.pid, 'SIGUSR2');
          yield* until(() => calls.length === 1, 'the handler');
        })(),
      );
      // The other loop's callback waits for that loop to run.
      expect(calls).toEqual(['loop']);
      await other.runUntilComplete(sleep(0));
      expect(calls).toEqual(['loop', 'other']);
      expect(removeSignalHandler(other, 'SIGUSR2')).toBe(true);
      expect(process.listenerCount('SIGUSR2')).toBe(before.SIGUSR2 + 1);
    } finally {
      other.close();
    }
  });

  test('test_remove_signal_handler', () => {
    addSignalHandler(loop, 'SIGUSR2', () => {});
    addSignalHandler(loop, 'SIGHUP', () => {});
    expect(removeSignalHandler(loop, 'SIGUSR2')).toBe(true);
    expect(process.listenerCount('SIGUSR2')).toBe(before.SIGUSR2);
    expect(process.listenerCount('SIGHUP')).toBe(before.SIGHUP + 1);
    expect(signalHandlerCallback(loop, 'SIGUSR2')).toBe(null);
    // Removing twice: nothing left.
    expect(removeSignalHandler(loop, 'SIGUSR2')).toBe(false);
    expect(removeSignalHandler(loop, 'SIGTERM')).toBe(false);
    expect(removeSignalHandler(loop, 'SIGHUP')).toBe(true);
    expect(counts()).toEqual(before);
  });

  test('test_remove_signal_handler_gives_the_default_back', async () => {
    // SIGWINCH's default action is to ignore it: after removal a signal reaches nobody.
    const calls: string[] = [];
    addSignalHandler(loop, 'SIGWINCH', () => calls.push('winch'));
    expect(removeSignalHandler(loop, 'SIGWINCH')).toBe(true);
    await loop.runUntilComplete(
      (function* () {
        process.kill(process.pid, 'SIGWINCH');
        yield* sleep(0.05);
      })(),
    );
    expect(calls).toEqual([]);
  });

  test('test_close', () => {
    addSignalHandler(loop, 'SIGUSR2', () => {});
    addSignalHandler(loop, 'SIGHUP', () => {});
    const fut = waitForSignal('SIGWINCH', { loop });
    expect(process.listenerCount('SIGUSR2')).toBe(before.SIGUSR2 + 1);
    expect(process.listenerCount('SIGWINCH')).toBe(before.SIGWINCH + 1);
    loop.close();
    expect(counts()).toEqual(before);
    expect(signalHandlerCallback(loop, 'SIGUSR2')).toBe(null);
    expect(removeSignalHandler(loop, 'SIGHUP')).toBe(false);
    // A waiter of a closed loop stays pending, as every other future of it.
    expect(fut.done()).toBe(false);
  });

  test('test_add_after_remove_and_reuse', async () => {
    const calls: number[] = [];
    for (let i = 0; i < 5; i++) {
      addSignalHandler(loop, 'SIGUSR2', () => calls.push(i));
      expect(removeSignalHandler(loop, 'SIGUSR2')).toBe(true);
    }
    addSignalHandler(loop, 'SIGUSR2', () => calls.push(99));
    await loop.runUntilComplete(
      (function* () {
        process.kill(process.pid, 'SIGUSR2');
        yield* until(() => calls.length === 1, 'the handler');
      })(),
    );
    expect(calls).toEqual([99]);
    // Only one close hook, however many times handlers came and went.
    expect(loop._closeHooks.length).toBe(1);
  });
});

describe('waitForSignal', () => {
  test('resolves with the signal that arrives', async () => {
    const got = await loop.runUntilComplete(
      (function* () {
        const fut = waitForSignal('SIGUSR2');
        expect(fut).toBeInstanceOf(Future);
        expect(fut.getLoop()).toBe(loop);
        expect(process.listenerCount('SIGUSR2')).toBe(before.SIGUSR2 + 1);
        process.kill(process.pid, 'SIGUSR2');
        return yield* fut;
      })(),
    );
    expect(got).toBe('SIGUSR2');
    expect(counts()).toEqual(before);
  });

  test('resolves with the first of several and stops listening to all', async () => {
    const got = await loop.runUntilComplete(
      (function* () {
        const fut = waitForSignal(['SIGUSR2', 'SIGHUP', 'SIGUSR2']);
        expect(process.listenerCount('SIGUSR2')).toBe(before.SIGUSR2 + 1);
        expect(process.listenerCount('SIGHUP')).toBe(before.SIGHUP + 1);
        process.kill(process.pid, 'SIGHUP');
        const sig = yield* fut;
        expect(counts()).toEqual(before);
        return sig;
      })(),
    );
    expect(got).toBe('SIGHUP');
  });

  test('works with an explicit loop and with await', async () => {
    const fut = waitForSignal('SIGUSR2', { loop });
    const seen: string[] = [];
    loop.callSoon(() => process.kill(process.pid, 'SIGUSR2'));
    const task = loop.createTask(
      (function* () {
        seen.push(yield* fut);
      })(),
    );
    await loop.runUntilComplete(task);
    expect(seen).toEqual(['SIGUSR2']);
    expect(await fut).toBe('SIGUSR2');
  });

  test('cancelling it removes its listeners', async () => {
    await loop.runUntilComplete(
      (function* () {
        const fut = waitForSignal(['SIGUSR2', 'SIGHUP']);
        const waiter = createTask(
          (function* () {
            return yield* fut;
          })(),
        );
        yield* sleep(0);
        expect(waiter.cancel('stop waiting')).toBe(true);
        let caught: unknown;
        try {
          yield* waiter;
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(CancelledError);
        expect(fut.cancelled()).toBe(true);
        yield* sleep(0);
        expect(counts()).toEqual(before);
      })(),
    );
  });

  test('a cancelled waiter does not take the signal from the handler', async () => {
    const calls: string[] = [];
    addSignalHandler(loop, 'SIGUSR2', () => calls.push('handler'));
    await loop.runUntilComplete(
      (function* () {
        const fut = waitForSignal('SIGUSR2');
        fut.cancel();
        // The done callback that detaches it has not run yet.
        process.emit('SIGUSR2', 'SIGUSR2');
        yield* until(() => calls.length === 1, 'the handler');
      })(),
    );
    expect(calls).toEqual(['handler']);
  });

  test('takes the signal before the handler, which gets the next one', async () => {
    const calls: string[] = [];
    addSignalHandler(loop, 'SIGUSR2', () => calls.push('handler'));
    await loop.runUntilComplete(
      (function* () {
        const a = waitForSignal('SIGUSR2');
        const b = waitForSignal(['SIGUSR2', 'SIGHUP']);
        expect(process.listenerCount('SIGUSR2')).toBe(before.SIGUSR2 + 1);
        process.kill(process.pid, 'SIGUSR2');
        // One signal resolves every waiter that was waiting for it.
        expect(yield* a).toBe('SIGUSR2');
        expect(yield* b).toBe('SIGUSR2');
        expect(calls).toEqual([]);
        expect(process.listenerCount('SIGHUP')).toBe(before.SIGHUP);
        process.kill(process.pid, 'SIGUSR2');
        yield* until(() => calls.length === 1, 'the handler');
      })(),
    );
    expect(calls).toEqual(['handler']);
    expect(process.listenerCount('SIGUSR2')).toBe(before.SIGUSR2 + 1);
  });

  test('the first of two quick signals wins', async () => {
    const got = await loop.runUntilComplete(
      (function* () {
        const fut = waitForSignal(['SIGUSR2', 'SIGHUP']);
        process.emit('SIGHUP', 'SIGHUP');
        process.emit('SIGUSR2', 'SIGUSR2');
        return yield* fut;
      })(),
    );
    expect(got).toBe('SIGHUP');
  });

  test('uses the current loop, and refuses bad input', () => {
    expect(() => waitForSignal('SIGUSR2')).toThrow('There is no current event loop');
    setEventLoop(loop);
    const fut = waitForSignal('SIGUSR2');
    expect(fut.getLoop()).toBe(loop);
    fut.cancel();
    expect(() => waitForSignal([])).toThrow(TypeError);
    expect(() => waitForSignal('SIGNOPE' as NodeJS.Signals)).toThrow("Invalid signal: 'SIGNOPE'");
    expect(() => waitForSignal(['SIGUSR2', 'SIGSTOP'])).toThrow(/^sig \d+ cannot be caught/);
    // Validation happens before anything is installed: only the cancelled future's
    // listener is left, until its done callback runs (here: until the loop closes).
    expect(process.listenerCount('SIGUSR2')).toBe(before.SIGUSR2 + 1);
  });
});

describe('SignalExit', () => {
  test('is a BaseException named after its signal', () => {
    const e = new SignalExit('SIGTERM');
    expect(e).toBeInstanceOf(BaseException);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('SignalExit');
    expect(e.message).toBe('SIGTERM');
    expect(e.signal).toBe('SIGTERM');
    const cause = new CancelledError('SIGTERM');
    expect(new SignalExit('SIGHUP', { cause }).cause).toBe(cause);
  });
});

describe('@x/signals/internal: addSignalListener (what the runner uses)', () => {
  test('runs in the listener itself, replaces and is replaced like a handler', async () => {
    const calls: string[] = [];
    const listener = (): void => {
      calls.push('listener');
    };
    addSignalListener(loop, 'SIGUSR2', listener);
    expect(signalHandlerCallback(loop, 'SIGUSR2')).toBe(listener);
    process.emit('SIGUSR2', 'SIGUSR2');
    // Called at once, not through the loop (which is not even running).
    expect(calls).toEqual(['listener']);
    addSignalHandler(loop, 'SIGUSR2', () => calls.push('handler'));
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(calls).toEqual(['listener']);
    await loop.runUntilComplete(sleep(0));
    expect(calls).toEqual(['listener', 'handler']);
    addSignalListener(loop, 'SIGUSR2', listener);
    expect(removeSignalHandler(loop, 'SIGUSR2')).toBe(true);
    expect(process.listenerCount('SIGUSR2')).toBe(before.SIGUSR2);
    expect(() => addSignalListener(loop, 'SIGSTOP', listener)).toThrow(/cannot be caught/);
  });

  test('an error in it goes to the exception handler', () => {
    const contexts: ExceptionContext[] = [];
    loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
    const err = new Error('boom');
    addSignalListener(loop, 'SIGUSR2', () => {
      throw err;
    });
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(contexts).toEqual([{ message: 'Exception in the SIGUSR2 handler', exception: err }]);
  });
});
