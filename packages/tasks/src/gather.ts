/** `gather`, after CPython's `asyncio.gather` (3.14). */
import {
  CancelledError,
  type Context,
  type EventLoop,
  Future,
  getEventLoop,
  getRunningLoopOrNull,
  Handle,
  isCoroutine,
  isFuture,
  isInterrupt,
} from '@x/loop';
import {
  addWaker,
  cancelledErrorOf,
  cancelMessageOf,
  currentContextData,
  formatCallback,
  futureState,
  hasFutureMethods,
  isPromiseLike,
  quietAtClose,
  type Runnable,
  runHandleWith,
  type PENDING as SeamPending,
} from '@x/loop/internal';
import { type Awaitable, type Awaitables, typeName } from './awaitable.js';
import { ensureFuture } from './ensure-future.js';
import { standFor } from './graph.js';
import { Task } from './task.js';

// The seam's PENDING as a constant of this module (see task.ts).
const PENDING: typeof SeamPending = 0;

/**
 * Mirrors `asyncio.tasks._GatheringFuture`: the Future `gather()` returns.
 * Its `cancel()` acts like `Task.cancel()`: it does not mark the future
 * cancelled at once but cancels the children, and the outer future ends with
 * `CancelledError` once they are all done.
 */
class _GatheringFuture<T> extends Future<T> {
  /** @internal The children in argument order, duplicates included. */
  _children: Future<unknown>[];
  /** @internal A `cancel()` reached at least one child: end with CancelledError whatever `returnExceptions` says (bpo-32684). */
  _cancelRequested = false;

  constructor(children: Future<unknown>[], loop: EventLoop) {
    super({ loop });
    this._children = children;
  }

  /** Cancels every child that is not done yet; true if at least one was. */
  override cancel(msg?: string): boolean {
    if (this.done()) return false;
    let ret = false;
    for (const child of this._children) {
      if (child.cancel(msg)) ret = true;
    }
    if (ret) this._cancelRequested = true;
    return ret;
  }
}

/**
 * `_done_callback` of CPython's `gather()`, with its closure's variables as
 * fields. It is queued on the loop as itself (a `Runnable`), one per
 * `gather()`, instead of as a done-callback Handle per child: when every
 * child's methods are Future's own, no user code runs in it, so the context
 * it would have run in cannot be observed. In debug mode every child gets the
 * Handle, which carries where it was created for slow-callback reports.
 */
class _Gathering implements Runnable {
  /** Null until every child exists (bpo-46672): ensureFuture may throw half-way. */
  outer: _GatheringFuture<unknown[]> | null = null;
  nfuts = 0;
  nfinished = 0;
  /** The context gather() was called in, once a child needs it (see `_run`). */
  data: Context['_data'] | null = null;
  /** The plain done callback, for children that may run user code in their methods. */
  readonly doneCallback = (fut: Future<unknown>): void => this._done(fut);

  constructor(
    readonly children: Future<unknown>[],
    readonly returnExceptions: boolean,
  ) {}

  /** Called by the ready queue when the child `fut` is done. */
  _run(fut: unknown): void {
    if (this.data !== null) {
      // Some child runs user code in its methods, and the last child to
      // finish reads them all: run as the done-callback Handle would, in a
      // copy of the context gather() was called in.
      const h = new Handle(this.doneCallback, [fut], (fut as Future<unknown>).getLoop(), null);
      runHandleWith(h, this.data);
      return;
    }
    try {
      this._done(fut as Future<unknown>);
    } catch (exc) {
      if (isInterrupt(exc)) throw exc;
      // Reported as the done-callback Handle it stands for would be.
      const loop = (fut as Future<unknown>).getLoop();
      const handle = new Handle(this.doneCallback, [fut], loop, null);
      loop.callExceptionHandler({
        message: `Exception in callback ${formatCallback(this.doneCallback, [fut])}`,
        exception: exc,
        handle,
      });
    }
  }

  _done(fut: Future<unknown>): void {
    this.nfinished++;
    const outer = this.outer;
    if (outer === null || outer.done()) {
      // Nobody will look at this child: mark its exception retrieved.
      if (!fut.cancelled()) fut.exception();
      return;
    }
    if (!this.returnExceptions) {
      if (fut.cancelled()) {
        outer.setException(cancelledErrorOf(fut));
        return;
      }
      const exc = fut.exception();
      if (exc !== null) {
        outer.setException(exc);
        return;
      }
    }
    if (this.nfinished === this.nfuts) {
      const children = this.children;
      const results: unknown[] = [];
      for (const child of children) {
        if (child.cancelled()) {
          // A fresh error: `_makeCancelledError()` may be called once per child.
          results.push(new CancelledError(cancelMessageOf(child) ?? ''));
        } else {
          const exc = child.exception();
          results.push(exc !== null ? exc : child.result());
        }
      }
      if (outer._cancelRequested) {
        // As CPython, whose loop variable leaves `fut` bound to the last child.
        outer.setException(cancelledErrorOf(children[children.length - 1] as Future<unknown>));
      } else {
        outer.setResult(results);
      }
    }
  }
}

function toArray(aws: unknown): readonly unknown[] {
  if (Array.isArray(aws)) return aws;
  if (
    aws === null ||
    aws === undefined ||
    typeof aws === 'string' ||
    isFuture(aws) ||
    isCoroutine(aws) ||
    isPromiseLike(aws) ||
    typeof (aws as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function'
  ) {
    throw new TypeError(
      `gather() takes an array of awaitables, as in gather([a, b]), not ${typeName(aws)}`,
    );
  }
  return Array.from(aws as Iterable<unknown>);
}

/**
 * Mirrors `asyncio.gather()`: runs the awaitables concurrently and returns a
 * Future of their results, in the order of `aws` (not the order they finish
 * in). Coroutines and promises are wrapped with `ensureFuture` on the running
 * loop (else the current one); an awaitable given twice runs once.
 *
 * The first exception (or cancellation) of a child becomes the outer
 * future's at once, and the other children keep running; with
 * `returnExceptions: true`, failures take their place among the results
 * instead. Cancelling the outer future cancels every child that is not done;
 * a child cancelled on its own counts as a `CancelledError` failure.
 *
 * @example
 * ```ts
 * // Python: a, b = await asyncio.gather(f(), g())
 * const [a, b] = yield* gather([f(), g()]);
 * ```
 */
export function gather<T extends readonly unknown[]>(
  aws: [...Awaitables<T>],
  options?: { returnExceptions?: false },
): Future<T>;
export function gather<T extends readonly unknown[]>(
  aws: [...Awaitables<T>],
  options: { returnExceptions: true },
): Future<{ [K in keyof T]: T[K] | Error }>;
export function gather(
  aws: readonly Awaitable<unknown>[],
  options?: { returnExceptions?: boolean },
): Future<unknown[]> {
  const args = toArray(aws);
  if (options !== undefined && options !== null && typeof options !== 'object') {
    throw new TypeError(
      `gather() takes its options as an object, as in gather(aws, { returnExceptions: true }), not ${typeName(options)}`,
    );
  }
  const returnExceptions = Boolean(options?.returnExceptions);

  if (args.length === 0) {
    const outer = getEventLoop().createFuture<unknown[]>();
    outer.setResult([]);
    return outer;
  }

  let loop: EventLoop | null = getRunningLoopOrNull();
  const argToFut = new Map<unknown, Future<unknown>>();
  const children: Future<unknown>[] = [];
  const doneFuts: Future<unknown>[] = [];
  const g = new _Gathering(children, returnExceptions);
  // Until an argument needs `ensureFuture` or a Future's own methods (user
  // code may run there), pending Futures that read their state with
  // Future's methods (tasks) skip the map that finds an argument given
  // twice: one given twice is registered twice and counted twice, and as
  // nothing can settle it in between, its two wakers run one after the
  // other, so the gathering ends at the same point. `gather(tasks)` of
  // 100,000 tasks spares 100,000 map entries.
  let mapped = false;

  for (const arg of args) {
    if (!mapped) {
      if (
        arg instanceof Future &&
        futureState(arg) === PENDING &&
        (loop === null || arg.getLoop() === loop) &&
        hasFutureMethods(arg) &&
        !arg.getLoop().getDebug()
      ) {
        if (loop === null) loop = arg.getLoop();
        g.nfuts++;
        addWaker(arg, g);
        children.push(arg);
        continue;
      }
      // From here on the map finds every argument seen so far.
      mapped = true;
      for (const child of children) argToFut.set(child, child);
    }
    let fut = argToFut.get(arg);
    if (fut === undefined) {
      fut = ensureFuture(arg as Awaitable<unknown>, loop === null ? undefined : { loop });
      if (loop === null) loop = fut.getLoop();
      if (fut !== arg) {
        // The caller cannot see this task: no "destroyed but pending" report for it.
        if (fut instanceof Task) quietAtClose(fut);
      }
      g.nfuts++;
      argToFut.set(arg, fut);
      if (fut.done()) doneFuts.push(fut);
      else if (hasFutureMethods(fut) && !fut.getLoop().getDebug()) addWaker(fut, g);
      else {
        fut.addDoneCallback(g.doneCallback);
        g.data = currentContextData();
      }
    }
    children.push(fut);
  }

  const outer = new _GatheringFuture<unknown[]>(children, loop as EventLoop);
  standFor(outer, children);
  g.outer = outer;
  // Children already done (eager tasks, done futures) are accounted for now:
  // if all are, the outer future is done before gather() returns.
  for (const fut of doneFuts) g._done(fut);
  return outer;
}
