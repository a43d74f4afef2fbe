/**
 * `loop.runInExecutor()`, `setDefaultExecutor()`, `shutdownDefaultExecutor()`
 * and the default executor (`WorkerPoolExecutor`), after the executor parts
 * of CPython's Lib/test/test_asyncio/test_base_events.py (BaseEventLoopTests:
 * test_run_in_executor*, test_set_default_executor*, test_shutdown_default_executor*)
 * and Lib/test/test_concurrent_futures.
 *
 * `@x/loop` does not depend on `@x/tasks`, so coroutines are driven by the
 * small `drive()` stepper below instead of a Task.
 *
 * Functions shipped by their source are written without `import()`: the test
 * transformer rewrites dynamic imports in test code, and the rewritten
 * source does not run in a worker. Jobs that need `node:` modules live in
 * fixtures/jobs.mjs and run as `{ module, export }`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CancelledError,
  type EventLoop,
  type Executor,
  Future,
  logger,
  newEventLoop,
  RuntimeError,
} from '@x/loop';
import { WorkerPoolExecutor } from '@x/loop/node';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { drive } from './drive.js';
import { assertNoRunningLoop } from './utils.js';

const JOBS = new URL('./fixtures/jobs.mjs', import.meta.url);
const job = (name: string) => ({ module: JOBS, export: name });

/** A Future done once all of `futs` are. */
function allDone(loop: EventLoop, futs: Future<unknown>[]): Future<void> {
  const all = loop.createFuture<void>();
  let left = futs.length;
  for (const f of futs) {
    f.addDoneCallback(() => {
      if (--left === 0) all.setResult(undefined);
    });
  }
  return all;
}

/**
 * A gate shared with workers (see blockUntilOpen in fixtures/jobs.mjs):
 * `gate[0] = 1` opens it; `gate[1]` counts the jobs that passed, `gate[2]` those that started.
 */
function newGate(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(12));
}

/** Runs the loop until `n` jobs have started at `gate`. */
async function jobsStarted(loop: EventLoop, gate: Int32Array, n: number): Promise<void> {
  await loop.runUntilComplete(
    new Promise<void>((resolve) => {
      const poll = (): void => {
        if (Atomics.load(gate, 2) >= n) resolve();
        else setTimeout(poll, 1);
      };
      poll();
    }),
  );
}
function open(gate: Int32Array): void {
  Atomics.store(gate, 0, 1);
  Atomics.notify(gate, 0);
}

describe('RunInExecutorTests', () => {
  let loop: EventLoop;
  beforeEach(() => {
    loop = newEventLoop();
  });
  afterEach(async () => {
    assertNoRunningLoop();
    if (!loop.isClosed()) {
      await loop.runUntilComplete(drive(loop, loop.shutdownDefaultExecutor()));
      loop.close();
    }
    vi.restoreAllMocks();
  });

  test('test_run_in_executor: a function shipped by its source', async () => {
    const fut = loop.runInExecutor(null, (a: number, b: number) => a * b + 1, 6, 7);
    expect(fut).toBeInstanceOf(Future);
    expect(fut.getLoop()).toBe(loop);
    expect(await loop.runUntilComplete(fut)).toBe(43);
  });

  test('arguments and results are structured-cloned', async () => {
    const arg = { when: new Date(0), m: new Map([['k', [1, 2]]]), big: 10n };
    const fut = loop.runInExecutor(
      null,
      (o: typeof arg) => ({
        year: o.when.getUTCFullYear(),
        values: o.m.get('k'),
        big: o.big * 2n,
        set: new Set([o.m.size]),
      }),
      arg,
    );
    const r = await loop.runUntilComplete(fut);
    expect(r).toEqual({ year: 1970, values: [1, 2], big: 20n, set: new Set([1]) });
  });

  test('an async function is awaited in the worker', async () => {
    const fut = loop.runInExecutor(
      null,
      async (x: number) => {
        await new Promise((r) => setTimeout(r, 1));
        return x + 1;
      },
      1,
    );
    expect(await loop.runUntilComplete(fut)).toBe(2);
  });

  test('a getter is shipped as a function', async () => {
    const o = {
      get answer(): number {
        return 42;
      },
    };
    const getter = Object.getOwnPropertyDescriptor(o, 'answer')?.get as () => number;
    expect(await loop.runUntilComplete(loop.runInExecutor(null, getter))).toBe(42);
  });

  test('a function declaration and a shorthand method are shipped too', async () => {
    function triple(x: number): number {
      return 3 * x;
    }
    const holder = {
      twice(x: number): number {
        return 2 * x;
      },
    };
    expect(await loop.runUntilComplete(loop.runInExecutor(null, triple, 5))).toBe(15);
    expect(await loop.runUntilComplete(loop.runInExecutor(null, holder.twice, 5))).toBe(10);
  });

  test('a named export of a module: { module, export }', async () => {
    expect(await loop.runUntilComplete(loop.runInExecutor(null, job('square'), 9))).toBe(81);
    // A path works as well as a URL.
    const byPath = loop.runInExecutor(null, { module: fileURLToPath(JOBS), export: 'square' }, 4);
    expect(await loop.runUntilComplete(byPath)).toBe(16);
  });

  test('a missing export rejects with TypeError', async () => {
    const fut = loop.runInExecutor(null, job('notAFunction'));
    const err = await loop.runUntilComplete(fut).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toMatch(/has no function exported as "notAFunction"/);
  });

  test('an error thrown in the worker keeps its name, message and the worker stack', async () => {
    const fut = loop.runInExecutor(
      null,
      (n: number) => {
        if (n > 0) throw new RangeError(`bad n: ${n}`);
        return n;
      },
      3,
    );
    const err = (await loop.runUntilComplete(fut).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(RangeError);
    expect(err.name).toBe('RangeError');
    expect(err.message).toBe('bad n: 3');
    expect(err.stack).toMatch(/^RangeError: bad n: 3/);
    // The stack is the worker's: the evaluated source, not this test file.
    expect(err.stack).not.toMatch(/executor\.test\.ts/);
    expect(fut.exception()).toBe(err);
  });

  test('an error class unknown to the main thread keeps its name', async () => {
    const fut = loop.runInExecutor(null, job('failing'), 'boom');
    const err = (await loop.runUntilComplete(fut).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('JobError');
    expect(err.message).toBe('boom');
    expect(err.stack).toMatch(/JobError: boom[\s\S]*jobs\.mjs/);
  });

  test('a thrown value that is not an error is passed through', async () => {
    const fut = loop.runInExecutor(null, () => {
      throw { code: 7 };
    });
    await expect(loop.runUntilComplete(fut)).rejects.toEqual({ code: 7 });
  });

  test('a function that uses its enclosing scope fails with ReferenceError in the worker', async () => {
    const secret = 41;
    const fut = loop.runInExecutor(null, () => secret + 1);
    const err = (await loop.runUntilComplete(fut).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ReferenceError);
    expect(err.message).toMatch(/secret/);
  });

  test('a function whose source cannot be evaluated gives a TypeError that explains why', async () => {
    class Counter {
      #n = 1;
      value(): number {
        return this.#n;
      }
    }
    // A method that uses a private field means nothing outside its class.
    const fut = loop.runInExecutor(null, Counter.prototype.value);
    const err = (await loop.runUntilComplete(fut).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/could not be evaluated in the worker/);
    expect(err.message).toMatch(/by its source/);
  });

  test('built-in and bound functions have no source: TypeError at once', () => {
    expect(() => loop.runInExecutor(null, Math.max, 1, 2)).toThrow(TypeError);
    expect(() => loop.runInExecutor(null, Math.max, 1, 2)).toThrow(/by its source/);
    const bound = ((x: number) => x).bind(null);
    expect(() => loop.runInExecutor(null, bound, 1)).toThrow(/bound function/);
  });

  test('runInExecutor() refuses coroutine functions, non-callables and non-executors', () => {
    function* coro(): Generator<undefined, void, unknown> {}
    expect(() => loop.runInExecutor(null, coro as never)).toThrow(
      /coroutines cannot be used with runInExecutor\(\)/,
    );
    expect(() => loop.runInExecutor(null, 42 as never)).toThrow(TypeError);
    expect(() => loop.runInExecutor(null, { module: 1, export: 'x' } as never)).toThrow(
      /needs a function or \{ module/,
    );
    expect(() => loop.runInExecutor({} as never, () => 1)).toThrow(/executor must be an Executor/);
  });

  test('arguments that cannot be cloned reject the Future', async () => {
    const fut = loop.runInExecutor(
      null,
      (f: unknown) => typeof f,
      () => 1,
    );
    const err = (await loop.runUntilComplete(fut).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('DataCloneError');
  });

  test('a result that cannot be cloned rejects with TypeError', async () => {
    const fut = loop.runInExecutor(null, () => () => 1);
    const err = (await loop.runUntilComplete(fut).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/could not be sent back from the worker/);
  });

  test('a worker that exits rejects its job and is replaced', async () => {
    const err = (await loop
      .runUntilComplete(loop.runInExecutor(null, job('exitWorker')))
      .catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(RuntimeError);
    expect(err.message).toMatch(/exited unexpectedly \(exit code 3\)/);
    expect(await loop.runUntilComplete(loop.runInExecutor(null, (x: number) => x, 5))).toBe(5);
  });

  test('an error thrown outside the job kills the worker and rejects the job', async () => {
    const err = (await loop
      .runUntilComplete(loop.runInExecutor(null, job('unhandled')))
      .catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toBe('thrown outside the job');
    expect(await loop.runUntilComplete(loop.runInExecutor(null, () => 'still works'))).toBe(
      'still works',
    );
  });

  test.skipIf(availableParallelism() < 2)(
    'CPU-bound jobs run at the same time on distinct worker threads',
    async () => {
      // The jobs meet at a barrier: each one returns `met` only if the
      // other arrived while it was running, which no serial schedule allows.
      const counter = new Int32Array(new SharedArrayBuffer(4));
      const futs = [
        loop.runInExecutor(null, job('meet'), counter, 2),
        loop.runInExecutor(null, job('meet'), counter, 2),
      ];
      await loop.runUntilComplete(allDone(loop, futs));
      const [a, b] = futs.map((f) => f.result()) as {
        threadId: number;
        start: number;
        end: number;
        met: boolean;
      }[];
      expect(a.met && b.met).toBe(true);
      expect(a.threadId).not.toBe(b.threadId);
      expect(a.threadId).toBeGreaterThan(0);
      expect(Math.max(a.start, b.start)).toBeLessThanOrEqual(Math.min(a.end, b.end));
    },
  );

  test('the default pool has one worker per core', async () => {
    const n = availableParallelism();
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const futs = Array.from({ length: n }, () => loop.runInExecutor(null, job('meet'), counter, n));
    await loop.runUntilComplete(allDone(loop, futs));
    const results = futs.map((f) => f.result() as { threadId: number; met: boolean });
    expect(results.every((r) => r.met)).toBe(true);
    expect(new Set(results.map((r) => r.threadId)).size).toBe(n);
  });

  test('test_run_in_executor_cancel: a job not yet started is dropped; a running job runs to its end', async () => {
    const ex = new WorkerPoolExecutor({ maxWorkers: 1 });
    const gate = newGate();
    const running = loop.runInExecutor(ex, job('blockUntilOpen'), gate);
    const queued = loop.runInExecutor(ex, job('blockUntilOpen'), gate);
    await jobsStarted(loop, gate, 1);
    expect(queued.cancel()).toBe(true);
    expect(running.cancel()).toBe(true);
    // Let the done callbacks forward the cancellations to the executor.
    await loop.runUntilComplete(new Promise((r) => setTimeout(r, 20)));
    open(gate);
    await ex.shutdown(true);
    // Only the running job passed the gate.
    expect(Atomics.load(gate, 1)).toBe(1);
    expect(running.cancelled() && queued.cancelled()).toBe(true);
  });

  test('ExecutorJob.cancel() on a queued job rejects it with CancelledError', async () => {
    const ex = new WorkerPoolExecutor({ maxWorkers: 1 });
    const gate = newGate();
    const first = ex.submit(job('blockUntilOpen') as never, [gate]);
    const second = ex.submit((x: number) => x, [1]);
    expect(second.cancel()).toBe(true);
    expect(second.cancel()).toBe(false);
    await expect(second).rejects.toBeInstanceOf(CancelledError);
    open(gate);
    await first;
    expect(first.cancel()).toBe(false);
    await ex.shutdown(true);
  });

  test('submit() rejects what it cannot run', async () => {
    const ex = new WorkerPoolExecutor({ maxWorkers: 1 });
    await expect(ex.submit(42 as never, [])).rejects.toThrow(TypeError);
    await expect(ex.submit(Math.max, [1])).rejects.toThrow(/by its source/);
    await ex.shutdown(true);
  });

  test('a pool of one worker runs jobs one after the other on the same thread', async () => {
    const ex = new WorkerPoolExecutor({ maxWorkers: 1 });
    const gate = newGate();
    open(gate);
    const ids = await Promise.all([
      ex.submit(job('blockUntilOpen') as never, [gate]),
      ex.submit(job('blockUntilOpen') as never, [gate]),
    ]);
    expect(ids[0]).toBe(ids[1]);
    await ex.shutdown(true);
    expect(() => new WorkerPoolExecutor({ maxWorkers: 0 })).toThrow(RangeError);
  });

  test('shutdown(true) waits for running and queued jobs; submit() afterwards rejects', async () => {
    const ex = new WorkerPoolExecutor({ maxWorkers: 1 });
    const gate = newGate();
    const a = ex.submit(job('blockUntilOpen') as never, [gate]);
    const b = ex.submit(job('blockUntilOpen') as never, [gate]);
    let shut = false;
    const done = ex.shutdown(true).then(() => {
      shut = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(shut).toBe(false);
    open(gate);
    await done;
    expect(Atomics.load(gate, 1)).toBe(2);
    await expect(Promise.all([a, b])).resolves.toHaveLength(2);
    await expect(ex.submit((x: number) => x, [1])).rejects.toThrow(
      'cannot schedule new futures after shutdown',
    );
    await ex.shutdown(false);
  });

  test('shutdown(false) returns at once and the jobs still finish', async () => {
    const ex = new WorkerPoolExecutor({ maxWorkers: 1 });
    const gate = newGate();
    const a = ex.submit(job('blockUntilOpen') as never, [gate]);
    await ex.shutdown(false);
    open(gate);
    expect(typeof (await a)).toBe('number');
    await ex.shutdown(true);
  });
});

describe('DefaultExecutorTests', () => {
  let loop: EventLoop;
  beforeEach(() => {
    loop = newEventLoop();
  });
  afterEach(() => {
    assertNoRunningLoop();
    loop.close();
    vi.restoreAllMocks();
  });

  /** An Executor that runs functions in this thread and records its calls. */
  class InlineExecutor implements Executor {
    calls: string[] = [];
    submit<T>(fn: (...a: any[]) => T, args: unknown[]): Promise<Awaited<T>> {
      this.calls.push(`submit ${args.length}`);
      return Promise.resolve().then(() => fn(...args) as Awaited<T>);
    }
    shutdown(wait: boolean): Promise<void> {
      this.calls.push(`shutdown ${wait}`);
      return Promise.resolve();
    }
  }

  test('test_set_default_executor', async () => {
    const ex = new InlineExecutor();
    loop.setDefaultExecutor(ex);
    const secret = 'closures work in this thread';
    const r = await loop.runUntilComplete(
      loop.runInExecutor(null, (x: string) => `${x}: ${secret}`, 'ok'),
    );
    expect(r).toBe('ok: closures work in this thread');
    // An executor of this thread takes functions that have no source, too.
    expect(await loop.runUntilComplete(loop.runInExecutor(null, Math.max, 1, 5))).toBe(5);
    expect(ex.calls).toEqual(['submit 1', 'submit 2']);
    expect(() => loop.runInExecutor(null, function* () {} as never)).toThrow(TypeError);
  });

  test('test_set_default_executor_error', () => {
    expect(() => loop.setDefaultExecutor({ submit() {} } as never)).toThrow(TypeError);
    expect(() => loop.setDefaultExecutor(null as never)).toThrow(
      /executor must be an Executor \(an object with submit\(fn, args\) and shutdown\(wait\) methods\)/,
    );
  });

  test('test_shutdown_default_executor', async () => {
    const ex = new InlineExecutor();
    loop.setDefaultExecutor(ex);
    await loop.runUntilComplete(loop.runInExecutor(null, () => 1));
    await loop.runUntilComplete(drive(loop, loop.shutdownDefaultExecutor()));
    expect(ex.calls).toEqual(['submit 0', 'shutdown true']);
    expect(() => loop.runInExecutor(null, () => 1)).toThrow(RuntimeError);
    expect(() => loop.runInExecutor(null, () => 1)).toThrow('Executor shutdown has been called');
    // An explicit executor is still accepted.
    const other = new InlineExecutor();
    expect(await loop.runUntilComplete(loop.runInExecutor(other, () => 2))).toBe(2);
  });

  test('shutdownDefaultExecutor() without a default executor returns at once', async () => {
    await loop.runUntilComplete(drive(loop, loop.shutdownDefaultExecutor()));
    expect(() => loop.runInExecutor(null, () => 1)).toThrow('Executor shutdown has been called');
  });

  test('test_shutdown_default_executor_timeout: a busy job past the timeout gives a warning', async () => {
    const warn = vi.spyOn(logger, 'warning').mockImplementation(() => {});
    const gate = newGate();
    const busy = loop.runInExecutor(null, job('blockUntilOpen'), gate);
    await jobsStarted(loop, gate, 1);
    const t0 = loop.time();
    await loop.runUntilComplete(drive(loop, loop.shutdownDefaultExecutor(0.05)));
    expect(loop.time() - t0).toBeGreaterThanOrEqual(0.04);
    expect(warn).toHaveBeenCalledWith(
      'The executor did not finishing joining its threads within 0.05 seconds.',
    );
    expect(busy.done()).toBe(false);
    open(gate);
    expect(typeof (await loop.runUntilComplete(busy))).toBe('number');
  });

  test('shutdownDefaultExecutor() waits for a job that ends within the timeout', async () => {
    const warn = vi.spyOn(logger, 'warning').mockImplementation(() => {});
    const gate = newGate();
    const busy = loop.runInExecutor(null, job('blockUntilOpen'), gate);
    await jobsStarted(loop, gate, 1);
    loop.callLater(0.02, () => open(gate));
    await loop.runUntilComplete(drive(loop, loop.shutdownDefaultExecutor(30)));
    expect(busy.done()).toBe(true);
    expect(Atomics.load(gate, 1)).toBe(1);
    expect(warn).not.toHaveBeenCalled();
  });

  test('cancelling shutdownDefaultExecutor() cancels the wait only', async () => {
    const gate = newGate();
    loop.runInExecutor(null, job('blockUntilOpen'), gate);
    await jobsStarted(loop, gate, 1);
    const waiting = drive(loop, loop.shutdownDefaultExecutor(null));
    loop.callLater(0.01, () => waiting.cancel());
    await expect(loop.runUntilComplete(waiting)).rejects.toBeInstanceOf(CancelledError);
    open(gate);
  });

  test('shutdownDefaultExecutor() rejects a timeout that is not a number', async () => {
    await expect(
      loop.runUntilComplete(drive(loop, loop.shutdownDefaultExecutor('5' as never))),
    ).rejects.toThrow(TypeError);
  });

  test('an error from the executor shutdown reaches the awaiter', async () => {
    loop.setDefaultExecutor({
      submit: () => Promise.resolve(undefined as never),
      shutdown: () => Promise.reject(new Error('shutdown failed')),
    });
    await expect(
      loop.runUntilComplete(drive(loop, loop.shutdownDefaultExecutor())),
    ).rejects.toThrow('shutdown failed');
    loop.setDefaultExecutor(new InlineExecutor());
  });

  test('close() shuts the default executor down without waiting', async () => {
    const ex = new InlineExecutor();
    loop.setDefaultExecutor(ex);
    loop.close();
    expect(ex.calls).toEqual(['shutdown false']);
    expect(() => loop.runInExecutor(null, () => 1)).toThrow('Event loop is closed');
  });

  test('a failing shutdown at close() is logged', async () => {
    const err = vi.spyOn(logger, 'error').mockImplementation(() => {});
    loop.setDefaultExecutor({
      submit: () => Promise.resolve(undefined as never),
      shutdown: () => {
        throw new Error('sync failure');
      },
    });
    loop.close();
    expect(err).toHaveBeenCalledWith(
      'Error while shutting down the default executor',
      expect.objectContaining({ message: 'sync failure' }),
    );
  });

  test('a shutdown that rejects at close() is logged', async () => {
    const err = vi.spyOn(logger, 'error').mockImplementation(() => {});
    loop.setDefaultExecutor({
      submit: () => Promise.resolve(undefined as never),
      shutdown: () => Promise.reject(new Error('async failure')),
    });
    loop.close();
    await new Promise((r) => setTimeout(r, 0));
    expect(err).toHaveBeenCalledWith(
      'Error while shutting down the default executor',
      expect.objectContaining({ message: 'async failure' }),
    );
  });
});

describe('WorkersAndTheProcess', () => {
  // The package's source, compiled to plain JavaScript for a child Node process.
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'x-loop-executor-'));
    const src = fileURLToPath(new URL('../src/', import.meta.url));
    for (const sub of ['', 'node/']) {
      mkdirSync(join(dir, 'src', sub), { recursive: true });
      for (const name of readdirSync(join(src, sub))) {
        if (!/\.[jt]s$/.test(name)) continue;
        const text = readFileSync(join(src, sub, name), 'utf8');
        if (name.endsWith('.js')) writeFileSync(join(dir, 'src', sub, name), text);
        if (!name.endsWith('.ts')) continue;
        const out = ts.transpileModule(text, {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        });
        writeFileSync(join(dir, 'src', sub, name.replace(/\.ts$/, '.js')), out.outputText);
      }
    }
    // Transpiling every source file takes a while on a loaded machine.
  }, 60_000);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function runChild(body: string): Promise<{ code: number | null; out: string }> {
    const file = join(dir, 'main.mjs');
    writeFileSync(
      file,
      `import * as core from './src/index.js';\nimport * as node from './src/node/index.js';\nconst x = { ...core, ...node };\n${body}\n`,
    );
    return new Promise((resolve, reject) => {
      // Without the coverage collector of the test run, which slows a child down a lot.
      const env = { ...process.env };
      delete env.NODE_V8_COVERAGE;
      const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'], env });
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`the child process did not exit by itself; output: ${out}`));
      }, 8000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
  }

  test('idle workers do not keep the process alive, before or after shutdown', async () => {
    const r = await runChild(`
      const loop = x.newEventLoop();
      const v = await loop.runUntilComplete(loop.runInExecutor(null, (a) => a * 2, 21));
      console.log('result', v);
      // The loop is done, not closed, and the pool has an idle worker.
    `);
    expect(r).toEqual({ code: 0, out: 'result 42\n' });
    const r2 = await runChild(`
      const ex = new x.WorkerPoolExecutor();
      console.log('result', await ex.submit((a) => a + 1, [1]));
      await ex.shutdown(false);
    `);
    expect(r2).toEqual({ code: 0, out: 'result 2\n' });
  });

  test('a running job keeps the process alive until it ends', async () => {
    const r = await runChild(`
      const ex = new x.WorkerPoolExecutor();
      ex.submit(() => { const end = Date.now() + 100; while (Date.now() < end); return 1; }, [])
        .then((v) => console.log('job done', v));
    `);
    expect(r).toEqual({ code: 0, out: 'job done 1\n' });
  });
});
