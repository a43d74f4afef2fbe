/**
 * The loop's timer queue: a binary min-heap of timers, ordered by due time
 * and then by creation order, as `heapq` over `_scheduled` in CPython
 * (which, unlike this heap, leaves equal due times in no defined order).
 *
 * Cancelled timers are left in place and removed lazily, as CPython does:
 * removing from the middle of a heap is O(n), and most cancelled timers
 * reach the top soon anyway.
 */
import type { Runnable } from './ready-queue.js';

/**
 * Seam: What the heap holds: a TimerHandle, or an object of `@x/tasks`
 * that is its own timer (a sleep), so that a sleeping task needs no Handle.
 * Due timers are run with `_run(undefined)` through the ready queue.
 */
export interface TimerEntry extends Runnable {
  /** True once cancelled: the loop drops it instead of running it. */
  _cancelled: boolean;
  /** True while it sits in the heap. */
  _scheduled: boolean;
  /** Mirrors `TimerHandle.cancelled()`. */
  cancelled(): boolean;
}

/** @internal */
export class TimerHeap {
  items: TimerEntry[] = [];
  /**
   * `keys[i]` and `seqs[i]` are the due time and creation number of
   * `items[i]`: unboxed and side by side, so that a sift compares numbers in
   * two arrays instead of loading fields from a timer at every level (most
   * of the cost of a heap of 100,000 timers is in cache misses), and so that
   * a timer needs no fields of its own for them.
   */
  private keys = new Float64Array(64);
  private seqs = new Float64Array(64);

  get size(): number {
    return this.items.length;
  }

  peek(): TimerEntry | undefined {
    return this.items[0];
  }

  /** The due time of the first timer; only valid when `size > 0`. */
  peekWhen(): number {
    return this.keys[0] as number;
  }

  push(t: TimerEntry, when: number, seq: number): void {
    const a = this.items;
    let i = a.length;
    if (i === this.keys.length) this.grow();
    const k = this.keys;
    const s = this.seqs;
    a.push(t);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = k[p] as number;
      if (pk < when || (pk === when && (s[p] as number) < seq)) break;
      a[i] = a[p] as TimerEntry;
      k[i] = pk;
      s[i] = s[p] as number;
      i = p;
    }
    a[i] = t;
    k[i] = when;
    s[i] = seq;
  }

  pop(): TimerEntry | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    const n = a.length;
    if (n > 0 && last !== undefined) {
      this.siftDown(0, last, this.keys[n] as number, this.seqs[n] as number);
    }
    return top;
  }

  /** Drops every cancelled timer and rebuilds the heap. */
  removeCancelled(): void {
    const items = this.items;
    const k = this.keys;
    const s = this.seqs;
    let j = 0;
    for (let i = 0; i < items.length; i++) {
      const t = items[i] as TimerEntry;
      if (t._cancelled) {
        t._scheduled = false;
      } else {
        items[j] = t;
        k[j] = k[i] as number;
        s[j] = s[i] as number;
        j++;
      }
    }
    items.length = j;
    for (let i = (j >> 1) - 1; i >= 0; i--) {
      this.siftDown(i, items[i] as TimerEntry, k[i] as number, s[i] as number);
    }
  }

  clear(): void {
    for (const t of this.items) t._scheduled = false;
    this.items = [];
    this.keys = new Float64Array(64);
    this.seqs = new Float64Array(64);
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    this.keys = keys;
    const seqs = new Float64Array(this.seqs.length * 2);
    seqs.set(this.seqs);
    this.seqs = seqs;
  }

  /** Moves `t` (due at `when`, number `seq`) down from slot `i` to where it belongs. */
  private siftDown(i: number, t: TimerEntry, when: number, seq: number): void {
    const a = this.items;
    const k = this.keys;
    const s = this.seqs;
    const n = a.length;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let ck = k[c] as number;
      let cs = s[c] as number;
      const r = c + 1;
      if (r < n) {
        const rk = k[r] as number;
        const rs = s[r] as number;
        if (rk < ck || (rk === ck && rs < cs)) {
          c = r;
          ck = rk;
          cs = rs;
        }
      }
      // Stop unless the child comes strictly before `t`.
      if (ck > when || (ck === when && cs > seq)) break;
      a[i] = a[c] as TimerEntry;
      k[i] = ck;
      s[i] = cs;
      i = c;
    }
    a[i] = t;
    k[i] = when;
    s[i] = seq;
  }
}
