/**
 * A Future that follows a promise, for `ensureFuture(promise)` and
 * `runUntilComplete(promise)`. CPython wraps awaitables in a Task; a
 * JavaScript promise is not steppable, so a Future completed by the promise's
 * reactions does the same job with one object.
 */
import { RuntimeError } from './errors.js';
import { Future } from './future.js';
import type { EventLoop } from './loop.js';

/**
 * Seam: A Future of `loop` that settles like `p`. Cancelling the Future
 * releases its waiters but cannot stop the promise's work (see `abortable`).
 * `realTime`: `p` is work the loop started in real time (an executor job,
 * `abortable`), which a `VirtualClock` waits for instead of jumping past it.
 */
export function wrapPromise<T>(p: PromiseLike<T>, loop: EventLoop, realTime = false): Future<T> {
  const fut = new Future<T>({ loop });
  // While the promise is pending the loop gives microtasks a turn between
  // iterations, so that the promise's reactions are not held back.
  loop._hostWaiters++;
  if (realTime) loop._realTimeWork++;
  const settle = (ok: boolean, v: unknown): void => {
    loop._hostWaiters--;
    // A virtual clock may jump once no real-time work is left.
    if (realTime && --loop._realTimeWork === 0 && loop._virtualClock !== null) {
      loop._clockChanged();
    }
    // As CPython's wrap_future: nothing to do for a cancelled future or a closed loop.
    if (fut.done() || loop.isClosed()) return;
    if (ok) fut.setResult(v as T);
    // A Future needs an exception object: wrap what `setException` refuses.
    else if (v === undefined || v === null || typeof v === 'function') {
      fut.setException(new RuntimeError(`the promise rejected with ${String(v)}`, { cause: v }));
    } else fut.setException(v);
  };
  try {
    p.then(
      (v) => settle(true, v),
      (e) => settle(false, e),
    );
  } catch (e) {
    settle(false, e);
  }
  return fut;
}
