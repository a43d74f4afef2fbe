/** `Condition`, after CPython's `asyncio/locks.py` (3.14). */
import { CancelledError, type Coroutine, type EventLoop, type Future, RuntimeError } from '@x/loop';
import { refuseUnbound, shortRepr, watchCoroutineMethods } from '@x/loop/internal';
import type { AsyncContextManager } from './async-with.js';
import { Lock } from './lock.js';
import { bindLoop } from './loop-bound.js';
import { WaiterQueue } from './waiter-queue.js';

/**
 * The lock a `Condition` can use: a `Lock`, or anything that behaves like one.
 *
 * @example
 * ```ts
 * const lock: LockLike = new Lock();
 * const cond = new Condition(lock);           // asyncio.Condition(lock)
 * ```
 */
export interface LockLike {
  /** Waits until the lock is acquired, as `Lock.acquire()`. */
  acquire(): Coroutine<unknown>;
  /** Releases the lock, as `Lock.release()`. */
  release(): void;
  /** True while the lock is held, as `Lock.locked()`. */
  locked(): boolean;
}

function isLockLike(x: unknown): x is LockLike {
  const l = x as Partial<Record<keyof LockLike, unknown>>;
  return (
    typeof x === 'object' &&
    typeof l.acquire === 'function' &&
    typeof l.release === 'function' &&
    typeof l.locked === 'function'
  );
}

/**
 * Mirrors `asyncio.Condition`: a condition variable. Tasks that hold its
 * lock `wait()` until another task `notify()`s them; a woken task returns
 * from `wait()` only once it holds the lock again.
 *
 * The lock is a new `Lock` unless one is given; `acquire()`, `release()` and
 * `locked()` are the lock's.
 *
 * @example
 * ```ts
 * // Python: async with cond: await cond.wait_for(lambda: ready)
 * yield* withLock(cond, function* () {
 *   yield* cond.waitFor(() => ready);
 * });
 * ```
 */
export class Condition implements AsyncContextManager<void> {
  /** @internal The underlying lock. */
  _lock: LockLike;
  /** @internal Futures of the tasks waiting in `wait()`, oldest first. */
  _waiters: WaiterQueue<Future<boolean>> = new WaiterQueue();
  /** @internal The loop this condition is bound to (see `bindLoop`). */
  _loop: EventLoop | null = null;

  constructor(lock?: LockLike | null) {
    if (lock === undefined || lock === null) {
      lock = new Lock();
    } else if (!isLockLike(lock)) {
      throw new TypeError(
        `Condition() takes an optional Lock (or an object with acquire(), release() and locked()), got ${shortRepr(lock)}`,
      );
    }
    this._lock = lock;
  }

  /** Mirrors `Condition.locked()`: the lock's `locked()`. */
  locked(): boolean {
    return this._lock.locked();
  }

  /** Mirrors `Condition.acquire()`: the lock's `acquire()`. */
  acquire(): Coroutine<true> {
    return this._lock.acquire() as Coroutine<true>;
  }

  /** Mirrors `Condition.release()`: the lock's `release()`. */
  release(): void {
    this._lock.release();
  }

  /**
   * Mirrors `Condition.wait()`: releases the lock, waits until notified,
   * takes the lock again and returns true. The lock is held again when
   * `wait()` ends, even by a cancellation (which is rethrown once the lock is
   * back). A task cancelled after `notify()` chose it passes the
   * notification on to another waiter, so a wake-up is never lost; that
   * other waiter may find nothing to do (a "spurious wakeup", which the
   * condition variable protocol allows: check the state again, or use
   * `waitFor`). Calling it without holding the lock is a `RuntimeError`.
   */
  *wait(): Coroutine<true> {
    if (!this.locked()) throw new RuntimeError('cannot wait on un-acquired lock');
    // Before release(): a condition bound to another loop leaves the lock held.
    const fut = bindLoop(this).createFuture<boolean>();
    this.release();
    let ok = false;
    try {
      try {
        yield* this._waiters.park(fut);
      } finally {
        // The lock must be taken again even if the wait was cancelled. Only
        // a CancelledError is retried: any other error with the lock's
        // future must not make this spin.
        let err: CancelledError | null = null;
        for (;;) {
          try {
            yield* this.acquire();
            break;
          } catch (e) {
            // biome-ignore lint/correctness/noUnsafeFinally: replacing the error, as CPython's finally does.
            if (!(e instanceof CancelledError)) throw e;
            err = e;
          }
        }
        // The most recent cancellation, as the very instance that was thrown.
        // biome-ignore lint/correctness/noUnsafeFinally: replacing the error, as CPython's finally does.
        if (err !== null) throw err;
      }
      ok = true;
      return true;
    } finally {
      // Whatever ends the wait abnormally may have come after this task was
      // notified: hand the notification to another waiter.
      if (!ok) this._notify(1);
    }
  }

  /**
   * Mirrors `Condition.wait_for()`: calls `wait()` until `predicate()` is
   * truthy, and returns that value. The predicate is checked first, so a
   * true one returns at once (even without the lock).
   */
  *waitFor<R>(predicate: () => R): Coroutine<R> {
    if (typeof predicate !== 'function') {
      throw new TypeError(`waitFor() takes a predicate function, got ${shortRepr(predicate)}`);
    }
    let result = predicate();
    while (!result) {
      yield* this.wait();
      result = predicate();
    }
    return result;
  }

  /**
   * Mirrors `Condition.notify()`: wakes up to `n` (default 1) of the waiting
   * tasks. Each returns from `wait()` only once it gets the lock, which the
   * caller still holds. Calling it without holding the lock is a `RuntimeError`.
   */
  notify(n = 1): void {
    if (!this.locked()) throw new RuntimeError('cannot notify on un-acquired lock');
    this._notify(n);
  }

  /** @internal Mirrors `_notify()`: wakes up to `n` waiters not woken yet. */
  _notify(n: number): void {
    this._waiters.wake(false, n);
  }

  /** Mirrors `Condition.notify_all()`: wakes every waiting task (see `notify()`). */
  notifyAll(): void {
    this.notify(this._waiters.length);
  }

  /** Mirrors `__aenter__`: `acquire()`, for `asyncWith(cond, body)` (`async with cond:`). */
  *aenter(): Coroutine<void> {
    yield* this.acquire();
  }

  /** Mirrors `__aexit__`: `release()`; never swallows an error. */
  // biome-ignore lint/correctness/useYield: the protocol's aexit is a coroutine; releasing needs no wait.
  *aexit(_error?: unknown): Coroutine<void> {
    this.release();
  }

  /** Mirrors `repr()` of the condition: its state and waiters. */
  toString(): string {
    let extra = this.locked() ? 'locked' : 'unlocked';
    if (this._waiters.length > 0) extra += `, waiters:${this._waiters.length}`;
    return `<${this.constructor.name} [${extra}]>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

watchCoroutineMethods(Condition, ['wait', 'waitFor']);
refuseUnbound(Condition);
