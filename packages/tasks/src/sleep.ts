/** `sleep`, after CPython's `asyncio.sleep`. */
import type { Coroutine } from '@x/loop';
import { refuseAwait, watchCoroutine } from '@x/loop/internal';
import { SleepCoroutine, YieldCoroutine } from './sleep-coroutines.js';

/**
 * Mirrors `asyncio.sleep()`: suspends the task for `delay` seconds and
 * returns `result`. `sleep(0)` is one bare yield: it gives every other ready
 * task one turn. A negative delay is `sleep(0)`; NaN is a `ValueError`.
 *
 * @example
 * ```ts
 * yield* sleep(0.5);
 * const v = yield* sleep(1, 'done');
 * ```
 */
export function sleep<T = void>(delay: number, result?: T): Coroutine<T> {
  // asyncio: `if delay <= 0: await __sleep0(); return result` (one bare yield).
  // Otherwise a future, `loop.call_later(delay, _set_result_unless_cancelled, future, result)`,
  // `return await future`, and the timer cancelled however the wait ends.
  const coro =
    typeof delay === 'number' && delay <= 0
      ? new YieldCoroutine(result as T)
      : new SleepCoroutine(delay, result as T);
  // In debug mode, watched: reported if it is dropped without ever running.
  return watchCoroutine(coro as unknown as Coroutine<T>, 'sleep');
}

// `await sleep(1)` in an async function fails, saying to use `yield*`.
refuseAwait(YieldCoroutine.prototype, 'sleep');
refuseAwait(SleepCoroutine.prototype, 'sleep');
