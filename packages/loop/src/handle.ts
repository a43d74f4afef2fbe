/**
 * Handles: the objects that `callSoon`, `callLater` and `callAt` return.
 */
import { refuseUnbound } from './check-callback.js';
import {
  Context,
  type ContextOwner,
  contextOf,
  EMPTY as EMPTY_DATA,
  runInContext,
  state,
} from './context.js';
import { isInterrupt } from './errors.js';
import { firstFrame, formatCallback } from './format.js';
import type { EventLoop } from './loop.js';
import type { Callback, HandleInternals } from './seam.js';
import type { ExceptionContext } from './types.js';

type Data = Context['_data'];

/** The empty values, as a constant of this module (a hot path reads it; see ARCHITECTURE.md). */
const EMPTY: Data = EMPTY_DATA;

/** Calls a handle's callback with its arguments; returns what it returns. */
function call(cb: Callback, args: unknown[] | null): unknown {
  return args === null ? cb() : cb(...args);
}

/**
 * Mirrors `asyncio.Handle`: a scheduled callback that can be cancelled.
 *
 * @example
 * ```ts
 * const handle = loop.callSoon(() => console.log('never printed'));   // handle = loop.call_soon(...)
 * handle.cancel();                            // handle.cancel()
 * handle.cancelled();                         // true
 * ```
 */
export class Handle implements HandleInternals, ContextOwner {
  // Two fields, more only for arguments or a non-empty context: `callSoon`
  // makes one per call and the ready queue holds it until it runs, so each
  // field is paid for by every pending callback (W1).
  /** @internal Null once cancelled (that is what `cancelled()` reads). */
  _callback: Callback | null;
  /** @internal */ _loop: EventLoop;
  /**
   * Seam (`ContextOwner`): its context, or the values it runs with until one
   * is asked for. The empty values (the common case) stay on the prototype.
   */
  declare _ctx: Context | Data;
  /** @internal Null (on the prototype, below) unless it was given arguments. */
  declare _args: unknown[] | null;
  // Debug-only: both start out on the prototype (below), so that a handle made
  // outside debug mode carries two fields fewer.
  /** @internal */ declare _repr: string | null;
  /** @internal Where it was created, in debug mode. */
  declare _sourceTraceback: string | null;
  /**
   * @internal Where its entry is while the ready queue holds its callback
   * rather than the Handle itself (`ReadyQueue.pushCall`); null otherwise.
   */
  declare _block: unknown[] | null;
  /** @internal The number of that entry. */
  declare _pos: number;

  /**
   * Mirrors `asyncio.Handle(callback, args, loop, context)`; applications
   * get one from `loop.callSoon()`. `context` null: a copy of the current one.
   */
  constructor(
    callback: Callback,
    args: unknown[] | null,
    loop: EventLoop,
    context: Context | null,
  ) {
    this._callback = callback;
    this._loop = loop;
    const ctx = context ?? state.current._data;
    if (ctx !== EMPTY) this._ctx = ctx;
    if (args !== null) this._args = args;
  }

  /** Mirrors `Handle.cancel()`: the callback will not be called. Cancelling twice is harmless. */
  cancel(): void {
    const cb = this._callback;
    if (cb === null) return;
    const args = this._args;
    this._callback = null;
    if (args !== null) this._args = null;
    // Dropped from the queue; once running or run, it still finds its context.
    if (this._block !== null && this._loop._ready.cancelCall(this)) this._block = null;
    // In debug mode keep what the callback was, for "Executing <Handle ...> took".
    if (this._loop._debug) this._repr = `<${this._reprInfo(cb, args).join(' ')}>`;
  }

  /** Mirrors `Handle.cancelled()`. */
  cancelled(): boolean {
    return this._callback === null;
  }

  /** Mirrors `Handle.get_context()`: the context the callback runs in. */
  getContext(): Context {
    if (this._block !== null && !(this._ctx instanceof Context)) {
      const q = this._loop._ready;
      if (q.isRunning(this)) {
        const ctx = contextOf(this._loop._callOwner);
        this._ctx = ctx;
        return ctx;
      }
      // Still queued: the queue holds this Handle from now on, so that it
      // runs in the Context returned here. Already run: what it set, if anything.
      if (!q.adopt(this)) {
        const kept = q.keptContext(this);
        if (kept !== undefined) this._ctx = kept as Data | Context;
      }
      this._block = null;
    }
    return contextOf(this);
  }

  /**
   * Seam (`HandleInternals`): the values it runs with, for `gather`'s waker,
   * which sets them before running the handle at once.
   */
  get _data(): Data {
    const c = this._ctx;
    return c instanceof Map ? c : (c as Context)._data;
  }
  set _data(d: Data) {
    this._ctx = d;
  }

  /** Seam (`HandleInternals`): Called by the loop's ready queue. */
  _run(_arg?: unknown): void {
    const cb = this._callback;
    if (cb === null) return;
    const args = this._args;
    let r: unknown;
    try {
      r = runInContext(this, call, cb, args);
    } catch (exc) {
      if (isInterrupt(exc)) throw exc;
      this._report(exc, cb, args);
      return;
    }
    // A plain function that returns a promise (`() => asyncWork()`): its
    // rejection goes to the exception handler too, rather than crash the
    // process past it (async functions themselves are refused at the call).
    if (r instanceof Promise) r.then(undefined, (exc: unknown) => this._report(exc, cb, args));
  }

  /** @internal Hands an exception of the callback to the loop's exception handler. */
  _report(exc: unknown, cb: unknown, args: readonly unknown[] | null): void {
    const context: ExceptionContext = {
      message: `Exception in callback ${formatCallback(cb, args ?? [])}`,
      exception: exc,
      handle: this,
    };
    if (this._sourceTraceback !== null) context.source_traceback = this._sourceTraceback;
    this._loop.callExceptionHandler(context);
  }

  /** @internal */
  _reprInfo(cb = this._callback, args = this._args): string[] {
    const info: string[] = [this.constructor.name];
    if (this.cancelled()) info.push('cancelled');
    if (cb !== null) info.push(formatCallback(cb, args ?? []));
    const site = firstFrame(this._sourceTraceback);
    if (site !== null) info.push(`created at ${site}`);
    return info;
  }

  /** Mirrors `repr(handle)`: the callback, its state and, in debug mode, where it was created. */
  toString(): string {
    if (this._repr !== null) return this._repr;
    return `<${this._reprInfo().join(' ')}>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

Handle.prototype._ctx = EMPTY;
Handle.prototype._args = null;
Handle.prototype._repr = null;
Handle.prototype._sourceTraceback = null;
Handle.prototype._block = null;
Handle.prototype._pos = -1;

/**
 * Runs a callback the ready queue holds without its Handle (`pushCall`) in
 * `owner`'s context, as `Handle._run` does; returns what it returns.
 */
export function runCall(owner: ContextOwner, cb: Callback, args: unknown[] | null): unknown {
  return runInContext(owner, call, cb, args);
}

/** The Handle an exception report names for a call queued without one. */
export function handleForReport(
  loop: EventLoop,
  cb: Callback,
  args: unknown[] | null,
  ctx: Context | Data,
  block: unknown[] | null,
  pos: number,
): Handle {
  const h = new Handle(cb, args, loop, null);
  // The empty values stay on the prototype, as for the Handle it stands for.
  if (ctx !== EMPTY) h._ctx = ctx;
  else if (h._ctx !== EMPTY) delete (h as { _ctx?: unknown })._ctx;
  h._block = block;
  h._pos = pos;
  return h;
}

/**
 * Mirrors `asyncio.TimerHandle`: a handle for a callback scheduled at a time.
 *
 * @example
 * ```ts
 * const timer = loop.callLater(5, () => console.log('too late'));   // loop.call_later(5, ...)
 * console.log(timer.when() - loop.time());    // about 5 (seconds)
 * timer.cancel();
 * ```
 */
export class TimerHandle extends Handle {
  // The creation number that orders timers due at the same time is the
  // heap's (`TimerHeap.seqs`): one field less per pending timer (W2).
  /** @internal */ _when: number;
  /** @internal The heap's flag (`TimerEntry`): set with the callback dropped by `cancel()`. */
  _cancelled = false;
  /** @internal True while it sits in the loop's timer heap. */
  _scheduled = false;

  /** @internal Use `loop.callLater()` or `loop.callAt()` to make one. */
  constructor(
    when: number,
    callback: Callback,
    args: unknown[] | null,
    loop: EventLoop,
    context: Context | null,
  ) {
    super(callback, args, loop, context);
    this._when = when;
  }

  /** Mirrors `TimerHandle.when()`: the absolute time, in `loop.time()` seconds. */
  when(): number {
    return this._when;
  }

  /** Mirrors `TimerHandle.cancel()`. */
  override cancel(): void {
    if (!this._cancelled) {
      this._loop._timerHandleCancelled(this);
      this._cancelled = true;
    }
    super.cancel();
  }

  /** @internal */
  override _reprInfo(cb = this._callback, args = this._args): string[] {
    const info = super._reprInfo(cb, args);
    info.splice(this._cancelled ? 2 : 1, 0, `when=${this._when}`);
    return info;
  }
}

refuseUnbound(Handle);
refuseUnbound(TimerHandle);
