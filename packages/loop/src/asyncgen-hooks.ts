/**
 * The loop's side of async generators: CPython's `sys.set_asyncgen_hooks()`
 * as `BaseEventLoop` installs them (`_asyncgen_firstiter_hook`,
 * `_asyncgen_finalizer_hook`) and `loop.shutdown_asyncgens()`.
 *
 * JavaScript has no interpreter hooks for this, so an async generator
 * (`asyncGenerator` in `@x/tasks`) calls these functions itself. The loop
 * holds an `AsyncGenCloser`, a separate object that can close the generator
 * without referencing the generator object, so that holding it never keeps
 * an abandoned generator alive: it can still be garbage collected, and then
 * closed in a task of its own.
 */

import { BaseException, CancelledError } from './errors.js';
import type { Future } from './future.js';
import { logger } from './log.js';
import type { EventLoop } from './loop.js';
import type { Coroutine } from './types.js';
import { whenAllDone } from './when-all-done.js';

/** Seam: What the loop keeps of a live async generator. */
export interface AsyncGenCloser {
  /** Closes the generator, as `agen.aclose()`: runs its `finally` blocks. */
  aclose(): Coroutine<void>;
  /** The generator object while it is alive, else this closer: what reports show as `asyncgen`. */
  generator(): object;
}

/** Seam: Mirrors `_asyncgen_firstiter_hook`: the generator's first step on `loop`. */
export function asyncgenFirstIter(loop: EventLoop, closer: AsyncGenCloser): void {
  if (loop._asyncgensShutdownCalled) {
    logger.warning(
      `asynchronous generator ${String(closer.generator())} was scheduled after loop.shutdownAsyncgens() call`,
    );
  }
  loop._asyncgens.add(closer);
}

/** Seam: The generator finished or was closed: the loop no longer needs to close it. */
export function asyncgenForget(loop: EventLoop, closer: AsyncGenCloser): void {
  loop._asyncgens.delete(closer);
}

/**
 * Seam: Mirrors `_asyncgen_finalizer_hook`: the generator was garbage
 * collected while suspended; close it in a task of its own.
 */
export function asyncgenFinalizer(loop: EventLoop, closer: AsyncGenCloser): void {
  if (!loop._asyncgens.delete(closer)) return;
  if (loop.isClosed()) return;
  loop.callSoonThreadsafe(() => {
    if (!loop.isClosed()) loop.createTask(closer.aclose());
  });
}

/**
 * @internal Mirrors `loop.shutdown_asyncgens()`: closes every async
 * generator still open, concurrently (as a `gather` of their `aclose()` with
 * `return_exceptions`), and reports each failure to the exception handler.
 */
export function* shutdownAsyncgens(loop: EventLoop): Coroutine<void> {
  loop._asyncgensShutdownCalled = true;
  if (loop._asyncgens.size === 0) return;
  const closers = [...loop._asyncgens];
  loop._asyncgens.clear();
  const tasks = closers.map((c) => loop.createTask(c.aclose()));
  try {
    yield* whenAllDone(loop, tasks);
  } catch (e) {
    // As gather() when the outer future is cancelled: cancel the children.
    if (e instanceof CancelledError) for (const t of tasks) t.cancel();
    throw e;
  }
  for (let i = 0; i < tasks.length; i++) {
    const t = tasks[i] as Future<void>;
    if (t.cancelled()) continue;
    const exc = t.exception();
    // CPython reports `Exception`s only: not cancellations, interrupts or exits.
    if (exc === null || exc instanceof BaseException) continue;
    const agen = (closers[i] as AsyncGenCloser).generator();
    loop.callExceptionHandler({
      message: `an error occurred during closing of asynchronous generator ${String(agen)}`,
      exception: exc,
      asyncgen: agen,
    });
  }
}
