/**
 * The shutdown steps of `Runner.close()`: CPython's `_cancel_all_tasks()`,
 * plus the bound that `shutdownTimeout` puts on each step.
 */
import type { Coroutine, EventLoop, Future } from '@x/loop';
import { allTasks, type Task } from '@x/tasks';

/**
 * A Future of `loop` that is done when every one of `futs` is done, or when
 * `timeout` seconds have passed (null: no limit). It is what CPython's
 * `gather(*to_cancel, return_exceptions=True)` is used for: it never fails,
 * and it looks at no result, so that the caller decides what to report.
 */
function whenAllDone(
  loop: EventLoop,
  futs: Iterable<Future<unknown>>,
  timeout: number | null,
): Future<void> {
  const all = loop.createFuture<void>();
  let left = 1;
  const onDone = (): void => {
    if (--left === 0 && !all.done()) all.setResult(undefined);
  };
  for (const f of futs) {
    left++;
    f.addDoneCallback(onDone);
  }
  onDone();
  if (timeout !== null && !all.done()) {
    const timer = loop.callLater(timeout, () => {
      if (!all.done()) all.setResult(undefined);
    });
    all.addDoneCallback(() => timer.cancel());
  }
  return all;
}

/** Reports a task that shutdown gives up on, once: closing the loop will not report it again. */
function abandon(loop: EventLoop, task: Task<unknown>, timeout: number, step: string): void {
  task._logDestroyPending = false;
  loop.callExceptionHandler({
    message: `Task still running ${timeout} seconds after ${step} (shutdownTimeout): abandoned, the loop is closed anyway and the rest of its code will not run`,
    task,
  });
}

/**
 * Mirrors `asyncio.runners._cancel_all_tasks()`: cancels every task of the
 * loop, waits until they are all done, and reports each one that failed
 * with an exception (not a cancellation) to the exception handler. With a
 * `timeout`, tasks still running that long after being cancelled are
 * reported and abandoned.
 */
export async function cancelAllTasks(loop: EventLoop, timeout: number | null): Promise<void> {
  const toCancel = allTasks(loop);
  if (toCancel.size === 0) return;
  for (const task of toCancel) task.cancel();
  await loop.runUntilComplete(whenAllDone(loop, toCancel, timeout));
  for (const task of toCancel) {
    if (!task.done()) {
      abandon(loop, task, timeout as number, 'it was cancelled at shutdown');
      continue;
    }
    if (task.cancelled()) continue;
    const exc = task.exception();
    if (exc !== null) {
      loop.callExceptionHandler({
        message: 'unhandled exception during asyncio.run() shutdown',
        exception: exc,
        task,
      });
    }
  }
}

/**
 * Runs one shutdown coroutine (`loop.shutdownAsyncgens()`) to completion, or
 * with a `timeout` for at most that long: then every task still running is
 * reported and abandoned.
 */
export async function runShutdownStep(
  loop: EventLoop,
  step: Coroutine<void>,
  timeout: number | null,
  what: string,
): Promise<void> {
  if (timeout === null) {
    await loop.runUntilComplete(step);
    return;
  }
  const task = loop.createTask(step);
  await loop.runUntilComplete(whenAllDone(loop, [task], timeout));
  if (task.done()) {
    task.result();
    return;
  }
  for (const t of allTasks(loop)) abandon(loop, t, timeout, `shutdown began ${what}`);
}
