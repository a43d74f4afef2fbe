/**
 * `loop.run_in_executor()` and the loop's default executor, after CPython's
 * `BaseEventLoop.run_in_executor()`.
 *
 * CPython's default executor is a thread pool. JavaScript has threads only
 * where the host provides them, so this module loads no host module: the
 * pool of worker threads lives in the Node entry point `@x/loop/node`
 * (`node/worker-pool-executor.ts`), which installs itself here as the factory
 * of the default executor when it is loaded (Node, Bun and Deno load it with
 * the package). Without it, and without an executor set by
 * `setDefaultExecutor()`, `runInExecutor(null, ...)` says what to import or
 * pass.
 */
import { isCoroutineFunction } from './coroutines.js';
import { CancelledError, isInterrupt, RuntimeError } from './errors.js';
import { shortRepr } from './format.js';
import type { Future } from './future.js';
import { logger } from './log.js';
import type { EventLoop } from './loop.js';
import { wrapPromise } from './promise.js';
import type { Coroutine, Executor } from './types.js';

/**
 * A named export of a module, to run in a worker instead of a function
 * shipped by its source: `{ module: new URL('./jobs.js', import.meta.url), export: 'hash' }`.
 * A string that is not a URL is a path (relative to the current directory)
 * or a bare package name resolved from the current directory.
 *
 * @example
 * ```ts
 * const jobs = new URL('./jobs.js', import.meta.url);
 * const n = yield* loop.runInExecutor<number>(null, { module: jobs, export: 'countPrimes' }, 1e7);
 * ```
 */
export interface ModuleFunction {
  /** The module to import in the worker: a specifier or a URL. */
  module: string | URL;
  /** The name of the function the module exports. */
  export: string;
}

/** @internal What a worker is sent: the function (its source or a module export) and the arguments. */
export type JobMessage = { id: number; args: unknown[] } & (
  | { src: string }
  | { module: string; export: string }
);

/**
 * @internal Marks an executor that ships functions by their source: for it,
 * `runInExecutor` refuses a function without source at the call.
 */
export const SHIPS_BY_SOURCE: unique symbol = Symbol('x-async.shipsBySource');

let defaultExecutorFactory: (() => Executor) | null = null;

// The loop whose runInExecutor() is submitting a job, for the duration of the
// submit() call: the pool reports a later fault of the job's worker to it.
let submittingLoop: EventLoop | null = null;

/** @internal The loop whose `runInExecutor()` is calling `submit()`, if any. */
export function getSubmittingLoop(): EventLoop | null {
  return submittingLoop;
}

/**
 * @internal `@x/loop/node` installs the worker-thread pool here as what
 * `runInExecutor(null, ...)` creates on first use.
 */
export function setDefaultExecutorFactory(factory: (() => Executor) | null): void {
  defaultExecutorFactory = factory;
}

const NO_DEFAULT_EXECUTOR =
  "runInExecutor(null, ...) has no default executor here: this is @x/loop's build for hosts without worker threads (browsers), which loads no host module. Where there are worker threads (Node, Bun, Deno), import '@x/loop/node' once to use them; anywhere, pass an Executor to runInExecutor() or to loop.setDefaultExecutor()";

/**
 * @internal Validates what `runInExecutor` and `submit` take and, with
 * `shipped`, turns it into a message for a worker (which needs the
 * function's source).
 */
export function describeFunction(fn: unknown, method: string, shipped = true): JobMessage | null {
  if (isCoroutineFunction(fn)) {
    throw new TypeError(
      `coroutines cannot be used with ${method}(): an executor runs plain functions; run a coroutine with createTask()`,
    );
  }
  if (typeof fn === 'function') {
    if (!shipped) return null;
    const src = Function.prototype.toString.call(fn);
    if (/\{\s*\[native code\]\s*\}\s*$/.test(src)) {
      throw new TypeError(
        `${method}() ships a function to a worker by its source, and ${fn.name || 'this function'} has none (a built-in or bound function): wrap the call in a self-contained function, or pass { module, export }`,
      );
    }
    return { id: 0, args: [], src };
  }
  if (fn !== null && typeof fn === 'object' && 'module' in fn && 'export' in fn) {
    const m = (fn as ModuleFunction).module;
    const name = (fn as ModuleFunction).export;
    if ((typeof m === 'string' || m instanceof URL) && typeof name === 'string') {
      return { id: 0, args: [], module: String(m), export: name };
    }
  }
  throw new TypeError(
    `${method}() needs a function or { module: string | URL, export: string }, got ${shortRepr(fn)}`,
  );
}

function isExecutor(x: unknown): x is Executor {
  return (
    x !== null &&
    typeof x === 'object' &&
    typeof (x as Executor).submit === 'function' &&
    typeof (x as Executor).shutdown === 'function'
  );
}

/** @internal `loop.setDefaultExecutor()`. */
export function setDefaultExecutor(loop: EventLoop, executor: Executor): void {
  if (!isExecutor(executor)) {
    throw new TypeError(
      `executor must be an Executor (an object with submit(fn, args) and shutdown(wait) methods), got ${shortRepr(executor)}`,
    );
  }
  loop._defaultExecutor = executor;
}

/** @internal `loop.runInExecutor()`. */
export function runInExecutor<T>(
  loop: EventLoop,
  executor: Executor | null | undefined,
  fn: ((...a: never[]) => T) | ModuleFunction,
  args: unknown[],
): Future<Awaited<T>> {
  loop._checkClosed();
  describeFunction(fn, 'runInExecutor', false);
  let ex = executor;
  if (ex === null || ex === undefined) {
    if (loop._executorShutdownCalled) throw new RuntimeError('Executor shutdown has been called');
    ex = loop._defaultExecutor;
    if (ex === null) {
      if (defaultExecutorFactory === null) throw new RuntimeError(NO_DEFAULT_EXECUTOR);
      ex = defaultExecutorFactory();
      loop._defaultExecutor = ex;
    }
  } else if (!isExecutor(ex)) {
    throw new TypeError(
      `executor must be an Executor (an object with submit(fn, args) and shutdown(wait) methods) or null for the default one, got ${shortRepr(ex)}`,
    );
  }
  // A function without source fails at once rather than in the worker.
  if ((ex as { [SHIPS_BY_SOURCE]?: boolean })[SHIPS_BY_SOURCE] === true) {
    describeFunction(fn, 'runInExecutor');
  }
  let job: PromiseLike<Awaited<T>> & { cancel?: () => unknown };
  submittingLoop = loop;
  try {
    // biome-ignore lint/suspicious/noExplicitAny: Executor.submit's contract signature takes any function.
    job = ex.submit(fn as (...a: any[]) => T, args);
  } finally {
    submittingLoop = null;
  }
  const fut = wrapPromise(job, loop, true);
  if (typeof job.cancel === 'function') {
    // As `wrap_future`: cancelling the asyncio future cancels the concurrent one.
    fut.addDoneCallback((f) => {
      if (f.cancelled()) (job.cancel as () => unknown)();
    });
  }
  return fut;
}

/** @internal `loop.shutdownDefaultExecutor()`. */
export function* shutdownDefaultExecutor(
  loop: EventLoop,
  timeout: number | null = 300,
): Coroutine<void> {
  if (timeout !== null && (typeof timeout !== 'number' || Number.isNaN(timeout))) {
    throw new TypeError(
      `timeout must be a number of seconds or null (no limit), got ${shortRepr(timeout)}`,
    );
  }
  loop._executorShutdownCalled = true;
  const executor = loop._defaultExecutor;
  if (executor === null) return;
  const done = wrapPromise(
    Promise.resolve().then(() => executor.shutdown(true)),
    loop,
    true,
  );
  let timedOut = false;
  const timer =
    timeout === null
      ? null
      : loop.callLater(timeout, () => {
          if (!done.done()) {
            timedOut = true;
            done.cancel();
          }
        });
  try {
    yield* done;
  } catch (e) {
    if (!(timedOut && e instanceof CancelledError)) throw e;
    logger.warning(`The executor did not finishing joining its threads within ${timeout} seconds.`);
    shutdownWithoutWaiting(executor);
  } finally {
    timer?.cancel();
  }
}

/** @internal What `loop.close()` does with the default executor: shut it down without waiting. */
export function closeDefaultExecutor(loop: EventLoop): void {
  const executor = loop._defaultExecutor;
  if (executor === null) return;
  loop._defaultExecutor = null;
  shutdownWithoutWaiting(executor);
}

/** `executor.shutdown(false)`, whose failure nobody can await: it is logged. */
function shutdownWithoutWaiting(executor: Executor): void {
  try {
    void Promise.resolve(executor.shutdown(false)).then(undefined, (e: unknown) =>
      logger.error('Error while shutting down the default executor', e),
    );
  } catch (e) {
    if (isInterrupt(e)) throw e;
    logger.error('Error while shutting down the default executor', e);
  }
}
