/**
 * `TaskGroup` and `taskGroup`, after CPython's `asyncio/taskgroups.py` (3.14).
 *
 * Python's `async with asyncio.TaskGroup() as tg:` becomes a scope function
 * that runs its body inside: `yield* taskGroup(function* (tg) { ... })`.
 * The scope ends when the body and every task of the group are done. The
 * first task that fails cancels the body and the other tasks; their errors
 * (the body's too) are thrown together as an `ExceptionGroup`.
 */
import {
  CancelledError,
  type Coroutine,
  type EventLoop,
  type Future,
  getRunningLoop,
  isCoroutine,
  isInterrupt,
  RuntimeError,
  type TaskOptions,
} from '@x/loop';
import { refuseUnbound, watchCoroutine } from '@x/loop/internal';
import { checkBody } from './arguments.js';
import { GeneratorExit } from './async-generator.js';
import { type AsyncContextManager, isClosing, withScope } from './async-with.js';
import { ExceptionGroup } from './exception-group.js';
import { futureAddToAwaitedBy, futureDiscardFromAwaitedBy } from './graph.js';
import { currentTask, type Task } from './task.js';

/** How the body of the scope ended. */
const CLOSED = 0; // the coroutine was closed with return(): Python's GeneratorExit
const RETURNED = 1;
const THREW = 2;
type Outcome = typeof CLOSED | typeof RETURNED | typeof THREW;

function closeCoroutine(coro: unknown): void {
  if (isCoroutine(coro)) coro.return(undefined);
}

/**
 * Mirrors `asyncio.TaskGroup`: the tasks of a `taskGroup()` scope, which its
 * body gets as its argument to add tasks with `createTask()`.
 *
 * @example
 * ```ts
 * const group = new TaskGroup();
 * yield* asyncWith(group, function* (tg) {   // async with asyncio.TaskGroup() as tg:
 *   tg.createTask(download(a));
 *   tg.createTask(download(b));
 * });                                         // every task has ended here
 * ```
 */
export class TaskGroup implements AsyncContextManager<TaskGroup> {
  /** @internal */ _entered = false;
  /** @internal */ _exiting = false;
  /** @internal */ _aborting = false;
  /** @internal */ _loop: EventLoop | null = null;
  /** @internal */ _parentTask: Task<unknown> | null = null;
  /** @internal True once the group cancelled its parent task, which it must uncancel. */
  _parentCancelRequested = false;
  /** @internal */ _tasks = new Set<Future<unknown>>();
  /** @internal Null once the scope has ended. */
  _errors: unknown[] | null = [];
  /** @internal The first KeyboardInterrupt or SystemExit: thrown as itself. */
  _baseError: unknown = null;
  /** @internal */ _onCompletedFut: Future<boolean> | null = null;
  private readonly _onTaskDone = (task: Future<unknown>): void => this._taskDone(task);

  /**
   * Mirrors `TaskGroup.create_task()`: runs `coro` in a new task of the
   * group (through the loop's task factory; `options` as for `createTask`).
   * Refused, and `coro` closed, before the scope starts, after it ended, or
   * once the group is shutting down after a failure.
   */
  createTask<T>(coro: Coroutine<T>, options?: TaskOptions): Task<T> {
    if (!this._entered) {
      closeCoroutine(coro);
      throw new RuntimeError(`TaskGroup ${this} has not been entered`);
    }
    if (this._exiting && this._tasks.size === 0) {
      closeCoroutine(coro);
      throw new RuntimeError(`TaskGroup ${this} is finished`);
    }
    if (this._aborting) {
      closeCoroutine(coro);
      throw new RuntimeError(`TaskGroup ${this} is shutting down`);
    }
    const task = (this._loop as EventLoop).createTask(coro, options);
    // Even for a task that finished eagerly: its failure must abort the group (gh-128550).
    this._tasks.add(task);
    // As asyncio: a child is awaited by the task that entered the group.
    if (this._parentTask !== null) futureAddToAwaitedBy(task, this._parentTask);
    task.addDoneCallback(this._onTaskDone);
    return task;
  }

  /** Mirrors `repr(task_group)`: its tasks, errors and state. */
  toString(): string {
    let info = '';
    if (this._tasks.size > 0) info += ` tasks=${this._tasks.size}`;
    if (this._errors !== null && this._errors.length > 0) info += ` errors=${this._errors.length}`;
    if (this._aborting) info += ' cancelling';
    else if (this._entered) info += ' entered';
    return `<TaskGroup${info}>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /**
   * Mirrors `TaskGroup.__aenter__()`: binds the group to the current task.
   * `asyncWith(new TaskGroup(), body)` is `taskGroup(body)`.
   */
  // biome-ignore lint/correctness/useYield: the protocol's methods are coroutines; this one needs no wait.
  *aenter(): Coroutine<TaskGroup> {
    if (this._entered) throw new RuntimeError(`TaskGroup ${this} has already been entered`);
    this._enter();
    return this;
  }

  /**
   * Mirrors `TaskGroup.__aexit__()`: waits for every task; throws the
   * errors as one `ExceptionGroup` (never swallows).
   */
  *aexit(error: unknown | undefined): Coroutine<boolean> {
    if (error === undefined) yield* this._exit(RETURNED, undefined);
    else if (isClosing(error)) yield* this._exit(CLOSED, undefined);
    else yield* this._exit(THREW, error);
    return false;
  }

  /** @internal */
  _enter(): void {
    this._loop = getRunningLoop();
    const parent = currentTask(this._loop);
    if (parent === null)
      throw new RuntimeError(`TaskGroup ${this} cannot determine the parent task`);
    this._parentTask = parent;
    this._entered = true;
  }

  /** @internal Mirrors `__aexit__`: `_aexit`, then drop what the group no longer needs. */
  *_exit(outcome: Outcome, exc: unknown): Coroutine<void> {
    try {
      yield* this._aexit(outcome, exc);
    } finally {
      // Closed while waiting for the tasks: they must not outlive the scope unnoticed.
      if (this._tasks.size > 0 && !this._aborting) this._abort();
      this._parentTask = null;
      this._errors = null;
      this._baseError = null;
    }
  }

  private *_aexit(outcome: Outcome, exc: unknown): Coroutine<void> {
    this._exiting = true;
    const threw = outcome === THREW;
    if (threw && isInterrupt(exc) && this._baseError === null) this._baseError = exc;
    let propagateCancellationError: unknown = threw && exc instanceof CancelledError ? exc : null;
    // The parent is being cancelled, or the body failed: stop the children.
    if (outcome !== RETURNED && !this._aborting) this._abort();

    // A loop: the parent may be cancelled again while it waits.
    const loop = this._loop as EventLoop;
    while (this._tasks.size > 0) {
      this._onCompletedFut = loop.createFuture<boolean>();
      try {
        yield* this._onCompletedFut;
      } catch (ex) {
        if (!(ex instanceof CancelledError)) throw ex;
        if (!this._aborting) {
          // The parent task was cancelled from outside while the children run.
          propagateCancellationError = ex;
          this._abort();
        }
      }
      this._onCompletedFut = null;
    }

    const errors = this._errors as unknown[];
    const parent = this._parentTask as Task<unknown>;
    if (this._baseError !== null) {
      // The KeyboardInterrupt or SystemExit goes on alone: report the other errors (gh-135736).
      for (const suppressed of errors) {
        if (suppressed === this._baseError) continue;
        loop.callExceptionHandler({
          message:
            'TaskGroup task exception was not propagated because the TaskGroup body is being closed with a BaseException',
          exception: suppressed,
          task_group: this,
        });
      }
      throw this._baseError;
    }

    // The group cancelled its parent itself: take that request back.
    if (this._parentCancelRequested && parent.uncancel() === 0) propagateCancellationError = null;

    // Errors have priority over a cancellation.
    if (propagateCancellationError !== null && errors.length === 0)
      throw propagateCancellationError;

    if (threw && !(exc instanceof CancelledError)) errors.push(exc);

    if (errors.length > 0) {
      // Cancelled from outside too: uncancel and cancel again, so that the
      // count stays the same and the cancellation is not lost.
      if (parent.cancelling() > 0) {
        parent.uncancel();
        parent.cancel();
      }
      // An async generator closed by aclose(), with no other error: its
      // GeneratorExit goes on alone, so that aclose() succeeds.
      if (threw && exc instanceof GeneratorExit && errors.length === 1) throw exc;
      throw new ExceptionGroup('unhandled errors in a TaskGroup', errors);
    }
  }

  private _abort(): void {
    this._aborting = true;
    for (const t of this._tasks) if (!t.done()) t.cancel();
  }

  private _taskDone(task: Future<unknown>): void {
    this._tasks.delete(task);
    if (this._parentTask !== null) futureDiscardFromAwaitedBy(task, this._parentTask);
    const fut = this._onCompletedFut;
    if (fut !== null && this._tasks.size === 0 && !fut.done()) fut.setResult(true);

    // As in 3.13+: a cancelled child is not an error of the group.
    if (task.cancelled()) return;
    const exc = task.exception();
    if (exc === null) return;

    const errors = this._errors;
    const parent = this._parentTask;
    if (errors === null || parent === null) {
      // Only after the scope was closed with return() while tasks still ran.
      (this._loop as EventLoop).callExceptionHandler({
        message: `Task ${String(task)} has errored out but its TaskGroup has already exited`,
        exception: exc,
        task,
      });
      return;
    }
    errors.push(exc);
    if (isInterrupt(exc) && this._baseError === null) this._baseError = exc;

    if (parent.done()) {
      (this._loop as EventLoop).callExceptionHandler({
        message: `Task ${String(task)} has errored out but its parent task ${String(parent)} is already completed`,
        exception: exc,
        task,
      });
      return;
    }

    if (!this._aborting && !this._parentCancelRequested) {
      // Cancel the body to stop what it is doing; `_aexit` uncancels the
      // parent, so that code after the scope runs normally.
      this._abort();
      this._parentCancelRequested = true;
      parent.cancel();
    }
  }
}

/**
 * Mirrors `async with asyncio.TaskGroup() as tg:`: runs `body` with a new
 * `TaskGroup` and returns its result once the body and every task of the
 * group are done. The first task to fail (with anything but a cancellation)
 * cancels the body and the other tasks; then the errors, the body's
 * included, are thrown as one `ExceptionGroup`. A `KeyboardInterrupt` or
 * `SystemExit` is thrown as itself. If the caller is cancelled, the tasks
 * are cancelled and waited for, and the cancellation goes on.
 *
 * @example
 * ```ts
 * // async with asyncio.TaskGroup() as tg:
 * //     t1 = tg.create_task(download(a))
 * //     t2 = tg.create_task(download(b))
 * // print(t1.result(), t2.result())
 * const [t1, t2] = yield* taskGroup(function* (tg) {
 *   return [tg.createTask(download(a)), tg.createTask(download(b))] as const;
 * });
 * console.log(t1.result(), t2.result());
 * ```
 */
export function taskGroup<T>(body: (tg: TaskGroup) => Coroutine<T>): Coroutine<T> {
  checkBody(body, 'taskGroup', 'the TaskGroup');
  return watchCoroutine(withScope(new TaskGroup(), body, 'a taskGroup'), 'taskGroup');
}

refuseUnbound(TaskGroup);
