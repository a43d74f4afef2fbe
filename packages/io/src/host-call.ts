/**
 * Node's callback APIs as Futures of the running loop. The host's callback
 * settles the Future (its done callbacks then run on the loop); a Future that
 * was cancelled meanwhile is left alone and the late result dropped.
 */
import type { EventLoop, Future } from '@x/loop';

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
