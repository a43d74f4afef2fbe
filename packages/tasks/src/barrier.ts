/** `Barrier` and `BrokenBarrierError`, after CPython's `asyncio/locks.py` (3.14). */
import { type Coroutine, RuntimeError, ValueError } from '@x/loop';
import { refuseUnbound, shortRepr, watchCoroutineMethods } from '@x/loop/internal';
import type { AsyncContextManager } from './async-with.js';
import { Condition } from './condition.js';
import { withLock } from './with-lock.js';

/**
 * Mirrors `asyncio.BrokenBarrierError`: the `Barrier` was reset or aborted
 * while a task waited on it, or is broken.
 *
 * @example
 * ```ts
 * try {
 *   yield* barrier.wait();
 * } catch (e) {
 *   if (e instanceof BrokenBarrierError) console.log('the barrier was reset or aborted');
 * }
 * ```
 */
export class BrokenBarrierError extends RuntimeError {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BrokenBarrierError';
  }
}

type State = 'filling' | 'draining' | 'resetting' | 'broken';

/**
 * Mirrors `asyncio.Barrier`: makes `parties` tasks wait until all of them
 * have called `wait()`, then lets them all go at once.
 *
 * @example
 * ```ts
 * // Python: async with barrier as i: ...   (or i = await barrier.wait())
 * const i = yield* barrier.wait();
 * ```
 */
export class Barrier implements AsyncContextManager<number> {
  /** @internal Notifies every waiting task when the state changes. */
  _cond: Condition = new Condition();
  /** @internal */ _parties: number;
  /** @internal */ _state: State = 'filling';
  /** @internal The number of tasks inside `wait()`. */
  _count = 0;

  /** `parties`: how many tasks must call `wait()` before they all go on; at least 1. */
  constructor(parties: number) {
    if (typeof parties !== 'number' || Number.isNaN(parties)) {
      throw new TypeError(`Barrier() takes the number of parties, got ${shortRepr(parties)}`);
    }
    if (parties < 1) throw new ValueError('parties must be >= 1');
    this._parties = parties;
  }

  /**
   * Mirrors `Barrier.wait()`: waits until `parties` tasks are waiting, then
   * returns; each of them gets a different index from 0 to `parties - 1`.
   * Throws `BrokenBarrierError` if the barrier is broken, or is reset or
   * aborted while the task waits. While the tasks of one round leave the
   * barrier ("draining"), new callers wait for the next round.
   */
  wait(): Coroutine<number> {
    return withLock(this._cond, () => this._waitLocked());
  }

  private *_waitLocked(): Coroutine<number> {
    // Wait while the barrier drains or resets.
    yield* this._block();
    try {
      const index = this._count;
      this._count++;
      if (index + 1 === this._parties) this._release();
      else yield* this._wait();
      return index;
    } finally {
      this._count--;
      // Wakes the tasks waiting for the barrier to drain.
      this._exit();
    }
  }

  /** Waits until the barrier is ready for another task, or throws if it is broken. */
  private *_block(): Coroutine<void> {
    yield* this._cond.waitFor(() => this._state !== 'draining' && this._state !== 'resetting');
    if (this._state === 'broken') throw new BrokenBarrierError('Barrier aborted');
  }

  /** The last party has come: release every waiting task. */
  private _release(): void {
    // Tasks that call wait() now are held until the end of draining.
    this._state = 'draining';
    this._cond.notifyAll();
  }

  /** Waits in the barrier until it is released; throws if it is reset or broken meanwhile. */
  private *_wait(): Coroutine<void> {
    yield* this._cond.waitFor(() => this._state !== 'filling');
    if (this._state === 'broken' || this._state === 'resetting') {
      throw new BrokenBarrierError('Abort or reset of barrier');
    }
  }

  /** The last task out of the barrier lets the ones waiting for the drain in. */
  private _exit(): void {
    if (this._count === 0) {
      if (this._state === 'resetting' || this._state === 'draining') this._state = 'filling';
      this._cond.notifyAll();
    }
  }

  /**
   * Mirrors `Barrier.reset()`: puts the barrier back in its initial, empty
   * state. Tasks waiting on it get `BrokenBarrierError`.
   */
  *reset(): Coroutine<void> {
    yield* this._cond.acquire();
    try {
      if (this._count > 0) {
        // Wake the waiting tasks: they see the reset and throw.
        if (this._state !== 'resetting') this._state = 'resetting';
      } else {
        this._state = 'filling';
      }
      this._cond.notifyAll();
    } finally {
      this._cond.release();
    }
  }

  /**
   * Mirrors `Barrier.abort()`: breaks the barrier. Tasks waiting on it, and
   * every later `wait()`, get `BrokenBarrierError` (until `reset()`).
   */
  *abort(): Coroutine<void> {
    yield* this._cond.acquire();
    try {
      this._state = 'broken';
      this._cond.notifyAll();
    } finally {
      this._cond.release();
    }
  }

  /** Mirrors `Barrier.parties`: the number of tasks that must wait to pass the barrier. */
  get parties(): number {
    return this._parties;
  }

  /** Mirrors `Barrier.n_waiting`: the number of tasks waiting now (0 unless filling). */
  get nWaiting(): number {
    return this._state === 'filling' ? this._count : 0;
  }

  /** Mirrors `Barrier.broken`: true once `abort()` broke the barrier. */
  get broken(): boolean {
    return this._state === 'broken';
  }

  /** Mirrors `Barrier.__aenter__()`: `wait()`; `async with barrier as i:` is `asyncWith(barrier, function* (i) { ... })`. */
  *aenter(): Coroutine<number> {
    return yield* this.wait();
  }

  /** Mirrors `Barrier.__aexit__()`: nothing to release. */
  *aexit(_error?: unknown): Coroutine<void> {}

  /** Mirrors `repr()` of the barrier: its state and waiters. */
  toString(): string {
    let extra: string = this._state;
    if (!this.broken) extra += `, waiters:${this.nWaiting}/${this.parties}`;
    return `<${this.constructor.name} [${extra}]>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

watchCoroutineMethods(Barrier, ['reset', 'abort']);
refuseUnbound(Barrier);
