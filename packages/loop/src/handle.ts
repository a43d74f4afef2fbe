/**
 * Handles: the objects that `callSoon`, `callLater` and `callAt` return.
 */
import { refuseUnbound } from './check-callback.js';
import { Context, state } from './context.js';
import { isInterrupt } from './errors.js';
import { firstFrame, formatCallback } from './format.js';
import type { EventLoop } from './loop.js';
import type { Callback, HandleInternals } from './seam.js';
import type { ExceptionContext } from './types.js';

type Data = Context['_data'];

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
export class Handle implements HandleInternals {
  /** @internal */ _callback: Callback | null;
  /** @internal */ _args: unknown[] | null;
  /** @internal */ _loop: EventLoop;
  /** @internal */ _cancelled = false;
  /** @internal The explicit context, or null to run in a snapshot of `_data`. */
  _context: Context | null;
  /** Seam: `HandleInternals`. */ _data: Data;
  // Debug-only: both start out on the prototype (below), so that a handle made
  // outside debug mode carries two fields fewer.
  /** @internal */ declare _repr: string | null;
  /** @internal Where it was created, in debug mode. */
  declare _sourceTraceback: string | null;

  /**
   * Mirrors `asyncio.Handle(callback, args, loop, context)`; applications
   * get one from `loop.callSoon()`. `context` null: a snapshot of the current one.
   */
  constructor(
    callback: Callback,
    args: unknown[] | null,
    loop: EventLoop,
    context: Context | null,
  ) {
    this._callback = callback;
    this._args = args;
    this._loop = loop;
    this._context = context;
    this._data = state.current._data;
  }

  /** Mirrors `Handle.cancel()`: the callback will not be called. Cancelling twice is harmless. */
  cancel(): void {
    if (!this._cancelled) {
      this._cancelled = true;
      // In debug mode keep what the callback was, for "Executing <Handle ...> took".
      if (this._loop._debug) this._repr = this.toString();
      this._callback = null;
      this._args = null;
    }
  }

  /** Mirrors `Handle.cancelled()`. */
  cancelled(): boolean {
    return this._cancelled;
  }

  /** Mirrors `Handle.get_context()`: the context the callback runs in. */
  getContext(): Context {
    if (this._context === null) {
      const c = new Context();
      c._data = this._data;
      this._context = c;
    }
    return this._context;
  }

  /** Seam (`HandleInternals`): Called by the loop's ready queue. */
  _run(_arg?: unknown): void {
    if (this._cancelled) return;
    const cb = this._callback as (...args: unknown[]) => void;
    const args = this._args;
    const ctx = this._context;
    let r: unknown;
    try {
      if (ctx === null) {
        const s = state.scratch;
        const prevCtx = state.current;
        const prevData = s._data;
        const prevRun = state.run;
        s._data = this._data;
        state.current = s;
        state.run = ++state.runs;
        try {
          r = args === null ? cb() : cb(...args);
        } finally {
          // Keep what the callback set: it is this handle's context from now
          // on (what getContext() and the exception handler see), as in CPython.
          this._data = s._data;
          s._data = prevData;
          state.current = prevCtx;
          state.run = prevRun;
        }
      } else if (args === null) {
        r = ctx.run(cb);
      } else {
        r = ctx.run(cb, ...args);
      }
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

  /** Hands an exception of the callback to the loop's exception handler. */
  private _report(exc: unknown, cb: unknown, args: readonly unknown[] | null): void {
    const context: ExceptionContext = {
      message: `Exception in callback ${formatCallback(cb, args ?? [])}`,
      exception: exc,
      handle: this,
    };
    if (this._sourceTraceback !== null) context.source_traceback = this._sourceTraceback;
    this._loop.callExceptionHandler(context);
  }

  /** @internal */
  _reprInfo(): string[] {
    const info: string[] = [this.constructor.name];
    if (this._cancelled) info.push('cancelled');
    if (this._callback !== null) info.push(formatCallback(this._callback, this._args ?? []));
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

Handle.prototype._repr = null;
Handle.prototype._sourceTraceback = null;

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
  /** @internal */ _when: number;
  /** @internal Tie-breaker: timers due at the same time run in the order they were made. */
  _seq: number;
  /** @internal True while it sits in the loop's timer heap. */
  _scheduled = false;

  /** @internal Use `loop.callLater()` or `loop.callAt()` to make one. */
  constructor(
    when: number,
    seq: number,
    callback: Callback,
    args: unknown[] | null,
    loop: EventLoop,
    context: Context | null,
  ) {
    super(callback, args, loop, context);
    this._when = when;
    this._seq = seq;
  }

  /** Mirrors `TimerHandle.when()`: the absolute time, in `loop.time()` seconds. */
  when(): number {
    return this._when;
  }

  /** Mirrors `TimerHandle.cancel()`. */
  override cancel(): void {
    if (!this._cancelled) this._loop._timerHandleCancelled(this);
    super.cancel();
  }

  /** @internal */
  override _reprInfo(): string[] {
    const info = super._reprInfo();
    info.splice(this._cancelled ? 2 : 1, 0, `when=${this._when}`);
    return info;
  }
}

refuseUnbound(Handle);
refuseUnbound(TimerHandle);
