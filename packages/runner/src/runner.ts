/**
 * `Runner`, after CPython's `asyncio/runners.py` (3.14), line by line where
 * JavaScript allows: `with Runner() as r:` becomes `await using r = new Runner()`
 * (or `try { ... } finally { await r.close() }`), and each method that runs
 * the loop returns a Promise.
 */
import { constants } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import {
  CancelledError,
  type Context,
  type Coroutine,
  copyContext,
  EventLoop,
  type Future,
  getRunningLoopOrNull,
  isCoroutine,
  KeyboardInterrupt,
  newEventLoop,
  RuntimeError,
  setEventLoop,
  type TimerHandle,
  ValueError,
} from '@x/loop';
import { isPromiseLike, shortRepr } from '@x/loop/internal';
import { removeSignalHandler, SignalExit } from '@x/signals';
import { addSignalListener, checkSignal, signalHandlerCallback } from '@x/signals/internal';
import { ensureFuture, type Task } from '@x/tasks';
import { abandon, cancelAllTasks, runShutdownStep } from './cancel-all-tasks.js';
import { endUncaughtInterruptsBySignal } from './uncaught-interrupt.js';

/**
 * What `run()`, `Runner` and `runMain()` take as the program's main coroutine.
 *
 * @example
 * ```ts
 * runMain(main);                              // the function
 * runMain(main());                            // or its coroutine
 * await run(Promise.resolve('a promise works too'));
 * ```
 */
export type Main<T> = Coroutine<T> | PromiseLike<T> | (() => Coroutine<T> | PromiseLike<T>);

/**
 * The options of `run()`, `new Runner()` and `runMain()`: asyncio's keyword arguments, and more.
 *
 * @example
 * ```ts
 * const options: RunnerOptions = { debug: true, signals: ['SIGINT', 'SIGTERM'], shutdownTimeout: 5 };
 * await run(main(), options);                 // asyncio.run(main(), debug=True)
 * ```
 */
export interface RunnerOptions {
  /** True/false set the loop's debug mode; unset leaves it to `XASYNC_DEBUG` (asyncio's `debug=None`). */
  debug?: boolean | null;
  /** Makes the loop (asyncio's `loop_factory`); such a loop is not set as the current loop. */
  loopFactory?: (() => EventLoop) | null;
  /** The signals that cancel the main task while `run()` runs. Default `['SIGINT']`. */
  signals?: readonly NodeJS.Signals[];
  /**
   * Seconds that each shutdown step may take before what is still running is
   * reported and abandoned. Default null: wait as long as it takes, as asyncio.
   */
  shutdownTimeout?: number | null;
}

const CREATED = 0;
const INITIALIZED = 1;
const CLOSED = 2;

/** CPython's `constants.THREAD_JOIN_TIMEOUT`: how long `close()` waits for the default executor. */
const THREAD_JOIN_TIMEOUT = 300;

/** The error that a signal turns into: `KeyboardInterrupt` for SIGINT, as Python. */
function signalError(sig: NodeJS.Signals, cause?: unknown): KeyboardInterrupt | SignalExit {
  const options = cause === undefined ? undefined : { cause };
  return sig === 'SIGINT' ? new KeyboardInterrupt('', options) : new SignalExit(sig, options);
}

function* callMain<T>(fn: () => Coroutine<T> | PromiseLike<T>): Coroutine<T> {
  const aw: unknown = fn();
  if (isCoroutine(aw)) return yield* aw as Coroutine<T>;
  if (isPromiseLike(aw)) return yield* ensureFuture(aw as PromiseLike<T>);
  throw new TypeError(
    `a coroutine was expected, got ${shortRepr(aw)} from ${fn.name ? `${fn.name}()` : 'the main function'}: an asyncio.Future, a coroutine or an awaitable is required`,
  );
}

function* awaitMain<T>(aw: PromiseLike<T>): Coroutine<T> {
  return yield* ensureFuture(aw);
}

/**
 * What the main task runs. CPython 3.14 wraps any awaitable in a coroutine;
 * a function is called inside the main task, so that it starts with the
 * loop running and in the runner's context.
 */
function toCoroutine<T>(main: Main<T>): Coroutine<T> {
  if (isCoroutine(main)) return main as Coroutine<T>;
  if (typeof main === 'function') return callMain(main);
  if (isPromiseLike(main)) return awaitMain(main);
  throw new TypeError(
    `a coroutine was expected, got ${shortRepr(main)}: an asyncio.Future, a coroutine or an awaitable is required (or a function returning one)`,
  );
}

function checkOptions(options: RunnerOptions | undefined): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object') {
    throw new TypeError(`options must be an object, got ${shortRepr(options)}`);
  }
  const { debug, loopFactory, signals, shutdownTimeout } = options;
  if (debug !== undefined && debug !== null && typeof debug !== 'boolean') {
    throw new TypeError(`debug must be true, false or null, got ${shortRepr(debug)}`);
  }
  if (loopFactory !== undefined && loopFactory !== null && typeof loopFactory !== 'function') {
    throw new TypeError(
      `loopFactory must be a function returning an EventLoop, got ${shortRepr(loopFactory)}`,
    );
  }
  if (signals !== undefined) {
    if (!Array.isArray(signals)) {
      throw new TypeError(
        `signals must be an array of signal names such as ['SIGINT', 'SIGTERM'], got ${shortRepr(signals)}`,
      );
    }
    for (const sig of signals) {
      checkSignal(sig);
      if (sig === 'SIGKILL' || sig === 'SIGSTOP') {
        throw new ValueError(
          `sig ${constants.signals[sig]} cannot be caught: ${sig} cannot be in signals`,
        );
      }
    }
  }
  if (shutdownTimeout !== undefined && shutdownTimeout !== null) {
    if (typeof shutdownTimeout !== 'number' || Number.isNaN(shutdownTimeout)) {
      throw new TypeError(
        `shutdownTimeout must be a number of seconds or null (no limit), got ${shortRepr(shutdownTimeout)}`,
      );
    }
    if (shutdownTimeout < 0) {
      throw new ValueError(`shutdownTimeout must be >= 0 seconds, got ${shutdownTimeout}`);
    }
  }
}

/**
 * Mirrors `asyncio.Runner`: owns an event loop, runs main coroutines on it
 * (as many times as wanted, in one context), and shuts it down properly.
 *
 * @example
 * ```ts
 * // Python: with asyncio.Runner() as runner:
 * //             runner.run(setup())
 * //             runner.run(serve())
 * await using runner = new Runner();
 * await runner.run(setup());
 * await runner.run(serve);
 * ```
 *
 * Nothing is created before the first `run()` or `getLoop()`. While `run()`
 * runs, SIGINT (and the other `signals`) cancel the main task: see `run()`.
 */
export class Runner {
  /** @internal */ _state: 0 | 1 | 2 = CREATED;
  /** @internal */ _debug: boolean | null;
  /** @internal */ _loopFactory: (() => EventLoop) | null;
  /** @internal */ _loop: EventLoop | null = null;
  /** @internal */ _context: Context | null = null;
  /** @internal */ _interruptCount = 0;
  /** @internal */ _setEventLoop = false;
  /** @internal */ _signals: readonly NodeJS.Signals[];
  /** @internal */ _shutdownTimeout: number | null;
  /** @internal The signal that cancelled the main task of the current run. */
  _interruptSignal: NodeJS.Signals | null = null;
  /** @internal What the current run rejects with at once (a signal it could not deliver by cancelling). */
  _interruptNow: KeyboardInterrupt | SignalExit | null = null;
  /** @internal Counts runs, so that a signal callback left over from an earlier run does nothing. */
  _runId = 0;
  /** @internal */ _activeRun = 0;
  /** @internal What ends the main task's unwinding after a signal, with a `shutdownTimeout`. */
  _unwindTimer: TimerHandle | null = null;
  /** @internal The shutdown in progress, for concurrent `close()` calls. */
  _closing: Promise<void> | null = null;

  constructor(options?: RunnerOptions) {
    checkOptions(options);
    this._debug = options?.debug ?? null;
    this._loopFactory = options?.loopFactory ?? null;
    this._signals = [...new Set(options?.signals ?? (['SIGINT'] as const))];
    this._shutdownTimeout = options?.shutdownTimeout ?? null;
  }

  /**
   * Mirrors `Runner.close()`: cancels every task that is left and waits for
   * them (reporting those that fail while being cancelled), closes the async
   * generators, shuts the default executor down, unsets the current loop if
   * the runner set it, and closes the loop. Closing again does nothing.
   */
  close(): Promise<void> {
    if (this._closing !== null) return this._closing;
    if (this._state !== INITIALIZED) return Promise.resolve();
    const loop = this._loop as EventLoop;
    if (loop.isRunning()) {
      return Promise.reject(
        new RuntimeError(
          'Runner.close() cannot be called while its loop is running: await run() first',
        ),
      );
    }
    this._closing = this._shutdown(loop);
    return this._closing;
  }

  /** `await using runner = new Runner()` closes it at the end of the block: `__exit__`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Mirrors `Runner.get_loop()`: the runner's loop, created on first use. */
  getLoop(): EventLoop {
    this._lazyInit();
    return this._loop as EventLoop;
  }

  /**
   * Mirrors `Runner.run(coro, *, context=None)`: runs `main` in a new main
   * task on the runner's loop, in `context` (by default the runner's own
   * context, shared by every run), and resolves with its result or rejects
   * with its exception.
   *
   * `main` is a coroutine, a PromiseLike, or a function returning one (called
   * inside the main task). Rejects with `RuntimeError` inside a running loop
   * and once the runner is closed.
   *
   * Signals (main thread only, and only those the process has no listener
   * of its own for): the first one cancels the main task, with the signal's
   * name as the message. If the main task ends cancelled, `run()` rejects
   * with `KeyboardInterrupt` (SIGINT) or `SignalExit`; if it swallowed the
   * cancellation and returned, `run()` resolves with its value. A second
   * signal before the main task is done rejects at once.
   */
  run<T>(main: Main<T>, options?: { context?: Context | null }): Promise<T> {
    let task: Task<T>;
    try {
      if (getRunningLoopOrNull() !== null) {
        // Fail fast, as CPython, rather than fail in runUntilComplete().
        throw new RuntimeError('Runner.run() cannot be called from a running event loop');
      }
      this._lazyInit();
      const coro = toCoroutine(main);
      const context = options?.context ?? (this._context as Context);
      task = (this._loop as EventLoop).createTask(coro, { context });
    } catch (e) {
      return Promise.reject(e);
    }
    return this._runMainTask(task);
  }

  /** @internal The part of `run()` from installing the signal handlers on. */
  async _runMainTask<T>(task: Task<T>): Promise<T> {
    const loop = this._loop as EventLoop;
    const runId = ++this._runId;
    const installed: Array<[NodeJS.Signals, () => void]> = [];
    if (isMainThread) {
      for (const sig of this._signals) {
        // CPython installs its SIGINT handler only over `default_int_handler`:
        // a listener means the program handles this signal itself.
        if (process.listenerCount(sig) !== 0) continue;
        const handler = (): void => {
          if (this._activeRun === runId) this._onSignal(sig, task);
        };
        try {
          addSignalListener(loop, sig, handler);
          installed.push([sig, handler]);
        } catch {
          // As CPython when signal.signal() refuses: run without the handler.
        }
      }
    }
    this._resetInterrupts(runId);
    let result: T | undefined;
    let failed = false;
    let error: unknown;
    try {
      result = await loop.runUntilComplete(task);
    } catch (e) {
      failed = true;
      error = e;
    } finally {
      this._activeRun = 0;
      this._unwindTimer?.cancel();
      this._unwindTimer = null;
      for (const [sig, handler] of installed) {
        if (signalHandlerCallback(loop, sig) === handler) removeSignalHandler(loop, sig);
      }
    }
    const now = this._interruptNow;
    if (now !== null) {
      this._interruptNow = null;
      endUncaughtInterruptsBySignal();
      throw now;
    }
    if (!failed) return result as T;
    if (error instanceof KeyboardInterrupt || error instanceof SignalExit) {
      endUncaughtInterruptsBySignal();
    }
    if (error instanceof CancelledError && this._interruptCount > 0) {
      // A task factory may return a Future without `uncancel()`: then the cancellation stands.
      if (typeof task.uncancel === 'function' && task.uncancel() === 0) {
        endUncaughtInterruptsBySignal();
        throw signalError(this._interruptSignal as NodeJS.Signals, error);
      }
    }
    throw error;
  }

  /** @internal A new run: no signal received yet. */
  _resetInterrupts(runId: number): void {
    this._interruptCount = 0;
    this._interruptSignal = null;
    this._interruptNow = null;
    this._activeRun = runId;
  }

  /** @internal Mirrors `Runner._lazy_init()`. */
  _lazyInit(): void {
    if (this._state === CLOSED) throw new RuntimeError('Runner is closed');
    if (this._state === INITIALIZED) return;
    let loop: EventLoop;
    if (this._loopFactory === null) {
      loop = newEventLoop();
      if (!this._setEventLoop) {
        setEventLoop(loop);
        this._setEventLoop = true;
      }
    } else {
      loop = this._loopFactory();
      if (!(loop instanceof EventLoop)) {
        throw new TypeError(`loopFactory must return an EventLoop, got ${shortRepr(loop)}`);
      }
    }
    this._loop = loop;
    if (this._debug !== null) loop.setDebug(this._debug);
    this._context = copyContext();
    this._state = INITIALIZED;
  }

  /**
   * @internal Mirrors `Runner._on_sigint()`, called when the signal arrives:
   * the first signal cancels the main task; another one, or one after the
   * main task is done, stops the loop and makes `run()` reject with it.
   * Both only schedule work on the loop, which wakes up for it.
   */
  _onSignal(sig: NodeJS.Signals, mainTask: Future<unknown>): void {
    this._interruptCount += 1;
    if (this._interruptCount === 1 && !mainTask.done()) {
      this._interruptSignal = sig;
      mainTask.cancel(sig);
      this._boundUnwinding(sig, mainTask);
      return;
    }
    if (this._interruptNow === null) this._interruptNow = signalError(sig);
    (this._loop as EventLoop).stop();
  }

  /**
   * @internal With a `shutdownTimeout`, the main task gets that long to
   * unwind after the signal cancelled it, as every other task gets at
   * shutdown: then it is reported, abandoned, and `run()` rejects with the
   * signal, so that a main task that ignores cancellation cannot keep the
   * program alive.
   */
  _boundUnwinding(sig: NodeJS.Signals, mainTask: Future<unknown>): void {
    const timeout = this._shutdownTimeout;
    if (timeout === null) return;
    const loop = this._loop as EventLoop;
    const runId = this._activeRun;
    const timer = loop.callLater(timeout, () => {
      if (mainTask.done() || this._activeRun !== runId) return;
      abandon(loop, mainTask as Task<unknown>, timeout, `${sig} cancelled it`);
      if (this._interruptNow === null) this._interruptNow = signalError(sig);
      loop.stop();
    });
    this._unwindTimer = timer;
    mainTask.addDoneCallback(() => timer.cancel());
  }

  /** @internal The body of `close()`. */
  async _shutdown(loop: EventLoop): Promise<void> {
    const timeout = this._shutdownTimeout;
    try {
      await cancelAllTasks(loop, timeout);
      await runShutdownStep(
        loop,
        loop.shutdownAsyncgens(),
        timeout,
        'closing the async generators',
      );
      await loop.runUntilComplete(
        loop.shutdownDefaultExecutor(
          timeout === null ? THREAD_JOIN_TIMEOUT : Math.min(timeout, THREAD_JOIN_TIMEOUT),
        ),
      );
    } finally {
      if (this._setEventLoop) setEventLoop(null);
      loop.close();
      this._loop = null;
      this._state = CLOSED;
      this._closing = null;
    }
  }
}
