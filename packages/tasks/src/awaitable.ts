/** The awaitable types the combinators accept, after `collections.abc.Awaitable`. */
import { type Coroutine, type Future, isCoroutine } from '@x/loop';

/**
 * Mirrors Python's `Awaitable[T]`, the things `await` accepts: a Future (or a
 * Task), a coroutine, or any PromiseLike. `ensureFuture` turns each into a Future.
 *
 * @example
 * ```ts
 * function* firstOf<T>(aw: Awaitable<T>): Coroutine<T> {   // aw: Awaitable[T]
 *   return yield* ensureFuture(aw);           // a Future, a coroutine or a promise
 * }
 * ```
 */
export type Awaitable<T> = Future<T> | Coroutine<T> | PromiseLike<T>;

/**
 * A tuple of awaitables, one per element type of `T`: what lets
 * `gather([f(), g()])` infer the tuple of its results.
 *
 * @example
 * ```ts
 * function* both<A, B>(...aws: Awaitables<[A, B]>): Coroutine<[A, B]> {
 *   return yield* gather(aws);                // the tuple type follows the awaitables
 * }
 * ```
 */
export type Awaitables<T extends readonly unknown[]> = { [K in keyof T]: Awaitable<T[K]> };

/**
 * @internal What kind of thing `x` is, for error messages, as Python's
 * `type(x).__name__`: `Future`, `Task`, `coroutine`, `Promise`, `number`, ...
 */
export function typeName(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x !== 'object') return typeof x;
  if (isCoroutine(x)) return 'coroutine';
  const name = (x as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'Object';
}
