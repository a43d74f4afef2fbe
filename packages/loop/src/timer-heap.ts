/**
 * The loop's timer queue: a binary min-heap of TimerHandles, ordered by due
 * time and then by creation order, as `heapq` over `_scheduled` in CPython
 * (which, unlike this heap, leaves equal due times in no defined order).
 *
 * Cancelled timers are left in place and removed lazily, as CPython does:
 * removing from the middle of a heap is O(n), and most cancelled timers
 * reach the top soon anyway.
 */
import type { TimerHandle } from './handle.js';

/** @internal */
export class TimerHeap {
  items: TimerHandle[] = [];
  /**
   * `keys[i]` is `items[i]._when`: unboxed and side by side, so that a sift
   * compares numbers in one array instead of loading a field from a handle
   * at every level (most of the cost of a heap of 100,000 timers is in
   * cache misses). Handles are read only to break ties on `_seq`.
   */
  private keys = new Float64Array(64);

  get size(): number {
    return this.items.length;
  }

  peek(): TimerHandle | undefined {
    return this.items[0];
  }

  push(t: TimerHandle): void {
    const a = this.items;
    let i = a.length;
    if (i === this.keys.length) this.grow();
    const k = this.keys;
    const when = t._when;
    a.push(t);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = k[p] as number;
      if (pk < when || (pk === when && (a[p] as TimerHandle)._seq < t._seq)) break;
      a[i] = a[p] as TimerHandle;
      k[i] = pk;
      i = p;
    }
    a[i] = t;
    k[i] = when;
  }

  pop(): TimerHandle | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    const n = a.length;
    if (n > 0 && last !== undefined) this.siftDown(0, last, this.keys[n] as number);
    return top;
  }

  /** Drops every cancelled timer and rebuilds the heap. */
  removeCancelled(): void {
    const kept: TimerHandle[] = [];
    for (const t of this.items) {
      if (t._cancelled) t._scheduled = false;
      else kept.push(t);
    }
    this.items = kept;
    const k = this.keys;
    for (let i = 0; i < kept.length; i++) k[i] = (kept[i] as TimerHandle)._when;
    for (let i = (kept.length >> 1) - 1; i >= 0; i--) {
      this.siftDown(i, kept[i] as TimerHandle, k[i] as number);
    }
  }

  clear(): void {
    for (const t of this.items) t._scheduled = false;
    this.items = [];
    this.keys = new Float64Array(64);
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    this.keys = keys;
  }

  /** Moves `t` (due at `when`) down from slot `i` to where it belongs. */
  private siftDown(i: number, t: TimerHandle, when: number): void {
    const a = this.items;
    const k = this.keys;
    const n = a.length;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let ck = k[c] as number;
      const r = c + 1;
      if (r < n) {
        const rk = k[r] as number;
        if (rk < ck || (rk === ck && (a[r] as TimerHandle)._seq < (a[c] as TimerHandle)._seq)) {
          c = r;
          ck = rk;
        }
      }
      // Stop unless the child comes strictly before `t`.
      if (ck > when || (ck === when && (a[c] as TimerHandle)._seq > t._seq)) break;
      a[i] = a[c] as TimerHandle;
      k[i] = ck;
      i = c;
    }
    a[i] = t;
    k[i] = when;
  }
}
