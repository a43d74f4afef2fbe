/** `ensureFuture`, after CPython's `asyncio.ensure_future`. */
import {
  type Coroutine,
  type EventLoop,
  Future,
  getEventLoop,
  isCoroutine,
  RuntimeError,
  ValueError,
} from '@x/loop';
import { checkLoopOpen, isPromiseLike, shortRepr, wrapPromise } from '@x/loop/internal';

/**
 * Mirrors `asyncio.ensure_future()`: a Future is returned as is; a coroutine
 * is wrapped in a Task; any PromiseLike becomes a Future that follows it.
 * Cancelling such a Future releases its waiters but cannot stop the promise's
 * work: use `abortable()` for work that takes an AbortSignal.
 *
 * @example
 * ```ts
 * const fut = ensureFuture(fetch(url));       // asyncio.ensure_future(aw): a Future following the promise
 * const response = yield* fut;
 * const task = ensureFuture(work());          // a coroutine becomes a Task
 * ```
 */
export function ensureFuture<T>(
  aw: Future<T> | Coroutine<T> | PromiseLike<T>,
  options?: { loop?: EventLoop },
): Future<T> {
  const loop = options?.loop;
  if (aw instanceof Future) {
    if (loop !== undefined && loop !== null && loop !== aw.getLoop()) {
      throw new ValueError(
        'The future belongs to a different loop than the one specified as the loop argument',
      );
    }
    return aw;
  }
  if (isCoroutine(aw)) {
    const l = loop ?? getEventLoop();
    try {
      return l.createTask(aw as Coroutine<T>);
    } catch (e) {
      // As CPython: a coroutine that cannot get a task is closed, so that
      // nothing can start it by mistake later.
      if (e instanceof RuntimeError) aw.return(undefined as T);
      throw e;
    }
  }
  if (isPromiseLike(aw)) {
    const l = loop ?? getEventLoop();
    checkLoopOpen(l);
    return wrapPromise(aw, l);
  }
  throw new TypeError(
    `An asyncio.Future, a coroutine or an awaitable is required, got ${shortRepr(aw)}`,
  );
}
