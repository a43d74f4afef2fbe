/**
 * `@x/loop/node`: what `@x/loop` needs from Node (and from Bun and Deno,
 * which provide `node:worker_threads`). Importing it installs a pool of
 * worker threads as the default executor of `runInExecutor(null, ...)`;
 * `@x/runner`, `@x/signals` and `@x/io` import it, so a program that uses
 * one of them has it already.
 *
 * `@x/loop` itself loads no `node:` module, so that it bundles for the
 * browser with no configuration.
 *
 * @example
 * ```ts
 * // With this entry point imported once, at start-up:
 * const loop = newEventLoop();
 * const n = await loop.runUntilComplete(loop.runInExecutor(null, (a: number) => a * 2, 21));
 * ```
 *
 * @module @x/loop/node
 */
import { setDefaultExecutorFactory } from '../executor.js';
import { WorkerPoolExecutor } from './worker-pool-executor.js';

export { type ExecutorJob, WorkerPoolExecutor } from './worker-pool-executor.js';

setDefaultExecutorFactory(() => new WorkerPoolExecutor());
