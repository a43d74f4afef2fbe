// Ported from CPython 3.14's Lib/test/test_asyncio/test_threads.py (ToThreadTests).
// The default executor's worker threads are @x/loop's Node entry point (as @x/runner loads it).
import '@x/loop/node';
import { type Coroutine, type EventLoop, newEventLoop, RuntimeError } from '@x/loop';
import { createTask, gather, sleep, toThread } from '@x/tasks';
import { afterEach, describe, expect, test } from 'vitest';

let loop: EventLoop | null = null;

async function run<T>(main: () => Coroutine<T>): Promise<T> {
  loop = newEventLoop();
  const l = loop;
  try {
    return await l.runUntilComplete(l.createTask(main()));
  } finally {
    await l.runUntilComplete(l.createTask(l.shutdownDefaultExecutor()));
  }
}

afterEach(() => {
  loop?.close();
  loop = null;
});

describe('ToThreadTests (test_threads.py)', () => {
  test('test_to_thread', async () => {
    const r = await run(function* () {
      return yield* toThread(() => 2 + 3);
    });
    expect(r).toBe(5);
  });

  test('test_to_thread_exception', async () => {
    await run(function* () {
      try {
        yield* toThread(() => {
          throw new RangeError('bad value');
        });
        throw new Error('not raised');
      } catch (e) {
        expect((e as Error).message).toContain('bad value');
      }
    });
  });

  test('test_to_thread_once / test_to_thread_concurrent', async () => {
    const r = await run(function* () {
      return yield* gather([1, 2, 3, 4].map((i) => toThread((n: number) => n * n, i)));
    });
    expect(r).toEqual([1, 4, 9, 16]);
  });

  test('test_to_thread_args_kwargs: arguments cross by structured clone', async () => {
    const r = await run(function* () {
      return yield* toThread(
        (a: number, o: { k: string }, b: Uint8Array) => `${a}:${o.k}:${b.length}`,
        1,
        { k: 'v' },
        new Uint8Array(3),
      );
    });
    expect(r).toBe('1:v:3');
  });

  test('the loop runs while the function runs in a thread', async () => {
    const r = await run(function* () {
      let ticks = 0;
      const ticker = createTask(
        (function* () {
          for (;;) {
            ticks++;
            yield* sleep(0.001);
          }
        })(),
      );
      const v = yield* toThread(() => {
        const end = Date.now() + 100;
        while (Date.now() < end) {
          /* busy in the worker */
        }
        return 'done';
      });
      ticker.cancel();
      return [v, ticks] as const;
    });
    expect(r[0]).toBe('done');
    expect(r[1]).toBeGreaterThan(1);
  });

  test('needs a running loop, as asyncio.to_thread (get_running_loop)', () => {
    const gen = toThread(() => 1);
    expect(() => gen.next()).toThrow(RuntimeError);
  });
});
