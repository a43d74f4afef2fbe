/** `shield`, after CPython's `asyncio.shield` (3.14). */
import type { ExceptionContext, Future } from '@x/loop';
import { sourceTracebackOf } from '@x/loop/internal';
import { type Awaitable, typeName } from './awaitable.js';
import { ensureFuture } from './ensure-future.js';
import { standFor } from './graph.js';

/**
 * Reports the failure of a shielded future whose shield was cancelled: its
 * awaiter is gone, so nobody else will. One function for every shield, so
 * that `removeDoneCallback` keeps a single registration per inner future.
 */
function logOnException(fut: Future<unknown>): void {
  if (fut.cancelled()) return;
  const exc = fut.exception();
  if (exc === null) return;
  const context: ExceptionContext = {
    message: `${typeName(exc)} exception in shielded future`,
    exception: exc,
    future: fut,
  };
  const site = sourceTracebackOf(fut);
  if (site) context.source_traceback = site;
  fut.getLoop().callExceptionHandler(context);
}

/**
 * Mirrors `asyncio.shield()`: waits for `aw` but does not let a cancellation
 * reach it. Cancelling the task that waits (or the returned Future) cancels
 * only the returned Future; the inner Future or Task goes on, and if it then
 * fails, its exception goes to the loop's exception handler
 * ("... exception in shielded future"). If the inner one is cancelled by
 * other means, the returned Future is cancelled too. A coroutine or promise is
 * wrapped with `ensureFuture` first; one that is already done is returned as is.
 *
 * @example
 * ```ts
 * // Python: res = await asyncio.shield(task)
 * const res = yield* shield(task);
 * ```
 */
export function shield<T>(aw: Awaitable<T>): Future<T> {
  const inner = ensureFuture(aw);
  if (inner.done()) return inner;
  const loop = inner.getLoop();
  const outer = loop.createFuture<T>();
  standFor(outer, [inner]);

  const innerDoneCallback = (inner: Future<T>): void => {
    if (outer.cancelled()) return;
    if (inner.cancelled()) {
      outer.cancel();
    } else {
      const exc = inner.exception();
      if (exc !== null) outer.setException(exc);
      else outer.setResult(inner.result());
    }
  };

  const outerDoneCallback = (): void => {
    if (!inner.done()) {
      inner.removeDoneCallback(innerDoneCallback);
      // Several cancelled shields of one future report its failure once.
      inner.removeDoneCallback(logOnException);
      inner.addDoneCallback(logOnException);
    }
  };

  inner.addDoneCallback(innerDoneCallback);
  outer.addDoneCallback(outerDoneCallback);
  return outer;
}
