/**
 * `VirtualClock`, after Trio's `MockClock`: time that a test controls.
 *
 * A loop made with `new EventLoop({ clock })` reads its time from the clock
 * and, while it waits for its next timer, asks the clock what to do instead
 * of setting a host timer: a virtual wait has no length in real time. The
 * clock then either does nothing (time moves only when `jump()` is called) or,
 * with an autojump threshold, jumps straight to the next timer once the loop
 * has been idle that long in real time.
 *
 * "Idle" means more than "nothing ready": a promise that will complete a
 * Future of the loop (`ensureFuture(promise)`, `abortable`, every
 * `runInExecutor` job) is work in real time that the loop knows of, and the
 * clock never jumps while one is pending: a 1-second worker job inside a
 * `waitFor(..., 5)` finishes in its real second, and only then does virtual
 * time move on. Host timers and promises the loop was never told about
 * cannot be seen; they run in real time while virtual time may jump past them.
 */
import { ValueError } from './errors.js';
import type { EventLoop } from './loop.js';
import type { Clock } from './types.js';

const setImmediate_: (fn: () => void) => unknown =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (globalThis as unknown as { setImmediate: (fn: () => void) => unknown }).setImmediate
    : (fn) => setTimeout(fn, 0);

function checkSeconds(value: unknown, what: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${what} must be a number of seconds, got ${String(value)}`);
  }
  return value;
}

function checkThreshold(value: unknown): number | null {
  if (value === null) return null;
  const t = checkSeconds(value, 'autojumpThreshold');
  if (t < 0) {
    throw new ValueError(
      `autojumpThreshold must be >= 0 seconds (0: jump as soon as the loop is idle), or null for never; got ${t}`,
    );
  }
  return t === Number.POSITIVE_INFINITY ? null : t;
}

/**
 * Trio's `MockClock`: a `Clock` whose time moves only when told to, so that a
 * test of an hour of timeouts, retries and back-offs runs in milliseconds with
 * the same ordering as in real time. It has no asyncio counterpart.
 *
 * - `jump(seconds)` moves time forward; timers that become due run at the
 *   loop's next iteration.
 * - `autojumpThreshold`: when the loop has had nothing to run for this long
 *   (real seconds), the clock jumps to the loop's next timer. `0` jumps as soon
 *   as the loop is idle; `null` (the default) never jumps by itself.
 *
 * While a promise that will complete one of the loop's Futures is pending
 * (`runInExecutor`, `toThread`, `ensureFuture(promise)`, `abortable`), the loop
 * is not idle and the clock does not jump: that work takes its real time.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock({ autojumpThreshold: 0 });
 * const loop = new EventLoop({ clock });
 * await loop.runUntilComplete(sleep(3600)); // an hour, at once
 * clock.now();                              // 3600
 * ```
 */
export class VirtualClock implements Clock {
  private _now: number;
  private _threshold: number | null;
  /** @internal The loops that read this clock, woken when it jumps. */
  _loops = new Set<EventLoop>();
  /** Invalidates an autojump scheduled for an idle period that has ended. */
  private _token = 0;
  private _timer: ReturnType<typeof setTimeout> | null = null;

  constructor(options?: { start?: number; autojumpThreshold?: number | null }) {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw new TypeError(
        'VirtualClock() takes an options object, as in new VirtualClock({ autojumpThreshold: 0 })',
      );
    }
    const start = checkSeconds(options?.start ?? 0, 'start');
    if (!Number.isFinite(start)) throw new ValueError(`start must be finite, got ${start}`);
    this._now = start;
    this._threshold = checkThreshold(
      options?.autojumpThreshold === undefined ? null : options.autojumpThreshold,
    );
  }

  /** The clock's time in seconds: `start`, plus every jump so far. */
  now(): number {
    return this._now;
  }

  /**
   * Moves time forward by `seconds` (as Trio's `MockClock.jump`); timers that
   * become due run at the next iteration of every loop that uses this clock.
   * A negative jump is a `ValueError`: time cannot go backwards.
   */
  jump(seconds: number): void {
    const s = checkSeconds(seconds, 'jump()');
    if (s < 0) throw new ValueError("time can't go backwards");
    this._now += s;
    this._wakeLoops();
  }

  /**
   * Real seconds that the loop must have been idle before the clock jumps to
   * its next timer; `0` for at once, `null` for never. Setting it takes effect
   * at once, also for a loop that is already waiting.
   */
  get autojumpThreshold(): number | null {
    return this._threshold;
  }

  /** Sets the threshold (`Infinity` is `null`); a negative or NaN value is refused. */
  set autojumpThreshold(value: number | null) {
    this._threshold = checkThreshold(value);
    this._wakeLoops();
  }

  toString(): string {
    return `<VirtualClock time=${this._now} autojumpThreshold=${this._threshold}>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** @internal The loop has nothing ready and waits for its next timer. */
  _idle(loop: EventLoop): void {
    const threshold = this._threshold;
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    const token = ++this._token;
    // Real-time work the loop knows of: it will wake the loop when it is done.
    if (threshold === null || loop._realTimeWork > 0) return;
    const check = (): void => {
      this._timer = null;
      if (token === this._token) this._autojump(loop);
    };
    // Even a threshold of 0 waits for one host turn: promise reactions and
    // host I/O that are already due run first, and may give the loop work.
    if (threshold === 0) setImmediate_(check);
    else this._timer = setTimeout(check, threshold * 1000);
  }

  private _autojump(loop: EventLoop): void {
    if (!loop._waitsForTimer() || loop._realTimeWork > 0 || loop._timers.size === 0) return;
    const when = loop._timers.peekWhen();
    if (!Number.isFinite(when) || when <= this._now) return;
    this._now = when;
    this._wakeLoops();
  }

  private _wakeLoops(): void {
    for (const loop of this._loops) {
      if (loop.isClosed()) this._loops.delete(loop);
      else loop._clockChanged();
    }
  }
}
