/**
 * `WaiterQueue`: the futures of the tasks waiting on one synchronisation
 * primitive, oldest first (Trio calls it a parking lot; CPython keeps a
 * `collections.deque` in each class of `locks.py` and `queues.py`). Every
 * lock, event, condition, semaphore, barrier (through its condition), queue
 * and `asCompleted` parks its waiters here.
 *
 * A waiter that stops waiting (woken, cancelled, or thrown into) removes
 * itself in a `finally`. The queue is a doubly linked list and `push()`
 * returns the waiter's link, so that removing it is O(1) wherever it is.
 * CPython's `deque.remove()` is O(n), and so was the first version here,
 * which made waking n waiters quadratic.
 */
import type { Coroutine, Future } from '@x/loop';

/**
 * One parked waiter: the link `push()` returns, which `remove()` takes. The
 * last link that left a queue is kept for its next waiter (`free`), so that
 * a queue where one task waits at a time (a `Queue(1)`'s getter) allocates
 * nothing per wait; a reused link holds another waiter, so a late
 * `remove()` of the old one finds it no longer there.
 */
export class Parked<F> {
  prev: Parked<F> | null = null;
  next: Parked<F> | null = null;
  /** False once it left the queue. */
  queued = true;
  constructor(public waiter: F) {}
}

/** @internal */
export class WaiterQueue<F extends Future<unknown>> {
  private head: Parked<F> | null = null;
  private tail: Parked<F> | null = null;
  private live = 0;
  /**
   * The last link of the queue's leading run of done waiters (null: none
   * known). `wake()` starts after it: a `Semaphore` released n times before
   * its woken waiters run would otherwise scan the ones it woke before, each
   * time (CPython's `_wake_up_next()` does: quadratic). Waiters never become
   * not done again, and `unlink()` moves it back when its link leaves.
   */
  private doneUpTo: Parked<F> | null = null;
  /** The last link that left, holding nothing, for the next `push()`: one, so a burst of waiters does not stay allocated. */
  private free: Parked<F> | null = null;

  /** The number of waiters. */
  get length(): number {
    return this.live;
  }

  /** Parks `waiter` at the end; returns its link for `remove()`. */
  push(waiter: F): Parked<F> {
    let p = this.free;
    if (p === null) {
      p = new Parked(waiter);
    } else {
      // Its links were cleared when it left (`release`).
      this.free = null;
      p.waiter = waiter;
      p.queued = true;
    }
    const tail = this.tail;
    if (tail === null) this.head = p;
    else {
      tail.next = p;
      p.prev = tail;
    }
    this.tail = p;
    this.live++;
    return p;
  }

  /**
   * Parks `waiter` until it is done, and removes it however the wait ends:
   * the `append` / `await` / `remove` in a `finally` of asyncio's locks.
   * Returns the waiter's result (or throws its exception, or the
   * cancellation).
   */
  *park(waiter: F): Coroutine<F extends Future<infer T> ? T : never> {
    const link = this.push(waiter);
    try {
      return (yield* waiter) as F extends Future<infer T> ? T : never;
    } finally {
      this.remove(waiter, link);
    }
  }

  /**
   * Removes `waiter`: O(1) given the link `push()` returned for it, a search
   * otherwise. False if it is no longer queued (a `shift()` or a shutdown
   * took it out already).
   */
  remove(waiter: F, link: Parked<F> | null = this.linkOf(waiter)): boolean {
    if (link === null || !link.queued || link.waiter !== waiter) return false;
    this.unlink(link);
    this.release(link);
    return true;
  }

  /** The first waiter, or undefined if none. */
  first(): F | undefined {
    return this.head?.waiter;
  }

  /** The `i`-th waiter (0 is the first), or undefined. */
  at(i: number): F | undefined {
    let p = this.head;
    for (let k = 0; p !== null && k < i; k++) p = p.next;
    return p?.waiter;
  }

  /** Removes and returns the first waiter (`deque.popleft()`). */
  shift(): F | undefined {
    const p = this.head;
    if (p === null) return undefined;
    this.unlink(p);
    const w = p.waiter;
    this.release(p);
    return w;
  }

  /**
   * Wakes up to `n` waiters that are not done yet, oldest first, with
   * `value`; they stay queued until they remove themselves. Returns how many
   * it woke. As `Event.set()`, `Condition._notify()` and
   * `Semaphore._wake_up_next()` do.
   */
  wake(value: F extends Future<infer T> ? T : never, n = 1): number {
    let woken = 0;
    const after = this.doneUpTo;
    let last = after;
    for (let p = after === null ? this.head : after.next; p !== null && woken < n; p = p.next) {
      if (!p.waiter.done()) {
        p.waiter.setResult(value);
        woken++;
      }
      // Every link visited is done now, and so is every one before it.
      last = p;
    }
    this.doneUpTo = last;
    return woken;
  }

  /**
   * Takes waiters out from the front until one that is not done yet, and
   * wakes that one with `value`, as `Queue._wakeup_next()`. False if none.
   */
  wakeNextOut(value: F extends Future<infer T> ? T : never): boolean {
    for (let w = this.shift(); w !== undefined; w = this.shift()) {
      if (!w.done()) {
        w.setResult(value);
        return true;
      }
    }
    return false;
  }

  /** The waiters, oldest first. */
  *[Symbol.iterator](): IterableIterator<F> {
    for (let p = this.head; p !== null; p = p.next) yield p.waiter;
  }

  private linkOf(waiter: F): Parked<F> | null {
    for (let p = this.head; p !== null; p = p.next) if (p.waiter === waiter) return p;
    return null;
  }

  /** Keeps `p`, which left the queue, for the next `push()`, holding nothing. */
  private release(p: Parked<F>): void {
    if (this.free !== null) return;
    p.waiter = undefined as unknown as F;
    p.prev = null;
    p.next = null;
    this.free = p;
  }

  private unlink(p: Parked<F>): void {
    const { prev, next } = p;
    if (p === this.doneUpTo) this.doneUpTo = prev;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    p.queued = false;
    this.live--;
  }
}

/**
 * @internal Mirrors `tasks._release_waiter`: wakes `waiter` unless it is done
 * already (a timeout and a completion may both try).
 */
export function releaseWaiter(waiter: Future<void>): void {
  if (!waiter.done()) waiter.setResult(undefined);
}
