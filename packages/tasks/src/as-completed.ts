/** `asCompleted`, after CPython's `asyncio.as_completed` (3.13+). */
import {
  type Coroutine,
  type EventLoop,
  type Future,
  getEventLoop,
  isCoroutine,
  isFuture,
  TimeoutError,
  type TimerHandle,
} from '@x/loop';
import { isPromiseLike } from '@x/loop/internal';
import { type Awaitable, typeName } from './awaitable.js';
import { ensureFuture } from './ensure-future.js';
import { futureAddToAwaitedBy, futureDiscardFromAwaitedBy } from './graph.js';
import { currentTask } from './task.js';
import { checkTimeout } from './wait.js';
import { WaiterQueue } from './waiter-queue.js';

/**
 * The completed futures in the order they completed, with the FIFO hand-off
 * of `asyncio.Queue` (`put_nowait` / `get`) that CPython's `as_completed`
 * relies on: getters are served in the order they started waiting, and a
 * getter cancelled after being woken passes the wake-up on.
 */
class CompletionQueue<T> {
  private items: T[] = [];
  private head = 0;
  private getters = new WaiterQueue<Future<void>>();

  constructor(private readonly loop: EventLoop) {}

  putNowait(item: T): void {
    this.items.push(item);
    this.wakeupNext();
  }

  *get(): Coroutine<T> {
    while (this.head === this.items.length) {
      const getter = this.loop.createFuture<void>();
      const link = this.getters.push(getter);
      try {
        yield* getter;
      } catch (e) {
        getter.cancel();
        this.getters.remove(getter, link);
        if (this.head < this.items.length && !getter.cancelled()) this.wakeupNext();
        throw e;
      }
    }
    const item = this.items[this.head] as T;
    this.items[this.head++] = undefined as T;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    return item;
  }

  private wakeupNext(): void {
    this.getters.wakeNextOut(undefined);
  }
}

/** Mirrors `asyncio.tasks._AsCompletedIterator`, as a plain iterator. */
class AsCompletedIterator<T> implements IterableIterator<Coroutine<T>> {
  private readonly done: CompletionQueue<Future<T> | null>;
  private timeoutHandle: TimerHandle | null = null;
  private readonly todo: Set<Future<T>>;
  private readonly waiter: Future<unknown> | null;
  private todoLeft: number;

  constructor(aws: Iterable<Awaitable<T>>, timeout: number | null) {
    const loop = getEventLoop();
    this.done = new CompletionQueue(loop);
    const todo = new Set<Future<T>>();
    for (const aw of new Set(aws)) todo.add(ensureFuture(aw, { loop }));
    for (const f of todo) f.addDoneCallback(this.handleCompletion);
    // For the call graph: the task iterating awaits every one of them.
    const waiter = loop.isRunning() ? currentTask(loop) : null;
    this.waiter = waiter;
    if (waiter !== null) for (const f of todo) futureAddToAwaitedBy(f, waiter);
    if (todo.size > 0 && timeout !== null) {
      this.timeoutHandle = loop.callLater(timeout, this.handleTimeout);
    }
    this.todo = todo;
    this.todoLeft = todo.size;
  }

  // No `return()`: like Python's, breaking out of a `for...of` leaves the
  // iterator usable, and a later loop resumes where the first one stopped.
  next(): IteratorResult<Coroutine<T>, undefined> {
    if (this.todoLeft === 0) return { done: true, value: undefined };
    this.todoLeft--;
    return { done: false, value: this.waitForOne() };
  }

  [Symbol.iterator](): this {
    return this;
  }

  private readonly handleTimeout = (): void => {
    for (const f of this.todo) {
      f.removeDoneCallback(this.handleCompletion);
      if (this.waiter !== null) futureDiscardFromAwaitedBy(f, this.waiter);
      this.done.putNowait(null);
    }
    this.todo.clear();
  };

  private readonly handleCompletion = (f: Future<T>): void => {
    // After a timeout the set is empty, and nothing is left to hand out.
    if (this.todo.size === 0) return;
    this.todo.delete(f);
    if (this.waiter !== null) futureDiscardFromAwaitedBy(f, this.waiter);
    this.done.putNowait(f);
    if (this.todo.size === 0 && this.timeoutHandle !== null) this.timeoutHandle.cancel();
  };

  private *waitForOne(): Coroutine<T> {
    const f = yield* this.done.get();
    if (f === null) throw new TimeoutError();
    return f.result();
  }
}

/**
 * Mirrors `asyncio.as_completed()` used as a plain iterator: runs the
 * awaitables concurrently (coroutines and promises are wrapped with
 * `ensureFuture` at once; duplicates count once) and yields one coroutine per
 * awaitable. Each coroutine, when awaited, returns the result of (or throws
 * the exception of) the next awaitable to complete, in completion order.
 * After `timeout` seconds, the coroutines not yet served throw `TimeoutError`.
 *
 * @example
 * ```ts
 * // Python: for coro in asyncio.as_completed(aws, timeout=5):
 * //             result = await coro
 * for (const next of asCompleted(aws, { timeout: 5 })) {
 *   const result = yield* next;
 * }
 * ```
 */
export function asCompleted<T>(
  aws: Iterable<Awaitable<T>>,
  options?: { timeout?: number | null },
): Iterable<Coroutine<T>> {
  if (isCoroutine(aws)) {
    // A generator object of awaitables looks exactly like a coroutine here.
    throw new TypeError(
      'expects an iterable of awaitables, not coroutine: pass an iterable, as in asCompleted([coro]) or asCompleted([...generator])',
    );
  }
  if (isFuture(aws) || isPromiseLike(aws)) {
    throw new TypeError(
      `expects an iterable of awaitables, not ${typeName(aws)}: pass an iterable, as in asCompleted([fut])`,
    );
  }
  if (
    aws === null ||
    aws === undefined ||
    typeof (aws as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function'
  ) {
    throw new TypeError(`expects an iterable of awaitables, not ${typeName(aws)}`);
  }
  return new AsCompletedIterator(aws, checkTimeout(options?.timeout, 'asCompleted'));
}
