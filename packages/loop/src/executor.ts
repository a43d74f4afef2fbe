/**
 * The default executor and `loop.run_in_executor()`, after CPython's
 * `concurrent.futures.thread` and `BaseEventLoop.run_in_executor()`.
 *
 * CPython's default executor is a thread pool whose threads share the
 * interpreter's memory. JavaScript threads share nothing: the default
 * executor here is a pool of `worker_threads`, so a function travels to a
 * worker as its source text and its arguments and result are structured
 * clones. `node:worker_threads` is imported on first use only, so that this
 * package still loads where there are no workers.
 */
import { isCoroutineFunction } from './coroutines.js';
import { CancelledError, isInterrupt, RuntimeError } from './errors.js';
import { shortRepr } from './format.js';
import type { Future } from './future.js';
import { logger } from './log.js';
import type { EventLoop } from './loop.js';
import { wrapPromise } from './promise.js';
import type { Coroutine, Executor } from './types.js';

/**
 * A named export of a module, to run in a worker instead of a function
 * shipped by its source: `{ module: new URL('./jobs.js', import.meta.url), export: 'hash' }`.
 * A string that is not a URL is a path (relative to the current directory)
 * or a bare package name resolved from the current directory.
 */
export interface ModuleFunction {
  /** The module to import in the worker: a specifier or a URL. */
  module: string | URL;
  /** The name of the function the module exports. */
  export: string;
}

/** What `WorkerPoolExecutor.submit()` returns: a promise of the result that can drop a job not yet started. */
export interface ExecutorJob<T> extends Promise<T> {
  /**
   * Mirrors `concurrent.futures.Future.cancel()`: drops the job if no worker
   * has started it (the promise then rejects with `CancelledError`) and
   * returns true; a running or finished job cannot be stopped: false.
   */
  cancel(): boolean;
}

// The script every worker runs. It is CommonJS (an `eval` worker), so that
// it needs no file of its own next to the compiled package.
const WORKER_SOURCE = `'use strict';
const { parentPort } = require('node:worker_threads');
const cache = new Map();
const HINT = 'runInExecutor() ships a function to a worker by its source (fn.toString()), so it must be a self-contained function expression: it cannot use variables of the scope it was written in (pass them as arguments), and a method needs its object. Or pass { module, export } to run a named export of a module.';
function compile(src) {
  let fn = cache.get(src);
  if (fn !== undefined) return fn;
  try {
    fn = (0, eval)('(' + src + '\\n)');
  } catch (e) {
    try {
      // A method written with the shorthand syntax: name(a) { ... }
      const holder = (0, eval)('({' + src + '\\n})');
      const d = Object.values(Object.getOwnPropertyDescriptors(holder))[0];
      fn = d.value ?? d.get ?? d.set;
    } catch {
      throw new TypeError('the function could not be evaluated in the worker (' + String(e && e.message) + '). ' + HINT);
    }
  }
  if (typeof fn !== 'function') throw new TypeError('the source shipped to the worker is not a function. ' + HINT);
  if (cache.size >= 256) cache.delete(cache.keys().next().value);
  cache.set(src, fn);
  return fn;
}
function toSpecifier(m) {
  // A path is relative to the current directory; URLs and package names go to import() as they are.
  const path = require('node:path');
  if (path.isAbsolute(m) || m.startsWith('./') || m.startsWith('../') || m === '.' || m === '..') {
    return require('node:url').pathToFileURL(path.resolve(m)).href;
  }
  return m;
}
function describe(e) {
  if (e !== null && typeof e === 'object' && typeof e.message === 'string') {
    const error = { name: String(e.name || 'Error'), message: e.message, stack: typeof e.stack === 'string' ? e.stack : undefined };
    if (e.code !== undefined && (typeof e.code === 'string' || typeof e.code === 'number')) error.code = e.code;
    return { error };
  }
  return { thrown: e };
}
function fail(id, e) {
  try {
    parentPort.postMessage({ id, ok: false, ...describe(e) });
  } catch {
    parentPort.postMessage({ id, ok: false, thrown: String(e) });
  }
}
parentPort.on('message', async (msg) => {
  const id = msg.id;
  let value;
  try {
    let fn;
    if (msg.src !== undefined) {
      fn = compile(msg.src);
    } else {
      const mod = await import(toSpecifier(msg.module));
      fn = mod[msg.export];
      if (typeof fn !== 'function') throw new TypeError('the module ' + msg.module + ' has no function exported as ' + JSON.stringify(msg.export));
    }
    value = await fn(...msg.args);
  } catch (e) {
    fail(id, e);
    return;
  }
  try {
    parentPort.postMessage({ id, ok: true, value });
  } catch (e) {
    fail(id, new TypeError('the result of the function could not be sent back from the worker: ' + String(e && e.message) + ' (results are structured-cloned: no functions, class instances lose their class)'));
  }
});
`;

interface WorkerLike {
  postMessage(msg: unknown): void;
  on(event: string, cb: (arg: any) => void): unknown;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}
interface WorkerThreads {
  Worker: new (src: string, options: { eval: boolean }) => WorkerLike;
}

type JobMessage = { id: number; args: unknown[] } & (
  | { src: string }
  | { module: string; export: string }
);

interface Job {
  msg: JobMessage;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  state: 'queued' | 'running' | 'done';
}

interface PoolWorker {
  worker: WorkerLike;
  job: Job | null;
  stopping: boolean;
}

const BUILTIN_ERRORS: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** Rebuilds an error thrown in a worker: same name, message and stack (the worker's). */
function reviveError(e: { name: string; message: string; stack?: string; code?: unknown }): Error {
  const Ctor = BUILTIN_ERRORS[e.name] ?? Error;
  const err = new Ctor(e.message);
  if (err.name !== e.name) {
    Object.defineProperty(err, 'name', {
      value: e.name,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  if (e.stack !== undefined) err.stack = e.stack;
  if (e.code !== undefined) (err as { code?: unknown }).code = e.code;
  return err;
}

/**
 * Validates what `runInExecutor` and `submit` take and, with `shipped`,
 * turns it into a message for a worker (which needs the function's source).
 */
function describeFunction(fn: unknown, method: string, shipped = true): JobMessage | null {
  if (isCoroutineFunction(fn)) {
    throw new TypeError(
      `coroutines cannot be used with ${method}(): an executor runs plain functions; run a coroutine with createTask()`,
    );
  }
  if (typeof fn === 'function') {
    if (!shipped) return null;
    const src = Function.prototype.toString.call(fn);
    if (/\{\s*\[native code\]\s*\}\s*$/.test(src)) {
      throw new TypeError(
        `${method}() ships a function to a worker by its source, and ${fn.name || 'this function'} has none (a built-in or bound function): wrap the call in a self-contained function, or pass { module, export }`,
      );
    }
    return { id: 0, args: [], src };
  }
  if (fn !== null && typeof fn === 'object' && 'module' in fn && 'export' in fn) {
    const m = (fn as ModuleFunction).module;
    const name = (fn as ModuleFunction).export;
    if ((typeof m === 'string' || m instanceof URL) && typeof name === 'string') {
      return { id: 0, args: [], module: String(m), export: name };
    }
  }
  throw new TypeError(
    `${method}() needs a function or { module: string | URL, export: string }, got ${shortRepr(fn)}`,
  );
}

/**
 * The default executor of `runInExecutor(null, ...)`: a pool of worker
 * threads, the JavaScript counterpart of CPython's `ThreadPoolExecutor`.
 * Workers start when jobs need them, up to `maxWorkers` (the number of cores
 * by default); an idle worker does not keep the process alive.
 *
 * Functions are shipped by their source (`fn.toString()`), so they must be
 * self-contained; arguments and results are structured-cloned. An error
 * thrown in the worker rejects the job with an error of the same name,
 * message and stack.
 */
export class WorkerPoolExecutor implements Executor {
  private _max: number;
  private _queue: Job[] = [];
  private _workers = new Set<PoolWorker>();
  private _idle: PoolWorker[] = [];
  private _nextId = 1;
  private _shutdown = false;
  private _threads: WorkerThreads | null = null;
  private _loadError: RuntimeError | null = null;
  private _loading = false;
  private _finished: Promise<void> | null = null;
  private _resolveFinished: (() => void) | null = null;

  constructor(options?: { maxWorkers?: number }) {
    const max = options?.maxWorkers;
    if (max !== undefined && (!Number.isInteger(max) || max <= 0)) {
      throw new RangeError(`maxWorkers must be a positive integer, got ${String(max)}`);
    }
    this._max = max ?? 0; // 0: the number of cores, known once the module has loaded
  }

  /**
   * Mirrors `Executor.submit()`: runs `fn(...args)` in a worker. `fn` may be
   * `{ module, export }` instead of a function. The promise rejects with
   * `RuntimeError` after `shutdown()`.
   */
  submit<T>(fn: ((...a: any[]) => T) | ModuleFunction, args: unknown[]): ExecutorJob<Awaited<T>> {
    let job: Job | null = null;
    const p = new Promise<Awaited<T>>((resolve, reject) => {
      if (this._shutdown) {
        reject(new RuntimeError('cannot schedule new futures after shutdown'));
        return;
      }
      let msg: JobMessage;
      try {
        msg = describeFunction(fn, 'submit') as JobMessage;
      } catch (e) {
        reject(e);
        return;
      }
      msg.id = this._nextId++;
      msg.args = Array.isArray(args) ? args : [];
      job = { msg, resolve: resolve as (v: unknown) => void, reject, state: 'queued' };
    }) as ExecutorJob<Awaited<T>>;
    p.cancel = () => {
      if (job === null || job.state !== 'queued') return false;
      const i = this._queue.indexOf(job);
      if (i >= 0) this._queue.splice(i, 1);
      job.state = 'done';
      job.reject(new CancelledError());
      this._maybeFinish();
      return true;
    };
    if (job !== null) {
      this._queue.push(job);
      this._dispatch();
    }
    return p;
  }

  /**
   * Mirrors `Executor.shutdown()`: no new jobs are accepted; the jobs already
   * submitted still run, then the workers exit. With `wait` the promise
   * settles once they have; without, at once.
   */
  shutdown(wait = true): Promise<void> {
    this._shutdown = true;
    if (this._finished === null) {
      this._finished = new Promise<void>((resolve) => {
        this._resolveFinished = resolve;
      });
    }
    this._maybeFinish();
    return wait ? this._finished : Promise.resolve();
  }

  private _dispatch(): void {
    if (this._threads === null) {
      if (this._loadError !== null) this._failQueued(this._loadError);
      else this._load();
      return;
    }
    while (this._queue.length > 0) {
      let pw: PoolWorker | null = this._idle.pop() ?? null;
      if (pw === null) {
        if (this._workers.size >= this._max) return;
        pw = this._spawn(this._threads);
        if (pw === null) return;
      }
      const job = this._queue.shift() as Job;
      this._start(pw, job);
    }
  }

  private _load(): void {
    if (this._loading) return;
    this._loading = true;
    Promise.all([import('node:worker_threads'), import('node:os')]).then(
      ([wt, os]) => {
        this._loading = false;
        this._threads = wt as unknown as WorkerThreads;
        if (this._max === 0) {
          const cores =
            typeof os.availableParallelism === 'function'
              ? os.availableParallelism()
              : os.cpus().length;
          this._max = Math.max(1, cores);
        }
        this._dispatch();
      },
      (e: unknown) => {
        this._loading = false;
        this._loadError = new RuntimeError(
          'the default executor needs worker threads, and this host has none (node:worker_threads could not be loaded): pass an Executor of your own to runInExecutor() or setDefaultExecutor()',
          { cause: e },
        );
        this._failQueued(this._loadError);
      },
    );
  }

  private _failQueued(e: Error): void {
    const jobs = this._queue;
    this._queue = [];
    for (const job of jobs) {
      job.state = 'done';
      job.reject(e);
    }
    this._maybeFinish();
  }

  private _spawn(wt: WorkerThreads): PoolWorker | null {
    let worker: WorkerLike;
    try {
      worker = new wt.Worker(WORKER_SOURCE, { eval: true });
    } catch (e) {
      if (this._workers.size === 0) {
        this._failQueued(new RuntimeError('could not start a worker thread', { cause: e }));
      }
      return null;
    }
    const pw: PoolWorker = { worker, job: null, stopping: false };
    this._workers.add(pw);
    worker.on(
      'message',
      (m: { id: number; ok: boolean; value?: unknown; error?: never; thrown?: unknown }) => {
        const job = pw.job;
        if (job === null || job.msg.id !== m.id) return;
        pw.job = null;
        job.state = 'done';
        if (m.ok) job.resolve(m.value);
        else if (m.error !== undefined) job.reject(reviveError(m.error));
        else job.reject(m.thrown);
        this._release(pw);
      },
    );
    worker.on('error', (e: unknown) => {
      // The worker is dying (an uncaught error outside the job's promise).
      const job = pw.job;
      if (job !== null) {
        pw.job = null;
        job.state = 'done';
        job.reject(e);
      }
    });
    worker.on('exit', (code: number) => {
      this._workers.delete(pw);
      const i = this._idle.indexOf(pw);
      if (i >= 0) this._idle.splice(i, 1);
      const job = pw.job;
      if (job !== null) {
        pw.job = null;
        job.state = 'done';
        job.reject(
          new RuntimeError(
            `the worker running the job exited unexpectedly (exit code ${code}); the pool replaces it`,
          ),
        );
      }
      if (!pw.stopping) this._dispatch();
      this._maybeFinish();
    });
    return pw;
  }

  private _start(pw: PoolWorker, job: Job): void {
    pw.job = job;
    job.state = 'running';
    // A busy worker keeps the process alive, as a running thread would.
    pw.worker.ref();
    try {
      pw.worker.postMessage(job.msg);
    } catch (e) {
      // The arguments could not be cloned.
      pw.job = null;
      job.state = 'done';
      job.reject(e);
      this._release(pw);
    }
  }

  private _release(pw: PoolWorker): void {
    if (this._queue.length > 0) {
      this._start(pw, this._queue.shift() as Job);
      return;
    }
    pw.worker.unref();
    this._idle.push(pw);
    this._maybeFinish();
  }

  private _maybeFinish(): void {
    if (!this._shutdown || this._queue.length > 0 || this._loading) return;
    for (const pw of this._workers) if (pw.job !== null) return;
    const stopping: Promise<unknown>[] = [];
    for (const pw of this._workers) {
      pw.stopping = true;
      stopping.push(pw.worker.terminate().catch(() => undefined));
    }
    this._workers.clear();
    this._idle = [];
    const resolve = this._resolveFinished;
    if (resolve !== null) {
      this._resolveFinished = null;
      void Promise.all(stopping).then(() => resolve());
    }
  }
}

function isExecutor(x: unknown): x is Executor {
  return (
    x !== null &&
    typeof x === 'object' &&
    typeof (x as Executor).submit === 'function' &&
    typeof (x as Executor).shutdown === 'function'
  );
}

/** @internal `loop.setDefaultExecutor()`. */
export function setDefaultExecutor(loop: EventLoop, executor: Executor): void {
  if (!isExecutor(executor)) {
    throw new TypeError(
      `executor must be an Executor (an object with submit(fn, args) and shutdown(wait) methods), got ${shortRepr(executor)}`,
    );
  }
  loop._defaultExecutor = executor;
}

/** @internal `loop.runInExecutor()`. */
export function runInExecutor<T>(
  loop: EventLoop,
  executor: Executor | null | undefined,
  fn: ((...a: any[]) => T) | ModuleFunction,
  args: unknown[],
): Future<Awaited<T>> {
  loop._checkClosed();
  describeFunction(fn, 'runInExecutor', false);
  let ex = executor;
  if (ex === null || ex === undefined) {
    if (loop._executorShutdownCalled) throw new RuntimeError('Executor shutdown has been called');
    ex = loop._defaultExecutor;
    if (ex === null) {
      ex = new WorkerPoolExecutor();
      loop._defaultExecutor = ex;
    }
  } else if (!isExecutor(ex)) {
    throw new TypeError(
      `executor must be an Executor (an object with submit(fn, args) and shutdown(wait) methods) or null for the default one, got ${shortRepr(ex)}`,
    );
  }
  // A function without source fails at once rather than in the worker.
  if (ex instanceof WorkerPoolExecutor) describeFunction(fn, 'runInExecutor');
  const job = ex.submit(fn as (...a: any[]) => T, args) as PromiseLike<Awaited<T>> & {
    cancel?: () => unknown;
  };
  const fut = wrapPromise(job, loop, true);
  if (typeof job.cancel === 'function') {
    // As `wrap_future`: cancelling the asyncio future cancels the concurrent one.
    fut.addDoneCallback((f) => {
      if (f.cancelled()) (job.cancel as () => unknown)();
    });
  }
  return fut;
}

/** @internal `loop.shutdownDefaultExecutor()`. */
export function* shutdownDefaultExecutor(
  loop: EventLoop,
  timeout: number | null = 300,
): Coroutine<void> {
  if (timeout !== null && (typeof timeout !== 'number' || Number.isNaN(timeout))) {
    throw new TypeError(
      `timeout must be a number of seconds or null (no limit), got ${shortRepr(timeout)}`,
    );
  }
  loop._executorShutdownCalled = true;
  const executor = loop._defaultExecutor;
  if (executor === null) return;
  const done = wrapPromise(
    Promise.resolve().then(() => executor.shutdown(true)),
    loop,
    true,
  );
  let timedOut = false;
  const timer =
    timeout === null
      ? null
      : loop.callLater(timeout, () => {
          if (!done.done()) {
            timedOut = true;
            done.cancel();
          }
        });
  try {
    yield* done;
  } catch (e) {
    if (!(timedOut && e instanceof CancelledError)) throw e;
    logger.warning(`The executor did not finishing joining its threads within ${timeout} seconds.`);
    shutdownWithoutWaiting(executor);
  } finally {
    timer?.cancel();
  }
}

/** @internal What `loop.close()` does with the default executor: shut it down without waiting. */
export function closeDefaultExecutor(loop: EventLoop): void {
  const executor = loop._defaultExecutor;
  if (executor === null) return;
  loop._defaultExecutor = null;
  shutdownWithoutWaiting(executor);
}

/** `executor.shutdown(false)`, whose failure nobody can await: it is logged. */
function shutdownWithoutWaiting(executor: Executor): void {
  try {
    void Promise.resolve(executor.shutdown(false)).then(undefined, (e: unknown) =>
      logger.error('Error while shutting down the default executor', e),
    );
  } catch (e) {
    if (isInterrupt(e)) throw e;
    logger.error('Error while shutting down the default executor', e);
  }
}
