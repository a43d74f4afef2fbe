/** Recognising coroutines, after CPython's `asyncio/coroutines.py`. */

/**
 * Mirrors `asyncio.iscoroutine()`: true for a generator object, which is what
 * a `function*` coroutine function returns.
 *
 * @example
 * ```ts
 * function* work() {
 *   yield* sleep(1);
 * }
 * isCoroutine(work());                        // true: asyncio.iscoroutine(work())
 * isCoroutine(work);                          // false: that is the coroutine function
 * ```
 */
export function isCoroutine(x: unknown): x is Generator<unknown, unknown, unknown> {
  if (x === null || typeof x !== 'object') return false;
  const g = x as { next?: unknown; throw?: unknown; return?: unknown };
  return (
    typeof g.next === 'function' &&
    typeof g.throw === 'function' &&
    typeof g.return === 'function' &&
    typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
  );
}

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as unknown;

/**
 * Mirrors `asyncio.iscoroutinefunction()`: true for a `function*`.
 *
 * @example
 * ```ts
 * isCoroutineFunction(function* () {});       // true: asyncio.iscoroutinefunction(f)
 * isCoroutineFunction(async () => {});        // false: an async function is not a coroutine here
 * ```
 */
export function isCoroutineFunction(fn: unknown): boolean {
  return typeof fn === 'function' && fn instanceof (GeneratorFunction as typeof Function);
}

/** True for anything with a callable `then`: what `await` accepts. */
export function isPromiseLike(x: unknown): x is PromiseLike<unknown> {
  return (
    x !== null &&
    (typeof x === 'object' || typeof x === 'function') &&
    typeof (x as { then?: unknown }).then === 'function'
  );
}
