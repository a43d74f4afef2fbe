/**
 * `@x/loop` does not depend on `@x/tasks`: its tests step coroutines with
 * this small stand-in for a Task.
 */
import { CancelledError, type Coroutine, type EventLoop, type Future } from '@x/loop';

/** Steps a coroutine on `loop` the way a Task would, without `@x/tasks`. */
export function drive<T>(loop: EventLoop, coro: Coroutine<T>): Future<T> {
  const out = loop.createFuture<T>();
  let waiting: Future<unknown> | null = null;
  out.addDoneCallback((f) => {
    if (f.cancelled() && waiting !== null) waiting.cancel();
  });
  const step = (failed: boolean, value: unknown): void => {
    let r: IteratorResult<Future<unknown> | undefined, T>;
    try {
      r = failed ? coro.throw(value) : coro.next(value);
    } catch (e) {
      if (out.done()) return;
      if (e instanceof CancelledError) out.cancel();
      else out.setException(e);
      return;
    }
    if (r.done) {
      if (!out.done()) out.setResult(r.value);
      return;
    }
    const f = r.value;
    if (f === undefined) {
      loop.callSoon(() => step(false, undefined));
      return;
    }
    f._blocking = false;
    waiting = f;
    f.addDoneCallback((d) => {
      waiting = null;
      let v: unknown;
      try {
        v = d.result();
      } catch (e) {
        step(true, e);
        return;
      }
      step(false, v);
    });
  };
  loop.callSoon(() => step(false, undefined));
  return out;
}
