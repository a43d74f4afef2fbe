/** `run()`, after CPython's `asyncio.run()`. */
import { getRunningLoopOrNull, RuntimeError } from '@x/loop';
import { type Main, Runner, type RunnerOptions } from './runner.js';

/**
 * Mirrors `asyncio.run(main, *, debug=None, loop_factory=None)`: creates an
 * event loop, runs `main` in it as the main task, then shuts everything down
 * (cancels what is left, closes async generators and the default executor,
 * closes the loop) and resolves with main's result or rejects with its
 * exception. Ctrl-C cancels the main task and makes it reject with
 * `KeyboardInterrupt`, after the cleanup has run.
 *
 * @example
 * ```ts
 * // Python: async def main():
 * //             await asyncio.sleep(1)
 * //             print('hello')
 * //         asyncio.run(main())
 * function* main() {
 *   yield* sleep(1);
 *   console.log('hello');
 * }
 * await run(main());
 * ```
 *
 * Rejects with `RuntimeError` when called while a loop is running.
 */
export async function run<T>(main: Main<T>, options?: RunnerOptions): Promise<T> {
  if (getRunningLoopOrNull() !== null) {
    // Fail fast, before a loop is made.
    throw new RuntimeError('asyncio.run() cannot be called from a running event loop');
  }
  const runner = new Runner(options);
  try {
    return await runner.run(main);
  } finally {
    await runner.close();
  }
}
