/**
 * What CPython's coroutine objects say about their misuse, for the
 * coroutines the packages return (`sleep`, `waitFor`, `queue.get`, ...):
 *
 * - `await coro` in an async function: a coroutine is a generator here, and
 *   `await` would take it as a plain value and go on at once. Their `then`
 *   rejects, saying to use `yield*`.
 * - a coroutine dropped without ever being run (`sleep(1);` without
 *   `yield*`): CPython warns "coroutine 'sleep' was never awaited". Here in
 *   debug mode, when the coroutine is collected or its loop closes, whichever
 *   comes first. Outside debug mode the coroutine is returned as it is: the
 *   watch costs an object, a registration and a set entry per coroutine,
 *   more than `sleep(0)` itself.
 * - a coroutine run twice: "cannot reuse already awaited coroutine".
 */
import { type CoroutineObject, inheritCoroutineMethods } from './coroutine-object.js';
import { getCurrentLoopOrNull } from './events.js';
import { captureCreationSite } from './format.js';
import { logger } from './log.js';
import type { EventLoop } from './loop.js';
import { running } from './running.js';

export { REUSED } from './coroutine-object.js';

function awaitError(name: string): TypeError {
  return new TypeError(
    `coroutine '${name}' cannot be awaited with await: x-async coroutines are generators; run it with yield* inside a function*, or from async code await a task made of it: await createTask(coro)`,
  );
}

/** A `then` that fails every `await`: it must not look like a value awaited at once. */
function defineThen(proto: object, nameOf: (self: never) => string): void {
  Object.defineProperty(proto, 'then', {
    configurable: true,
    writable: true,
    value(this: never, _onFulfilled?: unknown, onRejected?: unknown): void {
      const err = awaitError(nameOf(this));
      if (typeof onRejected === 'function') onRejected(err);
      else throw err;
    },
  });
}

/**
 * Part of the seam (`@x/loop/internal`). Makes `await` on the coroutines of a coroutine function (a
 * `function*`, whose generators share `fn.prototype`) or of a hand-written
 * coroutine class (pass its prototype) reject with an error that says to
 * use `yield*`. `name` is the coroutine's name, or tells it from the
 * coroutine (a class that serves several methods). Costs nothing per coroutine.
 */
export function refuseAwait(fnOrProto: object, name: string | ((coro: never) => string)): void {
  const proto =
    typeof fnOrProto === 'function' ? (fnOrProto as { prototype: object }).prototype : fnOrProto;
  defineThen(proto, typeof name === 'string' ? () => name : name);
}

/** What reporting a coroutine dropped unstarted needs, without the coroutine itself. */
export interface UnawaitedInfo {
  name: string;
  site: string | null;
  loop: EventLoop | null;
  /** Started, awaited with `await`, or reported: nothing more to say. */
  settled: boolean;
}

function report(info: UnawaitedInfo): void {
  if (info.settled) return;
  settle(info);
  const where =
    info.site === null ? '' : `\nCoroutine created at (most recent call last)\n${info.site}`;
  logger.warning(
    `RuntimeWarning: coroutine '${info.name}' was never awaited: run it with yield* or createTask()${where}`,
  );
}

function settle(info: UnawaitedInfo): void {
  info.settled = true;
  info.loop?._unawaited.delete(info);
}

const registry: FinalizationRegistry<UnawaitedInfo> | null =
  typeof FinalizationRegistry === 'function' ? new FinalizationRegistry(report) : null;

/**
 * @internal Reports the watched coroutines of `loop` that never ran: what
 * closing the loop does, as CPython reports them at the latest at exit.
 */
export function reportUnawaited(loop: EventLoop): void {
  for (const info of [...loop._unawaited]) report(info);
}

/** A package coroutine in debug mode: the coroutine, plus the watch on it. */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: it inherits CoroutineObject's methods (inheritCoroutineMethods)
class WatchedCoroutine<Y, R, N> {
  /** @internal */ _watch: UnawaitedInfo;
  private finished = false;

  constructor(
    private readonly inner: Generator<Y, R, N>,
    info: UnawaitedInfo,
  ) {
    this._watch = info;
  }

  private start(): void {
    if (!this._watch.settled) {
      settle(this._watch);
      registry?.unregister(this);
    } else if (this.finished) {
      this.reused();
    }
  }

  private after(r: IteratorResult<Y, R>): IteratorResult<Y, R> {
    if (r.done === true) this.finished = true;
    return r;
  }

  next(v?: unknown): IteratorResult<Y, R> {
    this.start();
    try {
      return this.after(this.inner.next(v as N));
    } catch (e) {
      this.finished = true;
      throw e;
    }
  }

  throw(e: unknown): IteratorResult<Y, R> {
    this.start();
    try {
      return this.after(this.inner.throw(e));
    } catch (e2) {
      this.finished = true;
      throw e2;
    }
  }

  return(v: R): IteratorResult<Y, R> {
    this.close();
    return this.inner.return(v);
  }

  protected close(): void {
    settle(this._watch);
    registry?.unregister(this);
    this.finished = true;
  }
}
// biome-ignore lint/correctness/noUnusedVariables: merged with the class of the same name
interface WatchedCoroutine<Y, R, N> extends CoroutineObject<Y, R> {}
inheritCoroutineMethods(WatchedCoroutine);

/**
 * Set once some loop was in debug mode (`startWatchingCoroutineMethods`):
 * until then no coroutine is watched, and the methods are not wrapped.
 */
let someLoopDebugged = false;

/**
 * Part of the seam (`@x/loop/internal`). Returns `coro`, a coroutine just made by the package function
 * `name`; in debug mode (of the running loop, or else the current one),
 * wrapped so that it is reported if it is dropped without ever running,
 * and refuses to run a second time.
 */
export function watchCoroutine<G>(coro: G, name: string): G {
  // One flag read for a program that never uses debug mode: `sleep(0)` comes here once per turn.
  if (!someLoopDebugged) return coro;
  const loop = running.loop ?? getCurrentLoopOrNull();
  if (loop === null || !loop._debug) return coro;
  const info: UnawaitedInfo = { name, site: captureCreationSite(), loop, settled: false };
  const w = new WatchedCoroutine(coro as Generator<unknown, unknown, unknown>, info);
  loop._unawaited.add(info);
  registry?.register(w, info, w);
  return w as unknown as G;
}

defineThen(WatchedCoroutine.prototype, (self: WatchedCoroutine<unknown, unknown, unknown>) => {
  settle(self._watch);
  registry?.unregister(self);
  return self._watch.name;
});

/** The coroutine methods given to `watchCoroutineMethods`, not wrapped yet. */
const unwatched: { proto: Record<string, unknown>; method: string; label: string }[] = [];
/**
 * Part of the seam (`@x/loop/internal`). For the coroutine methods (`*get()`) of a class: makes `await`
 * on their coroutines reject, and in debug mode watches each one (see
 * `watchCoroutine`), under the name `Class.method` as CPython's qualname.
 * A method that returns a hand-written coroutine (`Queue.get()`) is watched
 * the same, and its coroutine class calls `refuseAwait` on its prototype.
 * Call it before `refuseUnbound(cls)`.
 *
 * The watch wraps each method, and is installed only once some loop is in
 * debug mode (`startWatchingCoroutineMethods`): until then the wrapper could
 * only return the coroutine as it is, and calling through it cost a
 * `Queue(1)` ping-pong (W5) about 8 % (a call through `impl.call` whose
 * target the compiler cannot fix, as one wrapper serves every method).
 */
export function watchCoroutineMethods(
  cls: { name: string; prototype: object },
  methods: readonly string[],
): void {
  const proto = cls.prototype as Record<string, unknown>;
  for (const method of methods) {
    const label = `${cls.name}.${method}`;
    const impl = proto[method] as { prototype?: object };
    // A method that returns a hand-written coroutine is no generator function (it has no
    // prototype for its coroutines): its coroutine class refuses `await` itself.
    if (impl.prototype !== undefined) refuseAwait(impl, label);
    if (someLoopDebugged) wrapMethod(proto, method, label);
    else unwatched.push({ proto, method, label });
  }
}

/**
 * @internal Debug mode is on for a loop (made with it, or `setDebug(true)`):
 * wraps the coroutine methods given to `watchCoroutineMethods`, for good.
 * Before, no coroutine could be watched (`watchCoroutine` watches only in
 * debug mode), so nothing is lost by wrapping them only now.
 */
export function startWatchingCoroutineMethods(): void {
  if (someLoopDebugged) return;
  someLoopDebugged = true;
  for (const { proto, method, label } of unwatched) wrapMethod(proto, method, label);
  unwatched.length = 0;
}

function wrapMethod(proto: Record<string, unknown>, method: string, label: string): void {
  const impl = proto[method] as (this: unknown, a?: unknown, b?: unknown) => unknown;
  // No rest parameter: these methods take at most two arguments, and a
  // call that allocates no array costs next to nothing.
  const wrapped = {
    [method](this: unknown, a?: unknown, b?: unknown): unknown {
      return watchCoroutine(impl.call(this, a, b), label);
    },
  }[method] as (...a: unknown[]) => unknown;
  // What `refuseUnbound` marked the method with, if it ran already.
  for (const key of Object.getOwnPropertySymbols(impl)) {
    Object.defineProperty(
      wrapped,
      key,
      Object.getOwnPropertyDescriptor(impl, key) as PropertyDescriptor,
    );
  }
  Object.defineProperty(proto, method, {
    configurable: true,
    writable: true,
    enumerable: false,
    value: wrapped,
  });
}
