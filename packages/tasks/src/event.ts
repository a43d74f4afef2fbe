/** `Event`, after CPython's `asyncio/locks.py` (3.14). */
import type { Coroutine, EventLoop, Future } from '@x/loop';
import { refuseUnbound, watchCoroutineMethods } from '@x/loop/internal';
import { bindLoop } from './loop-bound.js';
import { WaiterQueue } from './waiter-queue.js';

/**
 * Mirrors `asyncio.Event`: a flag that tasks can wait for. `set()` wakes
 * every waiting task; `wait()` returns at once while the flag is set.
 *
 * @example
 * ```ts
 * // Python: await event.wait()
 * yield* event.wait();
 * ```
 */
export class Event {
  /** @internal Futures of the tasks waiting in `wait()`, oldest first. */
  _waiters: WaiterQueue<Future<true>> = new WaiterQueue();
  /** @internal */ _value = false;
  /** @internal The loop this event is bound to (see `bindLoop`). */
  _loop: EventLoop | null = null;

  /** Mirrors `Event.is_set()`: true while the flag is set. */
  isSet(): boolean {
    return this._value;
  }

  /**
   * Mirrors `Event.set()`: sets the flag and wakes every waiting task. Tasks
   * that call `wait()` afterwards do not wait at all, until `clear()`.
   */
  set(): void {
    if (this._value) return;
    this._value = true;
    this._waiters.wake(true, Number.POSITIVE_INFINITY);
  }

  /** Mirrors `Event.clear()`: resets the flag; `wait()` waits again until the next `set()`. */
  clear(): void {
    this._value = false;
  }

  /**
   * Mirrors `Event.wait()`: returns true at once if the flag is set, else
   * waits until `set()` is called. A task woken by `set()` returns true even
   * if the flag was cleared again before it ran.
   */
  *wait(): Coroutine<true> {
    if (this._value) return true;
    const fut = bindLoop(this).createFuture<true>();
    yield* this._waiters.park(fut);
    return true;
  }

  /** Mirrors `repr()` of the event: its state and waiters. */
  toString(): string {
    let extra = this._value ? 'set' : 'unset';
    if (this._waiters.length > 0) extra += `, waiters:${this._waiters.length}`;
    return `<${this.constructor.name} [${extra}]>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

watchCoroutineMethods(Event, ['wait']);
refuseUnbound(Event);
