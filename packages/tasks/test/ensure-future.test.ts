/**
 * ensureFuture(), after CPython 3.14's test_tasks.py (test_ensure_future_*).
 */
import {
  CancelledError,
  type Coroutine,
  Future,
  newEventLoop,
  RuntimeError,
  setEventLoop,
  ValueError,
} from '@x/loop';
import { ensureFuture, sleep, Task } from '@x/tasks';
import { describe, expect, test } from 'vitest';
import { makeLoop } from './task-helpers.js';

// biome-ignore lint/correctness/useYield: returns at once
function* notmuch(): Coroutine<string> {
  return 'ok';
}

describe('EnsureFutureTests', () => {
  test('test_ensure_future_coroutine', async () => {
    const { loop } = makeLoop();
    const t = ensureFuture(notmuch(), { loop });
    expect(t).toBeInstanceOf(Task);
    expect(t._loop).toBe(loop);
    await loop.runUntilComplete(t);
    expect(t.done()).toBe(true);
    expect(t.result()).toBe('ok');

    // No running loop and none set.
    expect(() => ensureFuture(notmuch())).toThrow(RuntimeError);
    expect(() => ensureFuture(notmuch())).toThrow(/no current event loop/);

    // Inside a running loop: that loop. (Returned in an array: a promise
    // would adopt the task, a thenable.)
    // biome-ignore lint/correctness/useYield: does not wait
    function* test2(): Coroutine<Future<string>[]> {
      return [ensureFuture(notmuch())];
    }
    const [t3] = await loop.runUntilComplete(test2());
    expect(t3?._loop).toBe(loop);
    await loop.runUntilComplete(t3 as Future<string>);
    expect(t3?.result()).toBe('ok');

    // The loop set with setEventLoop().
    setEventLoop(loop);
    const t4 = ensureFuture(notmuch());
    expect(t4._loop).toBe(loop);
    expect(await loop.runUntilComplete(t4)).toBe('ok');
  });

  test('test_ensure_future_future', async () => {
    const { loop } = makeLoop();
    const fOrig = loop.createFuture<string>();
    fOrig.setResult('ko');
    const f = ensureFuture(fOrig);
    await loop.runUntilComplete(f);
    expect(f.done()).toBe(true);
    expect(f.result()).toBe('ko');
    expect(f).toBe(fOrig);

    const loop2 = newEventLoop();
    setEventLoop(loop2);
    expect(() => ensureFuture(fOrig, { loop: loop2 })).toThrow(ValueError);
    loop2.close();
    expect(ensureFuture(fOrig, { loop })).toBe(fOrig);
  });

  test('test_ensure_future_task', async () => {
    const { loop } = makeLoop();
    const tOrig = new Task(notmuch(), { loop });
    const t = ensureFuture(tOrig);
    await loop.runUntilComplete(t);
    expect(t.done()).toBe(true);
    expect(t.result()).toBe('ok');
    expect(t).toBe(tOrig);

    const loop2 = newEventLoop();
    setEventLoop(loop2);
    expect(() => ensureFuture(tOrig, { loop: loop2 })).toThrow(ValueError);
    loop2.close();
    expect(ensureFuture(tOrig, { loop })).toBe(tOrig);
  });

  test('test_ensure_future_awaitable', async () => {
    // A promise or any thenable becomes a Future that follows it.
    const { loop } = makeLoop();
    const fut = ensureFuture(Promise.resolve('ok'), { loop });
    expect(fut).toBeInstanceOf(Future);
    expect(fut._loop).toBe(loop);
    await loop.runUntilComplete(fut);
    expect(fut.result()).toBe('ok');

    const thenable: PromiseLike<number> = {
      then(onfulfilled) {
        setTimeout(() => onfulfilled?.(5), 1);
        return this as never;
      },
    };
    function* main(): Coroutine<number> {
      return yield* ensureFuture(thenable);
    }
    expect(await loop.runUntilComplete(main())).toBe(5);
  });

  test('test_ensure_future_awaitable_rejects', async () => {
    const { loop } = makeLoop();
    const boom = new ValueError('boom');
    function* main(): Coroutine<unknown> {
      try {
        yield* ensureFuture(Promise.reject(boom));
      } catch (e) {
        return e;
      }
      return null;
    }
    expect(await loop.runUntilComplete(main())).toBe(boom);

    // A thenable whose then() throws synchronously fails the Future too.
    const broken = {
      then() {
        throw boom;
      },
    };
    const f = ensureFuture(broken as PromiseLike<unknown>, { loop });
    await expect(loop.runUntilComplete(f)).rejects.toBe(boom);
  });

  test('test_ensure_future_promise_cancel', async () => {
    // Cancelling releases the waiters; the promise's own work goes on.
    const { loop, calls } = makeLoop();
    let settled = false;
    const p = new Promise<string>((resolve) =>
      setTimeout(() => {
        settled = true;
        resolve('late');
      }, 5),
    );
    function* main(): Coroutine<string> {
      const fut = ensureFuture(p);
      loop.callSoon(() => fut.cancel('stop waiting'));
      try {
        yield* fut;
      } catch (e) {
        if (e instanceof CancelledError) return (e as Error).message;
        throw e;
      }
      return 'not cancelled';
    }
    expect(await loop.runUntilComplete(main())).toBe('stop waiting');
    expect(await p).toBe('late');
    expect(settled).toBe(true);
    expect(calls).toEqual([]);
  });

  test('test_ensure_future_neither', () => {
    const { loop } = makeLoop();
    expect(() => ensureFuture('ok' as never, { loop })).toThrow(TypeError);
    expect(() => ensureFuture('ok' as never)).toThrow(
      "An asyncio.Future, a coroutine or an awaitable is required, got 'ok'",
    );
    expect(() => ensureFuture(42 as never)).toThrow(/is required, got 42$/);
    expect(() => ensureFuture(null as never)).toThrow(/is required, got null$/);
    // A generator function that was not called.
    expect(() => ensureFuture(notmuch as never)).toThrow(/got \[Function notmuch\]/);
  });

  test('test_ensure_future_error_msg', () => {
    const { loop } = makeLoop();
    const { loop: other } = makeLoop();
    const f = loop.createFuture<void>();
    expect(() => ensureFuture(f, { loop: other })).toThrow(
      'The future belongs to a different loop than the one specified as the loop argument',
    );
  });

  test('test_ensure_future_closed_loop', () => {
    // As CPython, the coroutine is closed when the task cannot be made.
    const { loop } = makeLoop();
    loop.close();
    let started = false;
    function* coro(): Coroutine<void> {
      started = true;
      yield* sleep(0);
    }
    const c = coro();
    expect(() => ensureFuture(c, { loop })).toThrow('Event loop is closed');
    expect(c.next()).toEqual({ value: undefined, done: true });
    expect(started).toBe(false);
    // A promise cannot be followed by a closed loop either.
    expect(() => ensureFuture(Promise.resolve(1), { loop })).toThrow('Event loop is closed');
  });

  test('test_ensure_future_factory_type_error', () => {
    // Only a RuntimeError (closed loop, no loop) closes the coroutine, as in CPython.
    const { loop } = makeLoop();
    loop.setTaskFactory(() => {
      throw new TypeError('bad factory');
    });
    function* coro(): Coroutine<number> {
      yield* sleep(0);
      return 1;
    }
    const c = coro();
    expect(() => ensureFuture(c, { loop })).toThrow('bad factory');
    expect(c.next()).toEqual({ value: undefined, done: false });
  });

  test('test_ensure_future_null_loop_option', async () => {
    const { loop } = makeLoop();
    setEventLoop(loop);
    const f = loop.createFuture<void>();
    expect(ensureFuture(f, { loop: null as never })).toBe(f);
    const t = ensureFuture(notmuch(), { loop: null as never });
    expect(t._loop).toBe(loop);
    expect(await loop.runUntilComplete(t)).toBe('ok');
  });
});
