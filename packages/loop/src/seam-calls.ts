/**
 * The seam as calls: what the packages above `@x/loop` do with its loops,
 * futures and handles beyond the public API, each a named function here,
 * so that their code reads no `_`-member of an `@x/loop` object. Two
 * places use the members `seam.ts` declares directly instead: a subclass
 * on `this` (a Task is a Future), and a task's step and wake-up
 * (`Task._step`, `_wakeup`, `_stepRun` in `@x/tasks`), the hottest path of
 * the library, where the two calls that entered and left a task's Context
 * cost a fresh process 8 % of a million steps (V8's first tiers pay for
 * every call before the optimizing compiler inlines them). Elsewhere these one-line forwards cost nothing
 * measurable.
 */
import { type Context, state } from './context.js';
import type { CancelledError } from './errors.js';
import { Future } from './future.js';
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

/** Mirrors setting `_asyncio_future_blocking`: the future is being yielded to its task by `yield*`. */
export function markBlocking(fut: Future<unknown>): void {
  (fut as FutureInternals)._blocking = true;
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
  // Read at the call: this module is imported by `loop.ts`, which `future.ts`'s own imports reach.
  const proto = Future.prototype;
  return (
    fut.cancelled === proto.cancelled &&
    fut.exception === proto.exception &&
    fut.result === proto.result &&
    (fut as FutureInternals)._makeCancelledError ===
      (proto as unknown as FutureInternals)._makeCancelledError
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
