/**
 * `EventLoop`, after CPython's `asyncio/base_events.py`.
 *
 * The loop runs on top of the host's event loop. One iteration is CPython's
 * `_run_once`: drop cancelled timers, wait until something is ready (here:
 * give the host a turn with a host timer), move the due timers to the ready
 * queue, then run exactly the callbacks that were ready when the iteration
 * started. Iterations run back to back inside one host task for up to a few
 * milliseconds; then the loop yields to the host so that its timers and I/O
 * are never starved. Promise reactions get a microtask turn between two
 * iterations whenever something outside the loop may be waiting for one.
 */
import { type AsyncGenCloser, shutdownAsyncgens as shutdownAsyncgensOf } from './asyncgen-hooks.js';
import { checkCallback, refuseUnbound } from './check-callback.js';
import { CLOCK_RESOLUTION } from './clock-resolution.js';
import { Context, type ContextOwner, EMPTY, runInContext } from './context.js';
import { copiesHint } from './copies.js';
import {
  refuseAwait,
  reportUnawaited,
  startWatchingCoroutineMethods,
  type UnawaitedInfo,
  watchCoroutine,
} from './coroutine-checks.js';
import { isCoroutine, isPromiseLike } from './coroutines.js';
import { readEnv } from './env.js';
import { isInterrupt, RuntimeError, ValueError } from './errors.js';
import {
  closeDefaultExecutor,
  type ModuleFunction,
  runInExecutor,
  setDefaultExecutor,
  shutdownDefaultExecutor,
} from './executor.js';
import { captureCreationSite, shortRepr } from './format.js';
import { FINISHED, Future, isFuture, type LogInfo, reportUnretrieved } from './future.js';
import { Handle, handleForReport, runCall, TimerHandle } from './handle.js';
import { clearHostTimer, type HostTimer, hostSoon, hostTimer } from './host-yield.js';
import { describe, logger } from './log.js';
import { wrapPromise } from './promise.js';
import { ReadyQueue, type Runnable } from './ready-queue.js';
import { running } from './running.js';
import type { Callback, LoopInternals } from './seam.js';
import { quietAtClose } from './seam-calls.js';
import { TaskRegistry } from './task-registry.js';
import { type TimerEntry, TimerHeap } from './timer-heap.js';
import type {
  Clock,
  Coroutine,
  ExceptionContext,
  ExceptionHandler,
  Executor,
  TaskFactory,
  TaskOf,
  TaskOptions,
} from './types.js';
import { VirtualClock } from './virtual-clock.js';

// CPython's thresholds for rebuilding the timer heap without cancelled timers.
const MIN_SCHEDULED_TIMER_HANDLES = 100;
const MIN_CANCELLED_TIMER_HANDLES_FRACTION = 0.5;
// How long the loop keeps the host waiting, in milliseconds.
const SLICE_MS = 4;
// How many callbacks run between two looks at the clock.
const CHECK_EVERY = 64;
const MAX_HOST_DELAY_MS = 0x7fffffff;

// What the loop has asked of the host.
const HOST_NONE = 0; // nothing: a slice is running or the loop is stopped
const HOST_SOON = 1; // a microtask or an immediate that continues the run
const HOST_TIMER = 2; // a host timer for the next due TimerHandle
const HOST_IDLE = 3; // nothing to do until something is scheduled

const perf: { now(): number } =
  typeof performance === 'object' && performance !== null ? performance : Date;
const realClock: Clock = { now: () => perf.now() / 1000 };

let defaultTaskFactory: TaskFactory | null = null;

/** Seam: `@x/tasks` registers `Task` here, so that `createTask` works without a factory. */
export function setDefaultTaskFactory(f: TaskFactory | null): void {
  defaultTaskFactory = f;
}

function envDebug(): boolean {
  const v = readEnv('XASYNC_DEBUG');
  return v !== undefined && v !== '' && v !== '0';
}

function isPlainContext(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

/** An exception context as Python's `repr()` of its dict shows it. */
function contextRepr(ctx: Record<string, unknown>): string {
  const items = Object.keys(ctx).map((k) => `'${k}': ${shortRepr(ctx[k], 80)}`);
  return `{${items.join(', ')}}`;
}

/** The arguments from `start` on, or null if there are none (what a Handle stores). */
function restArgs(args: IArguments, start: number): unknown[] | null {
  const n = args.length;
  if (n <= start) return null;
  const out = new Array(n - start);
  for (let i = start; i < n; i++) out[i - start] = args[i];
  return out;
}

function checkTime(value: unknown, what: 'delay' | 'when'): void {
  if (typeof value !== 'number') {
    throw new TypeError(
      `${what} must be a number of seconds, got ${value === null ? 'null' : typeof value}`,
    );
  }
  if (Number.isNaN(value)) {
    throw new TypeError(`${what} must not be NaN: pass a number of seconds (Infinity means never)`);
  }
}

/**
 * Seam: Registers `hook` to run once when `loop` closes, after its tasks
 * were reported and its queues cleared: how a package above (signal handlers,
 * @x/io's host handles) lets go of what it holds for a loop. An exception in a
 * hook goes to the loop's exception handler.
 */
export function addCloseHook(loop: EventLoop, hook: () => void): void {
  if (loop._closed) throw new RuntimeError('Event loop is closed');
  loop._closeHooks.push(hook);
}

/**
 * Mirrors `asyncio.EventLoop` (`BaseEventLoop`): runs callbacks, timers and
 * tasks. Application code rarely needs it directly: `run()` from
 * `@x/runner` creates, runs and closes one.
 *
 * @example
 * ```ts
 * const loop = new EventLoop({ debug: true });   // asyncio.EventLoop(), loop.set_debug(True)
 * loop.callSoon(() => console.log('first'));
 * loop.callLater(0.1, () => loop.stop());
 * await loop.runForever();                    // loop.run_forever()
 * loop.close();
 * ```
 */
export class EventLoop implements LoopInternals {
  /** Mirrors `loop.slow_callback_duration`: in debug mode, callbacks slower than this (seconds) are logged. */
  slowCallbackDuration = 0.1;

  /** @internal */ _ready: ReadyQueue = new ReadyQueue(this);
  /**
   * @internal What a callback queued without its Handle runs as
   * (`runInContext`'s owner): replaced after a run that changed its context,
   * so that no Token made there belongs to the next one.
   */
  _callOwner: ContextOwner = { _ctx: EMPTY };
  /** @internal */ _timers = new TimerHeap();
  /** @internal */ _timerCancelledCount = 0;
  /** @internal */ _seq = 0;
  /** @internal */ _closed = false;
  /** @internal */ _stopping = false;
  /** Seam: `LoopInternals`. */ _running = false;
  /** Seam: `LoopInternals`. */ _debug: boolean;
  /** @internal */ _clock: Clock;
  /** @internal */ _exceptionHandler: ExceptionHandler | null = null;
  /** @internal */ _taskFactory: TaskFactory | null = null;
  /** Seam (`LoopInternals`): Pending tasks, held strongly until they are done. */
  _tasks = new TaskRegistry();
  /** @internal Set when a promise may have been resolved by a callback: give microtasks a turn. */
  _microtaskWanted = false;
  /** @internal Promises that will complete a Future of this loop when they settle. */
  _hostWaiters = 0;
  /** @internal In debug mode, the package coroutines made for this loop that have not run yet. */
  _unawaited = new Set<UnawaitedInfo>();
  /** @internal The failures of this loop's futures that nobody has looked at yet. */
  _unretrieved = new Set<LogInfo>();
  /** @internal Callbacks run when the loop closes (signal handlers use it). */
  _closeHooks: Array<() => void> = [];
  /** @internal The handle being run, in debug mode. */
  _currentHandle: Runnable | null = null;
  /** @internal Callbacks left to run in the current iteration. */
  _batch = 0;
  /** @internal The executor of `runInExecutor(null, ...)`, created on first use. */
  _defaultExecutor: Executor | null = null;
  /** @internal */ _executorShutdownCalled = false;
  /** @internal Closers of the async generators that started on this loop and are still open. */
  _asyncgens = new Set<AsyncGenCloser>();
  /** @internal */ _asyncgensShutdownCalled = false;
  /** @internal The clock, when it is virtual: it decides when waiting for a timer ends. */
  _virtualClock: VirtualClock | null = null;
  /** @internal Pending executor jobs and `abortable` promises: work that takes real time. */
  _realTimeWork = 0;

  private _host = HOST_NONE;
  private _hostTimer: HostTimer | null = null;
  private _keepAlive: ReturnType<typeof setInterval> | null = null;
  private _resolveRun: (() => void) | null = null;
  private _rejectRun: ((e: unknown) => void) | null = null;
  private readonly _sliceFn = (): void => this._slice();
  // A microtask turn is two hops: an async function resumed in the first hop
  // that then awaits another Future of the loop calls its then() (a thenable
  // job) in the second, before the next iteration can complete that Future.
  private readonly _hopFn = (): void => queueMicrotask(this._sliceFn);

  constructor(options?: { debug?: boolean; clock?: Clock }) {
    const clock = options?.clock;
    if (clock !== undefined && (clock === null || typeof clock.now !== 'function')) {
      throw new TypeError(
        `clock must have a now() method returning seconds, got ${shortRepr(clock)}`,
      );
    }
    this._clock = clock ?? realClock;
    if (clock instanceof VirtualClock) {
      this._virtualClock = clock;
      clock._loops.add(this);
    }
    this._debug = options?.debug ?? envDebug();
    if (this._debug) startWatchingCoroutineMethods();
  }

  // ---- running and stopping ------------------------------------------------

  /**
   * Mirrors `loop.run_forever()`: runs until `stop()` is called. The Promise
   * settles when the loop stops; it rejects with a `KeyboardInterrupt` or
   * `SystemExit` thrown by a callback, and the loop can be run again after.
   */
  runForever(): Promise<void> {
    try {
      this._checkClosed();
      this._checkRunning();
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<void>((resolve, reject) => {
      this._resolveRun = resolve;
      this._rejectRun = reject;
      this._running = true;
      running.loop = this;
      this._keepAlive = setInterval(() => {}, MAX_HOST_DELAY_MS);
      // The first iteration starts in a microtask, not inside this call: promise
      // reactions queued before runForever() (an `await fut` that has yet to call
      // fut.then) go first, and the loop is running until the Promise settles.
      this._host = HOST_SOON;
      queueMicrotask(this._sliceFn);
    });
  }

  /**
   * Mirrors `loop.run_until_complete()`: runs until the Future (or the Task
   * made for a coroutine, or the Future that follows a promise) is done, and
   * resolves with its result or rejects with its exception.
   */
  runUntilComplete<T>(aw: Future<T> | Coroutine<T> | PromiseLike<T>): Promise<T> {
    let fut: Future<T>;
    let newTask = false;
    try {
      this._checkClosed();
      this._checkRunning();
      if (isFuture(aw)) {
        if (aw._loop !== this) {
          throw new ValueError(
            'The future belongs to a different loop than the one specified as the loop argument',
          );
        }
        fut = aw;
      } else if (isCoroutine(aw)) {
        const task = this.createTask(aw as Coroutine<T>);
        // The caller awaits the result here: no "destroyed but pending" report for it.
        quietAtClose(task);
        fut = task;
        newTask = true;
      } else if (isPromiseLike(aw)) {
        fut = wrapPromise(aw, this);
        newTask = true;
      } else {
        throw new TypeError(
          `An asyncio.Future, a coroutine or an awaitable is required, got ${shortRepr(aw)}`,
        );
      }
    } catch (e) {
      return Promise.reject(e);
    }
    const onDone = (f: Future<T>): void => {
      if (!f.cancelled() && f._state === FINISHED && isInterrupt(f._exception)) {
        // The interrupt already ended runForever(): nothing to stop.
        return;
      }
      f._loop.stop();
    };
    fut.addDoneCallback(onDone);
    return this.runForever().then(
      () => {
        fut.removeDoneCallback(onDone);
        if (!fut.done()) throw new RuntimeError('Event loop stopped before Future completed.');
        return fut.result();
      },
      (e: unknown) => {
        fut.removeDoneCallback(onDone);
        // The coroutine raised an interrupt: the caller cannot see the task,
        // so consume its exception to avoid a "never retrieved" report. The
        // caller's own future is consumed too when the interrupt is its
        // exception: the caller gets it, here.
        if (fut.done() && !fut.cancelled() && (newTask || fut._exception === e)) fut.exception();
        throw e;
      },
    );
  }

  /**
   * Mirrors `loop.stop()`: the loop stops after the current iteration; a
   * `stop()` before `runForever()` makes the next run do one iteration.
   */
  stop(): void {
    this._stopping = true;
    this._wake();
  }

  /** Mirrors `loop.is_running()`. */
  isRunning(): boolean {
    return this._running;
  }

  /** Mirrors `loop.is_closed()`. */
  isClosed(): boolean {
    return this._closed;
  }

  /**
   * Mirrors `loop.close()`: drops every pending callback and timer. Throws
   * `RuntimeError` on a running loop; closing twice is harmless. Tasks still
   * pending are reported as "Task was destroyed but it is pending!", and
   * every exception of its futures and tasks that nobody retrieved as
   * "Task exception was never retrieved", once.
   */
  close(): void {
    if (this._running) throw new RuntimeError('Cannot close a running event loop');
    if (this._closed) return;
    if (this._debug) logger.debug(`Close ${String(this)}`);
    this._closed = true;
    const pending = [...this._tasks];
    this._tasks.clear();
    for (const task of pending) {
      if (!task.done() && task._logDestroyPending !== false) {
        const context: ExceptionContext = {
          message: 'Task was destroyed but it is pending!',
          task,
        };
        if (task._sourceTraceback !== null) context.source_traceback = task._sourceTraceback;
        this.callExceptionHandler(context);
      }
    }
    // CPython reports these when the futures are collected, at the latest
    // when the interpreter exits; a JavaScript program may exit first.
    reportUnretrieved(this);
    reportUnawaited(this);
    this._ready.clear();
    this._timers.clear();
    this._timerCancelledCount = 0;
    const hooks = this._closeHooks;
    this._closeHooks = [];
    for (const hook of hooks) {
      try {
        hook();
      } catch (exc) {
        if (isInterrupt(exc)) throw exc;
        this.callExceptionHandler({
          message: 'Exception in a close hook of the event loop',
          exception: exc,
        });
      }
    }
    closeDefaultExecutor(this);
  }

  /** Mirrors `loop.time()`: the loop's monotonic clock, in seconds. */
  time(): number {
    return this._clock.now();
  }

  // ---- scheduling ----------------------------------------------------------

  /**
   * Mirrors `loop.call_soon()`: `cb(...args)` runs on the next iteration, in
   * FIFO order, in a copy of the current context.
   */
  callSoon<A extends unknown[]>(cb: (...a: A) => void, ...args: A): Handle;
  callSoon(cb: (...a: unknown[]) => void): Handle {
    this._checkClosed();
    checkCallback(cb, 'callSoon');
    // biome-ignore lint/complexity/noArguments: a rest parameter allocates an array on every call, and most calls pass no arguments
    return this._newHandle(cb, restArgs(arguments, 1), null);
  }

  /**
   * Mirrors `loop.call_soon_threadsafe()`. JavaScript has one thread per
   * loop; this is `callSoon` that also wakes a loop waiting for the host,
   * which `callSoon` does here too.
   */
  callSoonThreadsafe<A extends unknown[]>(cb: (...a: A) => void, ...args: A): Handle;
  callSoonThreadsafe(cb: (...a: unknown[]) => void): Handle {
    this._checkClosed();
    checkCallback(cb, 'callSoonThreadsafe');
    // biome-ignore lint/complexity/noArguments: as in callSoon()
    return this._newHandle(cb, restArgs(arguments, 1), null);
  }

  /**
   * Mirrors `loop.call_later()`: `cb(...args)` runs `delay` seconds from now.
   * A negative delay means now; `Infinity` means never; NaN is a TypeError.
   */
  callLater<A extends unknown[]>(delay: number, cb: (...a: A) => void, ...args: A): TimerHandle;
  callLater(delay: number, cb: (...a: unknown[]) => void): TimerHandle {
    checkTime(delay, 'delay');
    // biome-ignore lint/complexity/noArguments: as in callSoon()
    return this._callAt(this.time() + delay, cb, restArgs(arguments, 2), 'callLater');
  }

  /** Mirrors `loop.call_at()`: like `callLater`, at an absolute `loop.time()`. */
  callAt<A extends unknown[]>(when: number, cb: (...a: A) => void, ...args: A): TimerHandle;
  callAt(when: number, cb: (...a: unknown[]) => void): TimerHandle {
    checkTime(when, 'when');
    // biome-ignore lint/complexity/noArguments: as in callSoon()
    return this._callAt(when, cb, restArgs(arguments, 2), 'callAt');
  }

  /** Mirrors `loop.create_future()`. */
  createFuture<T>(): Future<T> {
    // As CPython: no closed check here; what a closed loop refuses is scheduling.
    return new Future<T>({ loop: this });
  }

  /**
   * Mirrors `loop.create_task()`: wraps the coroutine in a Task through the
   * task factory (`Task` from `@x/tasks` unless one was set).
   */
  createTask<T>(coro: Coroutine<T>, options?: TaskOptions): TaskOf<T> {
    this._checkClosed();
    const factory = this._taskFactory ?? defaultTaskFactory;
    if (factory === null) {
      throw new RuntimeError(
        `no task factory: import '@x/tasks' (it registers Task as the default) or call loop.setTaskFactory()${copiesHint()}`,
      );
    }
    if (!isCoroutine(coro)) {
      throw new TypeError(
        `a coroutine was expected, got ${shortRepr(coro)}; call the function* to get one`,
      );
    }
    // The one cast between a factory and its task type: see `TaskTypes`.
    return factory(this, coro, options) as unknown as TaskOf<T>;
  }

  /** Mirrors `loop.set_task_factory()`: null restores the default. */
  setTaskFactory(f: TaskFactory | null): void {
    if (f !== null && typeof f !== 'function') {
      throw new TypeError('task factory must be a callable or None');
    }
    if (f !== null) checkCallback(f, 'setTaskFactory');
    this._taskFactory = f;
  }

  /** Mirrors `loop.get_task_factory()`. */
  getTaskFactory(): TaskFactory | null {
    return this._taskFactory;
  }

  // ---- errors --------------------------------------------------------------

  /** Mirrors `loop.set_exception_handler()`: null restores the default handler. */
  setExceptionHandler(h: ExceptionHandler | null): void {
    if (h !== null && typeof h !== 'function') {
      throw new TypeError(`A callable object or None is expected, got ${shortRepr(h)}`);
    }
    if (h !== null) checkCallback(h, 'setExceptionHandler');
    this._exceptionHandler = h;
  }

  /** Mirrors `loop.get_exception_handler()`. */
  getExceptionHandler(): ExceptionHandler | null {
    return this._exceptionHandler;
  }

  /**
   * Mirrors `loop.default_exception_handler()`: logs the message, every other
   * key of the context, and the exception's stack.
   */
  defaultExceptionHandler(context: ExceptionContext): void {
    const message = context.message || 'Unhandled exception in event loop';
    const ctx: Record<string, unknown> = { ...context };
    const cur = this._currentHandle as { _sourceTraceback?: string | null } | null;
    if (!('source_traceback' in ctx) && cur !== null && cur._sourceTraceback) {
      ctx.handle_traceback = cur._sourceTraceback;
    }
    const lines = [message];
    for (const key of Object.keys(ctx).sort()) {
      if (key === 'message' || key === 'exception') continue;
      let value = ctx[key];
      if (key === 'source_traceback')
        value = `Object created at (most recent call last):\n${String(value)}`;
      else if (key === 'handle_traceback')
        value = `Handle created at (most recent call last):\n${String(value)}`;
      else if (key === 'context' && isPlainContext(value)) value = contextRepr(value);
      else if (typeof value !== 'string') value = String(value);
      lines.push(`${key}: ${value as string}`);
    }
    // The context a failing exception handler was given: its exception is
    // the original error, which must not be hidden behind the handler's own.
    const inner = ctx.context;
    if (isPlainContext(inner) && inner.exception !== undefined) {
      lines.push(`The exception handler was given this exception:\n${describe(inner.exception)}`);
      lines.push('and failed with:');
    }
    logger.error(lines.join('\n'), 'exception' in context ? context.exception : undefined);
  }

  /**
   * Mirrors `loop.call_exception_handler()`: calls the handler that was set,
   * or the default one; an error in the handler is logged, never raised.
   */
  callExceptionHandler(context: ExceptionContext): void {
    const handler = this._exceptionHandler;
    if (handler === null) {
      try {
        this.defaultExceptionHandler(context);
      } catch (exc) {
        if (isInterrupt(exc)) throw exc;
        logger.error('Exception in default exception handler', exc);
      }
      return;
    }
    try {
      const thing = (context.task ?? context.future ?? context.handle) as
        | { getContext?: () => Context }
        | undefined;
      let r: unknown;
      if (thing instanceof Handle && !(thing._ctx instanceof Context)) {
        // Its context's values, without making the Context object: a Handle
        // the ready queue ran without retaining it is reported by a stand-in
        // (`handleForReport`) that must look like the Handle it stands for.
        r = runInContext(thing, handler, this, context);
      } else {
        const ctx = typeof thing?.getContext === 'function' ? thing.getContext() : null;
        r =
          ctx instanceof Context && !ctx._entered
            ? ctx.run(handler, this, context)
            : handler(this, context);
      }
      // A handler that returns a promise: its rejection is the handler's error.
      if (r instanceof Promise) {
        r.then(undefined, (exc: unknown) => this._handlerFailed(exc, context));
      }
    } catch (exc) {
      if (isInterrupt(exc)) throw exc;
      this._handlerFailed(exc, context);
    }
  }

  /** Reports the error of a custom exception handler, with the context it was given. */
  private _handlerFailed(exc: unknown, context: ExceptionContext): void {
    try {
      this.defaultExceptionHandler({
        message: 'Unhandled error in exception handler',
        exception: exc,
        context,
      });
    } catch (exc2) {
      if (isInterrupt(exc2)) throw exc2;
      logger.error(
        'Exception in default exception handler while handling an unexpected error in custom exception handler',
        exc2,
      );
    }
  }

  // ---- executors and async generators ---------------------------------------

  /**
   * Mirrors `loop.run_in_executor()`: runs `fn(...args)` in `executor`, or
   * with null in the loop's default executor, a pool of worker threads
   * created on first use. A function is shipped to a worker by its source,
   * so it must be self-contained; `fn` may instead be `{ module, export }`.
   * Arguments and result are structured-cloned. Cancelling the Future drops
   * a job not yet started but cannot stop a running one.
   */
  runInExecutor<A extends unknown[], T>(
    executor: Executor | null,
    fn: (...a: A) => T,
    ...args: A
  ): Future<Awaited<T>>;
  runInExecutor<T>(
    executor: Executor | null,
    fn: ModuleFunction,
    ...args: unknown[]
  ): Future<Awaited<T>>;
  runInExecutor(
    executor: Executor | null,
    // biome-ignore lint/suspicious/noExplicitAny: the implementation signature of the overloads above.
    fn: ((...a: any[]) => unknown) | ModuleFunction,
    ...args: unknown[]
  ): Future<unknown> {
    return runInExecutor(this, executor, fn, args);
  }

  /** Mirrors `loop.set_default_executor()`: the executor `runInExecutor(null, ...)` uses. */
  setDefaultExecutor(executor: Executor): void {
    setDefaultExecutor(this, executor);
  }

  /**
   * Mirrors `loop.shutdown_default_executor()`: waits for the default
   * executor's jobs and workers to finish, at most `timeout` seconds (300 by
   * default, null for no limit), then warns and stops waiting. Afterwards
   * `runInExecutor(null, ...)` throws `RuntimeError`.
   */
  shutdownDefaultExecutor(timeout?: number | null): Coroutine<void> {
    return watchCoroutine(shutdownDefaultExecutor(this, timeout), 'shutdownDefaultExecutor');
  }

  /**
   * Mirrors `loop.shutdown_asyncgens()`: closes every async generator still
   * open on this loop, concurrently, running their `finally` blocks; errors
   * go to the exception handler.
   */
  shutdownAsyncgens(): Coroutine<void> {
    return watchCoroutine(shutdownAsyncgensOf(this), 'shutdownAsyncgens');
  }

  // ---- debug ---------------------------------------------------------------

  /** Mirrors `loop.get_debug()`. */
  getDebug(): boolean {
    return this._debug;
  }

  /** Mirrors `loop.set_debug()`: slow-callback warnings and creation sites in reprs and logs. */
  setDebug(enabled: boolean): void {
    this._debug = Boolean(enabled);
    if (this._debug) startWatchingCoroutineMethods();
  }

  /** Mirrors `repr(loop)`: whether it is running, closed and in debug mode. */
  toString(): string {
    return `<EventLoop running=${this._running} closed=${this._closed} debug=${this._debug}>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ---- internals shared with Future and @x/tasks ----------------------------

  /** Seam (`LoopInternals`): Throws the RuntimeError CPython's `_check_closed` throws. */
  _checkClosed(): void {
    if (this._closed) throw new RuntimeError('Event loop is closed');
  }

  /** @internal */
  _checkRunning(): void {
    if (this._running) throw new RuntimeError('This event loop is already running');
    if (running.loop !== null)
      throw new RuntimeError('Cannot run the event loop while another loop is running');
  }

  /** Seam (`LoopInternals`): Queues `target._run(arg)` for the next iteration. The caller checks `_checkClosed`. */
  _push(target: Runnable, arg: unknown): void {
    this._ready.push(target, arg);
    if (this._host >= HOST_TIMER) this._wake();
  }

  /** Seam (`LoopInternals`): `callSoon` with an explicit context and no checks of the callback. */
  _callSoonWith(cb: Callback, args: unknown[] | null, context: Context | null): Handle {
    this._checkClosed();
    return this._newHandle(cb, args, context);
  }

  /** Queues a new Handle; the caller has checked the loop and the callback. */
  private _newHandle(cb: Callback, args: unknown[] | null, context: Context | null): Handle {
    const h = new Handle(cb, args, this, context);
    if (this._debug) {
      h._sourceTraceback = captureCreationSite();
      this._push(h, undefined);
      return h;
    }
    // The queue keeps the callback, not the Handle: a Handle the caller
    // drops dies young instead of being copied by the collector (W1).
    const ctx = h._ctx;
    this._ready.pushCall(cb, args, ctx, args === null && ctx === EMPTY, h);
    if (this._host >= HOST_TIMER) this._wake();
    return h;
  }

  /** @internal (`CallRunner`) Runs a callback queued by `pushCall`, as `Handle._run` does. */
  _runCall(cb: unknown, args: unknown[] | null, ctx: unknown): void {
    const o = this._callOwner;
    const start = ctx === undefined ? EMPTY : (ctx as Context);
    o._ctx = start;
    let r: unknown;
    try {
      r = runCall(o, cb as Callback, args);
    } catch (exc) {
      if (isInterrupt(exc)) throw exc;
      const q = this._ready;
      this._reportCall(exc, cb as Callback, args, o._ctx, q.runningBlock, q.runningPos);
      return;
    } finally {
      if (o._ctx !== start) {
        // What the callback set stays its Handle's context (CPython's
        // `handle.get_context()` after the run); no Token made there may
        // belong to the next callback's context.
        this._ready.keepContext(o._ctx);
        this._callOwner = { _ctx: EMPTY };
      }
    }
    if (r instanceof Promise) {
      const end = o._ctx;
      const q = this._ready;
      const block = q.runningBlock;
      const pos = q.runningPos;
      r.then(undefined, (exc: unknown) =>
        this._reportCall(exc, cb as Callback, args, end, block, pos),
      );
    }
  }

  private _reportCall(
    exc: unknown,
    cb: Callback,
    args: unknown[] | null,
    ctx: ContextOwner['_ctx'],
    block: unknown[] | null,
    pos: number,
  ): void {
    handleForReport(this, cb, args, ctx, block, pos)._report(exc, cb, args);
  }

  /** @internal (`CallRunner`) */
  _handleFor(
    cb: unknown,
    args: unknown[] | null,
    ctx: unknown,
    block: unknown[],
    pos: number,
  ): Runnable {
    return handleForReport(this, cb as Callback, args, (ctx ?? EMPTY) as Context, block, pos);
  }

  /** Seam (`LoopInternals`): Mirrors `_timer_handle_cancelled`. */
  _timerHandleCancelled(t: TimerEntry): void {
    if (t._scheduled) this._timerCancelledCount++;
  }

  private _callAt(when: number, cb: Callback, args: unknown[] | null, method: string): TimerHandle {
    this._checkClosed();
    checkCallback(cb, method);
    const t = new TimerHandle(when, cb, args, this, null);
    if (this._debug) t._sourceTraceback = captureCreationSite();
    this._scheduleTimer(t, when, this._seq++);
    return t;
  }

  /**
   * Seam (`LoopInternals`): Schedules `t._run(undefined)` at `when` (in `loop.time()`
   * seconds) for an object that is its own timer: a sleep of `@x/tasks`
   * costs no TimerHandle. Cancelling it is the caller's: set `_cancelled`
   * after `_timerHandleCancelled(t)`.
   */
  _addTimerEntry(t: TimerEntry, when: number): void {
    this._checkClosed();
    this._scheduleTimer(t, when, this._seq++);
  }

  /** Puts a timer in the heap; the caller has checked the loop. */
  private _scheduleTimer(t: TimerEntry, when: number, seq: number): void {
    this._timers.push(t, when, seq);
    t._scheduled = true;
    if (this._host >= HOST_TIMER) this._wake();
  }

  /** @internal For VirtualClock: true while the loop waits for its next timer. */
  _waitsForTimer(): boolean {
    return this._host === HOST_TIMER;
  }

  /** @internal For VirtualClock: time jumped, or real-time work ended; look again. */
  _clockChanged(): void {
    this._wake();
  }

  /** Something was scheduled while the loop waits for the host: run again soon. */
  private _wake(): void {
    if (this._host < HOST_TIMER) return;
    if (this._hostTimer !== null) {
      clearHostTimer(this._hostTimer);
      this._hostTimer = null;
    }
    this._host = HOST_SOON;
    queueMicrotask(this._sliceFn);
  }

  /** Runs iterations until the time slice is used up, the loop must wait, or it stops. */
  private _slice(): void {
    if (!this._running) return;
    this._host = HOST_NONE;
    if (this._hostTimer !== null) {
      clearHostTimer(this._hostTimer);
      this._hostTimer = null;
    }
    const ready = this._ready;
    const timers = this._timers;
    const deadline = perf.now() + SLICE_MS;
    let n = 0;
    try {
      for (;;) {
        if (this._batch === 0) {
          // The start of an iteration (`_run_once`): tidy the timer heap.
          const count = timers.size;
          if (
            count > MIN_SCHEDULED_TIMER_HANDLES &&
            this._timerCancelledCount / count > MIN_CANCELLED_TIMER_HANDLES_FRACTION
          ) {
            timers.removeCancelled();
            this._timerCancelledCount = 0;
          } else {
            let top = timers.peek();
            while (top?._cancelled) {
              this._timerCancelledCount--;
              timers.pop();
              top._scheduled = false;
              top = timers.peek();
            }
          }
          // Nothing ready: the equivalent of the selector's wait.
          if (ready.length === 0 && !this._stopping) {
            const top = timers.peek();
            if (top === undefined) {
              this._host = HOST_IDLE;
              return;
            }
            const wait = timers.peekWhen() - this.time();
            if (wait > 0) {
              this._host = HOST_TIMER;
              if (this._virtualClock !== null) {
                this._virtualClock._idle(this);
                return;
              }
              if (wait !== Number.POSITIVE_INFINITY) {
                this._hostTimer = hostTimer(
                  this._sliceFn,
                  Math.min(Math.ceil(wait * 1000), MAX_HOST_DELAY_MS),
                );
              }
              return;
            }
          }
          // Read the clock only when a timer could be due: with no timers,
          // reading it is most of the cost of an iteration (a task that
          // yields in a loop).
          if (timers.size > 0) timers.moveDue(this.time() + CLOCK_RESOLUTION, ready);
          this._batch = ready.length;
        }
        // Run the callbacks that were ready when the iteration started.
        while (this._batch > 0) {
          this._batch--;
          if (this._debug) this._runDebug();
          else ready.runFirst();
          if (++n === CHECK_EVERY) {
            n = 0;
            if (this._batch > 0 && perf.now() >= deadline) {
              this._yieldToHost(false);
              return;
            }
          }
        }
        if (this._stopping) {
          this._finish(null, false);
          return;
        }
        if (this._microtaskWanted || this._hostWaiters > 0) {
          this._microtaskWanted = false;
          this._yieldToHost(perf.now() < deadline);
          return;
        }
        if (++n === CHECK_EVERY) {
          n = 0;
          if (perf.now() >= deadline) {
            this._yieldToHost(false);
            return;
          }
        }
      }
    } catch (exc) {
      // Only interrupts escape a Handle; anything else is a bug in the loop,
      // and rejecting the run with it is better than losing it.
      this._finish(exc, true);
    }
  }

  private _yieldToHost(microtask: boolean): void {
    this._host = HOST_SOON;
    if (microtask) queueMicrotask(this._hopFn);
    else hostSoon(this._sliceFn);
  }

  private _runDebug(): void {
    const target = this._ready.peekTarget() as Runnable;
    this._currentHandle = target;
    const t0 = this.time();
    try {
      this._ready.runFirst();
    } finally {
      this._currentHandle = null;
    }
    const dt = this.time() - t0;
    if (dt >= this.slowCallbackDuration) {
      logger.warning(`Executing ${String(target)} took ${dt.toFixed(3)} seconds`);
    }
  }

  private _finish(exc: unknown, failed: boolean): void {
    this._stopping = false;
    this._running = false;
    this._batch = 0;
    this._host = HOST_NONE;
    if (running.loop === this) running.loop = null;
    // No host timer to clear: only _slice() calls this, after clearing it, and
    // _slice() sets one only when it returns to wait.
    if (this._keepAlive !== null) {
      clearInterval(this._keepAlive);
      this._keepAlive = null;
    }
    const resolve = this._resolveRun;
    const reject = this._rejectRun;
    this._resolveRun = null;
    this._rejectRun = null;
    if (failed) reject?.(exc);
    else resolve?.();
  }
}

refuseUnbound(EventLoop);
refuseAwait(shutdownDefaultExecutor, 'shutdownDefaultExecutor');
refuseAwait(shutdownAsyncgensOf, 'shutdownAsyncgens');
