/**
 * Faults of the worker-thread pool that nothing awaits, and functions shipped
 * by their source that use what does not travel with their source.
 *
 * - A worker that fails after its job returned (a timer that throws, a
 *   rejection nobody handles, an exit) is reported through the exception
 *   handler of the loop that gave it the job: nothing is lost silently.
 * - A function that closes over a variable, or uses `this`, fails with an
 *   error that says that executor functions are sent by their source and what
 *   to do instead.
 */
import {
  type EventLoop,
  type ExceptionContext,
  Future,
  logger,
  newEventLoop,
  RuntimeError,
} from '@x/loop';
import { WorkerPoolExecutor } from '@x/loop/node';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { drive } from './drive.js';

// Workers start slowly on a loaded machine: generous bounds.
vi.setConfig({ testTimeout: 40_000 });

let loop: EventLoop;
// Every report is kept from the start of the test: a worker's late fault can
// arrive while the job's result is still being delivered, before the test asks.
let reports: ExceptionContext[] = [];
let onReport: (() => void) | null = null;
beforeEach(() => {
  loop = newEventLoop();
  reports = [];
  onReport = null;
  loop.setExceptionHandler((_l, context) => {
    reports.push(context);
    onReport?.();
  });
});
afterEach(async () => {
  if (!loop.isClosed()) {
    await loop.runUntilComplete(drive(loop, loop.shutdownDefaultExecutor()));
    loop.close();
  }
  vi.restoreAllMocks();
});

/**
 * Runs the loop until its exception handler is called, or 20 s pass (a loaded machine is slow) (then
 * null: before the fix, nothing was ever reported).
 */
async function nextReport(): Promise<ExceptionContext | null> {
  const first = reports.shift();
  if (first !== undefined) return first;
  const reported = new Future<ExceptionContext | null>({ loop });
  onReport = () => {
    if (!reported.done()) reported.setResult(reports.shift() ?? null);
  };
  const timer = loop.callLater(20, () => {
    if (!reported.done()) reported.setResult(null);
  });
  try {
    return await loop.runUntilComplete(reported);
  } finally {
    onReport = null;
    timer.cancel();
  }
}

describe('a worker that fails after its job returned', () => {
  test('a timer that throws in the worker is reported through the exception handler', async () => {
    const value = await loop.runUntilComplete(
      loop.runInExecutor(null, () => {
        setTimeout(() => {
          throw new RangeError('thrown by a timer after the job');
        }, 20);
        return 1;
      }),
    );
    expect(value).toBe(1);
    const context = await nextReport();
    expect(context).not.toBeNull();
    expect(context?.message).toMatch(
      /Exception in a worker thread of the executor after its job returned/,
    );
    expect(context?.exception).toBeInstanceOf(Error);
    expect((context?.exception as Error | undefined)?.message).toBe(
      'thrown by a timer after the job',
    );
    // The pool goes on with a new worker.
    expect(await loop.runUntilComplete(loop.runInExecutor(null, () => 'still works'))).toBe(
      'still works',
    );
  });

  test('a rejection nobody handles in the worker is reported', async () => {
    await loop.runUntilComplete(
      loop.runInExecutor(null, () => {
        // After the job has returned (a timer), so that the fault cannot be taken for the job's.
        setTimeout(() => void Promise.reject(new TypeError('a rejection nobody handles')), 20);
        return 2;
      }),
    );
    const context = await nextReport();
    expect((context?.exception as Error | undefined)?.message).toBe('a rejection nobody handles');
  });

  test('a worker that exits after its job returned is reported with its exit code', async () => {
    await loop.runUntilComplete(
      loop.runInExecutor(null, () => {
        setTimeout(() => process.exit(5), 20);
        return 3;
      }),
    );
    const context = await nextReport();
    expect(context?.message).toMatch(/exited unexpectedly \(exit code 5\) after its job returned/);
  });

  test('without an open loop the fault is logged', async () => {
    const logged = new Promise<unknown[]>((resolve) => {
      vi.spyOn(logger, 'error').mockImplementation((...args: unknown[]) => resolve(args));
    });
    const ex = new WorkerPoolExecutor({ maxWorkers: 1 });
    try {
      const v = await ex.submit(() => {
        setTimeout(() => {
          throw new Error('late');
        }, 20);
        return 4;
      }, []);
      expect(v).toBe(4);
      const [message, exception] = await logged;
      expect(message).toMatch(/after its job returned/);
      expect((exception as Error).message).toBe('late');
    } finally {
      await ex.shutdown(true);
    }
  });
});

describe('a function shipped by its source', () => {
  async function failure(fut: Future<unknown>): Promise<Error> {
    return (await loop.runUntilComplete(fut).catch((e: unknown) => e)) as Error;
  }

  test('one that closes over a variable says why it fails and what to do', async () => {
    const factor = 3;
    const err = await failure(loop.runInExecutor(null, (x: number) => x * factor, 2));
    expect(err).toBeInstanceOf(ReferenceError);
    expect(err.message).toMatch(/^factor is not defined: /);
    expect(err.message).toMatch(/sent to the worker by its source/);
    expect(err.message).toMatch(/cannot close over variables/);
    expect(err.message).toMatch(/pass what it needs as arguments, or pass \{ module, export \}/);
    expect(err.stack).toMatch(/^ReferenceError: factor is not defined: /);
  });

  test('a method that uses this fails with a TypeError instead of computing NaN', async () => {
    const counter = {
      n: 2,
      times(x: number): number {
        return this.n * x;
      },
    };
    const err = await failure(loop.runInExecutor(null, counter.times, 5));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/^the function used this\.n: /);
    expect(err.message).toMatch(/nor use `this`/);
  });

  test('an arrow function that uses the this of its method fails the same way', async () => {
    class Job {
      size = 4;
      start(l: EventLoop): Future<number> {
        return l.runInExecutor(null, () => this.size * 2);
      }
    }
    const err = await failure(new Job().start(loop));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/^the function used this\.size: /);
  });

  test('a function that does not use this or its scope is unaffected', async () => {
    function scale(this: unknown, x: number, by: number): number {
      return x * by;
    }
    expect(await loop.runUntilComplete(loop.runInExecutor(null, scale, 3, 4))).toBe(12);
  });

  test('an error of the job itself is not rewritten', async () => {
    const err = await failure(
      loop.runInExecutor(null, () => {
        throw new RuntimeError('own');
      }),
    );
    // RuntimeError is not a global in the worker: the function's source cannot find it.
    expect(err).toBeInstanceOf(ReferenceError);
    const own = await failure(
      loop.runInExecutor(null, () => {
        throw new RangeError('own message');
      }),
    );
    expect(own).toBeInstanceOf(RangeError);
    expect(own.message).toBe('own message');
  });
});
