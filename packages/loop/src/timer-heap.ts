/**
 * The loop's timer queue: a binary min-heap of timers, ordered by due time
 * and then by creation order, as `heapq` over `_scheduled` in CPython
 * (which, unlike this heap, leaves equal due times in no defined order).
 *
 * Cancelled timers are left in place and removed lazily, as CPython does:
 * removing from the middle of a heap is O(n), and most cancelled timers
 * reach the top soon anyway.
 */
import type { ReadyQueue, Runnable } from './ready-queue.js';

/** Below this many due timers, `moveDue` pops them one by one. */
const BULK_MIN = 256;

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

  /**
   * Moves every timer due before `end` to `ready`, in (due time, creation)
   * order, marking them unscheduled; returns how many. When they are at
   * least a quarter of the heap (a burst that fell due together), it sorts
   * them at once instead of popping each: popping costs O(log n) scattered
   * loads per timer, a radix sort of the due times a few sequential passes.
   */
  moveDue(end: number, ready: ReadyQueue): number {
    const n = this.items.length;
    if (n === 0 || (this.keys[0] as number) >= end) return 0;
    const k = this.keys;
    let m = 0;
    if (n >= BULK_MIN * 4) {
      for (let i = 0; i < n; i++) if ((k[i] as number) < end) m++;
    }
    if (m < BULK_MIN || m * 4 < n) {
      m = 0;
      while (this.items.length > 0 && (this.keys[0] as number) < end) {
        const t = this.pop() as TimerEntry;
        t._scheduled = false;
        ready.push(t, undefined);
        m++;
      }
      return m;
    }
    const due: TimerEntry[] = new Array(m);
    const order = this.takeSorted(end, due);
    for (let j = 0; j < m; j++) {
      const t = due[order[j] as number] as TimerEntry;
      t._scheduled = false;
      ready.push(t, undefined);
    }
    return m;
  }

  /**
   * Takes the timers due before `end` out of the heap into `due` (as many
   * as it has room for: all of them) and returns their indices in (due
   * time, creation) order. The due times are sorted by an LSD radix sort on
   * their bits, 16 at a time (stable; a pass where every timer has the same
   * digit is skipped, as the high bits of timers due within a short span
   * are), then runs of equal due times are put in creation order. The
   * timers left are made a heap again in O(n).
   */
  private takeSorted(end: number, due: TimerEntry[]): Int32Array {
    const items = this.items;
    const k = this.keys;
    const s = this.seqs;
    const n = items.length;
    const m = due.length;
    const whens = new Float64Array(m);
    const seqs = new Float64Array(m);
    let j = 0;
    let r = 0;
    for (let i = 0; i < n; i++) {
      const key = k[i] as number;
      if (key < end) {
        whens[j] = key;
        seqs[j] = s[i] as number;
        due[j] = items[i] as TimerEntry;
        j++;
      } else {
        items[r] = items[i] as TimerEntry;
        k[r] = key;
        s[r] = s[i] as number;
        r++;
      }
    }
    items.length = r;
    for (let i = (r >> 1) - 1; i >= 0; i--) {
      this.siftDown(i, items[i] as TimerEntry, k[i] as number, s[i] as number);
    }
    // The due times as unsigned 64-bit numbers in the same order (-0 as 0;
    // the sign bit of a positive one flipped, every bit of a negative one).
    const lo = new Uint32Array(m);
    const hi = new Uint32Array(m);
    const words = new Uint32Array(whens.buffer);
    for (let i = 0; i < m; i++) {
      const h = words[2 * i + 1] as number;
      if ((whens[i] as number) === 0) {
        lo[i] = 0;
        hi[i] = 0x80000000;
      } else if (h >>> 31 === 1) {
        lo[i] = ~(words[2 * i] as number) >>> 0;
        hi[i] = ~h >>> 0;
      } else {
        lo[i] = words[2 * i] as number;
        hi[i] = (h | 0x80000000) >>> 0;
      }
    }
    let a = new Int32Array(m);
    for (let i = 0; i < m; i++) a[i] = i;
    let b = new Int32Array(m);
    const count = new Int32Array(0x10000);
    for (const [digits, shift] of [
      [lo, 0],
      [lo, 16],
      [hi, 0],
      [hi, 16],
    ] as const) {
      if (radixPass(a, b, digits, shift, count)) {
        const t = a;
        a = b;
        b = t;
      }
    }
    // Equal due times: creation order.
    const bySeq = (x: number, y: number): number => (seqs[x] as number) - (seqs[y] as number);
    for (let i = 0; i < m; ) {
      const key = whens[a[i] as number] as number;
      let e = i + 1;
      while (e < m && whens[a[e] as number] === key) e++;
      if (e - i > 1) a.subarray(i, e).sort(bySeq);
      i = e;
    }
    return a;
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

/**
 * One stable pass of the radix sort: the indices in `src`, ordered by the
 * 16-bit digit of `digits[i]` at `shift`, into `dst`. False (and `dst`
 * untouched) if every index has the same digit.
 */
function radixPass(
  src: Int32Array,
  dst: Int32Array,
  digits: Uint32Array,
  shift: number,
  count: Int32Array,
): boolean {
  const m = src.length;
  count.fill(0);
  for (let i = 0; i < m; i++) count[((digits[i] as number) >>> shift) & 0xffff]++;
  if (count[((digits[0] as number) >>> shift) & 0xffff] === m) return false;
  let sum = 0;
  for (let d = 0; d < 0x10000; d++) {
    const c = count[d] as number;
    count[d] = sum;
    sum += c;
  }
  for (let i = 0; i < m; i++) {
    const x = src[i] as number;
    const d = ((digits[x] as number) >>> shift) & 0xffff;
    dst[count[d] as number] = x;
    count[d] = (count[d] as number) + 1;
  }
  return true;
}
