/**
 * The shutdown steps of `Runner.close()`: CPython's `_cancel_all_tasks()`,
 * plus the bound that `shutdownTimeout` puts on each step.
 */
import type { Coroutine, EventLoop } from '@x/loop';
import { quietAtClose, whenAllDone } from '@x/loop/internal';
import { allTasks, formatCallGraph, type Task } from '@x/tasks';

/** The tasks given up on: reported once, never waited for again. */
const abandoned = new WeakSet<Task<unknown>>();

/**
 * Reports a task that shutdown (or the unwinding after a signal) gives up
 * on, once: neither a later shutdown step nor closing the loop reports it
 * again or waits for it.
 */
export function abandon(loop: EventLoop, task: Task<unknown>, timeout: number, step: string): void {
  if (abandoned.has(task)) return;
  abandoned.add(task);
  quietAtClose(task);
  loop.callExceptionHandler({
    message: `Task still running ${timeout} seconds after ${step} (shutdownTimeout): abandoned, the loop is closed anyway and the rest of its code will not run`,
    task,
    // What it is stuck on, and who waits for it (stacks in debug mode).
    call_graph: formatCallGraph(task),
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
  for (const task of toCancel) if (abandoned.has(task)) toCancel.delete(task);
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
