/**
 * `for await` over the objects whose steps are coroutines (an AsyncGen,
 * `asCompleted()`'s): each step runs as a task on the running loop, since a
 * promise-driven loop has no task of its own to run it in.
 */
import { type Coroutine, type EventLoop, getRunningLoop, RuntimeError } from '@x/loop';

/**
 * @internal Runs `make()` as a task on the running loop, for the `next()` (or
 * `return()`) of a `for await` over `what`; rejects with a `RuntimeError`
 * saying where to iterate when no loop runs.
 */
export function stepAsTask<R>(make: () => Coroutine<R>, what: string, method: string): Promise<R> {
  let loop: EventLoop;
  try {
    loop = getRunningLoop();
  } catch (e) {
    return Promise.reject(
      new RuntimeError(
        `for await over ${what} needs a running event loop (${method}() runs as a task on it): iterate inside loop.runUntilComplete() or run()`,
        { cause: e },
      ),
    );
  }
  return Promise.resolve(loop.createTask(make()));
}
