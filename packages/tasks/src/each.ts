/**
 * `each`: Python's `async for` inside a coroutine.
 *
 * A generator function cannot use `for await`, and `yield*` cannot appear in
 * a `for...of` header's iteration step. So the loop is split in two, as in
 * Effection: `yield* each(source)` waits for the first item and returns a
 * plain iterable, and `yield* each.next()` at the end of the body waits for
 * the next one. The iterable hands out the item the last wait got, and
 * refuses to go on when the body did not wait for a new one.
 *
 * `each.next()` finds its loop without being told which: the innermost open
 * `each()` loop of the code running now. That is the current task's, or,
 * while an async generator's body runs (in its consumer's task), the
 * generator's own, so that a generator that loops over a source with
 * `each()` and emits inside the loop does not mix its loop with the
 * consumer's.
 */
import { type Coroutine, getRunningLoopOrNull, RuntimeError } from '@x/loop';
import { isPromiseLike, refuseAwait, watchCoroutine } from '@x/loop/internal';
import { typeName } from './awaitable.js';
import { ensureFuture } from './ensure-future.js';
import { currentTask } from './task.js';

/**
 * @internal The coroutine step of a source other than an AsyncGen, as
 * Python's `__anext__`: what `asCompleted()`'s object implements.
 */
export const anext: unique symbol = Symbol('x-async.anext');

/** @internal A source that `each()` steps with a coroutine (`asCompleted()`'s object). */
export interface CoroutineStepped<T> {
  [anext](): Coroutine<IteratorResult<T, unknown>>;
}

type Step<T> = () => Coroutine<IteratorResult<T, unknown>>;

// The code that owns the loops opened now: an async generator's body while
// one of its steps runs (in `ownerTask`), else the current task.
let owner: object | null = null;
let ownerTask: object | null = null;

function taskNow(): object | null {
  const loop = getRunningLoopOrNull();
  return loop === null ? null : currentTask(loop);
}

// What enterOwner() replaced, two entries a step: steps nest (a generator's
// body steps another generator), and a stack costs no allocation per step.
const saved: (object | null)[] = [];

/**
 * @internal For `asyncGenerator`: makes `gen` the owner of the `each()`
 * loops opened and advanced until `leaveOwner()`, around one synchronous
 * step of its body. Its loops stay its own between steps, in whatever task
 * the next step runs.
 */
export function enterOwner(gen: object): void {
  saved.push(owner, ownerTask);
  owner = gen;
  ownerTask = taskNow();
}

/** @internal Ends what the last `enterOwner()` began. */
export function leaveOwner(): void {
  ownerTask = saved.pop() ?? null;
  owner = saved.pop() ?? null;
}

function ownerNow(what: string): object {
  const task = taskNow();
  // An eager task started inside a generator's step runs its own code, not the generator's.
  if (owner !== null && ownerTask === task) return owner;
  if (task === null) {
    throw new RuntimeError(
      `${what} must run inside a task: iterate inside a coroutine run by run(), createTask() or loop.runUntilComplete()`,
    );
  }
  return task;
}

/** The open `each()` loops of each owner, innermost last. */
const open = new WeakMap<object, EachLoop<unknown>[]>();

type Phase = 'idle' | 'fresh' | 'consumed' | 'ended' | 'closed';

/**
 * One `for (const item of yield* each(source))` loop: the iterable the
 * `for...of` runs, and its iterator.
 */
class EachLoop<T> implements Iterable<T>, Iterator<T, undefined> {
  private phase: Phase = 'idle';
  private owner: object | null = null;

  constructor(
    private readonly step: Step<T>,
    private item: T,
  ) {}

  [Symbol.iterator](): this {
    if (this.phase !== 'idle') {
      throw new RuntimeError(
        'the iterable that each() returned can be iterated once: call yield* each(source) again for another loop',
      );
    }
    const owner = ownerNow('an each() loop');
    this.owner = owner;
    let loops = open.get(owner);
    if (loops === undefined) {
      loops = [];
      open.set(owner, loops);
    }
    loops.push(this as EachLoop<unknown>);
    this.phase = 'fresh';
    return this;
  }

  next(): IteratorResult<T, undefined> {
    switch (this.phase) {
      case 'fresh':
        this.phase = 'consumed';
        return { done: false, value: this.item };
      case 'consumed':
        // A for...of does not call return() when next() throws: leave here.
        this.leave();
        throw new RuntimeError(
          'an iteration of an each() loop ended without yield* each.next(): call yield* each.next() at the end of the loop body (and before any continue)',
        );
      case 'ended':
        this.leave();
        return { done: true, value: undefined };
      default:
        return { done: true, value: undefined };
    }
  }

  /** break, return or a throw out of the loop: the loop ends; the source stays open, as after `async for`. */
  return(): IteratorResult<T, undefined> {
    this.leave();
    return { done: true, value: undefined };
  }

  /** What `yield* each.next()` runs: waits for the next item. */
  *advance(): Coroutine<void> {
    if (this.phase !== 'consumed') {
      throw new RuntimeError(
        'each.next() was called twice in one iteration of the loop: call it once, at the end of the loop body',
      );
    }
    // An exception of the source propagates from here; the phase stays
    // 'consumed', so that a body that catches it can call each.next() again.
    const r = yield* this.step();
    if (r.done === true) {
      this.phase = 'ended';
    } else {
      this.item = r.value;
      this.phase = 'fresh';
    }
  }

  private leave(): void {
    this.phase = 'closed';
    const loops = this.owner === null ? undefined : open.get(this.owner);
    if (loops === undefined) return;
    const i = loops.lastIndexOf(this as EachLoop<unknown>);
    if (i >= 0) loops.splice(i, 1);
    if (loops.length === 0 && this.owner !== null) open.delete(this.owner);
  }
}

/** How to step `source`, decided at the call, as `async for` calls `__aiter__` at once. */
function stepperOf<T>(source: unknown): Step<T> {
  if (source !== null && (typeof source === 'object' || typeof source === 'function')) {
    const s = source as Record<PropertyKey, unknown>;
    const own = s[anext];
    if (typeof own === 'function') {
      return () => (own as () => Coroutine<IteratorResult<T, unknown>>).call(source);
    }
    if (typeof s.next === 'function' && typeof s.aclose === 'function') {
      // An AsyncGen: `yield* gen.next()` runs its body in this task, so that
      // a cancellation of the task reaches the body where it waits.
      const next = s.next as () => unknown;
      return function* asyncGenStep(): Coroutine<IteratorResult<T, unknown>> {
        const step = next.call(source);
        if (
          step === null ||
          typeof step !== 'object' ||
          typeof (step as Coroutine).next !== 'function' ||
          typeof (step as Coroutine).throw !== 'function'
        ) {
          throw new TypeError(
            `each() received an invalid object from next() of ${typeName(source)}: an AsyncGen's next() returns a coroutine, got ${typeName(step)}`,
          );
        }
        return yield* step as Coroutine<IteratorResult<T, unknown>>;
      };
    }
    const aiter = s[Symbol.asyncIterator];
    if (typeof aiter === 'function') {
      const it = aiter.call(source) as AsyncIterator<T> | null;
      if (it === null || typeof it !== 'object' || typeof it.next !== 'function') {
        throw new TypeError(
          `each() received an object from [Symbol.asyncIterator]() that has no next() method: ${typeName(it)}`,
        );
      }
      // A promise cannot be cancelled: cancelling the task abandons the wait.
      return function* promiseStep(): Coroutine<IteratorResult<T, unknown>> {
        const p = it.next();
        const r = isPromiseLike(p) ? yield* ensureFuture(p) : p;
        if (r === null || typeof r !== 'object') {
          throw new TypeError(
            `each() received ${typeName(r)} from next() of an async iterator: an iterator result must be an object`,
          );
        }
        return r;
      };
    }
  }
  const hint =
    source !== null &&
    source !== undefined &&
    typeof (source as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
      ? ': a plain iterable goes in a plain for...of'
      : typeof source === 'function'
        ? ': call the async generator function to get an async generator'
        : '';
  throw new TypeError(
    `each() requires an async source (an AsyncGen, asCompleted(...) or an AsyncIterable), got ${typeName(source)}${hint}`,
  );
}

function* eachBody<T>(step: Step<T>): Coroutine<Iterable<T>> {
  ownerNow('each()');
  const first = yield* step();
  if (first.done === true) return [];
  return new EachLoop<T>(step, first.value);
}

function* nextBody(): Coroutine<void> {
  const loops = open.get(ownerNow('each.next()'));
  const loop = loops?.[loops.length - 1];
  if (loop === undefined) {
    throw new RuntimeError(
      'each.next() was called outside an each() loop: it advances the loop for (const item of yield* each(source)) { ...; yield* each.next(); } it ends',
    );
  }
  yield* loop.advance();
}

refuseAwait(eachBody, 'each');
refuseAwait(nextBody, 'each.next');

/**
 * Mirrors Python's `async for item in source:` inside a coroutine. `yield*
 * each(source)` waits for the first item (so an empty source runs the body
 * zero times) and returns the iterable a plain `for...of` runs; the body ends
 * with `yield* each.next()`, which waits for the next item. The body may
 * `yield*` freely.
 *
 * `source` is one of:
 * - an `AsyncGen` (from `asyncGenerator`): stepped with `yield* gen.next()`
 *   in the running task, so cancelling the task cancels the wait inside the
 *   generator's body, exactly as `yield* gen.next()` would;
 * - the object `asCompleted(aws)` returns: each item is the Future of the
 *   next awaitable to complete, as `async for fut in as_completed(aws)`;
 * - any `AsyncIterable` (a native `async function*`, a web stream): stepped
 *   by waiting for the promise its `next()` returns. A promise cannot be
 *   cancelled: cancelling the task abandons the wait (the task sees the
 *   `CancelledError` at once), and an item that promise delivers later is
 *   lost. For work that must stop, use an AsyncGen or `abortable()`.
 *
 * An exception of the source's `next()` is thrown out of `yield* each(...)`
 * or `yield* each.next()` where the loop waits, as out of an `async for`.
 * `break`, `return` or an exception out of the body end the loop but, as
 * Python's `async for`, do not close the source: a later `each()` over the
 * same AsyncGen goes on where this one stopped, and one never finished is
 * closed by `loop.shutdownAsyncgens()` (or when it is garbage collected);
 * call `yield* gen.aclose()` to close it at once. A native async iterator is
 * not closed either (its `return()` is not called, unlike `for await`).
 *
 * Misuse is an error, never a silent skip: an iteration that ends without
 * `yield* each.next()` (a `continue` that skips it) makes the next one throw
 * a `RuntimeError`, as does `each.next()` outside an `each()` loop or twice in
 * one iteration; a `source` that is not an async source is a `TypeError`.
 *
 * @example
 * ```ts
 * // Python: async for line in reader_lines():
 * //             await handle(line)
 * for (const line of yield* each(readerLines())) {
 *   yield* handle(line);
 *   yield* each.next();                       // required: waits for the next item
 * }
 *
 * // Python 3.13: async for fut in asyncio.as_completed(tasks):
 * for (const fut of yield* each(asCompleted(tasks))) {
 *   console.log(yield* fut);                  // fut is one of the tasks, done
 *   yield* each.next();
 * }
 * ```
 */
export function each<T>(source: AsyncIterable<T>): Coroutine<Iterable<T>> {
  return watchCoroutine(eachBody(stepperOf<T>(source)), 'each');
}

/**
 * Mirrors the step of Python's `async for` to its next item (`await
 * anext(it)`): advances the innermost `each()` loop of the code running now
 * (the current task's, or the async generator body's that calls it) and
 * waits for its next item. Call it once at the end of each iteration of the
 * loop body, and before any `continue`. Outside an `each()` loop it throws a
 * `RuntimeError`; an exception of the source is thrown out of it.
 *
 * @example
 * ```ts
 * for (const msg of yield* each(messages)) {  // async for msg in messages:
 *   if (msg.kind === 'ping') {
 *     yield* each.next();                     // before a continue, too
 *     continue;
 *   }
 *   yield* handle(msg);
 *   yield* each.next();
 * }
 * ```
 */
each.next = function next(): Coroutine<void> {
  return watchCoroutine(nextBody(), 'each.next');
};
