/**
 * `CoroutineObject`: the one base of the hand-written coroutine objects
 * (`yield* fut`'s iterator here; `sleep()`'s and the async generators' in
 * `@x/tasks`). A generator function would do the same work, but each of these
 * is made by the hundred thousand on hot paths (every await of a Future,
 * every sleep), and a small object with two fields costs less than a
 * generator and its frame. What every one of them shares with a generator
 * object, beyond its own `next()`, is written here once.
 */

import { RuntimeError } from './errors.js';

/** The message of CPython's RuntimeError for a coroutine run a second time. */
export const REUSED = 'cannot reuse already awaited coroutine';

/**
 * Part of the seam (`@x/loop/internal`). A hand-written coroutine class does
 * not `extend` it: it declares the interface and calls
 * `inheritCoroutineMethods` (see there), as in
 *
 * ```ts
 * class FutureIter<T> { next() { ... } protected close() { ... } }
 * interface FutureIter<T> extends CoroutineObject<Future<unknown>, T> {}
 * inheritCoroutineMethods(FutureIter);
 * ```
 */
export abstract class CoroutineObject<Y, R> {
  /** Mirrors `generator.send()` (`next()` in JavaScript): the subclass's state machine. */
  abstract next(value?: unknown): IteratorResult<Y, R>;

  /**
   * Ends the coroutine: drops what it holds (a timer, a future); a later
   * `next()` then fails with `reused()`. Called by `throw()` and `return()`.
   */
  protected abstract close(): void;

  /**
   * What `next()` does on a coroutine that already ended: CPython's
   * `RuntimeError('cannot reuse already awaited coroutine')`, rather than a
   * generator's silent `{ done: true, value: undefined }` that would make a
   * second `yield*` on it return `undefined`.
   */
  protected reused(): never {
    throw new RuntimeError(REUSED);
  }

  /** Mirrors `generator.throw()`: a coroutine with no `try` of its own ends and rethrows. */
  throw(e: unknown): IteratorResult<Y, R> {
    this.close();
    throw e;
  }

  /** Mirrors `generator.close()` (`return()` in JavaScript). */
  return(value: R): IteratorResult<Y, R> {
    this.close();
    return { value, done: true };
  }

  /** Mirrors a generator's `[Symbol.dispose]()` (set below, where the runtime has the symbol). */
  declare [Symbol.dispose]: () => void;

  [Symbol.iterator](): this {
    return this;
  }

  get [Symbol.toStringTag](): string {
    return 'Generator';
  }
}

// Generators are disposable where the runtime knows `Symbol.dispose`.
if (typeof Symbol.dispose === 'symbol') {
  Object.defineProperty(CoroutineObject.prototype, Symbol.dispose, {
    value(this: CoroutineObject<unknown, unknown>) {
      this.return(undefined);
    },
  });
}

/**
 * Part of the seam (`@x/loop/internal`). Gives the instances of `cls` the
 * methods of `CoroutineObject` (its prototype inherits them), so that
 * `instanceof CoroutineObject` holds. Instead of `extends`: V8 builds an
 * instance of a derived class through a generic path whenever the `new` is
 * not inlined (a `super()` call, then the subclass's field initializers),
 * and these objects are made once per await or sleep: a `Queue(1)` ping-pong
 * (W5) ran 4 % more instructions with `FutureIter extends CoroutineObject`.
 */
export function inheritCoroutineMethods(cls: { prototype: object }): void {
  Object.setPrototypeOf(cls.prototype, CoroutineObject.prototype);
}
