/**
 * The loop's ready queue: a ring buffer of (target, argument) pairs.
 *
 * CPython keeps a deque of Handles. Here a slot pair lets the loop queue a
 * task step or a future's wake-up of a task without allocating a Handle for
 * it: the target is anything with a `_run(arg)` method (a Handle ignores the
 * argument). A ring buffer rather than `Array.shift`, which is O(n) once an
 * array leaves V8's fast path.
 */

/** @internal Anything the ready queue can run. */
export interface Runnable {
  _run(arg: unknown): void;
}

/** @internal */
export class ReadyQueue {
  private buf: unknown[] = new Array(64);
  private mask = 63;
  private head = 0;
  /** The number of queued pairs. */
  length = 0;

  push(target: Runnable, arg: unknown): void {
    if (this.length * 2 > this.mask) this.grow();
    const i = (this.head + this.length * 2) & this.mask;
    this.buf[i] = target;
    this.buf[i + 1] = arg;
    this.length++;
  }

  /** Removes the first pair and runs it. The caller checks `length`. */
  runFirst(): void {
    const buf = this.buf;
    const h = this.head;
    const target = buf[h] as Runnable;
    const arg = buf[h + 1];
    buf[h] = undefined;
    buf[h + 1] = undefined;
    this.head = (h + 2) & this.mask;
    this.length--;
    target._run(arg);
  }

  /** The first queued target, without removing it (for debug reporting). */
  peekTarget(): Runnable | undefined {
    return this.length > 0 ? (this.buf[this.head] as Runnable) : undefined;
  }

  clear(): void {
    this.buf = new Array(64);
    this.mask = 63;
    this.head = 0;
    this.length = 0;
  }

  private grow(): void {
    const old = this.buf;
    const n = old.length;
    const next = new Array(n * 2);
    for (let k = 0; k < this.length * 2; k++) next[k] = old[(this.head + k) & this.mask];
    this.buf = next;
    this.mask = n * 2 - 1;
    this.head = 0;
  }
}
