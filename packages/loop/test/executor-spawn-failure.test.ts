/**
 * The default executor when `new Worker()` throws (a host at its thread
 * limit, a sandbox that forbids threads): no job is lost. With no worker
 * running the queued jobs fail with a RuntimeError that keeps the cause;
 * with one running, the others wait for it.
 */
import { RuntimeError } from '@x/loop';
import { WorkerPoolExecutor } from '@x/loop/node';
import { afterEach, expect, test, vi } from 'vitest';

const spawns = vi.hoisted(() => ({ started: 0, failFrom: 0 }));

vi.mock('node:worker_threads', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:worker_threads')>();
  class Worker extends real.Worker {
    constructor(src: URL, options?: { execArgv: string[] }) {
      if (spawns.started >= spawns.failFrom) throw new Error('ERR_WORKER_INIT_FAILED');
      super(src, options);
      spawns.started++;
    }
  }
  return { ...real, Worker };
});

afterEach(() => {
  spawns.started = 0;
  spawns.failFrom = 0;
});

test('no worker can start: the queued jobs reject with RuntimeError and its cause', async () => {
  spawns.failFrom = 0;
  const ex = new WorkerPoolExecutor({ maxWorkers: 2 });
  const a = ex.submit((x: number) => x, [1]).catch((e: unknown) => e);
  const b = ex.submit((x: number) => x, [2]).catch((e: unknown) => e);
  const [ea, eb] = (await Promise.all([a, b])) as [Error, Error];
  expect(ea).toBeInstanceOf(RuntimeError);
  expect(ea.message).toBe('could not start a worker thread');
  expect((ea.cause as Error).message).toBe('ERR_WORKER_INIT_FAILED');
  // Both jobs were queued when the spawn failed: the same error fails both.
  expect(eb).toBe(ea);
  expect(spawns.started).toBe(0);
  await expect(ex.shutdown(true)).resolves.toBeUndefined();
});

test('a second worker cannot start: its job waits for the running one', async () => {
  spawns.failFrom = 1;
  const ex = new WorkerPoolExecutor({ maxWorkers: 3 });
  try {
    const results = await Promise.all([
      ex.submit((x: number) => x * 10, [1]),
      ex.submit((x: number) => x * 10, [2]),
      ex.submit((x: number) => x * 10, [3]),
    ]);
    expect(results).toEqual([10, 20, 30]);
    expect(spawns.started).toBe(1);
  } finally {
    await ex.shutdown(true);
  }
});
