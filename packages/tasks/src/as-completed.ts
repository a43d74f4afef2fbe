/** `asCompleted`, after CPython's `asyncio.as_completed` (3.13+), in both its forms. */
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
import { anext, type CoroutineStepped } from './each.js';
import { ensureFuture } from './ensure-future.js';
import { futureAddToAwaitedBy, futureDiscardFromAwaitedBy } from './graph.js';
import { stepAsTask } from './step-as-task.js';
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

/**
 * What `asCompleted()` returns, as Python 3.13+'s `as_completed()`: a plain
 * iterable of coroutines (each returns the result of the next awaitable to
 * complete), and also an async iterable of the Futures themselves, in the
 * order they complete: the Futures and Tasks given, and the Tasks made for
 * the coroutines (and the Futures made for the promises) given. Iterate it
 * asynchronously with `each()` in a coroutine, or `for await` in an async
 * function. Both forms share one count: a `break` leaves the rest for a
 * later loop, in either form.
 *
 * @example
 * ```ts
 * const fetches = urls.map((url) => createTask(download(url)));
 * // Python 3.13: async for task in asyncio.as_completed(fetches):
 * for (const task of yield* each(asCompleted(fetches))) {
 *   console.log(urls[fetches.indexOf(task as Task<Buffer>)], (yield* task).length);
 *   yield* each.next();
 * }
 * ```
 */
export interface AsCompleted<T> extends Iterable<Coroutine<T>>, AsyncIterable<Future<T>> {
  /** `for (const next of it)`: one coroutine per awaitable, as `__iter__`. */
  [Symbol.iterator](): Iterator<Coroutine<T>>;
  /**
   * `for await (const fut of it)`, as `__aiter__`: each `next()` runs as a
   * task on the running loop. Its wait cannot be cancelled from the async
   * function (a promise cannot be); inside a coroutine, use `each()`.
   * TypeScript types the item of a `for await` as the awaited `T`, since it
   * assumes that no async iterator yields a thenable: the item is the
   * Future, and `await fut` gives the `T` TypeScript expects; to compare it
   * with the tasks given, cast it (`fut as unknown as Future<T>`) or use
   * `each()`, whose items are typed `Future<T>`.
   */
  [Symbol.asyncIterator](): AsyncIterator<Future<T>>;
}

/** Mirrors `asyncio.tasks._AsCompletedIterator`: a plain iterator, and an async source. */
class AsCompletedIterator<T>
  implements AsCompleted<T>, IterableIterator<Coroutine<T>>, CoroutineStepped<Future<T>>
{
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
    return { done: false, value: this.waitForResult() };
  }

  [Symbol.iterator](): this {
    return this;
  }

  /** `__anext__`: the next Future to complete, for each(). */
  *[anext](): Coroutine<IteratorResult<Future<T>, undefined>> {
    if (this.todoLeft === 0) return { done: true, value: undefined };
    this.todoLeft--;
    return { done: false, value: yield* this.waitForOne() };
  }

  /** `__aiter__`, for `for await`. No `return()`: a `break` leaves the rest for later. */
  [Symbol.asyncIterator](): AsyncIterator<Future<T>> {
    const it: AsyncIterator<Future<T>> & AsyncIterable<Future<T>> = {
      next: () => stepAsTask(() => this[anext](), 'asCompleted()', 'next'),
      [Symbol.asyncIterator]: () => it,
    };
    return it;
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

  private *waitForOne(): Coroutine<Future<T>> {
    const f = yield* this.done.get();
    if (f === null) throw new TimeoutError();
    return f;
  }

  private *waitForResult(): Coroutine<T> {
    return (yield* this.waitForOne()).result();
  }
}

/**
 * Mirrors `asyncio.as_completed()` (3.13+): runs the awaitables concurrently
 * (coroutines and promises are wrapped with `ensureFuture` at once;
 * duplicates count once) and gives them back in the order they complete.
 *
 * As a plain iterable, it yields one coroutine per awaitable; each, when
 * awaited, returns the result of (or throws the exception of) the next
 * awaitable to complete. As an async source (`each()` in a coroutine,
 * `for await` in an async function), it yields the Futures themselves as
 * they complete: the Futures and Tasks given are yielded as they are, so
 * that they can be told apart, and a coroutine given comes back as the Task
 * made for it.
 *
 * After `timeout` seconds, what is not yet served throws `TimeoutError`: the
 * coroutines of the plain form, or the next step of the async form (out of
 * `yield* each.next()`). Nothing is cancelled.
 *
 * @example
 * ```ts
 * // Python: for coro in asyncio.as_completed(aws, timeout=5):
 * //             result = await coro
 * for (const next of asCompleted(aws, { timeout: 5 })) {
 *   const result = yield* next;
 * }
 *
 * // Python 3.13: async for task in asyncio.as_completed(tasks):
 * //                  if task is first: ...
 * for (const task of yield* each(asCompleted(tasks))) {
 *   if (task === tasks[0]) console.log('the first one is done:', yield* task);
 *   yield* each.next();
 * }
 * ```
 */
export function asCompleted<T>(
  aws: Iterable<Awaitable<T>>,
  options?: { timeout?: number | null },
): AsCompleted<T> {
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
