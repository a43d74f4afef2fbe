/**
 * `asyncGenerator`, after CPython's async generators (PEP 525) and the way
 * asyncio drives them (`sys.set_asyncgen_hooks`, `loop.shutdown_asyncgens()`).
 *
 * A native JavaScript `async function*` cannot wait on a Future with
 * `yield*`, and nothing would close it when the loop ends. Here the body is a
 * coroutine (`function*`) that produces values with `yield* emit(v)`: the
 * body runs only inside the `next()` of whoever consumes it, in the
 * consumer's task, so its waits and its cancellation are the consumer's, as
 * in Python. `aclose()` throws `GeneratorExit` into the body where it is
 * suspended, so that its `finally` blocks run (and may wait).
 */
import {
  BaseException,
  type Coroutine,
  type EventLoop,
  type Future,
  getRunningLoopOrNull,
  RuntimeError,
} from '@x/loop';
import {
  type AsyncGenCloser,
  asyncgenFinalizer,
  asyncgenFirstIter,
  asyncgenForget,
  type CoroutineObject,
  inheritCoroutineMethods,
  shortRepr,
} from '@x/loop/internal';
import { enterOwner, leaveOwner } from './each.js';
import { stepAsTask } from './step-as-task.js';

/**
 * Mirrors Python's `GeneratorExit`: what `aclose()` throws into an async
 * generator's body at the `yield* emit(...)` where it is suspended. Let it
 * propagate (or return): a body that emits again after catching it makes
 * `aclose()` fail with "async generator ignored GeneratorExit".
 *
 * @example
 * ```ts
 * const lines = asyncGenerator(function* (emit) {
 *   try {
 *     for (;;) yield* emit(yield* readLine());
 *   } catch (e) {
 *     if (e instanceof GeneratorExit) console.log('closed by aclose()');   // except GeneratorExit:
 *     throw e;                                // let it propagate
 *   }
 * });
 * ```
 */
export class GeneratorExit extends BaseException {}

/**
 * Mirrors a Python async generator object, as `asyncGenerator()` makes them.
 * `yield* gen.next()` in a coroutine is `await anext(gen)`, and `each(gen)`
 * is `async for`; `for await` works in plain async code while a loop runs.
 *
 * @example
 * ```ts
 * const ticks = ticker(0.5);                  // an AsyncGen<number>
 * const first = yield* ticks.next();          // await anext(ticks)
 * console.log(first.value);
 * yield* ticks.aclose();                      // await ticks.aclose(): its finally blocks run
 * ```
 */
export interface AsyncGen<T> {
  /**
   * Mirrors `agen.__anext__()`: runs the body until it emits (`{ value,
   * done: false }`) or ends (`{ done: true }`).
   */
  next(): Coroutine<IteratorResult<T, void>>;
  /** Mirrors `agen.aclose()`: throws `GeneratorExit` into the suspended body and waits for it to end. */
  aclose(): Coroutine<void>;
  /** `for await (const v of gen)`: each `next()` runs as a task on the running loop. */
  [Symbol.asyncIterator](): AsyncIterator<T>;
}

/** What `yield* emit(v)` yields: the body offers a value to its consumer. */
class Emit {
  constructor(
    readonly owner: GenState<unknown>,
    readonly value: unknown,
  ) {}
}

function* emitValue(st: GenState<unknown>, value: unknown): Coroutine<void> {
  yield new Emit(st, value) as never;
}

/**
 * Everything needed to run and close one generator, kept apart from the
 * generator object: the loop and the finalizer hold this, and it must not
 * reference the generator object, or that could never be collected.
 */
class GenState<T> implements AsyncGenCloser {
  body: Coroutine<void> | null = null;
  started = false;
  running = false;
  closed = false;
  loop: EventLoop | null = null;
  ref: WeakRef<object> | null = null;

  constructor(readonly name: string) {}

  /** The `emit` the body is given. */
  readonly emit = (value: T): Coroutine<void> =>
    emitValue(this as unknown as GenState<unknown>, value);

  /** For the loop: closes the generator, as `aclose()`. */
  aclose(): Coroutine<void> {
    return new AgenCoro(acloseBody(this as GenState<unknown>), null, 'aclose');
  }

  generator(): object {
    return this.ref?.deref() ?? this;
  }

  /** The generator has ended: the loop need not close it any more. */
  finish(): void {
    this.closed = true;
    if (this.loop !== null) asyncgenForget(this.loop, this as GenState<unknown>);
    finalizers?.unregister(this);
  }

  toString(): string {
    return `<async_generator object ${this.name}>`;
  }
}

// A generator collected while suspended in its body is closed in a task of its own.
const finalizers: FinalizationRegistry<GenState<unknown>> | null =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry((st) => {
        if (st.loop !== null && st.started && !st.closed) asyncgenFinalizer(st.loop, st);
      })
    : null;

type Sent = { thrown: boolean; value: unknown };
type Outcome = { emitted: true; value: unknown } | { emitted: false };

/**
 * Steps the body until it emits, ends or throws. What the body waits on is
 * yielded to the task that runs us, and what the task sends back (including
 * a cancellation) goes on into the body.
 */
function* stepBody(st: GenState<unknown>, first: Sent): Generator<unknown, Outcome, unknown> {
  let sent = first;
  for (;;) {
    let r: IteratorResult<unknown, void>;
    // The body's each() loops are its own, not those of the task that steps it.
    enterOwner(st);
    try {
      const body = st.body as Coroutine<void>;
      r = sent.thrown ? body.throw(sent.value) : body.next(sent.value);
    } catch (e) {
      st.finish();
      throw e;
    } finally {
      leaveOwner();
    }
    if (r.done === true) {
      st.finish();
      return { emitted: false };
    }
    const y = r.value;
    if (y instanceof Emit) {
      if (y.owner === st) return { emitted: true, value: y.value };
      sent = {
        thrown: true,
        value: new RuntimeError(
          `${String(st)} emitted with the emit() of ${String(y.owner)}: each body must use the emit function it was given`,
        ),
      };
      continue;
    }
    try {
      sent = { thrown: false, value: yield y };
    } catch (e) {
      sent = { thrown: true, value: e };
    }
  }
}

function* nextBody<T>(st: GenState<T>): Generator<unknown, IteratorResult<T, void>, unknown> {
  if (st.running) throw new RuntimeError('anext(): asynchronous generator is already running');
  if (st.closed) return { done: true, value: undefined };
  if (!st.started) {
    st.started = true;
    const loop = getRunningLoopOrNull();
    if (loop !== null) {
      st.loop = loop;
      asyncgenFirstIter(loop, st as GenState<unknown>);
    }
  }
  st.running = true;
  try {
    const out = yield* stepBody(st as GenState<unknown>, { thrown: false, value: undefined });
    return out.emitted ? { done: false, value: out.value as T } : { done: true, value: undefined };
  } finally {
    st.running = false;
  }
}

function* acloseBody(st: GenState<unknown>): Generator<unknown, void, unknown> {
  if (st.running) throw new RuntimeError('aclose(): asynchronous generator is already running');
  if (st.closed) return;
  if (!st.started) {
    // As in Python, a generator closed before it started never runs its body.
    st.finish();
    return;
  }
  st.running = true;
  try {
    const out = yield* stepBody(st, { thrown: true, value: new GeneratorExit() });
    if (out.emitted) {
      st.finish();
      throw new RuntimeError('async generator ignored GeneratorExit');
    }
  } catch (e) {
    if (!(e instanceof GeneratorExit)) throw e;
  } finally {
    st.running = false;
  }
}

/**
 * The coroutine `next()` and `aclose()` return. It keeps the generator
 * object alive while it runs (as Python's awaitables reference their
 * generator), and refuses to be awaited a second time, as CPython does.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: it inherits CoroutineObject's methods (inheritCoroutineMethods)
class AgenCoro<R> {
  private finished = false;
  constructor(
    private readonly inner: Generator<unknown, R, unknown>,
    // Held so that the generator cannot be collected in the middle of a step.
    readonly owner: object | null,
    private readonly what: 'next' | 'aclose',
  ) {}

  next(value?: unknown): IteratorResult<Future<unknown> | undefined, R> {
    return this.resume(false, value);
  }

  /** Thrown into the body, which may catch it: not the base's end-and-rethrow. */
  throw(e: unknown): IteratorResult<Future<unknown> | undefined, R> {
    return this.resume(true, e);
  }

  /** Closes the body too, running its `finally` blocks. */
  return(value: R): IteratorResult<Future<unknown> | undefined, R> {
    this.close();
    return this.inner.return(value) as IteratorResult<Future<unknown> | undefined, R>;
  }

  protected close(): void {
    this.finished = true;
  }

  private resume(thrown: boolean, value: unknown): IteratorResult<Future<unknown> | undefined, R> {
    if (this.finished) {
      throw new RuntimeError(
        this.what === 'next'
          ? 'cannot reuse already awaited next(): call gen.next() again for the next value'
          : 'cannot reuse already awaited aclose(): call gen.aclose() again',
      );
    }
    let r: IteratorResult<unknown, R>;
    try {
      r = thrown ? this.inner.throw(value) : this.inner.next(value);
    } catch (e) {
      this.finished = true;
      throw e;
    }
    if (r.done === true) this.finished = true;
    return r as IteratorResult<Future<unknown> | undefined, R>;
  }
}
// biome-ignore lint/correctness/noUnusedVariables: merged with the class of the same name
interface AgenCoro<R> extends CoroutineObject<Future<unknown> | undefined, R> {}
inheritCoroutineMethods(AgenCoro);

class AsyncGenObject<T> implements AsyncGen<T> {
  /** @internal */ readonly _st: GenState<T>;

  constructor(st: GenState<T>) {
    this._st = st;
  }

  next(): Coroutine<IteratorResult<T, void>> {
    return new AgenCoro(nextBody(this._st), this, 'next');
  }

  aclose(): Coroutine<void> {
    return new AgenCoro(acloseBody(this._st as GenState<unknown>), this, 'aclose');
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return new AsyncGenIterator(this);
  }

  toString(): string {
    return String(this._st);
  }

  get [Symbol.toStringTag](): string {
    return 'AsyncGen';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** `for await` over an AsyncGen: each step is a task on the running loop. */
class AsyncGenIterator<T> implements AsyncIterator<T> {
  constructor(private readonly gen: AsyncGenObject<T>) {}

  next(): Promise<IteratorResult<T, void>> {
    return stepAsTask(() => this.gen.next(), 'an async generator', 'next');
  }

  return(): Promise<IteratorResult<T, void>> {
    return stepAsTask(() => this.gen.aclose(), 'an async generator', 'return').then(() => ({
      done: true as const,
      value: undefined,
    }));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * Mirrors Python's `async def` with `yield`: turns a coroutine function that
 * produces values with `yield* emit(v)` into a function returning async
 * generators.
 *
 * @example
 * ```ts
 * const ticker = asyncGenerator(function* (emit, n: number) {
 *   try {
 *     for (let i = 0; i < n; i++) {
 *       yield* sleep(0.1);
 *       yield* emit(i);                // suspends until the next next()
 *     }
 *   } finally {
 *     yield* sleep(0);                 // runs on aclose() too
 *   }
 * });
 * for (const i of yield* each(ticker(3))) {    // async for i in ticker(3):
 *   console.log(i);
 *   yield* each.next();                       // waits for the next value
 * }
 * ```
 *
 * The generator registers itself with the running loop on its first step:
 * `loop.shutdownAsyncgens()` closes the ones still open, and one that is
 * garbage collected while suspended is closed in a task of its own.
 */
export function asyncGenerator<A extends unknown[], T>(
  fn: (emit: (value: T) => Coroutine<void>, ...args: A) => Coroutine<void>,
): (...args: A) => AsyncGen<T> {
  if (typeof fn !== 'function') {
    throw new TypeError(
      `asyncGenerator() needs a coroutine function (function*), got ${shortRepr(fn)}`,
    );
  }
  const name = fn.name || 'anonymous';
  return (...args: A): AsyncGen<T> => {
    const st = new GenState<T>(name);
    const body = fn(st.emit, ...args);
    if (
      body === null ||
      typeof body !== 'object' ||
      typeof (body as Coroutine<void>).next !== 'function' ||
      typeof (body as Coroutine<void>).throw !== 'function'
    ) {
      throw new TypeError(
        `the body of an async generator must be a coroutine function (function*), and ${name}() returned ${shortRepr(body)}`,
      );
    }
    st.body = body;
    const gen = new AsyncGenObject(st);
    st.ref = new WeakRef(gen);
    finalizers?.register(gen, st as GenState<unknown>, st);
    return gen;
  };
}
