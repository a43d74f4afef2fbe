/** `waitFor`, after CPython's `asyncio.wait_for` (3.12+, built on `timeout`). */
import {
  CancelledError,
  type Coroutine,
  type Future,
  getRunningLoop,
  isCoroutine,
  TimeoutError,
} from '@x/loop';
import { refuseAwait, watchCoroutine } from '@x/loop/internal';
import type { Awaitable } from './awaitable.js';
import { ensureFuture } from './ensure-future.js';
import { standFor } from './graph.js';
import { timeout as timeoutScope } from './timeout.js';
import { checkTimeout } from './wait.js';
import { releaseWaiter } from './waiter-queue.js';

/** Mirrors `tasks._cancel_and_wait`: cancels `fut` and waits until it is done. */
function* cancelAndWait(fut: Future<unknown>): Coroutine<void> {
  const waiter = getRunningLoop().createFuture<void>();
  standFor(waiter, [fut]);
  const cb = (): void => releaseWaiter(waiter);
  fut.addDoneCallback(cb);
  try {
    fut.cancel();
    // Not `yield* fut`: waiting on a separate future keeps this cancellable.
    yield* waiter;
  } finally {
    fut.removeDoneCallback(cb);
  }
}

/**
 * Mirrors `asyncio.wait_for()`: waits for `aw` at most `timeout` seconds
 * (null: no limit) and returns its result. On timeout, `aw` is cancelled and
 * waited for, then `TimeoutError` is thrown; if it swallows the cancellation
 * and returns a value, that value is returned. Cancelling the caller cancels
 * `aw`. A coroutine runs inside the caller's task, as in Python 3.12+; with
 * `timeout <= 0` it is not even started.
 *
 * @example
 * ```ts
 * // Python: r = await asyncio.wait_for(download(url), timeout=1.5)
 * const r = yield* waitFor(download(url), 1.5);
 * ```
 */
export function waitFor<T>(aw: Awaitable<T>, timeout: number | null): Coroutine<T> {
  return watchCoroutine(waitForCoroutine(aw, timeout), 'waitFor');
}

function* waitForCoroutine<T>(aw: Awaitable<T>, timeout: number | null): Coroutine<T> {
  const delay = checkTimeout(timeout, 'waitFor');
  // With timeout() the coroutine would start before the deadline is seen.
  if (delay !== null && delay <= 0) {
    const fut = ensureFuture(aw);
    if (fut.done()) return fut.result();
    yield* cancelAndWait(fut);
    try {
      return fut.result();
    } catch (exc) {
      if (exc instanceof CancelledError) throw new TimeoutError(undefined, { cause: exc });
      throw exc;
    }
  }
  return yield* timeoutScope(delay, function* () {
    if (isCoroutine(aw)) return yield* aw as Coroutine<T>;
    return yield* ensureFuture(aw);
  });
}

refuseAwait(waitForCoroutine, 'waitFor');
