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

function less(a: TimerHandle, b: TimerHandle): boolean {
  return a._when < b._when || (a._when === b._when && a._seq < b._seq);
}

/** @internal */
export class TimerHeap {
  items: TimerHandle[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): TimerHandle | undefined {
    return this.items[0];
  }

  push(t: TimerHandle): void {
    const a = this.items;
    let i = a.length;
    a.push(t);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p] as TimerHandle;
      if (!less(t, parent)) break;
      a[i] = parent;
      i = p;
    }
    a[i] = t;
  }

  pop(): TimerHandle | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) this.siftDown(0, last);
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
    for (let i = (kept.length >> 1) - 1; i >= 0; i--) this.siftDown(i, kept[i] as TimerHandle);
  }

  clear(): void {
    for (const t of this.items) t._scheduled = false;
    this.items = [];
  }

  private siftDown(i: number, t: TimerHandle): void {
    const a = this.items;
    const n = a.length;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && less(a[r] as TimerHandle, a[c] as TimerHandle)) c = r;
      const child = a[c] as TimerHandle;
      if (!less(child, t)) break;
      a[i] = child;
      i = c;
    }
    a[i] = t;
  }
}
