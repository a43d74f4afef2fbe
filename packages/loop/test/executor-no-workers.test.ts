/**
 * The default executor on a host without worker threads (a browser, say):
 * `node:worker_threads` cannot be loaded, and `runInExecutor(null, ...)`
 * rejects its Future with a RuntimeError that says what to do.
 */
import { newEventLoop, RuntimeError } from '@x/loop';
import { WorkerPoolExecutor } from '@x/loop/node';
import { expect, test, vi } from 'vitest';

vi.mock('node:worker_threads', () => {
  throw new Error('No such built-in module: node:worker_threads');
});

test('runInExecutor(null, ...) rejects with RuntimeError where there are no workers', async () => {
  const loop = newEventLoop();
  try {
    const a = loop.runInExecutor(null, (x: number) => x, 1);
    const b = loop.runInExecutor(null, (x: number) => x, 2);
    const err = (await loop.runUntilComplete(a).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(RuntimeError);
    expect(err.message).toMatch(/needs worker threads, and this host has none/);
    expect(err.message).toMatch(/pass an Executor of your own/);
    await expect(loop.runUntilComplete(b)).rejects.toBe(err);
    // Later jobs fail the same way, at once.
    await expect(loop.runUntilComplete(loop.runInExecutor(null, () => 3))).rejects.toBe(err);
  } finally {
    loop.close();
  }
});

test('shutdown() of a pool that could not load its workers settles', async () => {
  const ex = new WorkerPoolExecutor();
  await expect(ex.submit(() => 1, [])).rejects.toBeInstanceOf(RuntimeError);
  await expect(ex.shutdown(true)).resolves.toBeUndefined();
});
