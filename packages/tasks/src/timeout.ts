/**
 * `timeout` and `timeoutAt`, after CPython's `asyncio/timeouts.py`.
 *
 * Python's `async with asyncio.timeout(d) as cm:` becomes a scope function
 * that runs its body inside: `yield* timeout(d, function* (cm) { ... })`.
 * When the deadline passes, the task is cancelled; the scope turns the
 * resulting `CancelledError` into a `TimeoutError`, unless somebody else
 * cancelled the task too (then the cancellation goes on).
 */
import {
  CancelledError,
  type Coroutine,
  getRunningLoop,
  type Handle,
  RuntimeError,
  TimeoutError,
} from '@x/loop';
import { refuseAwait, refuseUnbound, watchCoroutine } from '@x/loop/internal';
import { checkBody, secondsOrNull } from './arguments.js';
import { type AsyncContextManager, isClosing, withScope } from './async-with.js';
import { currentTask, type Task } from './task.js';

type State = 'created' | 'active' | 'expiring' | 'expired' | 'finished';

/**
 * Mirrors `asyncio.Timeout`: the deadline of a `timeout()` scope, which its
 * body gets as its argument. Use `timeout()` or `timeoutAt()` rather than
 * constructing one.
 *
 * @example
 * ```ts
 * const scope = timeout(10);                  // scope = asyncio.timeout(10)
 * yield* asyncWith(scope, function* () {      // async with scope:
 *   yield* connect();
 *   scope.reschedule(getRunningLoop().time() + 5);   // five more seconds from now
 *   yield* handshake();
 * });
 * console.log(scope.expired());               // the scope stays reachable after the block
 * ```
 */
export class Timeout implements AsyncContextManager<Timeout> {
  /** @internal */ _state: State = 'created';
  /** @internal */ _when: number | null;
  /** @internal */ _handle: Handle | null = null;
  /** @internal */ _task: Task<unknown> | null = null;
  /** @internal The task's cancellation count on entry, for the `uncancel()` rule. */
  _cancelling = 0;
  private readonly _onTimeout = (): void => {
    (this._task as Task<unknown>).cancel();
    this._state = 'expiring';
    this._handle = null;
  };

  /**
   * `when` is a `loop.time()` deadline, or null for none. A deadline in the
   * past expires on the loop's next iteration.
   */
  constructor(when: number | null) {
    this._when = checkTime(when, 'when', 'Timeout');
  }

  /** Mirrors `Timeout.when()`: the current deadline, or null. */
  when(): number | null {
    return this._when;
  }

  /**
   * Mirrors `Timeout.reschedule()`: moves the deadline (a `loop.time()`
   * value, or null for none). Only while the scope runs and has not expired.
   */
  reschedule(when: number | null): void {
    if (this._state !== 'active') {
      if (this._state === 'created') throw new RuntimeError('Timeout has not been entered');
      throw new RuntimeError(`Cannot change state of ${this._state} Timeout`);
    }
    const deadline = checkTime(when, 'when', 'reschedule');
    this._when = deadline;
    if (this._handle !== null) this._handle.cancel();
    if (deadline === null) {
      this._handle = null;
    } else {
      const loop = getRunningLoop();
      this._handle =
        deadline <= loop.time()
          ? loop.callSoon(this._onTimeout)
          : loop.callAt(deadline, this._onTimeout);
    }
  }

  /** Mirrors `Timeout.expired()`: true once the deadline has passed inside the scope. */
  expired(): boolean {
    return this._state === 'expiring' || this._state === 'expired';
  }

  /** Mirrors `repr(timeout)`: its state and deadline. */
  toString(): string {
    let info = '';
    if (this._state === 'active') {
      info = ` when=${this._when === null ? 'null' : Math.round(this._when * 1000) / 1000}`;
    }
    return `<Timeout [${this._state}]${info}>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** Mirrors `Timeout.__aenter__()`: starts the deadline in the current task. */
  // biome-ignore lint/correctness/useYield: the protocol's methods are coroutines; this one needs no wait.
  *aenter(): Coroutine<Timeout> {
    if (this._state !== 'created') throw new RuntimeError('Timeout has already been entered');
    this._enter();
    return this;
  }

  /**
   * Mirrors `Timeout.__aexit__()`: a cancellation caused by the deadline
   * becomes `TimeoutError`; never swallows.
   */
  // biome-ignore lint/correctness/useYield: the protocol's methods are coroutines; this one needs no wait.
  *aexit(error: unknown | undefined): Coroutine<boolean> {
    this._exit(error !== undefined, isClosing(error) ? undefined : error);
    return false;
  }

  /** @internal */
  _enter(): void {
    const task = currentTask();
    if (task === null) throw new RuntimeError('Timeout should be used inside a task');
    this._state = 'active';
    this._task = task;
    this._cancelling = task.cancelling();
    this.reschedule(this._when);
  }

  /**
   * @internal Mirrors `__aexit__`: `threw` says whether the body ended by
   * throwing `exc` (or was closed).
   */
  _exit(threw: boolean, exc: unknown): void {
    if (this._handle !== null) {
      this._handle.cancel();
      this._handle = null;
    }
    if (this._state === 'expiring') {
      this._state = 'expired';
      // No other cancellation request arrived since entry: this one is ours.
      if ((this._task as Task<unknown>).uncancel() <= this._cancelling && threw) {
        if (exc instanceof CancelledError) throw new TimeoutError(undefined, { cause: exc });
      }
    } else {
      this._state = 'finished';
    }
  }
}

/** A deadline or delay as the scopes take it: a number of seconds, or null (undefined too) for none. */
function checkTime(value: unknown, what: string, fn: string): number | null {
  return secondsOrNull(
    value,
    (got) => `${fn}() needs ${what} as a number of seconds, or null for no timeout; got ${got}`,
  );
}

/** Runs `body` in a Timeout whose deadline is computed when the scope starts. */
function* scope<T>(
  deadline: () => number | null,
  body: (scope: Timeout) => Coroutine<T>,
): Coroutine<T> {
  return yield* withScope(new Timeout(deadline()), body, 'a timeout');
}

/**
 * Mirrors `asyncio.timeout()`: runs `body` with a deadline `delay` seconds
 * from when the scope starts (null: no deadline, until `reschedule()`). If the
 * deadline passes, the task is cancelled and the scope throws `TimeoutError`
 * (its `cause` is the `CancelledError`). The body gets the `Timeout`, to read
 * or move the deadline.
 *
 * @example
 * ```ts
 * // async with asyncio.timeout(10): await long_running_task()
 * yield* timeout(10, function* () {
 *   yield* longRunningTask();
 * });
 * ```
 */
export function timeout<T>(
  delay: number | null,
  body: (scope: Timeout) => Coroutine<T>,
): Coroutine<T>;
/**
 * Mirrors `asyncio.timeout(delay)` as an object: the `Timeout` scope, its
 * deadline `delay` seconds from now (the running loop's time), for `asyncWith`.
 *
 * ```ts
 * yield* asyncWith(timeout(10), function* (t) { ... });
 * ```
 */
export function timeout(delay: number | null): Timeout;
export function timeout<T>(
  delay: number | null,
  body?: (scope: Timeout) => Coroutine<T>,
): Coroutine<T> | Timeout {
  const d = checkTime(delay, 'delay', 'timeout');
  if (body === undefined) return new Timeout(d === null ? null : getRunningLoop().time() + d);
  checkBody(body, 'timeout', 'the scope');
  return watchCoroutine(
    scope(() => (d === null ? null : getRunningLoop().time() + d), body),
    'timeout',
  );
}

/**
 * Mirrors `asyncio.timeout_at()`: like `timeout()`, with an absolute deadline
 * on the `loop.time()` clock (null: none).
 *
 * @example
 * ```ts
 * const deadline = getRunningLoop().time() + 10;
 * yield* timeoutAt(deadline, function* () { ... });
 * ```
 */
export function timeoutAt<T>(
  when: number | null,
  body: (scope: Timeout) => Coroutine<T>,
): Coroutine<T>;
/**
 * Mirrors `asyncio.timeout_at(when)` as an object: the `Timeout` scope, for `asyncWith`.
 *
 * ```ts
 * yield* asyncWith(timeoutAt(getRunningLoop().time() + 10), function* (t) { ... });
 * ```
 */
export function timeoutAt(when: number | null): Timeout;
export function timeoutAt<T>(
  when: number | null,
  body?: (scope: Timeout) => Coroutine<T>,
): Coroutine<T> | Timeout {
  const w = checkTime(when, 'when', 'timeoutAt');
  if (body === undefined) return new Timeout(w);
  checkBody(body, 'timeoutAt', 'the scope');
  return watchCoroutine(
    scope(() => w, body),
    'timeoutAt',
  );
}

refuseUnbound(Timeout);

refuseAwait(scope, 'timeout');
