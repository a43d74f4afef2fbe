/**
 * @internal A double-ended queue on a ring buffer, for the waiters of the
 * synchronisation primitives and the items of a `Queue` (Python's
 * `collections.deque`): `shift()` is O(1), where an array's is O(n).
 */
export class Deque<T> {
  private _buf: (T | undefined)[] = new Array(8);
  private _head = 0;
  private _len = 0;

  /** The number of items. */
  get length(): number {
    return this._len;
  }

  /** Appends `x` at the right end (`deque.append`). */
  push(x: T): void {
    const buf = this._buf;
    if (this._len === buf.length) {
      this._grow();
      this._buf[this._len++] = x;
      return;
    }
    buf[(this._head + this._len) & (buf.length - 1)] = x;
    this._len++;
  }

  /** Removes and returns the leftmost item, or undefined if empty (`deque.popleft`). */
  shift(): T | undefined {
    if (this._len === 0) return undefined;
    const buf = this._buf;
    const x = buf[this._head];
    buf[this._head] = undefined;
    this._head = (this._head + 1) & (buf.length - 1);
    this._len--;
    return x;
  }

  /** The item at index `i` from the left, or undefined. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this._len) return undefined;
    return this._buf[(this._head + i) & (this._buf.length - 1)];
  }

  /**
   * Removes the first occurrence of `x` (`deque.remove`); returns false if
   * there is none, where Python raises `ValueError`.
   */
  remove(x: T): boolean {
    const buf = this._buf;
    const mask = buf.length - 1;
    const n = this._len;
    for (let k = 0; k < n; k++) {
      if (buf[(this._head + k) & mask] === x) {
        for (let j = k; j < n - 1; j++) {
          buf[(this._head + j) & mask] = buf[(this._head + j + 1) & mask];
        }
        buf[(this._head + n - 1) & mask] = undefined;
        this._len--;
        return true;
      }
    }
    return false;
  }

  *[Symbol.iterator](): Generator<T, void, undefined> {
    const buf = this._buf;
    const mask = buf.length - 1;
    for (let k = 0; k < this._len; k++) yield buf[(this._head + k) & mask] as T;
  }

  private _grow(): void {
    const old = this._buf;
    const n = this._len;
    const buf: (T | undefined)[] = new Array(old.length * 2);
    for (let k = 0; k < n; k++) buf[k] = old[(this._head + k) & (old.length - 1)];
    this._buf = buf;
    this._head = 0;
  }
}
