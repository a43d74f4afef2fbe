/**
 * Node's callback APIs as Futures of the running loop. The host's callback
 * settles the Future (its done callbacks then run on the loop); a Future that
 * was cancelled meanwhile is left alone and the late result dropped.
 */
import type { Coroutine, EventLoop, Future } from '@x/loop';

/**
 * A Future of `loop` settled by `start(done)`'s `done(err, value)`. `map`
 * turns a host error into the error the Future raises.
 */
export function hostCall<T>(
  loop: EventLoop,
  start: (done: (err: unknown, value?: T) => void) => void,
  map: (err: unknown) => unknown = (e) => e,
): Future<T> {
  const fut = loop.createFuture<T>();
  start((err, value) => {
    if (fut.done() || loop.isClosed()) return;
    if (err !== null && err !== undefined) fut.setException(map(err));
    else fut.setResult(value as T);
  });
  return fut;
}

/**
 * Awaits a Future whose result is a host resource (a connected socket, a listening
 * server). If the awaiting task is cancelled after the Future got its result but before
 * the task resumed, the CancelledError wins, as in asyncio, and the resource, which
 * nobody will ever see, is disposed of instead of leaking.
 */
export function* awaitResource<T>(fut: Future<T>, dispose: (value: T) => void): Coroutine<T> {
  try {
    return yield* fut;
  } catch (e) {
    if (fut.done() && !fut.cancelled() && fut.exception() === null) dispose(fut.result());
    throw e;
  }
}
