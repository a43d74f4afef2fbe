/** `toThread`, after CPython's `asyncio/threads.py`. */
import { type Coroutine, getRunningLoop, type ModuleFunction } from '@x/loop';

/**
 * Mirrors `asyncio.to_thread(func, /, *args)`: runs `fn(...args)` in the
 * running loop's default executor (a pool of worker threads) and returns its
 * result, without blocking the loop.
 *
 * As with `runInExecutor`, the function is shipped to a worker by its source,
 * so it must be self-contained (or be `{ module, export }`), and arguments
 * and result cross by structured clone. Context variables do not cross into
 * the worker (CPython runs the function in a copy of the context; a worker
 * thread has none). Cancelling the task drops a job not yet started but
 * cannot stop a running one, as in CPython.
 *
 * @example
 * ```ts
 * // Python: digest = await asyncio.to_thread(hashlib.sha256(data).hexdigest)
 * const digest = yield* toThread((d: Uint8Array) => {
 *   const { createHash } = require('node:crypto');
 *   return createHash('sha256').update(d).digest('hex');
 * }, data);
 * ```
 */
export function toThread<A extends unknown[], T>(
  fn: (...args: A) => T,
  ...args: A
): Coroutine<Awaited<T>>;
export function toThread<T>(fn: ModuleFunction, ...args: unknown[]): Coroutine<Awaited<T>>;
export function* toThread(
  // biome-ignore lint/suspicious/noExplicitAny: the implementation signature of the overloads above.
  fn: ((...args: any[]) => unknown) | ModuleFunction,
  ...args: unknown[]
): Coroutine<unknown> {
  const loop = getRunningLoop();
  // One call per overload of runInExecutor (a union matches neither).
  if (typeof fn === 'function') return yield* loop.runInExecutor(null, fn, ...args);
  return yield* loop.runInExecutor(null, fn, ...args);
}
