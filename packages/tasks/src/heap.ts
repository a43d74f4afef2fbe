/**
 * @internal A binary min-heap on an array, after CPython's `heapq` (the
 * same sift algorithms, so that items of equal priority come out in the
 * same order as in Python), ordered by a comparator instead of `<`.
 *
 * Unlike `heapq`, a comparator that throws leaves the heap as it was: every
 * comparison is made before anything is moved.
 */

/** A comparator, as `Array.prototype.sort` takes: negative if `a` comes first. */
export type Compare<T> = (a: T, b: T) => number;

/** Mirrors `heapq.heappush()`. */
export function heapPush<T>(heap: T[], item: T, compare: Compare<T>): void {
  let pos = heap.length;
  // Find where the item goes first (comparisons only), then move the parents down.
  const path: number[] = [];
  while (pos > 0) {
    const parent = (pos - 1) >> 1;
    if (!(compare(item, heap[parent] as T) < 0)) break;
    path.push(parent);
    pos = parent;
  }
  let hole = heap.length;
  heap.push(item);
  for (const parent of path) {
    heap[hole] = heap[parent] as T;
    hole = parent;
  }
  heap[hole] = item;
}

/** Mirrors `heapq.heappop()`: removes and returns the smallest item; the heap must not be empty. */
export function heapPop<T>(heap: T[], compare: Compare<T>): T {
  const n = heap.length;
  const last = heap[n - 1] as T;
  if (n === 1) {
    heap.pop();
    return last;
  }
  const top = heap[0] as T;
  // heapq's _siftup: follow the smaller child down to a leaf (the last
  // item does not count, it is the one moving), then bubble `last` back up.
  const end = n - 1;
  const path: number[] = [0];
  let pos = 0;
  let child = 1;
  while (child < end) {
    const right = child + 1;
    if (right < end && !(compare(heap[child] as T, heap[right] as T) < 0)) child = right;
    path.push(child);
    pos = child;
    child = 2 * pos + 1;
  }
  // _siftdown from the leaf: `last` goes up while it is smaller than the
  // item that the shift above would have moved into the parent's slot.
  let k = path.length - 1;
  while (k > 0 && compare(last, heap[path[k] as number] as T) < 0) k--;
  // Every comparison is done: now move the items.
  for (let i = 0; i < k; i++) heap[path[i] as number] = heap[path[i + 1] as number] as T;
  heap[path[k] as number] = last;
  heap.pop();
  return top;
}
