/**
 * `Task`, after CPython's `asyncio/tasks.py`: a coroutine wrapped in a Future.
 *
 * A task steps its generator through the loop. When the generator yields a
 * Future (`yield* fut`), the task waits for it; when it yields nothing (a
 * bare `yield`), the task gives the other tasks one turn. `cancel()` cancels
 * the Future being waited on, or throws `CancelledError` into the generator
 * at its next step: the coroutine sees it where it waits, exactly as in
 * Python, and may clean up in `finally` blocks (which may wait themselves)
 * or even refuse.
 *
 * A task is queued on the loop's ready queue as itself (see `Runnable`):
 * stepping it or waking it up allocates no Handle.
 */
import {
  CancelledError,
  Context,
  type Coroutine,
  type EventLoop,
  Future,
  getRunningLoop,
  InvalidStateError,
  isCoroutine,
  isInterrupt,
  RuntimeError,
  type TaskFactory,
  type TaskOptions,
} from '@x/loop';
import {
  ASK_RESULT,
  awaitOutcome,
  type ContextOwner,
  checkLoopOpen,
  contextEntered,
  contextOf,
  currentContextData,
  enterContext,
  enteredError,
  exitContext,
  isBlocking,
  isPromiseLike,
  parkTask,
  queueRunnable,
  REUSED,
  type Runnable,
  refuseUnbound,
  runInContext,
  type PENDING as SeamPending,
  setDefaultTaskFactory,
  shortRepr,
  type TaskLike,
  tasksOf,
} from '@x/loop/internal';
import { annotateFailure, noteSuspension } from './graph.js';

// The seam's Future state PENDING as a constant of this module, typed by the seam's
// (so they cannot drift): reading an imported binding costs a check on every
// read, which hot paths measurably pay (W3 lost a quarter of its speed when
// future.ts read them imported).
const PENDING: typeof SeamPending = 0;

declare module '@x/loop' {
  // With `@x/tasks` loaded, `loop.createTask()` returns a `Task`. A line comment, not a
  // doc comment: the API reference documents `TaskTypes` once, where @x/loop declares it.
  interface TaskTypes<T> {
    task: Task<T>;
  }
}

/** What a context holds: a task's `_ctx` until it is asked for as a Context. */
type ContextData = Context['_data'];

let taskCounter = 0;

// One loop runs at a time in a JavaScript thread, so one current task is enough.
let currentLoop: EventLoop | null = null;
let current: Task<unknown> | null = null;

/**
 * Marks a coroutine with the task that runs it, from its first suspension
 * on: a second task given it is refused (at once, or at its first step if
 * both were made before either ran), where CPython fails later, inside
 * either task. A coroutine that ends in its first step is never marked:
 * marking every one (a property added to each generator) cost a task-heavy
 * workload 7 %, and a WeakSet half again as much.
 */
const TASK_OF = Symbol('x-async.taskOf');

interface Marked {
  [TASK_OF]?: Future<unknown>;
}

function reusedError(owner: Future<unknown>): RuntimeError {
  return new RuntimeError(
    `${REUSED}: it is run by ${String(owner)}; call the function* again for a new coroutine, or await that task`,
  );
}

function markCoroutine(coro: object, task: Future<unknown>): void {
  try {
    (coro as Marked)[TASK_OF] = task;
  } catch {
    // A frozen hand-written coroutine cannot be marked: it is not checked.
  }
}

/**
 * A step of `task` that throws `exc` into its coroutine (a misuse found by
 * the previous step), queued in the task's place: rare, so the exception
 * travels with the step instead of in a field of every task, and the ready
 * queue's calls to a task's `_run` need no check for it.
 */
class ThrowingStep implements Runnable {
  constructor(
    readonly task: Task<unknown>,
    readonly exc: Error,
  ) {}
  _run(): void {
    this.task._runThrowing(this.exc);
  }
}

// `Task._flags`: five rarely changed fields in one small integer, as a
// sleeping task is what a server holds by the hundred thousand (8 bytes a
// field). The number of cancellation requests is `_flags >> COUNT_SHIFT`.
/** `_mustCancel`: the next step throws `CancelledError`. */
const MUST_CANCEL = 1;
/** Not `_logDestroyPending`: closing the loop does not report this task as pending. */
const QUIET = 2;
/** It has taken its first step (which checks that no other task ran its coroutine). */
const STARTED = 4;
/** It has taken its second step: its next steps enter a Context of its own (see `_step`). */
const STEPPED_TWICE = 8;
/**
 * `_ctx` is a Context (it was given one, or made one for its third step): `_step` need not
 * ask. V8's first tiers run `instanceof` through a generic property lookup, once per step of
 * every task until the optimizing compiler takes over.
 */
const OWN_CONTEXT = 16;
const COUNT_SHIFT = 5;
const ONE_CANCEL = 1 << COUNT_SHIFT;

/**
 * Mirrors `asyncio.Task`: runs a coroutine on the loop.
 *
 * @example
 * ```ts
 * function* main() {
 *   const t = new Task(work());        // or createTask(work())
 *   return yield* t;
 * }
 * ```
 */
export class Task<T = unknown> extends Future<T> implements Runnable, TaskLike, ContextOwner {
  /** @internal */ _coro: Coroutine<T>;
  /** @internal A number stands for the name `Task-<n>`, formatted when asked for. */
  _name: string | number;
  /** @internal `MUST_CANCEL`, `QUIET`, `STARTED`, `STEPPED_TWICE`, `OWN_CONTEXT` and the number of cancellation requests (see above). */
  _flags = 0;
  /** @internal */ _futWaiter: Future<unknown> | null = null;
  /**
   * Seam (`ContextOwner`): the context every step runs in (`runInContext`):
   * the values of a copy of the creator's context until someone asks for it
   * as a Context (`getContext()`), as most tasks never do.
   */
  _ctx: Context | ContextData;
  /** Seam (`TaskLike`): Its slot in its loop's task registry while registered, else -1. */
  _regIndex = -1;

  constructor(coro: Coroutine<T>, options?: TaskOptions & { loop?: EventLoop }) {
    // Future() reads only `loop` from its options: pass them on rather than copy.
    super(options?.loop !== undefined ? options : undefined);
    if (!isCoroutine(coro)) {
      this._flags = QUIET;
      throw new TypeError(
        `a coroutine was expected, got ${shortRepr(coro)}; call the function* to get one`,
      );
    }
    const owner = (coro as Marked)[TASK_OF];
    if (owner !== undefined) {
      this._flags = QUIET;
      throw reusedError(owner);
    }
    const name = options?.name;
    this._name = name === undefined || name === null ? ++taskCounter : String(name);
    this._coro = coro;
    const ctx = options?.context;
    if (ctx !== undefined && ctx !== null && !(ctx instanceof Context)) {
      throw new TypeError(`context must be a Context, got ${shortRepr(ctx)}`);
    }
    // asyncio: `contextvars.copy_context()`. A context's values are an
    // immutable map, so the copy is those values until it is asked for as a
    // Context (see `ContextOwner`).
    if (ctx === undefined || ctx === null) this._ctx = currentContextData();
    else {
      this._ctx = ctx;
      this._flags |= OWN_CONTEXT;
    }
    const loop = this._loop;
    if (options?.eagerStart === true && loop.isRunning()) {
      this._eagerStart();
    } else {
      checkLoopOpen(loop);
      queueRunnable(loop, this, undefined);
      tasksOf(loop).add(this as Task<unknown>);
    }
  }

  /** Seam (`TaskLike`): If false, closing the loop does not report this task as pending. */
  get _logDestroyPending(): boolean {
    return (this._flags & QUIET) === 0;
  }
  set _logDestroyPending(value: boolean) {
    this._flags = value ? this._flags & ~QUIET : this._flags | QUIET;
  }

  /** @internal The next step throws `CancelledError` into the coroutine. */
  get _mustCancel(): boolean {
    return (this._flags & MUST_CANCEL) !== 0;
  }
  set _mustCancel(value: boolean) {
    this._flags = value ? this._flags | MUST_CANCEL : this._flags & ~MUST_CANCEL;
  }

  /** @internal The number of cancellation requests not taken back (`cancelling()`). */
  get _numCancelsRequested(): number {
    return this._flags >> COUNT_SHIFT;
  }

  /** Mirrors `Task.get_coro()`. */
  getCoro(): Coroutine<T> {
    return this._coro;
  }

  /** Mirrors `Task.get_context()`: the context every step runs in. */
  getContext(): Context {
    return this._ownContext();
  }

  /** Its Context, made now if it runs in values until now; `_step` need not ask again (`OWN_CONTEXT`). */
  private _ownContext(): Context {
    const c = contextOf(this);
    this._flags |= OWN_CONTEXT;
    return c;
  }

  /** Mirrors `Task.get_name()`: `Task-<n>` unless a name was given. */
  getName(): string {
    const n = this._name;
    return typeof n === 'number' ? `Task-${n}` : n;
  }

  /** Mirrors `Task.set_name()`. */
  setName(name: string): void {
    this._name = String(name);
  }

  /** Mirrors `Task.set_result()`: a task's result comes from its coroutine. */
  override setResult(_value: T): never {
    throw new RuntimeError('Task does not support set_result operation');
  }

  /** Mirrors `Task.set_exception()`: a task's exception comes from its coroutine. */
  override setException(_error: unknown): never {
    throw new RuntimeError('Task does not support set_exception operation');
  }

  /**
   * Mirrors `Task.cancel()`: requests cancellation. The Future the task waits
   * on is cancelled, or `CancelledError` is thrown into the coroutine at its
   * next step. Returns false if the task is already done.
   */
  override cancel(msg?: string): boolean {
    this._clearLog();
    if (this._state !== PENDING) return false;
    this._flags += ONE_CANCEL;
    const waiter = this._futWaiter;
    // Leave _futWaiter set: it may be a task that ignores the cancellation,
    // and may have to be cancelled again.
    if (waiter?.cancel(msg)) return true;
    // The task's step must already be scheduled.
    this._flags |= MUST_CANCEL;
    this._cancelMessage = msg;
    return true;
  }

  /** Mirrors `Task.cancelling()`: the number of pending cancellation requests. */
  cancelling(): number {
    return this._flags >> COUNT_SHIFT;
  }

  /**
   * Mirrors `Task.uncancel()`: takes one cancellation request back; when none
   * is left, a cancellation not yet delivered is dropped too (3.13+).
   */
  uncancel(): number {
    if (this._flags >= ONE_CANCEL) {
      this._flags -= ONE_CANCEL;
      if (this._flags < ONE_CANCEL) this._flags &= ~MUST_CANCEL;
    }
    return this._flags >> COUNT_SHIFT;
  }

  /** Seam (`Runnable`): Called by the ready queue: a step, or a wake-up by the future `arg`. */
  _run(arg: unknown): void {
    try {
      if (arg === undefined) {
        this._step(undefined);
      } else {
        this._wakeup(arg as Future<unknown>);
      }
    } catch (exc) {
      this._stepFailed(exc);
    }
  }

  /** @internal A step that throws `exc` into the coroutine (see `ThrowingStep`). */
  _runThrowing(exc: Error): void {
    try {
      this._step(exc);
    } catch (e) {
      this._stepFailed(e);
    }
  }

  private _stepFailed(exc: unknown): void {
    if (isInterrupt(exc)) throw exc;
    this._loop.callExceptionHandler({
      message: `Exception in callback ${this.constructor.name}.__step()`,
      exception: exc,
      task: this as Future<unknown>,
    });
  }

  /** @internal Mirrors `__wakeup`: the awaited future is done; resume with its outcome. */
  _wakeup(fut: Future<unknown>): void {
    // What result() would throw or return, without the cost of a throw and
    // a catch for every cancelled or failed awaited future: one seam call.
    const outcome = awaitOutcome(fut);
    // A result first: against `undefined` V8 compares by reference, against
    // the imported ASK_RESULT (any value may come back) only generically.
    if (outcome === undefined) this._step(undefined);
    else if (outcome === ASK_RESULT) this._wakeupByResult(fut);
    else this._step(outcome);
  }

  /**
   * `_wakeup` through `fut.result()` (a Future subclass's own): apart, so
   * that `_wakeup` stays small enough for V8 to inline it into the loop.
   */
  private _wakeupByResult(fut: Future<unknown>): void {
    let exc: unknown;
    let failed = false;
    try {
      fut.result();
    } catch (e) {
      exc = e;
      failed = true;
    }
    // `undefined` means "resume normally" to _step(): a Future subclass whose
    // result() throws undefined must still fail the await.
    this._step(
      failed
        ? exc === undefined
          ? new RuntimeError(`${String(fut)}.result() threw undefined`)
          : exc
        : undefined,
    );
  }

  /** @internal Mirrors `__step`. `exc === undefined` means resume normally. */
  _step(exc: unknown): void {
    if (this._state !== PENDING || (this._flags & MUST_CANCEL) !== 0) exc = this._stepStart(exc);
    this._futWaiter = null;
    const loop = this._loop;
    const ctx = this._ctx as Context;
    if ((this._flags & OWN_CONTEXT) === 0 && !(ctx instanceof Context)) {
      this._stepWithoutContext(exc);
      return;
    }
    // Entering its Context is `Context.run`'s two halves (seam calls),
    // written out with leaving the task in one `finally`: through
    // `runInContext` (nested `try`s, two more calls) a million steps of one
    // task took 10-17 % longer in a fresh process.
    enterTask(loop, this as Task<unknown>);
    let prev: Context | null = null;
    try {
      // Throws if the Context is entered already (by a `ctx.run()` of the code that asked for it).
      prev = enterContext(ctx);
      this._stepRun(exc);
    } finally {
      if (prev !== null) exitContext(ctx, prev);
      leaveTask(loop, this as Task<unknown>);
    }
  }

  // `_step`'s rare cases, apart so that `_step` stays small enough for V8
  // to inline it into the loop's slice (in W5 it did not fit its inlining
  // budget, and the calls around it were compiled and made separately).

  /** A done task (an error), or a step that must deliver a cancellation: what it throws in. */
  private _stepStart(exc: unknown): unknown {
    if (this._state !== PENDING) {
      throw new InvalidStateError(`_step(): already done: ${String(this)}, ${shortRepr(exc)}`);
    }
    this._flags &= ~MUST_CANCEL;
    return exc instanceof CancelledError ? exc : this._makeCancelledError();
  }

  /**
   * `_step` for a task that has no Context of its own yet. Apart from
   * `_step`, so that `_step` stays small enough for V8 to inline it into
   * the ready queue's loop.
   */
  private _stepWithoutContext(exc: unknown): void {
    const loop = this._loop;
    const flags = this._flags;
    if ((flags & STEPPED_TWICE) === 0) {
      // Its first two steps run in the scratch context pointed at its
      // values: most tasks take one step (a `gather` of short coroutines)
      // or two (one wait: a sleep, a cancellation), and never need a
      // Context of their own (W7 is 8 % faster without one per task).
      if ((flags & STARTED) !== 0) this._flags = flags | STEPPED_TWICE;
      enterTask(loop, this as Task<unknown>);
      try {
        runInContext(this, stepRun, this as Task<unknown>, exc);
      } finally {
        leaveTask(loop, this as Task<unknown>);
      }
      return;
    }
    // A task that steps a third time gets its Context now: it usually
    // takes many steps, and entering a Context costs less per step than
    // running in the scratch context (W4, a million steps of one task, is
    // 20-30 % slower there).
    this._ownContext();
    this._step(exc);
  }

  /** @internal Mirrors `__step_run_and_handle_result`. */
  _stepRun(exc: unknown): void {
    const coro = this._coro;
    let first = false;
    if ((this._flags & STARTED) === 0) {
      // Its first step checks that no other task ran its coroutine.
      this._flags |= STARTED;
      first = true;
      const owner = (coro as Marked)[TASK_OF];
      if (owner !== undefined && owner !== this) {
        // Both tasks were made before either ran: the other one runs it.
        this._finishWithException(reusedError(owner));
        return;
      }
    }
    let r: IteratorResult<Future<unknown> | undefined, T>;
    try {
      r = exc === undefined ? coro.next() : coro.throw(exc);
    } catch (e) {
      if (e instanceof CancelledError) {
        super.cancel();
        // Keep the original error, so that awaiters see where it came from
        // (set once cancelled: a cancelled future keeps it in `_exception`).
        this._cancelledExc = e;
        tasksOf(this._loop).delete(this as Task<unknown>);
      } else {
        this._finishWithException(e);
        if (isInterrupt(e)) throw e;
      }
      return;
    }
    if (typeof r !== 'object' || r === null) {
      // What `yield*` would throw for a hand-written coroutine that breaks the protocol.
      this._finishWithException(new TypeError(`Iterator result ${shortRepr(r)} is not an object`));
      return;
    }
    if (r.done === true) {
      if ((this._flags & MUST_CANCEL) !== 0) {
        // Cancelled right before the coroutine returned.
        this._flags &= ~MUST_CANCEL;
        super.cancel(this._cancelMessage);
      } else {
        super.setResult(r.value);
      }
      tasksOf(this._loop).delete(this as Task<unknown>);
      return;
    }
    // Suspended for the first time: from now on another task given this coroutine is refused.
    if (first && (coro as Marked)[TASK_OF] === undefined)
      markCoroutine(coro, this as Future<unknown>);
    const y: unknown = r.value;
    if (y === undefined) {
      // A bare yield gives the other tasks one turn.
      queueRunnable(this._loop, this, undefined);
    } else if (y instanceof Future) {
      if (y.getLoop() !== this._loop) {
        this._throwSoon(
          new RuntimeError(
            `Task ${String(this)} got Future ${String(y)} attached to a different loop; a task can only await Futures of its own loop (make them with getRunningLoop().createFuture())`,
          ),
        );
      } else if (y === this) {
        // CPython checks the blocking mark first: a bare `yield this` is that error.
        this._throwSoon(
          isBlocking(y)
            ? new RuntimeError(`Task cannot await on itself: ${String(this)}`)
            : bareYieldError(this as Task<unknown>, y),
        );
      } else if (!parkTask(y, this)) {
        this._throwSoon(bareYieldError(this as Task<unknown>, y));
      } else {
        // Parked: `yield*` gave it, and this task is its waker now.
        this._futWaiter = y;
        if (this._loop.getDebug()) noteSuspension(this as Task<unknown>);
        if ((this._flags & MUST_CANCEL) !== 0 && y.cancel(this._cancelMessage)) {
          this._flags &= ~MUST_CANCEL;
        }
      }
    } else if (isCoroutine(y)) {
      this._throwSoon(
        new RuntimeError(
          `yield was used instead of yield* for generator in task ${String(this)} with ${shortRepr(y)}: write \`yield* coro\``,
        ),
      );
    } else if (isPromiseLike(y)) {
      this._throwSoon(
        new RuntimeError(
          `Task got bad yield: ${shortRepr(y)}: a promise cannot be awaited with yield; use \`yield* ensureFuture(promise)\``,
        ),
      );
    } else {
      this._throwSoon(
        new RuntimeError(
          `Task got bad yield: ${shortRepr(y)}: a coroutine can only wait on a Future with \`yield* fut\`, on another coroutine with \`yield* coro()\`, or yield nothing to give others a turn`,
        ),
      );
    }
  }

  private _finishWithException(e: unknown): void {
    // A coroutine may throw anything; a Future holds neither "no exception"
    // (undefined, null) nor a class thrown without `new`.
    let exc = e;
    if (e === undefined || e === null) {
      exc = new RuntimeError(`the coroutine threw ${String(e)}`, { cause: e });
    } else if (typeof e === 'function') {
      const name = e.name || 'Error';
      exc = new RuntimeError(
        `the coroutine threw the function ${name}, not an error: write \`throw new ${name}(...)\``,
        { cause: e },
      );
    }
    if (this._loop.getDebug()) annotateFailure(this as Task<unknown>, exc);
    super.setException(exc);
    tasksOf(this._loop).delete(this as Task<unknown>);
  }

  private _throwSoon(exc: Error): void {
    queueRunnable(this._loop, new ThrowingStep(this as Task<unknown>, exc), undefined);
  }

  private _eagerStart(): void {
    const loop = this._loop;
    const ctx = this._ctx;
    // Fail before registering, so that the task is not left pending forever.
    if (ctx instanceof Context && contextEntered(ctx)) throw enteredError(ctx);
    const prevTask = swapCurrentTask(loop, this as Task<unknown>);
    tasksOf(loop).add(this as Task<unknown>);
    try {
      runInContext(this, stepRun, this as Task<unknown>, undefined);
    } finally {
      swapCurrentTask(loop, prevTask);
    }
  }

  /** @internal */
  override _reprInfo(): string[] {
    const info = super._reprInfo();
    if (this._flags >= ONE_CANCEL && this._state === PENDING) info[0] = 'cancelling';
    info.splice(1, 0, `name='${this.getName()}'`);
    const rest: string[] = [`coro=<${coroState(this)}>`];
    if (this._futWaiter !== null) rest.push(`wait_for=${String(this._futWaiter)}`);
    info.splice(2, 0, ...rest);
    return info;
  }

  /** @internal */
  override _logLabel(): string {
    return ` name='${this.getName()}'`;
  }
}

/** One step of `t` (what `runInContext` calls, in the task's context). */
function stepRun(t: Task<unknown>, exc: unknown): void {
  t._stepRun(exc);
}

function coroState(t: Task<unknown>): string {
  if (t.done()) return 'Generator done';
  return current === t ? 'Generator running' : 'Generator';
}

// enterTask and leaveTask run around every step: their errors are built
// elsewhere, so that they stay small enough for V8 to inline them.
function enterTask(loop: EventLoop, task: Task<unknown>): void {
  if (current !== null && currentLoop === loop) throw enterError(task);
  currentLoop = loop;
  current = task;
}

function leaveTask(loop: EventLoop, task: Task<unknown>): void {
  if (current !== task || currentLoop !== loop) throw leaveError(task);
  current = null;
}

function enterError(task: Task<unknown>): RuntimeError {
  return new RuntimeError(
    `Cannot enter into task ${String(task)} while another task ${String(current)} is being executed.`,
  );
}

function leaveError(task: Task<unknown>): RuntimeError {
  return new RuntimeError(
    `Leaving task ${String(task)} does not match the current task ${String(current)}.`,
  );
}

function bareYieldError(task: Task<unknown>, y: Future<unknown>): RuntimeError {
  return new RuntimeError(
    `yield was used instead of yield* in task ${String(task)} with ${String(y)}: write \`yield* fut\``,
  );
}

function swapCurrentTask(loop: EventLoop, task: Task<unknown> | null): Task<unknown> | null {
  const prev = currentLoop === loop ? current : null;
  currentLoop = loop;
  current = task;
  return prev;
}

/**
 * Mirrors `asyncio.current_task()`: the task being stepped on `loop` (the
 * running loop by default), or null. With no loop given and none running,
 * throws `RuntimeError('no running event loop')`.
 *
 * @example
 * ```ts
 * function* worker() {
 *   console.log(`running in ${currentTask()?.getName()}`);   // asyncio.current_task().get_name()
 * }
 * ```
 */
export function currentTask(loop?: EventLoop): Task<unknown> | null {
  const l = loop ?? getRunningLoop();
  return currentLoop === l ? current : null;
}

/**
 * Mirrors `asyncio.all_tasks()`: the tasks of `loop` (the running loop by
 * default) that are not done yet.
 *
 * @example
 * ```ts
 * for (const task of allTasks()) {            // for task in asyncio.all_tasks():
 *   console.log(task.getName());
 * }
 * ```
 */
export function allTasks(loop?: EventLoop): Set<Task<unknown>> {
  const l = loop ?? getRunningLoop();
  const out = new Set<Task<unknown>>();
  for (const t of tasksOf(l)) if (!t.done() && t instanceof Task) out.add(t);
  return out;
}

/**
 * Mirrors `asyncio.create_task()`: runs the coroutine in a new Task on the
 * running loop (through its task factory).
 *
 * @example
 * ```ts
 * const task = createTask(download(url), { name: `download ${url}` });   // asyncio.create_task(..., name=...)
 * // ... main goes on while it runs ...
 * const body = yield* task;
 * ```
 */
export function createTask<T>(coro: Coroutine<T>, options?: TaskOptions): Task<T> {
  return getRunningLoop().createTask(coro, options);
}

/**
 * Mirrors `asyncio.create_eager_task_factory()`: a task factory that makes
 * `ctor` tasks with `eagerStart` on unless the caller turns it off.
 *
 * @example
 * ```ts
 * getRunningLoop().setTaskFactory(createEagerTaskFactory(Task));   // create_eager_task_factory(Task)
 * ```
 */
export function createEagerTaskFactory(
  ctor: new (
    coro: Coroutine<unknown>,
    options?: TaskOptions & { loop?: EventLoop },
  ) => Future<unknown>,
): TaskFactory {
  return (loop, coro, options) =>
    // `eagerStart: undefined` (an options object passed along) still means the default.
    new ctor(coro, { ...options, eagerStart: options?.eagerStart ?? true, loop });
}

/**
 * Mirrors `asyncio.eager_task_factory`: with `loop.setTaskFactory(eagerTaskFactory)`,
 * new tasks run their first step at once, inside `createTask()`, and never
 * touch the loop if they finish without waiting.
 *
 * @example
 * ```ts
 * getRunningLoop().setTaskFactory(eagerTaskFactory);   // loop.set_task_factory(asyncio.eager_task_factory)
 * const task = createTask(cached(key));       // already done if cached() returned without waiting
 * ```
 */
export const eagerTaskFactory: TaskFactory = createEagerTaskFactory(Task);

// Importing `@x/tasks` installs Task as the default task factory: this is the
// declared mechanism (`setDefaultTaskFactory` in `@x/loop/internal`), as
// importing asyncio makes `asyncio.Task` what `loop.create_task()` builds.
// Without options, a new `{ loop }` per task: one shared object reset in a
// `finally` (tried before) ran 2 % more instructions in a fresh W3 (200,000
// tasks).
setDefaultTaskFactory((loop, coro, options) =>
  options === undefined ? new Task(coro, { loop }) : new Task(coro, { ...options, loop }),
);

refuseUnbound(Task);
