/**
 * `loop.shutdownAsyncgens()` and `loop.shutdownDefaultExecutor()` run the
 * way the runner runs them: `loop.runUntilComplete(...)`, which wraps the
 * coroutine in a Task (the default task factory this package registers).
 * After CPython's test_base_events / test_runners shutdown cases.
 */
import { CancelledError, type Coroutine, logger, RuntimeError } from '@x/loop';
// The default executor is the Node entry's worker-thread pool.
import '@x/loop/node';
import { asyncGenerator, createTask, currentTask, sleep, Task } from '@x/tasks';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { makeLoop } from './task-helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ShutdownTests', () => {
  test('runUntilComplete(loop.shutdownAsyncgens()) closes each open generator in a task of its own', async () => {
    const { loop, calls } = makeLoop();
    const closers: unknown[] = [];
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        yield* emit(1);
      } finally {
        closers.push(currentTask());
        yield* sleep(0);
      }
    });
    const a = gen();
    const b = gen();
    await loop.runUntilComplete(a.next());
    await loop.runUntilComplete(b.next());
    const shutdown = loop.createTask(loop.shutdownAsyncgens());
    await loop.runUntilComplete(shutdown);
    expect(closers).toHaveLength(2);
    expect(closers[0]).toBeInstanceOf(Task);
    expect(closers[1]).toBeInstanceOf(Task);
    expect(closers[0]).not.toBe(closers[1]);
    expect(closers).not.toContain(shutdown);
    expect(calls).toEqual([]);
  });

  test('runUntilComplete(loop.shutdownDefaultExecutor()) joins the default pool', async () => {
    const { loop } = makeLoop();
    const warn = vi.spyOn(logger, 'warning').mockImplementation(() => {});
    const r = await loop.runUntilComplete(loop.runInExecutor(null, (a: number) => a + 1, 1));
    expect(r).toBe(2);
    const shutdown = loop.createTask(loop.shutdownDefaultExecutor());
    expect(shutdown).toBeInstanceOf(Task);
    await loop.runUntilComplete(shutdown);
    expect(warn).not.toHaveBeenCalled();
    expect(() => loop.runInExecutor(null, () => 1)).toThrow(RuntimeError);
  });

  test('a task awaiting runInExecutor() is cancelled without waiting for the job', async () => {
    const { loop } = makeLoop();
    const gate = new Int32Array(new SharedArrayBuffer(4));
    function* main(): Coroutine<string> {
      const job = loop.runInExecutor(
        null,
        (g: Int32Array) => {
          while (Atomics.load(g, 0) === 0) Atomics.wait(g, 0, 0, 50);
          return 'finished';
        },
        gate,
      );
      const waiter = createTask(
        (function* () {
          return yield* job;
        })(),
      );
      yield* sleep(0.01);
      waiter.cancel();
      try {
        yield* waiter;
      } catch (e) {
        expect(e).toBeInstanceOf(CancelledError);
      }
      expect(job.cancelled()).toBe(true);
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
      return 'main done';
    }
    expect(await loop.runUntilComplete(main())).toBe('main done');
    await loop.runUntilComplete(loop.shutdownDefaultExecutor());
  });
});
