/**
 * `abortable`: cancellation that reaches promise-based work.
 *
 * A promise cannot be cancelled, so cancelling a task that awaits one only
 * stops the waiting. Most JavaScript APIs that do I/O take an `AbortSignal`
 * instead (fetch, child processes, fs, timers, events); `abortable()` ties
 * such a signal to the task, so that cancelling the task stops the work, as
 * cancelling a task that awaits a socket read does in asyncio.
 */
import { CancelledError, type Coroutine, Future, getRunningLoop } from '@x/loop';
import {
  isPromiseLike,
  refuseAwait,
  shortRepr,
  watchCoroutine,
  wrapPromise,
} from '@x/loop/internal';

const noop = (): void => {};

function* run<T>(start: (signal: AbortSignal) => PromiseLike<T>): Coroutine<T> {
  const loop = getRunningLoop();
  const controller = new AbortController();
  const p = start(controller.signal);
  if (!isPromiseLike(p)) {
    throw new TypeError(
      `abortable() needs start to return a promise (the work it started), got ${shortRepr(p)}`,
    );
  }
  const fut = p instanceof Future ? (p as Future<T>) : wrapPromise(p, loop, true);
  let running = true;
  try {
    const result = yield* fut;
    running = false;
    return result;
  } catch (exc) {
    // Abort only when the task was cancelled while the work still ran.
    if (!(exc instanceof CancelledError) || (fut.done() && !fut.cancelled())) {
      running = false;
      throw exc;
    }
    running = false;
    controller.abort(exc);
    // Wait until the work has stopped, so that its cleanup is over when the
    // cancellation completes. Its rejection is the abort itself: dropped.
    // Cancelling the task again stops this wait.
    yield* wrapPromise(p.then(noop, noop), loop);
    throw exc;
  } finally {
    // The coroutine was closed with return(): nobody waits for the work any more.
    if (running) controller.abort(new CancelledError('abortable() was closed'));
  }
}

/**
 * Runs `start(signal)` and waits for the promise it returns, like
 * `yield* ensureFuture(promise)`; in addition, cancelling the waiting task
 * aborts `signal` (its reason is the `CancelledError`), then waits until
 * the promise settles (its outcome is dropped), then throws the
 * `CancelledError`. This is what a cancelled asyncio task does to the I/O it
 * waits on; JavaScript needs the signal to do it. A second cancellation
 * stops the wait for the promise to settle.
 *
 * @example
 * ```ts
 * // Python: body = await (await session.get(url)).read()   (cancel() closes the connection)
 * const body = yield* abortable((signal) => fetch(url, { signal }).then((r) => r.text()));
 * ```
 */
export function abortable<T>(start: (signal: AbortSignal) => PromiseLike<T>): Coroutine<T> {
  if (typeof start !== 'function') {
    throw new TypeError(
      `abortable() needs a function that starts the work with the signal it gets, got ${shortRepr(start)}`,
    );
  }
  return watchCoroutine(run(start), 'abortable');
}

refuseAwait(run, 'abortable');
