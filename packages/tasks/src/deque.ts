/**
 * @internal A FIFO on a ring buffer, for the items of a `Queue` (Python's
 * `collections.deque`): `shift()` is O(1), where an array's is O(n). The
 * waiters of the primitives are in a `WaiterQueue`, which removes one in O(1).
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
