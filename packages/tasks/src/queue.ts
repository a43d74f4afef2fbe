/**
 * `Queue`, `PriorityQueue`, `LifoQueue` and their errors, after CPython's
 * `asyncio/queues.py` (3.14, with 3.13's `shutdown()`).
 */
import { type Coroutine, type EventLoop, type Future, ValueError } from '@x/loop';
import { refuseUnbound, shortRepr, watchCoroutineMethods } from '@x/loop/internal';
import { pythonCompare } from './compare.js';
import { Deque } from './deque.js';
import { Event } from './event.js';
import { type Compare, heapPop, heapPush } from './heap.js';
import { QueueCoroutine } from './queue-coroutine.js';
import { WaiterQueue } from './waiter-queue.js';

/**
 * Mirrors `asyncio.QueueEmpty`: `getNowait()` found the queue empty.
 *
 * @example
 * ```ts
 * try {
 *   queue.getNowait();                        // queue.get_nowait()
 * } catch (e) {
 *   if (e instanceof QueueEmpty) console.log('nothing yet');   // except asyncio.QueueEmpty:
 * }
 * ```
 */
export class QueueEmpty extends Error {
  constructor(message = 'the queue is empty') {
    super(message);
    this.name = 'QueueEmpty';
  }
}

/**
 * Mirrors `asyncio.QueueFull`: `putNowait()` found the queue full.
 *
 * @example
 * ```ts
 * const queue = new Queue<number>(1);
 * queue.putNowait(1);
 * try {
 *   queue.putNowait(2);
 * } catch (e) {
 *   if (e instanceof QueueFull) console.log('full');   // except asyncio.QueueFull:
 * }
 * ```
 */
export class QueueFull extends Error {
  constructor(message = 'the queue is full') {
    super(message);
    this.name = 'QueueFull';
  }
}

/**
 * Mirrors `asyncio.QueueShutDown` (3.13): the queue was shut down, so
 * nothing can be put, and nothing got once it is empty (or at once, after
 * `shutdown(true)`).
 *
 * @example
 * ```ts
 * queue.shutdown();                           // queue.shutdown(): no more puts
 * try {
 *   for (;;) handle(yield* queue.get());      // drains what is left, then...
 * } catch (e) {
 *   if (!(e instanceof QueueShutDown)) throw e;   // except asyncio.QueueShutDown:
 * }
 * ```
 */
export class QueueShutDown extends Error {
  constructor(message = 'the queue is shut down') {
    super(message);
    this.name = 'QueueShutDown';
  }
}

/**
 * The items of a queue as `Queue` sees them: subclasses keep them in their own structure.
 *
 * @example
 * ```ts
 * const jobs = new PriorityQueue<number>();
 * jobs.putNowait(3);
 * jobs.putNowait(1);
 * console.log(String(jobs));                  // lists the items as stored: a heap, as repr() shows
 * ```
 */
export interface QueueStorage<T> {
  /** How many items the queue holds. */
  readonly length: number;
  /** The items, in storage order (a heap for `PriorityQueue`), as `repr()` lists them. */
  [Symbol.iterator](): Iterator<T>;
}

/**
 * Mirrors `asyncio.Queue`: a first-in, first-out queue for producer and
 * consumer tasks.
 *
 * With `maxsize` > 0, `put()` waits while the queue holds `maxsize` items;
 * with 0 (the default) or less, the queue is unbounded. Waiting getters and
 * putters are served in turn; one cancelled after it was woken passes its
 * turn on, so no item and no free slot is lost. `join()` waits until every
 * item put was marked done with `taskDone()`; `shutdown()` stops the queue.
 *
 * @example
 * ```ts
 * // Python: await q.put(item); item = await q.get(); q.task_done()
 * yield* q.put(item);
 * const item = yield* q.get();
 * q.taskDone();
 * ```
 *
 * Subclasses change the order by overriding `_init`, `_put` and `_get`, as
 * in Python (see `LifoQueue`, `PriorityQueue`).
 */
export class Queue<T = unknown> {
  /** @internal */ _maxsize: number;
  /** @internal Futures of the tasks waiting in `get()`, oldest first. */
  _getters: WaiterQueue<Future<void>> = new WaiterQueue();
  /** @internal Futures of the tasks waiting in `put()`, oldest first. */
  _putters: WaiterQueue<Future<void>> = new WaiterQueue();
  /** @internal Items put and not yet marked done with `taskDone()`. */
  _unfinishedTasks = 0;
  /** @internal Set while `_unfinishedTasks` is 0: what `join()` waits for. */
  _finished: Event = new Event();
  /** @internal The items; set by `_init()`. */
  _queue!: QueueStorage<T>;
  /** @internal */ _isShutdown = false;
  /** @internal The loop this queue is bound to (see `bindLoop`). */
  _loop: EventLoop | null = null;

  /** `maxsize`: the most items the queue holds; 0 (the default) or less for no limit. */
  constructor(maxsize = 0) {
    if (typeof maxsize !== 'number' || Number.isNaN(maxsize)) {
      throw new TypeError(
        `${new.target.name}() takes the maximum number of items (0 for no limit), got ${shortRepr(maxsize)}`,
      );
    }
    this._maxsize = maxsize;
    this._finished.set();
    this._init(maxsize);
  }

  // These three are overridable in subclasses.

  /** @internal Mirrors `_init()`: creates the storage. */
  _init(_maxsize: number): void {
    this._queue = new Deque<T>();
  }

  /** @internal Mirrors `_get()`: removes and returns the next item; the queue is not empty. */
  _get(): T {
    return (this._queue as Deque<T>).shift() as T;
  }

  /** @internal Mirrors `_put()`: stores an item. */
  _put(item: T): void {
    (this._queue as Deque<T>).push(item);
  }

  // End of the overridable methods.

  /** @internal Mirrors `_wakeup_next()`: wakes the first waiter that is not cancelled. */
  _wakeupNext(waiters: WaiterQueue<Future<void>>): void {
    waiters.wakeNextOut(undefined);
  }

  /** Mirrors `Queue.qsize()`: the number of items in the queue. */
  qsize(): number {
    return this._queue.length;
  }

  /** Mirrors `Queue.maxsize`: the most items the queue holds (0 or less: no limit). */
  get maxsize(): number {
    return this._maxsize;
  }

  /** Mirrors `Queue.empty()`: true if the queue holds no item. */
  empty(): boolean {
    return this._queue.length === 0;
  }

  /** Mirrors `Queue.full()`: true if the queue holds `maxsize` items (never, without a limit). */
  full(): boolean {
    if (this._maxsize <= 0) return false;
    return this.qsize() >= this._maxsize;
  }

  /**
   * Mirrors `Queue.put()`: puts `item` in the queue, waiting for a free
   * slot while it is full. Throws `QueueShutDown` if the queue is, or is
   * while waiting, shut down.
   */
  put(item: T): Coroutine<void> {
    return new QueueCoroutine<T, void>(this, true, item) as unknown as Coroutine<void>;
  }

  /**
   * Mirrors `Queue.put_nowait()`: puts `item` in the queue if there is room
   * now, else throws `QueueFull`. Throws `QueueShutDown` after `shutdown()`.
   */
  putNowait(item: T): void {
    if (this._isShutdown) throw new QueueShutDown();
    if (this.full()) throw new QueueFull();
    this._put(item);
    this._unfinishedTasks++;
    this._finished.clear();
    this._wakeupNext(this._getters);
  }

  /**
   * Mirrors `Queue.get()`: removes and returns the next item, waiting for
   * one while the queue is empty. Throws `QueueShutDown` if the queue is
   * shut down and empty, or was shut down with `shutdown(true)`.
   */
  get(): Coroutine<T> {
    return new QueueCoroutine<T, T>(this, false, undefined) as unknown as Coroutine<T>;
  }

  /**
   * Mirrors `Queue.get_nowait()`: removes and returns the next item if there
   * is one, else throws `QueueEmpty` (`QueueShutDown` once shut down).
   */
  getNowait(): T {
    if (this.empty()) {
      if (this._isShutdown) throw new QueueShutDown();
      throw new QueueEmpty();
    }
    const item = this._get();
    this._wakeupNext(this._putters);
    return item;
  }

  /**
   * Mirrors `Queue.task_done()`: marks one item got from the queue as
   * processed. When every item put has been marked, `join()` returns.
   * More calls than items put is a `ValueError`.
   */
  taskDone(): void {
    if (this._unfinishedTasks <= 0) throw new ValueError('task_done() called too many times');
    this._unfinishedTasks--;
    if (this._unfinishedTasks === 0) this._finished.set();
  }

  /**
   * Mirrors `Queue.join()`: waits until every item put in the queue has
   * been got and marked done with `taskDone()`.
   */
  *join(): Coroutine<void> {
    if (this._unfinishedTasks > 0) yield* this._finished.wait();
  }

  /**
   * Mirrors `Queue.shutdown()` (3.13): from now on `put()` and `putNowait()`
   * throw `QueueShutDown`, and so do `get()` and `getNowait()` once the
   * queue is empty. Every task waiting in `put()` or `get()` is woken to see
   * it. With `immediate`, the items left are dropped at once (each counting
   * as done, which may let `join()` return), so gets throw at once too.
   */
  shutdown(immediate = false): void {
    this._isShutdown = true;
    if (immediate) {
      while (!this.empty()) {
        this._get();
        if (this._unfinishedTasks > 0) this._unfinishedTasks--;
      }
      // Release every task blocked in join().
      if (this._unfinishedTasks === 0) this._finished.set();
    }
    // Every getter must check for an empty queue again, to throw QueueShutDown.
    for (let g = this._getters.shift(); g !== undefined; g = this._getters.shift()) {
      if (!g.done()) g.setResult(undefined);
    }
    for (let p = this._putters.shift(); p !== undefined; p = this._putters.shift()) {
      if (!p.done()) p.setResult(undefined);
    }
  }

  /** @internal Mirrors `_format()`: the state shown by `toString()`. */
  _format(): string {
    let result = `maxsize=${this._maxsize}`;
    if (this._queue !== undefined && this._queue.length > 0) {
      result += ` _queue=[${Array.from(this._queue, (x) => shortRepr(x)).join(', ')}]`;
    }
    if (this._getters.length > 0) result += ` _getters[${this._getters.length}]`;
    if (this._putters.length > 0) result += ` _putters[${this._putters.length}]`;
    if (this._unfinishedTasks) result += ` tasks=${this._unfinishedTasks}`;
    if (this._isShutdown) result += ' shutdown';
    return result;
  }

  /** Mirrors `repr()` of the queue: its state and waiters. */
  toString(): string {
    return `<${this.constructor.name} ${this._format()}>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * Mirrors `asyncio.PriorityQueue`: a `Queue` that gives the smallest item
 * first, kept in a binary heap as Python's `heapq` does (items of equal
 * priority come out in the same order as in Python).
 *
 * Items are ordered as Python would order them: numbers by value, strings
 * as JavaScript's `<` does, and arrays element-wise like tuples, so that
 * `[priority, data]` entries work as `(priority, data)` ones do; ordering
 * anything else is a `TypeError`. The `compare` option (negative if `a`
 * comes first, as `Array.prototype.sort` takes) orders any items instead.
 *
 * @example
 * ```ts
 * // Python: q = asyncio.PriorityQueue(); await q.put((2, 'b'))
 * const q = new PriorityQueue<[number, string]>();
 * yield* q.put([2, 'b']);
 * const jobs = new PriorityQueue<Job>(0, { compare: (a, b) => a.deadline - b.deadline });
 * ```
 */
export class PriorityQueue<T = unknown> extends Queue<T> {
  declare _queue: T[];
  /** @internal */ _compare: Compare<T>;

  constructor(maxsize = 0, options?: { compare?: (a: T, b: T) => number }) {
    super(maxsize);
    const compare = options?.compare;
    if (compare !== undefined && typeof compare !== 'function') {
      throw new TypeError(
        `PriorityQueue's compare option must be a function (a, b) => number, got ${shortRepr(compare)}`,
      );
    }
    this._compare = compare ?? pythonCompare;
  }

  override _init(_maxsize: number): void {
    this._queue = [];
  }

  override _put(item: T): void {
    heapPush(this._queue, item, this._compare);
  }

  override _get(): T {
    return heapPop(this._queue, this._compare);
  }
}

/**
 * Mirrors `asyncio.LifoQueue`: a `Queue` that gives the most recently put item first.
 *
 * @example
 * ```ts
 * const stack = new LifoQueue<string>();      // asyncio.LifoQueue()
 * stack.putNowait('a');
 * stack.putNowait('b');
 * stack.getNowait();                          // 'b'
 * ```
 */
export class LifoQueue<T = unknown> extends Queue<T> {
  declare _queue: T[];

  override _init(_maxsize: number): void {
    this._queue = [];
  }

  override _put(item: T): void {
    this._queue.push(item);
  }

  override _get(): T {
    return this._queue.pop() as T;
  }
}

watchCoroutineMethods(Queue, ['put', 'get', 'join']);
refuseUnbound(Queue);
