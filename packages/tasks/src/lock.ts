/** `Lock`, after CPython's `asyncio/locks.py` (3.14). */
import { type Coroutine, type EventLoop, type Future, RuntimeError } from '@x/loop';
import { refuseUnbound, watchCoroutineMethods } from '@x/loop/internal';
import type { AsyncContextManager } from './async-with.js';
import { bindLoop } from './loop-bound.js';
import { WaiterQueue } from './waiter-queue.js';

/**
 * Mirrors `asyncio.Lock`: a mutual-exclusion lock for tasks. It is not
 * owned by a task: any code may `release()` it.
 *
 * Waiters are served first come, first served: `acquire()` takes the lock
 * at once only if it is free and nobody (not cancelled) is queued for it.
 * A waiter cancelled just after `release()` chose it passes the lock on to
 * the next one, so a wake-up is never lost.
 *
 * @example
 * ```ts
 * // Python: async with lock: ...
 * yield* withLock(lock, function* () { ... });
 * // or by hand:
 * yield* lock.acquire();
 * try { ... } finally { lock.release(); }
 * ```
 */
export class Lock implements AsyncContextManager<void> {
  /** @internal Futures of the tasks waiting in `acquire()`, oldest first; null until one waits. */
  _waiters: WaiterQueue<Future<true>> | null = null;
  /** @internal */ _locked = false;
  /** @internal The loop this lock is bound to (see `bindLoop`). */
  _loop: EventLoop | null = null;

  /** Mirrors `Lock.locked()`: true while the lock is held. */
  locked(): boolean {
    return this._locked;
  }

  /**
   * Mirrors `Lock.acquire()`: waits until the lock is free, takes it and
   * returns true. If the task is cancelled while waiting, the lock is not
   * taken and `CancelledError` is thrown.
   */
  *acquire(): Coroutine<true> {
    // Fair scheduling: a task always waits its turn; jumping the queue when
    // every waiter is cancelled is only an optimisation.
    if (!this._locked && (this._waiters === null || allCancelled(this._waiters))) {
      this._locked = true;
      return true;
    }
    if (this._waiters === null) this._waiters = new WaiterQueue();
    const fut = bindLoop(this).createFuture<true>();
    let ok = false;
    try {
      // Removed from the queue before the cancellation is handled below, so
      // that _wakeUpFirst() does not wake this very waiter again.
      yield* this._waiters.park(fut);
      ok = true;
    } finally {
      // CPython does this on CancelledError only; a coroutine closed or
      // thrown into here gives up the lock the same way, or it would be lost.
      // The lock invariant: if the lock is not taken (nor about to be, by us)
      // and somebody waits, the first waiter must be woken.
      if (!ok && !this._locked) this._wakeUpFirst();
    }
    this._locked = true;
    return true;
  }

  /**
   * Mirrors `Lock.release()`: frees the lock and wakes the first waiter, if
   * any. Releasing a lock that is not held is a `RuntimeError`.
   */
  release(): void {
    if (!this._locked) throw new RuntimeError('Lock is not acquired.');
    this._locked = false;
    this._wakeUpFirst();
  }

  /** @internal Mirrors `_wake_up_first()`: makes sure the first waiter will wake up. */
  _wakeUpFirst(): void {
    const fut = this._waiters?.first();
    // A done future means that its waiter is already set to wake up.
    if (fut !== undefined && !fut.done()) fut.setResult(true);
  }

  /** Mirrors `__aenter__`: `acquire()`, for `asyncWith(lock, body)` (`async with lock:`). */
  *aenter(): Coroutine<void> {
    yield* this.acquire();
  }

  /** Mirrors `__aexit__`: `release()`; never swallows an error. */
  // biome-ignore lint/correctness/useYield: the protocol's aexit is a coroutine; releasing needs no wait.
  *aexit(_error?: unknown): Coroutine<void> {
    this.release();
  }

  /** Mirrors `repr()` of the lock: its state and waiters. */
  toString(): string {
    let extra = this._locked ? 'locked' : 'unlocked';
    const n = this._waiters?.length ?? 0;
    if (n > 0) extra += `, waiters:${n}`;
    return `<${this.constructor.name} [${extra}]>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** @internal True if every waiter in `waiters` was cancelled (or there is none). */
export function allCancelled(waiters: Iterable<Future<unknown>>): boolean {
  for (const w of waiters) if (!w.cancelled()) return false;
  return true;
}

watchCoroutineMethods(Lock, ['acquire']);
refuseUnbound(Lock);
