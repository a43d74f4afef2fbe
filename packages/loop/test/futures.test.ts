/**
 * Port of CPython's Lib/test/test_asyncio/test_futures.py (BaseFutureTests,
 * BaseFutureDoneCallbackTests, BaseFutureInheritanceTests) for @x/loop.
 *
 * Not ported, and why:
 * - test_generic_alias, test_uninitialized, test_inherit_without_calling_super_init,
 *   test_future_del_segfault, test_future_del_collect, test_log_traceback:
 *   CPython object-model details (GenericAlias, `__new__` without `__init__`,
 *   `del` of C slots, `__del__`) that have no JavaScript counterpart: a subclass
 *   constructor must call `super()`.
 * - test_wrap_future*: concurrent.futures does not exist; the promise analogue
 *   (`runUntilComplete(promise)`, `wrapPromise`) is tested below instead.
 * - test_copy_state, test_set_result_unless_cancelled: helpers of asyncio.futures
 *   that @x/loop does not export (they belong to @x/tasks).
 * - test_remove_done_callbacks_list_mutation/_clear, test_schedule_callbacks_list_mutation_2:
 *   rely on an `__eq__` that mutates the list while it is searched; JavaScript
 *   compares callbacks by identity, so there is no user code to run during the search.
 */
import {
  CancelledError,
  EventLoop,
  Future,
  InvalidStateError,
  isFuture,
  KeyboardInterrupt,
  logger,
  newEventLoop,
  RuntimeError,
  setEventLoop,
  ValueError,
} from '@x/loop';
import { wrapPromise } from '@x/loop/internal';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { assertNoRunningLoop, collectGarbage, loopWithHandler, runBriefly } from './utils.js';

function fakefunc(_f: unknown): void {}
function first_cb(_f: unknown): void {}
function last_cb(_f: unknown): void {}

describe('BaseFutureTests', () => {
  let loop: EventLoop;
  beforeEach(() => {
    loop = newEventLoop();
    vi.spyOn(logger, 'debug').mockImplementation(() => {});
  });
  afterEach(() => {
    assertNoRunningLoop();
    loop.close();
    setEventLoop(null);
    vi.restoreAllMocks();
  });

  test('test_isfuture', () => {
    class MyFuture {
      _asyncio_future_blocking = false;
    }
    expect(isFuture(MyFuture)).toBe(false);
    // CPython duck-types on `_asyncio_future_blocking`; @x/loop uses instanceof.
    expect(isFuture(new MyFuture())).toBe(false);
    expect(isFuture(1)).toBe(false);
    expect(isFuture(null)).toBe(false);
    const f = new Future({ loop });
    expect(isFuture(f)).toBe(true);
    expect(isFuture(Future)).toBe(false);
    class SubFuture<T> extends Future<T> {}
    expect(isFuture(new SubFuture({ loop }))).toBe(true);
    f.cancel();
  });

  test('test_initial_state', () => {
    const f = new Future({ loop });
    expect(f.cancelled()).toBe(false);
    expect(f.done()).toBe(false);
    f.cancel();
    expect(f.cancelled()).toBe(true);
  });

  test('test_constructor_without_loop', () => {
    setEventLoop(null);
    expect(() => new Future()).toThrow(RuntimeError);
    expect(() => new Future()).toThrow(/no current event loop/);
  });

  test('test_constructor_use_running_loop', async () => {
    let f: Future | null = null;
    loop.callSoon(() => {
      f = new Future();
      loop.stop();
    });
    await loop.runForever();
    expect(f).not.toBeNull();
    expect((f as unknown as Future).getLoop()).toBe(loop);
  });

  test('test_constructor_use_global_loop', () => {
    setEventLoop(loop);
    const f = new Future();
    expect(f.getLoop()).toBe(loop);
  });

  test('test_constructor_positional', () => {
    // Future takes an options object only: a positional loop is a TypeError.
    expect(() => new Future(42 as never)).toThrow(TypeError);
    expect(() => new Future(loop as never)).toThrow(TypeError);
  });

  test('test_future_cancel_message_getter', async () => {
    const f = new Future({ loop });
    f.cancel('my message');
    const err = await loop.runUntilComplete(f).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as CancelledError).message).toBe('my message');
    // Each result() call makes a CancelledError with the same message.
    expect(() => f.result()).toThrow('my message');
    expect(() => f.exception()).toThrow('my message');
  });

  test('test_make_cancelled_error', () => {
    // Mirrors _make_cancelled_error(): the CancelledError a task stored when it
    // was cancelled (_cancelledExc) is handed out once, then a fresh one.
    const f = new Future({ loop });
    f.cancel('msg');
    const stored = new CancelledError('stored');
    f._cancelledExc = stored;
    expect(() => f.result()).toThrow(stored);
    let second: unknown = null;
    try {
      f.result();
    } catch (e) {
      second = e;
    }
    expect(second).toBeInstanceOf(CancelledError);
    expect(second).not.toBe(stored);
    expect((second as Error).message).toBe('msg');
  });

  test('test_cancel', () => {
    const f = new Future({ loop });
    expect(f.cancel()).toBe(true);
    expect(f.cancelled()).toBe(true);
    expect(f.done()).toBe(true);
    expect(() => f.result()).toThrow(CancelledError);
    expect(() => f.exception()).toThrow(CancelledError);
    expect(() => f.setResult(undefined)).toThrow(InvalidStateError);
    expect(() => f.setException(new Error())).toThrow(InvalidStateError);
    expect(f.cancel()).toBe(false);
  });

  test('test_result', () => {
    const f = new Future<number>({ loop });
    expect(() => f.result()).toThrow(InvalidStateError);
    expect(() => f.result()).toThrow('Result is not set.');
    f.setResult(42);
    expect(f.cancelled()).toBe(false);
    expect(f.done()).toBe(true);
    expect(f.result()).toBe(42);
    expect(f.exception()).toBeNull();
    expect(() => f.setResult(0)).toThrow(InvalidStateError);
    expect(() => f.setException(new Error())).toThrow(InvalidStateError);
    expect(f.cancel()).toBe(false);
  });

  test('test_exception', () => {
    const exc = new RuntimeError();
    const f = new Future({ loop });
    expect(() => f.exception()).toThrow(InvalidStateError);
    expect(() => f.exception()).toThrow('Exception is not set.');
    f.setException(exc);
    expect(f.cancelled()).toBe(false);
    expect(f.done()).toBe(true);
    expect(() => f.result()).toThrow(exc);
    expect(f.exception()).toBe(exc);
    expect(() => f.setResult(undefined)).toThrow(InvalidStateError);
    expect(() => f.setException(new Error())).toThrow(InvalidStateError);
    expect(f.cancel()).toBe(false);
  });

  test('test_exception_class', () => {
    // CPython instantiates an exception class passed to set_exception();
    // @x/loop refuses it: a JavaScript class is just a function.
    const f = new Future({ loop });
    expect(() => f.setException(RuntimeError)).toThrow(TypeError);
    expect(() => f.setException(RuntimeError)).toThrow(/new RuntimeError/);
    expect(() => f.setException(() => 0)).toThrow(/new Error/);
    expect(f.done()).toBe(false);
  });

  test('test_exception_none', () => {
    // No Python counterpart: undefined and null are not errors.
    const f = new Future({ loop });
    expect(() => f.setException(undefined)).toThrow(TypeError);
    expect(() => f.setException(null)).toThrow(TypeError);
    expect(f.done()).toBe(false);
    // Any other thrown value is fine, as `throw 'x'` is legal JavaScript.
    f.setException('oops');
    expect(f.exception()).toBe('oops');
    expect(() => f.result()).toThrow('oops');
  });

  test('test_yield_from_twice', () => {
    const f = new Future<number>({ loop });
    function* fixture(): Generator<unknown, void, unknown> {
      yield 'A';
      const x = yield* f;
      yield ['B', x];
      const y = yield* f;
      yield ['C', y];
    }
    const g = fixture();
    expect(g.next().value).toBe('A');
    expect(g.next().value).toBe(f); // First yield* f.
    f.setResult(42);
    expect(g.next().value).toEqual(['B', 42]);
    // The second `yield* f` does not yield f.
    expect(g.next().value).toEqual(['C', 42]);
  });

  test('test_future_repr', () => {
    loop.setDebug(true);
    const f_pending_debug = new Future({ loop });
    expect(String(f_pending_debug)).toMatch(
      /^<Future pending created at .*futures\.test\.ts:\d+:\d+>$/,
    );
    f_pending_debug.cancel();

    loop.setDebug(false);
    const f_pending = new Future({ loop });
    expect(String(f_pending)).toBe('<Future pending>');
    f_pending.cancel();

    const f_cancelled = new Future({ loop });
    f_cancelled.cancel();
    expect(String(f_cancelled)).toBe('<Future cancelled>');

    const f_result = new Future<number>({ loop });
    f_result.setResult(4);
    expect(String(f_result)).toBe('<Future finished result=4>');
    expect(f_result.result()).toBe(4);

    const exc = new RuntimeError();
    const f_exception = new Future({ loop });
    f_exception.setException(exc);
    expect(String(f_exception)).toBe("<Future finished exception=RuntimeError('')>");
    expect(f_exception.exception()).toBe(exc);

    const f_one_callbacks = new Future({ loop });
    f_one_callbacks.addDoneCallback(fakefunc);
    expect(String(f_one_callbacks)).toBe('<Future pending cb=[fakefunc()]>');
    f_one_callbacks.cancel();
    expect(String(f_one_callbacks)).toBe('<Future cancelled>');

    const f_two_callbacks = new Future({ loop });
    f_two_callbacks.addDoneCallback(first_cb);
    f_two_callbacks.addDoneCallback(last_cb);
    expect(String(f_two_callbacks)).toBe('<Future pending cb=[first_cb(), last_cb()]>');

    const f_many_callbacks = new Future({ loop });
    f_many_callbacks.addDoneCallback(first_cb);
    for (let i = 0; i < 8; i++) f_many_callbacks.addDoneCallback(fakefunc);
    f_many_callbacks.addDoneCallback(last_cb);
    expect(String(f_many_callbacks)).toBe('<Future pending cb=[first_cb(), <8 more>, last_cb()]>');
    f_many_callbacks.cancel();
    expect(String(f_many_callbacks)).toBe('<Future cancelled>');

    // Subclasses show their own name, and node's inspect uses the repr.
    class MyFut<T> extends Future<T> {}
    const sub = new MyFut<string>({ loop });
    sub.setResult('x'.repeat(100));
    expect(String(sub)).toMatch(/^<MyFut finished result='x+\.\.\.>$/);
    const inspect = (sub as unknown as Record<symbol, () => string>)[
      Symbol.for('nodejs.util.inspect.custom')
    ];
    expect(inspect?.call(sub)).toBe(String(sub));
    f_two_callbacks.cancel();
  });

  test('test_iter', () => {
    const fut = new Future({ loop });
    function* coro(): Generator<unknown, void, unknown> {
      yield* fut;
    }
    // Python's `arg1, arg2 = coro()` iterates the coroutine twice by hand.
    expect(() => {
      const [_a, _b] = coro();
    }).toThrow("await wasn't used with future");
    expect(() => {
      const [_a, _b] = coro();
    }).toThrow(RuntimeError);
    fut.cancel();
  });

  test('test_tb_logger_abandoned', async () => {
    const { loop: l, calls } = loopWithHandler();
    let ref: WeakRef<object> | undefined;
    (() => {
      const fut = new Future({ loop: l });
      ref = new WeakRef(fut);
    })();
    await collectGarbage();
    expect(ref).toBeInstanceOf(WeakRef);
    expect(ref?.deref()).toBeUndefined();
    expect(calls).toEqual([]);
    l.close();
  });

  /** Makes a future with `setup`, drops it, collects it: returns the handler calls. */
  async function collectFuture(setup: (f: Future<number>) => void, debug = false) {
    const { loop: l, calls } = loopWithHandler({ debug });
    let ref: WeakRef<object> | undefined;
    (() => {
      const fut = new Future<number>({ loop: l });
      setup(fut);
      ref = new WeakRef(fut);
    })();
    // Run the callbacks (none here) as run_briefly does, then collect.
    await runBriefly(l);
    await collectGarbage();
    expect(ref).toBeInstanceOf(WeakRef);
    expect(ref?.deref()).toBeUndefined();
    l.close();
    return calls;
  }

  test('test_tb_logger_not_called_after_cancel', async () => {
    const calls = await collectFuture((f) => {
      // CPython allows set_exception then cancel (cancel returns False but
      // clears the log flag); so does @x/loop.
      f.setException(new Error('boom'));
      expect(f.cancel()).toBe(false);
    });
    expect(calls).toEqual([]);
  });

  test('test_tb_logger_result_unretrieved', async () => {
    expect(await collectFuture((f) => f.setResult(42))).toEqual([]);
  });

  test('test_tb_logger_result_retrieved', async () => {
    expect(
      await collectFuture((f) => {
        f.setResult(42);
        f.result();
      }),
    ).toEqual([]);
  });

  test('test_tb_logger_exception_unretrieved', async () => {
    const calls = await collectFuture((f) => f.setException(new RuntimeError('boom')));
    expect(calls).toHaveLength(1);
    expect(calls[0]?.message).toBe('Future exception was never retrieved');
    expect(calls[0]?.exception).toBeInstanceOf(RuntimeError);
  });

  test('test_tb_logger_exception_retrieved', async () => {
    expect(
      await collectFuture((f) => {
        f.setException(new RuntimeError('boom'));
        f.exception();
      }),
    ).toEqual([]);
  });

  test('test_tb_logger_exception_result_retrieved', async () => {
    expect(
      await collectFuture((f) => {
        f.setException(new RuntimeError('boom'));
        expect(() => f.result()).toThrow('boom');
      }),
    ).toEqual([]);
  });

  test('test_wakers', async () => {
    // What @x/tasks registers instead of a callback: an object whose _run(fut)
    // the loop queues, shown in the repr as CPython shows a task's wakeup.
    class Waker {
      seen: unknown[] = [];
      _run(arg: unknown) {
        this.seen.push(arg);
      }
    }
    const pending = new Future({ loop });
    const w1 = new Waker();
    pending._addWaker(w1);
    expect(String(pending)).toBe('<Future pending cb=[Waker._wakeup()]>');
    pending.setResult(1);
    const done = new Future({ loop });
    done.setResult(2);
    const w2 = new Waker();
    done._addWaker(w2);
    await runBriefly(loop);
    expect(w1.seen).toEqual([pending]);
    expect(w2.seen).toEqual([done]);
  });

  test('test_done_callback_source_traceback', async () => {
    // In debug mode, an error in a done callback is reported with where the
    // future was created.
    const { loop: l, calls } = loopWithHandler({ debug: true });
    vi.spyOn(logger, 'debug').mockImplementation(() => {});
    const fut = new Future({ loop: l });
    fut.addDoneCallback(function failing() {
      throw new ValueError('in done callback');
    });
    fut.setResult(undefined);
    await runBriefly(l);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.message).toMatch(
      /^Exception in callback failing\(<Future finished result=undefined cre\.\.\.\)$/,
    );
    expect(calls[0]?.source_traceback).toMatch(/futures\.test\.ts/);
    l.close();
  });

  test('test_future_source_traceback', () => {
    loop.setDebug(true);
    const future = new Future({ loop });
    // The creation site is this test file, not a frame of @x/loop.
    expect(String(future)).toMatch(/created at .*futures\.test\.ts:\d+:\d+>$/);
    future.cancel();
  });

  async function check_future_exception_never_retrieved(debug: boolean) {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => {});
    const l = new EventLoop({ debug });
    const exc = new RangeError('memory error');
    (() => {
      const future = new Future({ loop: l });
      future.setException(exc);
    })();
    await runBriefly(l);
    await collectGarbage();
    l.close();
    expect(error).toHaveBeenCalledTimes(1);
    const [message, exception] = error.mock.calls[0] as [string, unknown];
    expect(message).toMatch(/^Future exception was never retrieved\n/);
    expect(message).toMatch(
      /future_repr: <Future finished exception=RangeError\('memory error'\)>/,
    );
    if (debug)
      expect(message).toMatch(
        /source_traceback: Object created at \(most recent call last\):\n.*futures\.test\.ts/,
      );
    else expect(message).not.toMatch(/source_traceback/);
    expect(exception).toBe(exc);
  }

  test('test_future_exception_never_retrieved', async () => {
    await check_future_exception_never_retrieved(false);
  });

  test('test_future_exception_never_retrieved_debug', async () => {
    await check_future_exception_never_retrieved(true);
  });

  test('test_future_stop_iteration_args', () => {
    const fut = new Future<[number, number]>({ loop });
    fut.setResult([1, 2]);
    const fi = fut[Symbol.iterator]();
    const r = fi.next();
    expect(r.done).toBe(true);
    expect(r.value).toEqual([1, 2]);
  });

  test('test_future_iter_throw', () => {
    const fut = new Future({ loop });
    const fi = fut[Symbol.iterator]();
    const err = new ValueError('elephant');
    expect(() => fi.throw(err)).toThrow(err);
    // Once thrown into, the iterator is finished: return() gives the value back.
    expect(fi.return(7 as never)).toEqual({ value: 7, done: true });
    expect(Object.prototype.toString.call(fi)).toBe('[object FutureIter]');
    expect(fi[Symbol.iterator]()).toBe(fi);
    if (typeof Symbol.dispose === 'symbol') {
      const fi2 = fut[Symbol.iterator]() as unknown as {
        [Symbol.dispose](): void;
        next(): IteratorResult<unknown>;
      };
      expect(fi2.next().value).toBe(fut);
      fi2[Symbol.dispose]();
      // Disposed: resuming it no longer complains that the future is pending.
      fut.setResult(3);
      expect(fi2.next()).toEqual({ value: 3, done: true });
    }
    if (!fut.done()) fut.cancel();
  });

  test('test_future_iter_done', () => {
    // `yield* fut` on a done future does not suspend.
    const fut = new Future<string>({ loop });
    fut.setResult('ok');
    function* coro(): Generator<unknown, string, unknown> {
      return yield* fut;
    }
    expect(coro().next()).toEqual({ value: 'ok', done: true });
    const failed = new Future({ loop });
    failed.setException(new ValueError('bad'));
    function* coro2(): Generator<unknown, unknown, unknown> {
      return yield* failed;
    }
    expect(() => coro2().next()).toThrow('bad');
  });

  test('test_await_future', async () => {
    // `await fut` in a plain async function (Futures are thenables).
    const fut = loop.createFuture<number>();
    loop.callSoon(() => fut.setResult(5));
    const waiter = (async () => (await fut) * 2)();
    await loop.runUntilComplete(fut);
    expect(await waiter).toBe(10);
    // Already done: then() settles in a microtask.
    expect(await fut).toBe(5);
    expect(await fut.then((v) => v + 1)).toBe(6);
    expect(await fut.then(null, () => 0)).toBe(5);
    const bad = loop.createFuture<number>();
    bad.setException(new ValueError('nope'));
    await expect(bad).rejects.toThrow('nope');
    expect(await bad.then(null, (e) => (e as Error).message)).toBe('nope');
    expect(await bad.then(undefined, undefined).catch((e: Error) => e.message)).toBe('nope');
    // Handlers that throw reject the derived promise.
    await expect(
      fut.then(() => {
        throw new ValueError('in onfulfilled');
      }),
    ).rejects.toThrow('in onfulfilled');
    await expect(
      bad.then(null, () => {
        throw new ValueError('in onrejected');
      }),
    ).rejects.toThrow('in onrejected');
    const cancelled = loop.createFuture();
    cancelled.cancel('stop');
    await expect(cancelled).rejects.toBeInstanceOf(CancelledError);
  });

  test('test_run_until_complete_promise', async () => {
    // CPython: run_until_complete(awaitable) wraps it in a Task; here a
    // promise is followed by a Future.
    expect(await loop.runUntilComplete(Promise.resolve(3))).toBe(3);
    await expect(loop.runUntilComplete(Promise.reject(new ValueError('x')))).rejects.toThrow('x');
    const thenable: PromiseLike<number> = {
      then(ok) {
        setTimeout(() => ok?.(9), 1);
        return this as never;
      },
    };
    expect(await loop.runUntilComplete(thenable)).toBe(9);
    // A thenable whose then() throws.
    const broken: PromiseLike<number> = {
      then() {
        throw new ValueError('broken then');
      },
    };
    await expect(loop.runUntilComplete(broken)).rejects.toThrow('broken then');
    // A promise rejected with a value a Future cannot hold (undefined, null,
    // a function) rejects with a RuntimeError whose cause is that value.
    await expect(loop.runUntilComplete(Promise.reject(undefined))).rejects.toThrow(RuntimeError);
    class Thrown {}
    const err = await loop.runUntilComplete(Promise.reject(Thrown)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).cause).toBe(Thrown);
  });

  test('test_wrap_future_cancel2', async () => {
    // Promise analogue of test_wrap_future_cancel2: the promise settles after the
    // Future was cancelled; the Future stays cancelled.
    let resolve!: (v: number) => void;
    const p = new Promise<number>((r) => {
      resolve = r;
    });
    const f2 = wrapPromise(p, loop);
    f2.cancel();
    resolve(42);
    await p;
    await runBriefly(loop);
    expect(f2.cancelled()).toBe(true);
    expect(await p).toBe(42);
  });

  test('test_wrap_future_closed_loop', async () => {
    // The promise settles after the loop was closed: nothing happens.
    let resolve!: (v: number) => void;
    const p = new Promise<number>((r) => {
      resolve = r;
    });
    const f = wrapPromise(p, loop);
    loop.close();
    resolve(1);
    await p;
    expect(f.done()).toBe(false);
  });

  test('test_future_runs_interrupt', async () => {
    // Python issue #22429 with a plain future: when the awaited future gets a
    // KeyboardInterrupt from a callback that also raises it, runUntilComplete
    // rejects with it and does not leave a pending stop().
    const fut = loop.createFuture();
    const ki = new KeyboardInterrupt();
    loop.callSoon(() => {
      fut.setException(ki);
      throw ki;
    });
    await expect(loop.runUntilComplete(fut)).rejects.toBe(ki);
    let called = false;
    loop.callSoon(() => {
      loop.stop();
      called = true;
    });
    await loop.runForever();
    expect(called).toBe(true);
    expect(fut.exception()).toBe(ki);
  });
});

describe('BaseFutureDoneCallbackTests', () => {
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

  const makeCallback = (bag: unknown[], thing: unknown) =>
    function bag_appender(_f: unknown) {
      bag.push(thing);
    };

  test('test_callbacks_remove_first_callback', async () => {
    const bag: number[] = [];
    const f = loop.createFuture<string>();
    const cb1 = makeCallback(bag, 42);
    const cb2 = makeCallback(bag, 17);
    const cb3 = makeCallback(bag, 100);
    f.addDoneCallback(cb1);
    f.addDoneCallback(cb2);
    f.addDoneCallback(cb3);
    expect(f.removeDoneCallback(cb1)).toBe(1);
    expect(f.removeDoneCallback(cb1)).toBe(0);
    expect(bag).toEqual([]);
    f.setResult('foo');
    await runBriefly(loop);
    expect(bag).toEqual([17, 100]);
    expect(f.result()).toBe('foo');
  });

  test('test_callbacks_remove_first_and_second_callback', async () => {
    const bag: number[] = [];
    const f = loop.createFuture<string>();
    const cb1 = makeCallback(bag, 42);
    const cb2 = makeCallback(bag, 17);
    const cb3 = makeCallback(bag, 100);
    f.addDoneCallback(cb1);
    f.addDoneCallback(cb2);
    f.addDoneCallback(cb3);
    f.removeDoneCallback(cb1);
    f.removeDoneCallback(cb2);
    f.removeDoneCallback(cb1);
    expect(bag).toEqual([]);
    f.setResult('foo');
    await runBriefly(loop);
    expect(bag).toEqual([100]);
    expect(f.result()).toBe('foo');
  });

  test('test_callbacks_remove_third_callback', async () => {
    const bag: number[] = [];
    const f = loop.createFuture<string>();
    const cb1 = makeCallback(bag, 42);
    const cb2 = makeCallback(bag, 17);
    const cb3 = makeCallback(bag, 100);
    f.addDoneCallback(cb1);
    f.addDoneCallback(cb2);
    f.addDoneCallback(cb3);
    f.removeDoneCallback(cb3);
    f.removeDoneCallback(cb3);
    expect(bag).toEqual([]);
    f.setResult('foo');
    await runBriefly(loop);
    expect(bag).toEqual([42, 17]);
    expect(f.result()).toBe('foo');
  });

  test('test_callbacks_invoked_on_set_result', async () => {
    const bag: number[] = [];
    const f = loop.createFuture<string>();
    f.addDoneCallback(makeCallback(bag, 42));
    f.addDoneCallback(makeCallback(bag, 17));
    expect(bag).toEqual([]);
    f.setResult('foo');
    // Never synchronously.
    expect(bag).toEqual([]);
    await runBriefly(loop);
    expect(bag).toEqual([42, 17]);
    expect(f.result()).toBe('foo');
  });

  test('test_callbacks_invoked_on_set_exception', async () => {
    const bag: number[] = [];
    const f = loop.createFuture();
    f.addDoneCallback(makeCallback(bag, 100));
    expect(bag).toEqual([]);
    const exc = new RuntimeError();
    f.setException(exc);
    await runBriefly(loop);
    expect(bag).toEqual([100]);
    expect(f.exception()).toBe(exc);
  });

  test('test_callbacks_invoked_on_cancel', async () => {
    const seen: Future[] = [];
    const f = loop.createFuture();
    f.addDoneCallback((x) => seen.push(x));
    f.cancel();
    await runBriefly(loop);
    // toBe, not toEqual: a Future is iterable (`yield* fut`), and toEqual would iterate it.
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(f);
  });

  test('test_callback_added_after_done', async () => {
    // add_done_callback on a done future schedules the callback with call_soon.
    const bag: number[] = [];
    const f = loop.createFuture<string>();
    f.setResult('x');
    f.addDoneCallback(makeCallback(bag, 1));
    expect(bag).toEqual([]);
    await runBriefly(loop);
    expect(bag).toEqual([1]);
  });

  test('test_add_done_callback_invalid', () => {
    const f = loop.createFuture();
    expect(() => f.addDoneCallback(42 as never)).toThrow(TypeError);
    expect(() => f.addDoneCallback(() => {}, { context: {} as never })).toThrow(
      /context must be a Context/,
    );
  });

  test('test_remove_done_callback', async () => {
    const bag: number[] = [];
    const f = loop.createFuture<string>();
    const cb1 = makeCallback(bag, 1);
    const cb2 = makeCallback(bag, 2);
    const cb3 = makeCallback(bag, 3);
    // Add one cb1 and one cb2.
    f.addDoneCallback(cb1);
    f.addDoneCallback(cb2);
    // One instance of cb2 removed. Now there's only one cb1.
    expect(f.removeDoneCallback(cb2)).toBe(1);
    // Never had any cb3 in there.
    expect(f.removeDoneCallback(cb3)).toBe(0);
    // After this there will be 6 instances of cb1 and one of cb2.
    f.addDoneCallback(cb2);
    for (let i = 0; i < 5; i++) f.addDoneCallback(cb1);
    // Remove all instances of cb1. One cb2 remains.
    expect(f.removeDoneCallback(cb1)).toBe(6);
    expect(bag).toEqual([]);
    f.setResult('foo');
    await runBriefly(loop);
    expect(bag).toEqual([2]);
    expect(f.result()).toBe('foo');
  });

  test('test_remove_done_callback_keeps_order', async () => {
    // Removing the first of many keeps the others in insertion order.
    const bag: number[] = [];
    const f = loop.createFuture();
    const cbs = [1, 2, 3, 4].map((i) => makeCallback(bag, i));
    for (const cb of cbs) f.addDoneCallback(cb);
    f.removeDoneCallback(cbs[0] as never);
    f.removeDoneCallback(cbs[2] as never);
    f.setResult(undefined);
    await runBriefly(loop);
    expect(bag).toEqual([2, 4]);
  });

  test('test_schedule_callbacks_list_mutation_1', async () => {
    // see http://bugs.python.org/issue28963 for details
    const calls: string[] = [];
    function str(_f: unknown) {
      calls.push('str');
    }
    const fut = loop.createFuture<number>();
    fut.addDoneCallback((f) => {
      calls.push('mut');
      expect(f.removeDoneCallback(str)).toBe(0);
    });
    fut.addDoneCallback(str);
    fut.addDoneCallback(str);
    fut.setResult(1);
    await runBriefly(loop);
    // The callbacks were all scheduled before mut ran.
    expect(calls).toEqual(['mut', 'str', 'str']);
  });

  test('test_schedule_callbacks_closed_loop', () => {
    // Scheduling callbacks goes through call_soon, which refuses a closed loop.
    const f = loop.createFuture();
    f.addDoneCallback(() => {});
    loop.close();
    expect(() => f.setResult(1)).toThrow('Event loop is closed');
    // Without callbacks nothing is scheduled.
    const g = new Future({ loop });
    g.setResult(1);
    expect(g.result()).toBe(1);
  });
});
