/**
 * `@x/runner/testing`: run a coroutine test on a fresh loop whose time is a
 * `VirtualClock`, in one line. It has no dependency on any test framework:
 * it returns a Promise, which vitest, `node:test`, Jest and Mocha all await.
 *
 * @module @x/runner/testing
 */
import { type Coroutine, EventLoop, VirtualClock } from '@x/loop';
import { run } from './run.js';

/** The options of `runWithVirtualClock()`. */
export interface VirtualClockRunOptions {
  /** The clock's time when the test starts, in seconds. Default 0. */
  start?: number;
  /**
   * Real seconds the loop must be idle before time jumps to the next timer:
   * 0 (the default) jumps at once; null never jumps (the test calls
   * `clock.jump()` itself).
   */
  autojumpThreshold?: number | null;
  /** The loop's debug mode, as `run(main, { debug })`. */
  debug?: boolean | null;
}

/**
 * Runs `test(clock)` as the main task of `run()` on a new `EventLoop` whose
 * time is a `VirtualClock` (autojump at once, unless told otherwise), with
 * `run()`'s whole cleanup after it; resolves with what the test returns and
 * rejects with what it throws. No signal handler is installed, so the test
 * runner keeps its own. A test of an hour of timeouts takes milliseconds,
 * and its timers fire in the order real time would give.
 *
 * There is no asyncio counterpart (CPython has no virtual clock); the clock
 * is Trio's `MockClock` with `autojump_threshold=0`.
 *
 * ```ts
 * // runWithVirtualClock from this entry point (@x/runner/testing); sleep,
 * // TimeoutError and waitFor from @x/runner; expect and it from vitest
 * // (or node:test's test as it).
 *
 * it('gives up after an hour', () =>
 *   runWithVirtualClock(function* (clock) {
 *     const slow = function* () { yield* sleep(7200); };
 *     try {
 *       yield* waitFor(slow(), 3600);
 *     } catch (e) {
 *       expect(e).toBeInstanceOf(TimeoutError);
 *     }
 *     expect(clock.now()).toBe(3600);
 *   }));
 * ```
 */
export function runWithVirtualClock<T>(
  test: (clock: VirtualClock) => Coroutine<T> | PromiseLike<T>,
  options?: VirtualClockRunOptions,
): Promise<T> {
  let clock: VirtualClock;
  try {
    if (typeof test !== 'function') {
      throw new TypeError(
        `runWithVirtualClock() takes a function* (clock) => ..., got ${typeof test}`,
      );
    }
    clock = new VirtualClock({
      start: options?.start ?? 0,
      autojumpThreshold: options?.autojumpThreshold === undefined ? 0 : options.autojumpThreshold,
    });
  } catch (e) {
    return Promise.reject(e);
  }
  return run(() => test(clock), {
    loopFactory: () => new EventLoop({ clock }),
    debug: options?.debug ?? null,
    signals: [],
  });
}
