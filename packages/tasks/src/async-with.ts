/**
 * `async with`: the one scope mechanism. Python's `async with cm as value:`
 * calls `cm.__aenter__()`, runs the block, and calls `cm.__aexit__()` with
 * the error that ended it (or none); a true result swallows the error.
 * `asyncWith(cm, body)` is that statement, `AsyncContextManager` the
 * protocol, and `asyncContextManager` is `contextlib.asynccontextmanager`.
 * `taskGroup`, `timeout` and `withLock` are `asyncWith` over a `TaskGroup`,
 * a `Timeout` and a lock.
 */
import { type Coroutine, type Future, isCoroutine, RuntimeError } from '@x/loop';
import { refuseAwait, shortRepr, watchCoroutine } from '@x/loop/internal';
import { checkBody } from './arguments.js';
import { GeneratorExit } from './async-generator.js';

/**
 * Mirrors the asynchronous context manager protocol (`__aenter__` /
 * `__aexit__`): what `asyncWith` enters and exits. `TaskGroup`, `Timeout`,
 * `Lock`, `Semaphore`, `Condition` and `Barrier` implement it.
 *
 * @example
 * ```ts
 * class Connection implements AsyncContextManager<Connection> {
 *   *aenter() { yield* this.open(); return this; }
 *   *aexit(error: unknown) { yield* this.close(); return false; }   // false: do not swallow
 * }
 * ```
 */
export interface AsyncContextManager<T> {
  /** Mirrors `__aenter__()`: enters the scope; its result is what the body receives. */
  aenter(): Coroutine<T>;
  /**
   * Mirrors `__aexit__()`: leaves the scope. `error` is what ended the body
   * (undefined if it returned; a `GeneratorExit` if the coroutine was closed
   * with `return()`). Returning true swallows the error.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: the contract's type: an aexit may return nothing.
  aexit(error: unknown | undefined): Coroutine<boolean | void>;
}

/** The GeneratorExit that `asyncWith` hands to `aexit` when the body's coroutine was closed. */
const closings = new WeakSet<object>();

/** @internal True if `error` stands for a coroutine closed with `return()` inside `asyncWith`. */
export function isClosing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && closings.has(error);
}

/**
 * Mirrors `async with cm as value: ...`: enters `cm`, runs `body(value)`,
 * and exits `cm` however the body ends (returned, threw, or its coroutine
 * was closed), returning the body's result. If `aexit` returns true, the
 * error is swallowed and `asyncWith` returns undefined.
 *
 * @example
 * ```ts
 * // async with asyncio.timeout(5) as t: await work()
 * yield* asyncWith(timeout(5), function* (t) {
 *   yield* work();
 * });
 * // async with lock: ...
 * yield* asyncWith(lock, function* () { ... });
 * ```
 */
export function asyncWith<T, R>(
  cm: AsyncContextManager<T>,
  body: (value: T) => Coroutine<R>,
): Coroutine<R> {
  const m = cm as Partial<Record<keyof AsyncContextManager<T>, unknown>> | null;
  if (
    m === null ||
    typeof m !== 'object' ||
    typeof m.aenter !== 'function' ||
    typeof m.aexit !== 'function'
  ) {
    throw new TypeError(
      `asyncWith() needs an asynchronous context manager (an object with aenter() and aexit()), got ${shortRepr(cm)}`,
    );
  }
  checkBody(body, 'asyncWith', 'the value aenter() gives');
  return watchCoroutine(withScope(cm, body, 'asyncWith'), 'asyncWith');
}

/** @internal `asyncWith` once the arguments are checked; `what` names the scope in errors. */
export function* withScope<T, R>(
  cm: AsyncContextManager<T>,
  body: (value: T) => Coroutine<R>,
  what: string,
): Coroutine<R> {
  const value = yield* cm.aenter();
  let returned = false;
  let threw = false;
  let exc: unknown;
  let result: R | undefined;
  try {
    const coro = body(value);
    if (!isCoroutine(coro)) {
      throw new TypeError(
        `the body of ${what} must be a function* returning a coroutine, got ${shortRepr(coro)}`,
      );
    }
    result = yield* coro;
    returned = true;
  } catch (e) {
    threw = true;
    exc = e;
  } finally {
    if (returned) {
      yield* cm.aexit(undefined);
    } else if (!threw) {
      // Closed with return() (a task's coroutine or an async generator being
      // closed): Python throws GeneratorExit into the block; aexit sees one.
      const closing = new GeneratorExit();
      closings.add(closing);
      yield* cm.aexit(closing);
    }
  }
  if (threw) {
    if ((yield* cm.aexit(exc)) !== true) throw exc;
    return undefined as R;
  }
  return result as R;
}

/**
 * Mirrors `contextlib.asynccontextmanager`: turns a coroutine function that
 * calls `yield* emit(value)` once into a factory of context managers. The
 * code before `emit` is `aenter`, `emit` returns when the body is done, and
 * the code after it is `aexit`. An error of the body is thrown out of `emit`,
 * where the function may catch it (swallowing it) or let it go.
 *
 * @example
 * ```ts
 * const opened = asyncContextManager(function* (emit, path: string) {
 *   const file = yield* open(path);
 *   try { yield* emit(file); } finally { yield* file.close(); }
 * });
 * yield* asyncWith(opened('a.txt'), function* (file) { ... });
 * ```
 */
export function asyncContextManager<A extends unknown[], T>(
  fn: (emit: (value: T) => Coroutine<void>, ...args: A) => Coroutine<void>,
): (...args: A) => AsyncContextManager<T> {
  if (typeof fn !== 'function') {
    throw new TypeError(`asyncContextManager() needs a function*, got ${shortRepr(fn)}`);
  }
  return (...args: A) => new GeneratorContextManager(fn, args);
}

/** The marker `emit` yields: the generator has entered and hands over its value. */
const EMITTED = Symbol('emitted');

/** Mirrors `contextlib._AsyncGeneratorContextManager`. */
class GeneratorContextManager<A extends unknown[], T> implements AsyncContextManager<T> {
  private gen: Coroutine<void> | null = null;
  private value: T | undefined;

  constructor(
    private readonly fn: (emit: (value: T) => Coroutine<void>, ...args: A) => Coroutine<void>,
    private readonly args: A,
  ) {}

  *aenter(): Coroutine<T> {
    if (this.gen !== null) throw new RuntimeError('asyncContextManager: entered twice');
    // \`emit\` yields the marker, which only \`resume\` sees, never a task.
    const emit = (value: T) => this.emit(value) as Coroutine<void>;
    const gen = this.fn(emit, ...this.args);
    if (!isCoroutine(gen)) {
      throw new TypeError(
        `asyncContextManager() needs a function* returning a coroutine, got ${shortRepr(gen)}`,
      );
    }
    this.gen = gen;
    if ((yield* this.resume(gen, null)) === 'done')
      throw new RuntimeError("generator didn't yield");
    return this.value as T;
  }

  *aexit(error: unknown | undefined): Coroutine<boolean> {
    const gen = this.gen;
    if (gen === null) throw new RuntimeError('asyncContextManager: exited before entered');
    let end: 'emitted' | 'done';
    try {
      end = yield* this.resume(gen, error === undefined ? null : { e: error });
    } catch (e) {
      // The error that was thrown in went out again: not swallowed.
      if (error !== undefined && e === error) return false;
      throw e;
    }
    if (end === 'emitted') {
      throw new RuntimeError(
        error === undefined ? "generator didn't stop" : "generator didn't stop after athrow()",
      );
    }
    return error !== undefined;
  }

  /**
   * Steps \`gen\` as a task would (first throwing \`thrown.e\` into it, if
   * given), handing what it awaits to the task, until it emits or ends.
   */
  private *resume(
    gen: Coroutine<void>,
    thrown: { e: unknown } | null,
  ): Generator<Future<unknown> | undefined, 'emitted' | 'done', unknown> {
    let sent: unknown;
    for (;;) {
      let r: IteratorResult<unknown, void>;
      if (thrown !== null) {
        const e = thrown.e;
        thrown = null;
        r = gen.throw(e);
      } else {
        r = gen.next(sent);
      }
      if (r.done) return 'done';
      if (r.value === EMITTED) return 'emitted';
      try {
        sent = yield r.value as Future<unknown> | undefined;
      } catch (e) {
        thrown = { e };
      }
    }
  }

  private *emit(value: T): Generator<unknown, void, unknown> {
    this.value = value;
    yield EMITTED;
  }
}

// `await asyncWith(...)` (or taskGroup, withLock) in an async function fails, saying to use `yield*`.
refuseAwait(withScope, 'asyncWith');
