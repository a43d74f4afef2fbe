/**
 * The seam: the only members of `@x/loop`'s objects that the packages above
 * it (`@x/tasks`, `@x/signals`, `@x/runner`) may use beyond the public API.
 * `@x/loop/internal` exports these interfaces; the classes of `@x/loop`
 * declare that they implement them, and `tooling/check-seam.mjs` fails the
 * lint of any package that reads a `_`-member of another package's object
 * which no interface here declares. To let an upper package use one more
 * member, declare it here first: the seam stays one screen long on purpose.
 */
import type { Context, ContextOwner, ContextVar } from './context.js';
import type { CancelledError } from './errors.js';
import type { Handle } from './handle.js';
import type { Runnable } from './ready-queue.js';
import type { TaskRegistry } from './task-registry.js';
import type { TimerEntry } from './timer-heap.js';
import type { TaskOptions } from './types.js';

/**
 * A callback the loop runs with the arguments it was given (`callSoon(cb, ...args)`).
 * Parameters are contravariant: only `any[]` accepts every callback and lets
 * the loop call it with the arguments it stored (their types were checked where
 * the callback was scheduled).
 */
// biome-ignore lint/suspicious/noExplicitAny: see above; the one such type of the packages.
export type Callback = (...args: any[]) => void;

import type { CANCELLED, FINISHED, PENDING } from './future.js';

/** The states of a Future, as asyncio's `_PENDING`, `_CANCELLED`, `_FINISHED`. */
export type FutureState = typeof PENDING | typeof CANCELLED | typeof FINISHED;

/** What a Task (a Future subclass) and the combinators of `@x/tasks` use of a Future. */
export interface FutureInternals {
  /** PENDING, CANCELLED or FINISHED. */
  _state: FutureState;
  /** The exception set, `undefined` while there is none (so that `null` can be one). */
  _exception: unknown;
  /** The loop it belongs to. */
  _loop: LoopInternals;
  /** The message given to `cancel()`. */
  _cancelMessage: string | undefined;
  /** The CancelledError that cancelled a task, handed to its awaiters once. */
  _cancelledExc: CancelledError | null;
  /** Mirrors `_asyncio_future_blocking`: set by `yield*` just before yielding the future. */
  _blocking: boolean;
  /** Where it was created, in debug mode. */
  _sourceTraceback: string | null;
  /** Mirrors `_make_cancelled_error()`. */
  _makeCancelledError(): CancelledError;
  /** The exception has been looked at: no "never retrieved" report. */
  _clearLog(): void;
  /** Queues `r._run(this)` when the future is done: a done callback that costs no Handle. */
  _addWaker(r: Runnable): void;
  /** Extra words for the "never retrieved" report (a task adds its name). */
  _logLabel(): string;
  /** The words inside `<Future ...>`, for a subclass's `toString()`. */
  _reprInfo(): string[];
}

/** What `@x/tasks` and `@x/signals` use of an EventLoop. */
export interface LoopInternals {
  /** True while `runForever()` runs. */
  _running: boolean;
  /** Debug mode (`getDebug()`), read on hot paths. */
  _debug: boolean;
  /** The tasks the loop holds until they are done (`allTasks`, `close()`). */
  _tasks: TaskRegistry;
  /** Throws `RuntimeError('Event loop is closed')`, as CPython's `_check_closed`. */
  _checkClosed(): void;
  /** Queues `target._run(arg)` for the next iteration; the caller has checked `_checkClosed`. */
  _push(target: Runnable, arg: unknown): void;
  /** Runs `t._run(undefined)` at `when`: an object that is its own timer (a sleep). */
  _addTimerEntry(t: TimerEntry, when: number): void;
  /** Mirrors `_timer_handle_cancelled`: a timer entry was cancelled. */
  _timerHandleCancelled(t: TimerEntry): void;
  /** `callSoon` with an explicit context (`null`: the current one) and no callback check. */
  _callSoonWith(cb: Callback, args: unknown[] | null, context: Context | null): Handle;
}

/** What a Task uses of a Context to step inside it. */
export interface ContextInternals {
  /** The variables' values: compared by identity to see whether a step set one. */
  _data: ReadonlyMap<ContextVar<unknown>, unknown>;
  /** True while some code runs inside it (a Context cannot be entered twice). */
  _entered: boolean;
}

/**
 * What `gather` uses of a Handle to run a done callback at once, in a saved
 * context: set `_ctx` (`ContextOwner`) to the values, then call `_run()`.
 */
export interface HandleInternals extends Runnable, ContextOwner {
  /**
   * The context values the callback runs with: the older spelling of
   * reading or setting `_ctx` to values, kept until `gather` sets `_ctx`.
   */
  _data: ReadonlyMap<ContextVar<unknown>, unknown>;
}

/**
 * What the loop holds a pending task by: `close()` reports the ones still
 * pending, `allTasks()` lists them. `Task` of `@x/tasks` implements it; a
 * task factory may return any Future (the two members are then absent).
 */
export interface TaskLike extends FutureInternals {
  /** If false, closing the loop does not report this task as pending (absent: true). */
  _logDestroyPending?: boolean;
  /** Its slot in the loop's task registry while registered, else -1. */
  _regIndex?: number;
  /** Mirrors `Future.done()`. */
  done(): boolean;
}

/** The options a task factory receives. */
export type { TaskOptions };
