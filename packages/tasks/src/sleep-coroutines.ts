/**
 * The coroutine objects `sleep()` returns. asyncio's `sleep` is a coroutine
 * function; here it returns small hand-written coroutines instead of
 * generators (see `CoroutineObject`): a sleeping task is what a server holds
 * by the hundred thousand, and `sleep(0)` is what a busy task makes once per
 * turn. They do nothing until a task steps them, as any coroutine.
 */
import {
  type EventLoop,
  type Future,
  getRunningLoop,
  Handle,
  EventLoop as Loop,
  type TimerHandle,
  ValueError,
} from '@x/loop';
import {
  type CoroutineObject,
  futureState,
  inheritCoroutineMethods,
  resultOnResume,
  runHandle,
  type CANCELLED as SeamCancelled,
  type PENDING as SeamPending,
  scheduleTimerEntry,
  suspendOn,
  type TimerEntry,
  timerEntryCancelled,
} from '@x/loop/internal';

// The seam's Future states as constants of this module, typed by the seam's
// (so they cannot drift): reading an imported binding costs a check on every
// read, which hot paths measurably pay (W3 lost a quarter of its speed when
// future.ts read them imported).
const PENDING: typeof SeamPending = 0;
const CANCELLED: typeof SeamCancelled = 1;

// `value: never`, so that it is a finished result of any sleep's type.
const DONE = Object.freeze({ value: undefined, done: true }) as IteratorReturnResult<never>;

const BARE_YIELD: IteratorResult<undefined, never> = Object.freeze({
  value: undefined,
  done: false,
}) as never;

function setResultUnlessCancelled(fut: Future<unknown>, result: unknown): void {
  if (!fut.cancelled()) fut.setResult(result);
}

const plainCallLater = Loop.prototype.callLater;

/**
 * Fast path: true when nothing could see the TimerHandle that `callLater()`
 * would make (the loop's `callLater` is `EventLoop`'s own, and it is not in
 * debug mode, where a handle records where the sleep began). Then a sleep
 * can be its own timer in the heap (`scheduleTimerEntry`) and cost no Handle.
 */
function timersAreUnobserved(loop: EventLoop): boolean {
  return loop.callLater === plainCallLater && !loop.getDebug();
}

/**
 * What `sleep(0)` (or a negative delay) returns: one bare yield, then the
 * result. A task that yields in a loop makes one per turn: it is the
 * smallest object that can do that.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: it inherits CoroutineObject's methods (inheritCoroutineMethods)
export class YieldCoroutine<T> {
  private step = 0;
  /** What it returns: an own field only when there is one (undefined on the prototype). */
  declare private result: T;

  constructor(result: T) {
    if (result !== undefined) this.result = result;
  }

  next(): IteratorResult<Future<unknown> | undefined, T> {
    if (this.step === 0) {
      this.step = 1;
      return BARE_YIELD;
    }
    if (this.step === 1) {
      this.step = 2;
      return this.result === undefined ? DONE : { value: this.result, done: true };
    }
    return this.reused();
  }

  protected close(): void {
    this.step = 2;
  }
}

/**
 * What `sleep(delay)` returns: a coroutine that, in its first step, makes a
 * Future and waits for it, and is itself the timer that sets the Future's
 * result (a `TimerEntry` in the loop's heap): a sleeping task holds no
 * TimerHandle. `cancelled()` and `_cancelled` are the timer's, as a
 * TimerHandle's.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: it inherits CoroutineObject's methods (inheritCoroutineMethods)
export class SleepCoroutine<T> implements TimerEntry {
  private step = 0;
  /**
   * Until the first step, the delay; then, on a loop that overrides
   * `callLater()` or in debug mode, the TimerHandle it made, else null (so
   * that a sleeping task holds no boxed number). One field for both: a
   * server holds sleeping tasks by the hundred thousand.
   */
  private timer: unknown;
  private fut: Future<T> | null = null;
  /** @internal */ _cancelled = false;
  /** @internal */ _scheduled = false;
  /**
   * What it returns: an own field only when there is one (undefined on the
   * prototype, below), 8 bytes less for every sleeping task.
   */
  declare private result: T;

  constructor(delay: number, result: T) {
    this.timer = delay;
    if (result !== undefined) this.result = result;
  }

  next(): IteratorResult<Future<unknown> | undefined, T> {
    if (this.step === 0) {
      // Until it waits: a first step that throws ends it, as a generator's would.
      this.step = 2;
      const delay = this.timer;
      this.timer = null;
      if (typeof delay !== 'number') {
        throw new TypeError(
          `sleep() needs a number of seconds, got ${delay === null ? 'null' : typeof delay}`,
        );
      }
      // NaN is not <= 0, so sleep() sends it here: CPython's error for it.
      // (A delay <= 0 never gets here: sleep() makes a YieldCoroutine for it.)
      if (Number.isNaN(delay)) throw new ValueError('Invalid delay: NaN (not a number)');
      const loop: EventLoop = getRunningLoop();
      const fut = loop.createFuture<T>();
      this.fut = fut;
      if (timersAreUnobserved(loop)) {
        scheduleTimerEntry(loop, this, loop.time() + delay);
      } else {
        // A loop that overrides callLater() sees every sleep, as in CPython;
        // in debug mode, the TimerHandle records where the sleep began.
        this.timer = loop.callLater(
          delay,
          setResultUnlessCancelled,
          fut as Future<unknown>,
          this.result as unknown,
        );
      }
      this.step = 1;
      return suspendOn(fut as Future<unknown>);
    }
    if (this.step === 1) {
      this.step = 2;
      const fut = this.fut as Future<T>;
      this.cancelTimer();
      this.fut = null;
      return { value: resultOnResume(fut), done: true };
    }
    return this.reused();
  }

  /** Mirrors `TimerHandle.cancelled()`, for the timer it is. */
  cancelled(): boolean {
    return this._cancelled;
  }

  /**
   * @internal The timer is due: what `setResultUnlessCancelled(fut, result)`
   * would do. Setting the result runs no user code (done callbacks are only
   * queued), so there is no context to enter.
   */
  _run(_arg?: unknown): void {
    if (this._cancelled) return;
    const fut = this.fut;
    if (fut === null) return;
    const state = futureState(fut);
    if (state === CANCELLED) return;
    if (state === PENDING) {
      fut.setResult(this.result);
    } else {
      // Set by someone else: fail as the plain callback would, with the
      // InvalidStateError going to the exception handler.
      runHandle(new Handle(setResultUnlessCancelled, [fut, this.result], fut.getLoop(), null));
    }
  }

  private cancelTimer(): void {
    const h = this.timer as TimerHandle | null;
    if (h !== null) {
      this.timer = null;
      h.cancel();
    } else if (!this._cancelled && this.fut !== null) {
      timerEntryCancelled(this.fut.getLoop(), this);
      this._cancelled = true;
    }
  }

  protected close(): void {
    this.step = 2;
    if (this.fut !== null) {
      this.cancelTimer();
      this.fut = null;
    }
    this.timer = null;
  }
}

// Their methods beyond next() are CoroutineObject's (see `inheritCoroutineMethods`).
export interface YieldCoroutine<T> extends CoroutineObject<Future<unknown> | undefined, T> {}
export interface SleepCoroutine<T> extends CoroutineObject<Future<unknown> | undefined, T> {}
inheritCoroutineMethods(YieldCoroutine);
inheritCoroutineMethods(SleepCoroutine);

// A sleep's result is undefined unless one was given (see `result` above).
(YieldCoroutine.prototype as unknown as { result: unknown }).result = undefined;
(SleepCoroutine.prototype as unknown as { result: unknown }).result = undefined;
