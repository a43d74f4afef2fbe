/**
 * The loop's pending tasks: what CPython keeps in `_scheduled_tasks` and
 * `_eager_tasks`, here holding each task strongly until it is done, as a loop
 * must for a task nobody else references.
 *
 * An array of slots rather than a `Set`: a task remembers its slot
 * (`_regIndex`), so joining is a push and leaving is a store of null, with no
 * hashing and less memory per entry. A done task is never held (its slot is
 * cleared at once, so it can be collected); the array is compacted once the
 * empty slots outnumber the pending tasks (amortized O(1) per task).
 */
import type { Future } from './future.js';
import type { TaskLike } from './seam.js';

/** What the registry holds: a task, which keeps its slot number; -1 while unregistered. */
type Entry = Future<unknown> & TaskLike;

/** Compact only past this many slots, so that a few short-lived tasks never trigger it. */
const MIN_COMPACT = 64;

/** Seam: The set-like registry of `loop._tasks`. */
export class TaskRegistry {
  private items: (Entry | null)[] = [];
  private live = 0;

  /** The number of registered tasks. */
  get size(): number {
    return this.live;
  }

  /** Registers a pending task (or future); registering it again does nothing. */
  add(t: Entry): this {
    const i = t._regIndex;
    if (i !== undefined && i >= 0 && this.items[i] === t) return this;
    t._regIndex = this.items.length;
    this.items.push(t);
    this.live++;
    return this;
  }

  /** Unregisters `t`; false if it was not registered. */
  delete(t: Entry): boolean {
    const items = this.items;
    let i = t._regIndex;
    if (i === undefined || items[i] !== t) {
      i = items.indexOf(t);
      if (i < 0) return false;
    }
    t._regIndex = -1;
    this.live--;
    const n = items.length;
    if (i === n - 1) {
      items.pop();
    } else {
      items[i] = null;
      if (n >= MIN_COMPACT && n > 2 * this.live) this.compact();
    }
    return true;
  }

  /** True if `t` is registered. */
  has(t: Entry): boolean {
    const i = t._regIndex;
    return i !== undefined && i >= 0 ? this.items[i] === t : this.items.includes(t);
  }

  clear(): void {
    for (const t of this.items) if (t !== null) t._regIndex = -1;
    this.items = [];
    this.live = 0;
  }

  /** The registered tasks, in the order they were registered. */
  *[Symbol.iterator](): IterableIterator<Entry> {
    // Over a copy, as iterating a Set that changes meanwhile would be unsafe in
    // CPython: a compaction must not make the loop skip or repeat a task.
    for (const t of this.items.slice()) if (t !== null) yield t;
  }

  private compact(): void {
    const kept: Entry[] = [];
    for (const t of this.items) {
      if (t !== null) {
        t._regIndex = kept.length;
        kept.push(t);
      }
    }
    this.items = kept;
  }
}
