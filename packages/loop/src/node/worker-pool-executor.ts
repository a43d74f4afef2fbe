/**
 * The worker-thread pool that `@x/loop/node` installs as the default
 * executor, the counterpart of CPython's `concurrent.futures.ThreadPoolExecutor`.
 *
 * CPython's threads share the interpreter's memory; JavaScript threads share
 * nothing, so a function travels to a worker as its source text, and its
 * arguments and result are structured clones. Each worker runs `worker.js`.
 * `node:worker_threads` is imported on first use, so that importing this
 * module costs nothing until a job needs a worker.
 */
import { CancelledError, RuntimeError } from '../errors.js';
import { getRunningLoopOrNull } from '../events.js';
import {
  describeFunction,
  getSubmittingLoop,
  type JobMessage,
  type ModuleFunction,
  SHIPS_BY_SOURCE,
} from '../executor.js';
import { logger } from '../log.js';
import type { EventLoop } from '../loop.js';
import type { Executor } from '../types.js';

/**
 * What `WorkerPoolExecutor.submit()` returns: a promise of the result that
 * can drop a job not yet started, as a `concurrent.futures.Future` can.
 *
 * @example
 * ```ts
 * const job = pool.submit((n: number) => n * 2, [21]);
 * if (!job.cancel()) console.log(await job); // 42: it had started
 * ```
 */
export interface ExecutorJob<T> extends Promise<T> {
  /**
   * Mirrors `concurrent.futures.Future.cancel()`: drops the job if no worker
   * has started it (the promise then rejects with `CancelledError`) and
   * returns true; a running or finished job cannot be stopped: false.
   */
  cancel(): boolean;
}

// The worker's script: a file next to this one, in the source as in the build.
const WORKER_URL = new URL('./worker.js', import.meta.url);

interface WorkerLike {
  postMessage(msg: unknown): void;
  on(event: string, cb: (arg: never) => void): unknown;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}
interface WorkerThreads {
  Worker: new (url: URL, options?: { execArgv: string[] }) => WorkerLike;
}

/**
 * Starts a worker. It inherits the process's Node options, except that
 * `--input-type` (which applies only to `--eval` input, as in
 * `node --input-type=module -e ...`) makes a worker started from a file
 * fail: then the options are given without it, or none if the worker
 * refuses them (V8 flags such as `--expose-gc` are process-wide anyway).
 */
function startWorker(wt: WorkerThreads): WorkerLike {
  const argv = (globalThis as { process?: { execArgv?: string[] } }).process?.execArgv ?? [];
  if (!argv.some((a) => a === '--input-type' || a.startsWith('--input-type='))) {
    return new wt.Worker(WORKER_URL);
  }
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--input-type') i++;
    else if (!a.startsWith('--input-type=')) kept.push(a);
  }
  try {
    return new wt.Worker(WORKER_URL, { execArgv: kept });
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
    return new wt.Worker(WORKER_URL, { execArgv: [] });
  }
}

interface Job {
  msg: JobMessage;
  /** The loop that submitted the job (through runInExecutor, or running at submit()), if any. */
  loop: EventLoop | null;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  state: 'queued' | 'running' | 'done';
}

interface PoolWorker {
  worker: WorkerLike;
  job: Job | null;
  stopping: boolean;
  /** The loop that submitted the worker's latest job: where a later fault of the worker is reported. */
  loop: EventLoop | null;
  /** Whether a fault of this worker has been reported already (its exit then needs no report). */
  reported: boolean;
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

/**
 * A fault of a worker that no job awaits goes to the exception handler of the
 * loop that gave it its last job, as an error in a callback would; without
 * an open loop, to the logger.
 */
function reportFault(loop: EventLoop | null, message: string, exception: unknown): void {
  if (loop !== null && !loop.isClosed()) {
    loop.callExceptionHandler(exception === undefined ? { message } : { message, exception });
  } else {
    logger.error(message, exception);
  }
}

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
 * The default executor of `runInExecutor(null, ...)`: a pool of worker
 * threads, the JavaScript counterpart of CPython's `ThreadPoolExecutor`.
 * Workers start when jobs need them, up to `maxWorkers` (the number of cores
 * by default); an idle worker does not keep the process alive.
 *
 * Functions are shipped by their source (`fn.toString()`), so they must be
 * self-contained; arguments and results are structured-cloned. An error
 * thrown in the worker rejects the job with an error of the same name,
 * message and stack. A worker that fails after its job returned (a timer
 * that throws, a rejection nobody handles) is reported to the exception
 * handler of the loop that gave it the job, and replaced.
 *
 * @example
 * ```ts
 * // WorkerPoolExecutor comes from this entry point, @x/loop/node.
 * loop.setDefaultExecutor(new WorkerPoolExecutor({ maxWorkers: 2 }));
 * const n = yield* loop.runInExecutor(null, (a: number, b: number) => a * b, 6, 7);
 * ```
 */
export class WorkerPoolExecutor implements Executor {
  /** @internal Functions without source are refused at `runInExecutor()`. */
  readonly [SHIPS_BY_SOURCE] = true;
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
  submit<T>(fn: ((...a: never[]) => T) | ModuleFunction, args: unknown[]): ExecutorJob<Awaited<T>> {
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
      job = {
        msg,
        loop: getSubmittingLoop() ?? getRunningLoopOrNull(),
        resolve: resolve as (v: unknown) => void,
        reject,
        state: 'queued',
      };
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
      worker = startWorker(wt);
    } catch (e) {
      if (this._workers.size === 0) {
        this._failQueued(new RuntimeError('could not start a worker thread', { cause: e }));
      }
      return null;
    }
    const pw: PoolWorker = { worker, job: null, stopping: false, loop: null, reported: false };
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
      // The worker is dying: an uncaught error outside the job's promise (a
      // timer that throws, an unhandled rejection). The running job fails
      // with it; with no job running, nobody awaits it: report it. Either
      // way no job goes to it any more: its 'exit' follows.
      const i = this._idle.indexOf(pw);
      if (i >= 0) this._idle.splice(i, 1);
      const job = pw.job;
      if (job !== null) {
        pw.job = null;
        job.state = 'done';
        job.reject(e);
      } else {
        pw.reported = true;
        reportFault(
          pw.loop,
          'Exception in a worker thread of the executor after its job returned (the pool replaces the worker)',
          e,
        );
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
      } else if (!pw.stopping && !pw.reported) {
        reportFault(
          pw.loop,
          `A worker thread of the executor exited unexpectedly (exit code ${code}) after its job returned; the pool replaces it`,
          undefined,
        );
      }
      if (!pw.stopping) this._dispatch();
      this._maybeFinish();
    });
    return pw;
  }

  private _start(pw: PoolWorker, job: Job): void {
    pw.job = job;
    pw.loop = job.loop;
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
