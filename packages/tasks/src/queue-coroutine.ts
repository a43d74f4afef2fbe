/**
 * `QueueCoroutine`: the coroutine `Queue.get()` and `Queue.put()` return.
 * asyncio writes both as the same loop (`queues.py`):
 *
 * ```python
 * while self.empty():                    # put: while self.full()
 *     if self._is_shutdown:
 *         raise QueueShutDown
 *     getter = self._get_loop().create_future()
 *     self._getters.append(getter)
 *     try:
 *         await getter
 *     except:
 *         getter.cancel()  # Just in case getter is not done yet.
 *         try:
 *             self._getters.remove(getter)
 *         except ValueError:
 *             pass
 *         if not self.empty() and not getter.cancelled():
 *             self._wakeup_next(self._getters)
 *         raise
 * return self.get_nowait()               # put: return self.put_nowait(item)
 * ```
 *
 * Here it is written once for both, as a hand-written coroutine (see
 * `CoroutineObject`) that awaits its waiter itself (`suspendOn`,
 * `resultOnResume`): a producer and a consumer make one `get()` and one
 * `put()` per item, and as generators each paid for a generator object and
 * its frame, one more level of `yield*` on every resume, and a `FutureIter`
 * for its waiter. A `Queue(1)` ping-pong (W5) runs 24 % fewer instructions
 * this way (tooling/bench/README.md, issue 9 round four).
 */
import type { Future } from '@x/loop';
import {
  type CoroutineObject,
  inheritCoroutineMethods,
  refuseAwait,
  resultOnResume,
  suspendOn,
} from '@x/loop/internal';
import { bindLoop } from './loop-bound.js';
import { type Queue, QueueShutDown } from './queue.js';
import type { Parked, WaiterQueue } from './waiter-queue.js';

const PUT_DONE = Object.freeze({ value: undefined, done: true }) as IteratorReturnResult<never>;

/** @internal `R`: what it returns (the item for `get()`, nothing for `put()`). */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: it inherits CoroutineObject's methods (inheritCoroutineMethods)
export class QueueCoroutine<T, R> {
  declare private readonly queue: Queue<T>;
  /** `put(item)`; else `get()`. */
  declare readonly putting: boolean;
  declare private readonly item: T | undefined;
  /**
   * Its state, in the one field a step must write anyway: undefined until its
   * first step, the waiter while it waits, null otherwise (running, or ended).
   * Few fields and few writes: until V8's optimizing compiler takes over (the
   * first ten thousand round trips of a `Queue(1)` ping-pong), every write is
   * a call into an inline cache. (The fields are `declare`d and set in the
   * constructor only: a field declaration would define each one first.)
   */
  declare private waiter: Future<void> | null | undefined;
  /** The waiter's link in the queue's line (`_getters` or `_putters`), for `close()`. */
  declare private link: Parked<Future<void>> | null;

  constructor(queue: Queue<T>, putting: boolean, item: T | undefined) {
    this.queue = queue;
    this.putting = putting;
    this.item = item;
    this.waiter = undefined;
    this.link = null;
  }

  next(): IteratorResult<Future<unknown>, R> {
    const waiter = this.waiter;
    if (waiter === null) return this.reused();
    if (waiter !== undefined) {
      // `await waiter` returns (its result) or throws (the wait ends, as in `except:`).
      try {
        resultOnResume(waiter);
      } catch (e) {
        this.close();
        throw e;
      }
    }
    // Until it waits again, it counts as ended: a step that throws ends it, as a generator's would.
    this.waiter = null;
    const q = this.queue;
    const putting = this.putting;
    if (putting ? q.full() : q.empty()) {
      if (q._isShutdown) throw new QueueShutDown();
      return putting ? this.waitToPut(q._putters) : this.waitToGet(q._getters);
    }
    if (putting) {
      q.putNowait(this.item as T);
      return PUT_DONE;
    }
    return { value: q.getNowait() as unknown as R, done: true };
  }

  // One wait under two names: the call graph shows them as asyncio shows the
  // coroutine a task waits in, `Queue.get` or `Queue.put` (see graph.ts).
  private waitToGet(waiters: WaiterQueue<Future<void>>): IteratorResult<Future<unknown>, R> {
    return this.wait(waiters);
  }

  private waitToPut(waiters: WaiterQueue<Future<void>>): IteratorResult<Future<unknown>, R> {
    return this.wait(waiters);
  }

  /** Parks a new waiter in `waiters` and yields it to the task. */
  private wait(waiters: WaiterQueue<Future<void>>): IteratorResult<Future<unknown>, R> {
    const waiter = bindLoop(this.queue).createFuture<void>();
    this.link = waiters.push(waiter);
    this.waiter = waiter;
    return suspendOn(waiter);
  }

  /** The `except:` above: the wait ended by a throw or `return()`, not by the waiter's result. */
  protected close(): void {
    const waiter = this.waiter;
    this.waiter = null;
    if (waiter === null || waiter === undefined) return;
    const q = this.queue;
    const waiters: WaiterQueue<Future<void>> = this.putting ? q._putters : q._getters;
    waiter.cancel(); // In case it is not done yet.
    // putNowait(), getNowait() or shutdown() may have removed it already.
    waiters.remove(waiter, this.link);
    if (!(this.putting ? q.full() : q.empty()) && !waiter.cancelled()) {
      // Woken but not taking the item (or the slot): wake the next in line.
      q._wakeupNext(waiters);
    }
  }
}
// Its methods beyond next() are CoroutineObject's (see `inheritCoroutineMethods`).
// biome-ignore lint/correctness/noUnusedVariables: a merged declaration repeats the class's type parameters
export interface QueueCoroutine<T, R> extends CoroutineObject<Future<unknown>, R> {}
inheritCoroutineMethods(QueueCoroutine);

refuseAwait(QueueCoroutine.prototype, (coro: QueueCoroutine<unknown, unknown>) =>
  coro.putting ? 'Queue.put' : 'Queue.get',
);
