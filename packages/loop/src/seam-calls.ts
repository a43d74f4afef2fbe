/**
 * The seam as calls: what the packages above `@x/loop` do with its loops,
 * futures and handles beyond the public API, each a named function here,
 * so that no code outside this package reads or writes a `_`-member of an
 * `@x/loop` object. A subclass (a Task is a Future) still uses the members
 * `seam.ts` declares on `this`; everything else goes through these. They
 * are small forwards that V8 inlines once a path is optimized; before that
 * each is a call, so the hottest path (a task's wake-up, wait and step)
 * gets one function for what it needs at once (`awaitOutcome`, `parkTask`).
 */
import { type Context, enteredError, state } from './context.js';
import type { CancelledError } from './errors.js';
import {
  FUTURE_METHODS,
  type Future,
  type CANCELLED as FutureCancelled,
  type PENDING as FuturePending,
} from './future.js';
import type { Handle } from './handle.js';
import type { EventLoop } from './loop.js';
import type { Runnable } from './ready-queue.js';
import type {
  Callback,
  ContextInternals,
  FutureInternals,
  FutureState,
  HandleInternals,
  LoopInternals,
  TaskLike,
} from './seam.js';
import type { TaskRegistry } from './task-registry.js';
import type { TimerEntry } from './timer-heap.js';

// Future's states as constants of this module, typed by future.ts's (so that
// they cannot drift): reading an imported binding costs a check per read.
const PENDING: typeof FuturePending = 0;
const CANCELLED: typeof FutureCancelled = 1;

// ---- loops

/** Throws `RuntimeError('Event loop is closed')`, as CPython's `_check_closed()`. */
export function checkLoopOpen(loop: EventLoop): void {
  (loop as LoopInternals)._checkClosed();
}

/** Queues `target._run(arg)` for the loop's next iteration (a task step, a waker); the loop is open. */
export function queueRunnable(loop: EventLoop, target: Runnable, arg: unknown): void {
  (loop as LoopInternals)._push(target, arg);
}

/** The tasks the loop holds until they are done (`allTasks()`, `close()`). */
export function tasksOf(loop: EventLoop): TaskRegistry {
  return (loop as LoopInternals)._tasks;
}

/** Runs `entry._run(undefined)` at `when` (loop time): an object that is its own timer (a sleep). */
export function scheduleTimerEntry(loop: EventLoop, entry: TimerEntry, when: number): void {
  (loop as LoopInternals)._addTimerEntry(entry, when);
}

/** Mirrors `_timer_handle_cancelled()`: `entry`, scheduled on `loop`, was cancelled. */
export function timerEntryCancelled(loop: EventLoop, entry: TimerEntry): void {
  (loop as LoopInternals)._timerHandleCancelled(entry);
}

/** `callSoon` with an explicit context (`null`: the current one) and no check of the callback. */
export function callSoonIn(
  loop: EventLoop,
  cb: Callback,
  args: unknown[] | null,
  context: Context | null,
): Handle {
  return (loop as LoopInternals)._callSoonWith(cb, args, context);
}

// ---- futures

/** PENDING, CANCELLED or FINISHED, read without calling a method a subclass may override. */
export function futureState(fut: Future<unknown>): FutureState {
  return (fut as FutureInternals)._state;
}

/** Mirrors `_make_cancelled_error()`: the CancelledError a cancelled future gives its awaiter. */
export function cancelledErrorOf(fut: Future<unknown>): CancelledError {
  return (fut as FutureInternals)._makeCancelledError();
}

/** Returned by `awaitOutcome` when only `fut.result()` can tell: pending, or a subclass's own `result()`. */
export const ASK_RESULT: unique symbol = Symbol('x-async.askResult');

/**
 * A task's wake-up by `fut`, in one call: what awaiting it gives the
 * coroutine, read without a throw and a catch (the exception, now counted
 * as retrieved; the CancelledError of a cancelled future; undefined for a
 * result), or `ASK_RESULT` when `fut` is pending or its `result()` is not
 * Future's own, so that no user code could run here.
 */
export function awaitOutcome(fut: Future<unknown>): unknown {
  const f = fut as FutureInternals;
  const st = f._state;
  if (st === PENDING || fut.result !== FUTURE_METHODS.result) return ASK_RESULT;
  if (st === CANCELLED) return f._makeCancelledError();
  f._clearLog();
  return f._exception;
}

/**
 * A task waits on the future its coroutine yielded, in one call: if `yield*`
 * gave it (`_asyncio_future_blocking`), clears that mark, makes `task` its
 * waker (`task._run(fut)` once it is done) and returns true; false for a bare
 * `yield fut`.
 */
export function parkTask(fut: Future<unknown>, task: Runnable): boolean {
  const f = fut as FutureInternals;
  if (!f._blocking) return false;
  f._blocking = false;
  f._addWaker(task);
  return true;
}

/** Mirrors reading `_asyncio_future_blocking`: true if `fut` came from `yield*`, false if yielded bare. */
export function isBlocking(fut: Future<unknown>): boolean {
  return (fut as FutureInternals)._blocking;
}

/** The message given to `cancel()` (undefined if none). */
export function cancelMessageOf(fut: Future<unknown>): string | undefined {
  return (fut as FutureInternals)._cancelMessage;
}

/** Where the future was created, in debug mode (null otherwise). */
export function sourceTracebackOf(fut: Future<unknown>): string | null {
  return (fut as FutureInternals)._sourceTraceback;
}

/** Queues `r._run(fut)` when `fut` is done: a done callback that costs no Handle (library objects only). */
export function addWaker(fut: Future<unknown>, r: Runnable): void {
  (fut as FutureInternals)._addWaker(r);
}

/**
 * True if `fut` reads its state with Future's own methods (a Task does), so
 * that reading it through them runs no user code: the proof `gather`'s fast
 * path relies on. A subclass that overrides one takes the general path.
 */
export function hasFutureMethods(fut: Future<unknown>): boolean {
  return (
    fut.cancelled === FUTURE_METHODS.cancelled &&
    fut.exception === FUTURE_METHODS.exception &&
    fut.result === FUTURE_METHODS.result &&
    (fut as FutureInternals)._makeCancelledError === FUTURE_METHODS.makeCancelledError
  );
}

// ---- contexts

/** The values of the current context: what `copy_context()` copies (an immutable map, O(1)). */
export function currentContextData(): Context['_data'] {
  return state.current._data;
}

/** True while some code runs inside `ctx` (a Context cannot be entered twice). */
export function contextEntered(ctx: Context): boolean {
  return (ctx as unknown as ContextInternals)._entered;
}

/**
 * The first half of `Context.run()`: makes `ctx` current and returns the
 * context to restore with `exitContext`; `Context.run`'s RuntimeError if
 * `ctx` is entered already.
 */
export function enterContext(ctx: Context): Context {
  if ((ctx as unknown as ContextInternals)._entered) throw enteredError(ctx);
  const prev = state.current;
  (ctx as unknown as ContextInternals)._entered = true;
  state.current = ctx;
  return prev;
}

/** The second half of `Context.run()`: leaves `ctx`, makes `prev` current again. */
export function exitContext(ctx: Context, prev: Context): void {
  state.current = prev;
  (ctx as unknown as ContextInternals)._entered = false;
}

// ---- handles and tasks

/** Runs `h` now, as the ready queue would: in its context, a failure going to the exception handler. */
export function runHandle(h: Handle): void {
  (h as unknown as HandleInternals)._run(undefined);
}

/** Runs `h` now with the context values `data` (gather's last child, as the done-callback Handle would). */
export function runHandleWith(h: Handle, data: Context['_data']): void {
  (h as unknown as HandleInternals)._data = data;
  runHandle(h);
}

/** Closing the loop will not report `task` as "destroyed but it is pending" (nobody can see it). */
export function quietAtClose(task: TaskLike): void {
  task._logDestroyPending = false;
}
