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
 * The bucket sort of `moveDue` declines when the sum of its buckets' squared
 * sizes exceeds this many per timer: due times so clustered (many equal
 * ones) that ordering inside the buckets would cost more than popping.
 */
const SPREAD = 8;

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
   * loads per timer, a bucket sort of the due times five passes.
   */
  moveDue(end: number, ready: ReadyQueue): number {
    const n = this.items.length;
    if (n === 0 || (this.keys[0] as number) >= end) return 0;
    const due = n >= BULK_MIN * 4 ? this.takeSorted(end) : null;
    if (due !== null) return pushAll(due, ready);
    let m = 0;
    while (this.items.length > 0 && (this.keys[0] as number) < end) {
      const t = this.pop() as TimerEntry;
      t._scheduled = false;
      ready.push(t, undefined);
      m++;
    }
    return m;
  }

  /**
   * Takes the timers due before `end` out of the heap and returns them in
   * (due time, creation) order; null (and the heap untouched) when popping
   * them is the better way: fewer than `BULK_MIN`, or under a quarter of
   * the heap, or due times too clustered to spread over buckets.
   *
   * A bucket sort: the span from the first due time to the last is cut
   * into as many buckets as there are due timers, and a timer's bucket is
   * `floor((when - first) * scale)`, which never decreases as `when`
   * grows (floating-point subtraction and multiplication round
   * monotonically), so buckets come in due-time order and only the few
   * timers inside one bucket need ordering, by an insertion sort on (due
   * time, creation). Timers due at the same time share a bucket; when the
   * buckets are so full that the insertion sort could take more than a few
   * steps per timer (the sum of their squared sizes bounds its work), it
   * declines. The timers left are made a heap again in O(n).
   *
   * Each pass is a function of its own: this runs once in a burst, mostly
   * before V8 has optimized it, and a loop compiled on its own is not
   * thrown away when the code after it runs for the first time.
   */
  private takeSorted(end: number): TimerEntry[] | null {
    const n = this.items.length;
    const first = this.keys[0] as number;
    const span = new Float64Array(2);
    scanDue(this.keys, n, end, span);
    const m = span[0] as number;
    if (m < BULK_MIN || m * 4 < n) return null;
    const scale = m / ((span[1] as number) - first);
    // Infinite or zero spans (a deadline of -Infinity, equal deadlines, a
    // denormal span) have no usable scale.
    if (!(scale > 0 && scale < Number.POSITIVE_INFINITY)) return null;
    // Bucket b's count, then where its next timer goes.
    const at = new Int32Array(m);
    countBuckets(this.keys, n, end, first, scale, at);
    if (startBuckets(at) > SPREAD * m) return null;
    const sorted = new Bucketed(m);
    const r = this.partition(end, first, scale, at, sorted);
    for (let i = (r >> 1) - 1; i >= 0; i--) {
      this.siftDown(i, this.items[i] as TimerEntry, this.keys[i] as number, this.seqs[i] as number);
    }
    sortBuckets(sorted);
    return sorted.due;
  }

  /**
   * Moves the timers due before `end` into their buckets' places in
   * `sorted` and packs the others at the start of the heap's arrays;
   * returns how many are left.
   */
  private partition(
    end: number,
    first: number,
    scale: number,
    at: Int32Array,
    sorted: Bucketed,
  ): number {
    const items = this.items;
    const k = this.keys;
    const s = this.seqs;
    const n = items.length;
    const last = at.length - 1;
    const { whens, seqs, due } = sorted;
    let r = 0;
    for (let i = 0; i < n; i++) {
      const key = k[i] as number;
      if (key < end) {
        const slot = bucketOf(key, first, scale, last);
        const j = at[slot] as number;
        at[slot] = j + 1;
        whens[j] = key;
        seqs[j] = s[i] as number;
        due[j] = items[i] as TimerEntry;
      } else {
        items[r] = items[i] as TimerEntry;
        k[r] = key;
        s[r] = s[i] as number;
        r++;
      }
    }
    items.length = r;
    return r;
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

/** Due timers in bucket order, with their due times and creation numbers. */
class Bucketed {
  readonly whens: Float64Array;
  readonly seqs: Float64Array;
  readonly due: TimerEntry[];
  constructor(m: number) {
    this.whens = new Float64Array(m);
    this.seqs = new Float64Array(m);
    this.due = new Array(m);
  }
}

/** Writes how many of the first `n` keys are before `end`, and the latest of them, to `span`. */
function scanDue(k: Float64Array, n: number, end: number, span: Float64Array): void {
  let m = 0;
  let latest = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const key = k[i] as number;
    if (key < end) {
      m++;
      if (key > latest) latest = key;
    }
  }
  span[0] = m;
  span[1] = latest;
}

/**
 * The bucket of a due time: never smaller for a later one (see
 * `takeSorted`); the last bucket also takes a product rounded up to the
 * number of buckets.
 */
function bucketOf(key: number, first: number, scale: number, last: number): number {
  return Math.min(((key - first) * scale) | 0, last);
}

/** Counts the first `n` keys before `end` into `at` by bucket. */
function countBuckets(
  k: Float64Array,
  n: number,
  end: number,
  first: number,
  scale: number,
  at: Int32Array,
): void {
  const last = at.length - 1;
  for (let i = 0; i < n; i++) {
    const key = k[i] as number;
    if (key < end) {
      at[bucketOf(key, first, scale, last)]++;
    }
  }
}

/** Turns bucket counts into their first places; returns the sum of the squared counts. */
function startBuckets(at: Int32Array): number {
  const n = at.length;
  let sum = 0;
  let squares = 0;
  for (let b = 0; b < n; b++) {
    const c = at[b] as number;
    at[b] = sum;
    sum += c;
    squares += c * c;
  }
  return squares;
}

/**
 * Orders the timers inside each bucket by (due time, creation). Buckets are
 * already in order, so an insertion sort over the whole run only moves
 * timers inside their bucket.
 */
function sortBuckets(sorted: Bucketed): void {
  const { whens, seqs, due } = sorted;
  const m = due.length;
  for (let i = 1; i < m; i++) {
    const w = whens[i] as number;
    const q = seqs[i] as number;
    let j = i - 1;
    let pw = whens[j] as number;
    if (pw < w || (pw === w && (seqs[j] as number) < q)) continue;
    const t = due[i] as TimerEntry;
    do {
      whens[j + 1] = pw;
      seqs[j + 1] = seqs[j] as number;
      due[j + 1] = due[j] as TimerEntry;
      j--;
      if (j < 0) break;
      pw = whens[j] as number;
    } while (pw > w || (pw === w && (seqs[j] as number) > q));
    whens[j + 1] = w;
    seqs[j + 1] = q;
    due[j + 1] = t;
  }
}

/** Queues the timers of `due` in order, marking them unscheduled; returns how many. */
function pushAll(due: TimerEntry[], ready: ReadyQueue): number {
  const m = due.length;
  for (let j = 0; j < m; j++) {
    const t = due[j] as TimerEntry;
    t._scheduled = false;
    ready.push(t, undefined);
  }
  return m;
}
