/** `withLock`: the translation of `async with lock:` for the synchronisation primitives. */
import type { Coroutine } from '@x/loop';
import { shortRepr, watchCoroutine } from '@x/loop/internal';
import { type AsyncContextManager, withScope } from './async-with.js';

/**
 * What `withLock` accepts: a `Lock`, `Semaphore`, `BoundedSemaphore` or `Condition`.
 *
 * @example
 * ```ts
 * function* guarded<R>(lock: Acquirable, body: () => Coroutine<R>): Coroutine<R> {
 *   return yield* withLock(lock, body);       // any lock, semaphore or condition
 * }
 * ```
 */
export interface Acquirable {
  /** Waits until acquired: `__aenter__`. */
  acquire(): Coroutine<unknown>;
  /** Releases: `__aexit__`. */
  release(): void;
}

/**
 * Mirrors `async with lock:` for a `Lock`, `Semaphore`, `BoundedSemaphore`
 * or `Condition` (their `__aenter__`/`__aexit__`): acquires `lock`, runs
 * `body`, and releases the lock however the body ends, returning its result.
 * If the task is cancelled while waiting for the lock, the body does not
 * run and nothing is released. Bad arguments are refused at once, when
 * `withLock()` is called.
 *
 * @example
 * ```ts
 * // Python:
 * //   async with lock:
 * //       n = await read()
 * const n = yield* withLock(lock, function* () {
 *   return yield* read();
 * });
 * ```
 *
 * A `Barrier` has no lock to hold: Python's `async with barrier as i:` is
 * `const i = yield* barrier.wait();`.
 */
export function withLock<T>(lock: Acquirable, body: () => Coroutine<T>): Coroutine<T> {
  const l = lock as Partial<Record<keyof Acquirable, unknown>> | null;
  if (
    l === null ||
    typeof l !== 'object' ||
    typeof l.acquire !== 'function' ||
    typeof l.release !== 'function'
  ) {
    const hint =
      l !== null && typeof l === 'object' && 'parties' in l
        ? ' (for a Barrier, write `const i = yield* barrier.wait()`)'
        : '';
    throw new TypeError(
      `withLock() needs a Lock, Semaphore or Condition, got ${shortRepr(lock)}${hint}`,
    );
  }
  if (typeof body !== 'function') {
    throw new TypeError(
      `withLock() needs a body function, as in withLock(lock, function* () { ... }), got ${shortRepr(body)}`,
    );
  }
  return watchCoroutine(withScope(asContextManager(lock), body, 'withLock'), 'withLock');
}

/** Our primitives are context managers; an `Acquirable` of one's own is adapted. */
function asContextManager(lock: Acquirable): AsyncContextManager<unknown> {
  const cm = lock as Partial<AsyncContextManager<unknown>>;
  if (typeof cm.aenter === 'function' && typeof cm.aexit === 'function') {
    return cm as AsyncContextManager<unknown>;
  }
  return {
    *aenter() {
      return yield* lock.acquire();
    },
    // biome-ignore lint/correctness/useYield: releasing needs no wait.
    *aexit() {
      lock.release();
    },
  };
}
