/** `Semaphore` and `BoundedSemaphore`, after CPython's `asyncio/locks.py` (3.14). */
import { type Coroutine, type EventLoop, type Future, ValueError } from '@x/loop';
import { refuseUnbound, shortRepr, watchCoroutineMethods } from '@x/loop/internal';
import type { AsyncContextManager } from './async-with.js';
import { bindLoop } from './loop-bound.js';
import { WaiterQueue } from './waiter-queue.js';

/**
 * Mirrors `asyncio.Semaphore`: a counter of permits. `acquire()` takes one,
 * waiting while there is none; `release()` gives one back.
 *
 * Waiters are served first come, first served (CPython 3.12's fairness
 * fix): while anybody (not cancelled) waits, a new `acquire()` queues
 * behind them even if a permit is free, and a waiter that gets its permit
 * wakes as many of the next ones as there are permits left. A waiter
 * cancelled after it was given a permit gives it back.
 *
 * @example
 * ```ts
 * // Python: async with sem: ...
 * yield* withLock(sem, function* () { ... });
 * ```
 */
export class Semaphore implements AsyncContextManager<void> {
  /** @internal Futures of the tasks waiting in `acquire()`, oldest first; null until one waits. */
  _waiters: WaiterQueue<Future<true>> | null = null;
  /** @internal The number of free permits. */
  _value: number;
  /** @internal The loop this semaphore is bound to (see `bindLoop`). */
  _loop: EventLoop | null = null;

  /** `value` is the initial number of permits (default 1); less than 0 is a `ValueError`. */
  constructor(value = 1) {
    if (typeof value !== 'number' || Number.isNaN(value)) {
      throw new TypeError(
        `${new.target.name}() takes the initial number of permits, got ${shortRepr(value)}`,
      );
    }
    if (value < 0) throw new ValueError('Semaphore initial value must be >= 0');
    this._value = value;
  }

  /**
   * Mirrors `Semaphore.locked()`: true if `acquire()` would wait, because
   * no permit is free or because other tasks are queued first.
   */
  locked(): boolean {
    if (this._value === 0) return true;
    const waiters = this._waiters;
    if (waiters !== null) for (const w of waiters) if (!w.cancelled()) return true;
    return false;
  }

  /**
   * Mirrors `Semaphore.acquire()`: takes a permit, waiting for one if
   * needed (in turn), and returns true.
   */
  *acquire(): Coroutine<true> {
    if (!this.locked()) {
      // FIFO: this path is taken only when nobody waits, even if _value > 0.
      this._value--;
      return true;
    }
    if (this._waiters === null) this._waiters = new WaiterQueue();
    const fut = bindLoop(this).createFuture<true>();
    try {
      let ok = false;
      try {
        yield* this._waiters.park(fut);
        ok = true;
      } finally {
        // CPython does this on CancelledError only; a coroutine closed or
        // thrown into here must not keep a permit either.
        if (!ok && fut.done() && !fut.cancelled()) {
          // _wakeUpNext() gave us a permit that we are not taking: give it back.
          this._value++;
        }
      }
    } finally {
      // Tasks that arrived meanwhile had to queue for FIFO's sake: wake as
      // many of them as there are permits.
      while (this._value > 0) if (!this._wakeUpNext()) break;
    }
    return true;
  }

  /**
   * Mirrors `Semaphore.release()`: gives a permit back, waking the first
   * waiting task if there is one.
   */
  release(): void {
    this._value++;
    this._wakeUpNext();
  }

  /** @internal Mirrors `_wake_up_next()`: hands a permit to the first waiter not woken yet. */
  _wakeUpNext(): boolean {
    const waiters = this._waiters;
    if (waiters === null || waiters.wake(true, 1) === 0) return false;
    this._value--;
    return true;
  }

  /** Mirrors `__aenter__`: `acquire()`, for `asyncWith(sem, body)` (`async with sem:`). */
  *aenter(): Coroutine<void> {
    yield* this.acquire();
  }

  /** Mirrors `__aexit__`: `release()`; never swallows an error. */
  // biome-ignore lint/correctness/useYield: the protocol's aexit is a coroutine; releasing needs no wait.
  *aexit(_error?: unknown): Coroutine<void> {
    this.release();
  }

  /** Mirrors `repr()` of the semaphore: its state and waiters. */
  toString(): string {
    let extra = this.locked() ? 'locked' : `unlocked, value:${this._value}`;
    const n = this._waiters?.length ?? 0;
    if (n > 0) extra += `, waiters:${n}`;
    return `<${this.constructor.name} [${extra}]>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * Mirrors `asyncio.BoundedSemaphore`: a `Semaphore` that refuses to be
 * released above its initial value (`ValueError`), which catches a release
 * without an acquire.
 *
 * @example
 * ```ts
 * const slots = new BoundedSemaphore(2);      // asyncio.BoundedSemaphore(2)
 * yield* withLock(slots, function* () {       // async with slots:
 *   yield* download(url);
 * });
 * slots.release();                            // ValueError: released too many times
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  /** @internal */ _boundValue: number;

  constructor(value = 1) {
    super(value);
    this._boundValue = value;
  }

  /** Mirrors `BoundedSemaphore.release()`. */
  override release(): void {
    if (this._value >= this._boundValue) {
      throw new ValueError('BoundedSemaphore released too many times');
    }
    super.release();
  }
}

watchCoroutineMethods(Semaphore, ['acquire']);
refuseUnbound(Semaphore);
