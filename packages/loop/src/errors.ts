import { running } from './running.js';

/**
 * The exception hierarchy of asyncio, as JavaScript classes.
 *
 * Python separates `BaseException` (interrupts, exits, cancellation) from
 * `Exception` (ordinary failures). Code that catches "everything that can go
 * wrong" must not swallow a cancellation or a Ctrl-C, so the split matters:
 * here every class below `BaseException` is an `Error` too (stack traces,
 * `instanceof Error`), and ordinary failures are any other thrown value.
 */

/**
 * Mirrors Python's `BaseException`: the root of the errors that are not
 * failures of the program's logic (`CancelledError`, `KeyboardInterrupt`,
 * `SystemExit`). The loop never swallows `KeyboardInterrupt` or `SystemExit`.
 *
 * @example
 * ```ts
 * try {
 *   yield* work();
 * } catch (e) {
 *   if (e instanceof BaseException) throw e;  // cancellation, Ctrl-C, exit: let them through
 *   console.log(`work failed: ${e}`);         // except Exception as e:
 * }
 * ```
 */
export class BaseException extends Error {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Mirrors Python's `KeyboardInterrupt`: raised by the runner on Ctrl-C (SIGINT).
 *
 * @example
 * ```ts
 * try {
 *   await run(main());
 * } catch (e) {
 *   if (!(e instanceof KeyboardInterrupt)) throw e;   // except KeyboardInterrupt:
 *   console.log('interrupted; the cleanup has run');
 * }
 * ```
 */
export class KeyboardInterrupt extends BaseException {}

/**
 * Mirrors Python's `SystemExit`: ends the program with `code` as its exit status.
 *
 * @example
 * ```ts
 * function* main() {
 *   if (!configured()) throw new SystemExit(2);   // sys.exit(2): runMain ends with status 2
 *   yield* serve();
 * }
 * ```
 */
export class SystemExit extends BaseException {
  /** The exit status, as `sys.exit(code)` takes it. */
  readonly code: number | string | null | undefined;
  constructor(code?: number | string | null) {
    super(code === undefined || code === null ? '' : String(code));
    this.code = code;
  }
}

/**
 * Mirrors `asyncio.CancelledError`: the Future or Task was cancelled.
 *
 * It is a `BaseException`, as in Python 3.8+, so that a generic
 * `catch (e) { if (e instanceof Error && !(e instanceof BaseException)) ... }`
 * leaves cancellation alone. Its stack is captured only while a loop in debug
 * mode runs: a cancellation is control flow, and asyncio makes two per
 * cancelled task (the one thrown into the coroutine, a fresh one in
 * `gather`'s results). Outside debug mode it is made without V8's `Error`
 * constructor, which costs ~0.4 µs even with no frames to capture (a
 * `CancelledError` is then not a "native error" for `util.types.isNativeError`,
 * and its `stack` is its first line, as a stack of no frames reads).
 *
 * @example
 * ```ts
 * try {
 *   yield* sleep(3600);
 * } catch (e) {
 *   if (e instanceof CancelledError) console.log(`cancelled: ${e.message}`);   // except CancelledError as e:
 *   throw e;                                  // re-raise: the task ends cancelled
 * }
 * ```
 */
export class CancelledError extends BaseException {
  // biome-ignore lint/correctness/noUnreachableSuper: outside debug mode it returns an instance made without super() (see above)
  constructor(message?: string) {
    const debug = running.loop?._debug === true;
    if (new.target === CancelledError && !debug) {
      // biome-ignore lint/correctness/noConstructorReturn: the same class's instance, made without V8's Error constructor (see above)
      return new PlainCancelledError(message);
    }
    if (debug) {
      super(message);
    } else {
      // A subclass outside debug mode: a real Error, with no frames captured.
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      super(message);
      Error.stackTraceLimit = limit;
    }
  }

  /**
   * The stack of a `CancelledError` made outside debug mode: no frames, so
   * only its first line (what V8 gives an error made with no frames to
   * capture). An error that captured one has it as an own property.
   */
  get stack(): string {
    return Error.prototype.toString.call(this);
  }
  set stack(value: string) {
    Object.defineProperty(this, 'stack', { value, writable: true, configurable: true });
  }
}

/**
 * A `CancelledError` outside debug mode: the properties a `new CancelledError(message)`
 * has (an own `message` if one was given, not enumerable; an own `name`), on
 * CancelledError's prototype, without V8's Error constructor.
 */
const PlainCancelledError = function (this: { name: string }, message: string | undefined) {
  if (message !== undefined) {
    Object.defineProperty(this, 'message', {
      value: `${message}`,
      writable: true,
      configurable: true,
    });
  }
  this.name = 'CancelledError';
} as unknown as new (
  message: string | undefined,
) => CancelledError;
PlainCancelledError.prototype = CancelledError.prototype;

/**
 * Mirrors `asyncio.InvalidStateError`: the operation is not allowed in this state.
 *
 * @example
 * ```ts
 * const fut = loop.createFuture<number>();
 * try {
 *   fut.result();                             // not done yet
 * } catch (e) {
 *   if (e instanceof InvalidStateError) console.log(e.message);   // except asyncio.InvalidStateError:
 * }
 * ```
 */
export class InvalidStateError extends Error {
  constructor(message?: string) {
    super(message);
    this.name = 'InvalidStateError';
  }
}

/**
 * Mirrors Python's builtin `OSError`: a failure reported by the operating
 * system. `errno` is the positive errno number, as in Python; `code` is the
 * symbolic name Node reports (`'ECONNREFUSED'`). `@x/io` raises its subclasses
 * (`ConnectionRefusedError`, ...).
 *
 * @example
 * ```ts
 * try { yield* openConnection('127.0.0.1', 1); }
 * catch (e) { if (e instanceof OSError) console.log(e.code); }   // except OSError as e
 * ```
 */
export class OSError extends Error {
  /** The positive errno number, as Python's `OSError.errno`; null if there is none. */
  readonly errno: number | null;
  /** The host's error code (Node's `'ECONNREFUSED'`...); null if there is none. */
  readonly code: string | null;
  constructor(
    message?: string,
    options?: { cause?: unknown; errno?: number | null; code?: string | null },
  ) {
    super(message, options);
    this.name = 'OSError';
    this.errno = options?.errno ?? null;
    this.code = options?.code ?? null;
  }
}

/**
 * Mirrors Python's `TimeoutError` (what `asyncio.timeout` and `wait_for`
 * raise), a subclass of `OSError` as in Python, so `catch OSError` sees a
 * connect timeout too.
 *
 * @example
 * ```ts
 * try { yield* waitFor(sleep(10), 1); } catch (e) { if (e instanceof TimeoutError) ... }
 * ```
 */
export class TimeoutError extends OSError {
  constructor(
    message?: string,
    options?: { cause?: unknown; errno?: number | null; code?: string | null },
  ) {
    super(message, options);
    this.name = 'TimeoutError';
  }
}

/**
 * Mirrors Python's `RuntimeError`: a call made in a state where it cannot work.
 *
 * @example
 * ```ts
 * try {
 *   getRunningLoop();
 * } catch (e) {
 *   if (e instanceof RuntimeError) console.log(e.message);   // 'no running event loop'
 * }
 * ```
 */
export class RuntimeError extends Error {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuntimeError';
  }
}

/**
 * Mirrors Python's `ValueError`: an argument of the right type but a wrong value.
 *
 * @example
 * ```ts
 * const sem = new BoundedSemaphore(1);
 * try {
 *   sem.release();                            // never acquired
 * } catch (e) {
 *   if (e instanceof ValueError) console.log(e.message);   // except ValueError:
 * }
 * ```
 */
export class ValueError extends Error {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ValueError';
  }
}

/**
 * True for the two exceptions that the loop lets escape from callbacks
 * instead of passing them to the exception handler (CPython's
 * `except (SystemExit, KeyboardInterrupt): raise`).
 *
 * @example
 * ```ts
 * try {
 *   callback();
 * } catch (e) {
 *   if (isInterrupt(e)) throw e;              // except (SystemExit, KeyboardInterrupt): raise
 *   report(e);
 * }
 * ```
 */
export function isInterrupt(e: unknown): e is KeyboardInterrupt | SystemExit {
  return e instanceof KeyboardInterrupt || e instanceof SystemExit;
}
