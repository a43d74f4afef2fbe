/**
 * Coroutines used wrongly, as CPython reports it: run twice ("cannot reuse
 * already awaited coroutine"), awaited with `await` instead of `yield*`,
 * or dropped without ever running ("coroutine 'sleep' was never awaited").
 */
import { type Coroutine, EventLoop, logger, RuntimeError } from '@x/loop';
import {
  abortable,
  createTask,
  Event,
  Lock,
  Queue,
  Semaphore,
  sleep,
  Task,
  taskGroup,
  timeout,
  wait,
  waitFor,
  withLock,
} from '@x/tasks';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { makeLoop } from './task-helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const REUSED = 'cannot reuse already awaited coroutine';

async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc as () => void;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('a coroutine run twice', () => {
  test('one coroutine given to two tasks: the second is refused, the first completes', async () => {
    const { loop, calls } = makeLoop();
    function* work(): Coroutine<number> {
      yield* sleep(0.001);
      return 42;
    }
    const coro = work();
    const first = new Task(coro, { loop });
    // Made before either ran: the second fails at its first step, the first is untouched.
    const second = new Task(coro, { loop });
    function* main(): Coroutine<number> {
      yield* sleep(0);
      // The first task runs it now: a third task is refused at once.
      expect(() => new Task(coro, { loop })).toThrow(RuntimeError);
      expect(() => loop.createTask(coro)).toThrow(
        `${REUSED}: it is run by <Task pending name='${first.getName()}'`,
      );
      return yield* first;
    }
    expect(await loop.runUntilComplete(main())).toBe(42);
    expect(second.done()).toBe(true);
    expect(() => second.result()).toThrow(`${REUSED}: it is run by <Task`);
    await expect(loop.runUntilComplete(coro)).rejects.toThrow(REUSED);
    // The loop stays usable; nothing was reported as pending or lost.
    expect(await loop.runUntilComplete(work())).toBe(42);
    loop.close();
    expect(calls).toEqual([]);
  });

  test('yield* on a package coroutine that already ran fails instead of returning undefined', async () => {
    const { loop } = makeLoop();
    function* main(): Coroutine<string[]> {
      const out: string[] = [];
      const s = sleep(0.001, 'once');
      out.push(yield* s);
      try {
        yield* s;
      } catch (e) {
        out.push(`${(e as Error).name}: ${(e as Error).message}`);
      }
      return out;
    }
    expect(await loop.runUntilComplete(main())).toEqual(['once', `RuntimeError: ${REUSED}`]);
  });

  test('in debug mode, a coroutine of waitFor or queue.get run twice fails too', async () => {
    const { loop } = makeLoop({ debug: true });
    function* main(): Coroutine<string> {
      const q = new Queue<string>();
      q.putNowait('a');
      const g = q.get();
      yield* g;
      const w = waitFor(sleep(0), 1);
      yield* w;
      for (const c of [g, w]) {
        try {
          yield* c;
          return 'ran again';
        } catch (e) {
          expect((e as Error).message).toBe(REUSED);
        }
      }
      return 'refused';
    }
    expect(await loop.runUntilComplete(main())).toBe('refused');
  });
});

describe('await on a coroutine', () => {
  test('rejects with an error that says to use yield*', async () => {
    const { loop } = makeLoop();
    const results: string[] = [];
    async function misuse(): Promise<void> {
      const q = new Queue<number>();
      const attempts: Array<[string, () => unknown]> = [
        ['sleep', () => sleep(0.5)],
        ['sleep', () => sleep(0)],
        ['waitFor', () => waitFor(sleep(0), 1)],
        ['wait', () => wait([loop.createFuture()])],
        ['Queue.get', () => q.get()],
        ['Queue.put', () => q.put(1)],
        ['Lock.acquire', () => new Lock().acquire()],
        ['Semaphore.acquire', () => new Semaphore().acquire()],
        ['Event.wait', () => new Event().wait()],
        // Every `async with` scope is one asyncWith coroutine.
        ['asyncWith', () => taskGroup(function* () {})],
        ['asyncWith', () => withLock(new Lock(), function* () {})],
        ['timeout', () => timeout(1, function* () {})],
        ['abortable', () => abortable(() => Promise.resolve(1))],
      ];
      for (const [name, make] of attempts) {
        try {
          await make();
          results.push(`${name}: no error`);
        } catch (e) {
          expect(e).toBeInstanceOf(TypeError);
          expect((e as Error).message).toMatch(
            new RegExp(
              `^coroutine '${name.replace('.', '\\.')}' cannot be awaited with await: .*yield\\*`,
            ),
          );
          results.push(name);
        }
      }
    }
    await loop.runUntilComplete(misuse());
    expect(results).toEqual([
      'sleep',
      'sleep',
      'waitFor',
      'wait',
      'Queue.get',
      'Queue.put',
      'Lock.acquire',
      'Semaphore.acquire',
      'Event.wait',
      'asyncWith',
      'asyncWith',
      'timeout',
      'abortable',
    ]);
    // Awaiting a task made from it is the way from async code.
    const t = loop.createTask(sleep(0.001, 'ok'));
    expect(await loop.runUntilComplete(t)).toBe('ok');
  });
});

describe('a coroutine never awaited (debug mode)', () => {
  test('is reported when the loop closes, once, with where it was made', async () => {
    const warning = vi.spyOn(logger, 'warning').mockImplementation(() => {});
    const loop = new EventLoop({ debug: true });
    function* main(): Coroutine<void> {
      sleep(0.5); // forgot yield*
      const q = new Queue<number>();
      q.get(); // forgot yield*
      yield* sleep(0); // run: never reported
      const kept = waitFor(sleep(0), 1);
      expect(kept).toBeDefined();
    }
    await loop.runUntilComplete(main());
    expect(warning).not.toHaveBeenCalled();
    loop.close();
    const messages = warning.mock.calls.map(([m]) => m);
    expect(messages.map((m) => m.split('\n')[0])).toEqual([
      "RuntimeWarning: coroutine 'sleep' was never awaited: run it with yield* or createTask()",
      "RuntimeWarning: coroutine 'Queue.get' was never awaited: run it with yield* or createTask()",
      // The sleep given to the waitFor that never ran never ran either, as in CPython.
      "RuntimeWarning: coroutine 'sleep' was never awaited: run it with yield* or createTask()",
      "RuntimeWarning: coroutine 'waitFor' was never awaited: run it with yield* or createTask()",
    ]);
    expect(messages[0]).toMatch(
      /Coroutine created at \(most recent call last\)\n.*coroutine-misuse\.test\.ts/,
    );
    await collectGarbage();
    expect(warning).toHaveBeenCalledTimes(4);
  });

  test('is reported when it is collected, before the loop closes', async () => {
    const warning = vi.spyOn(logger, 'warning').mockImplementation(() => {});
    const loop = new EventLoop({ debug: true });
    await loop.runUntilComplete(
      (function* (): Coroutine<void> {
        sleep(1);
        yield* sleep(0);
      })(),
    );
    await collectGarbage();
    expect(warning).toHaveBeenCalledTimes(1);
    expect(warning.mock.calls[0]?.[0]).toMatch(
      /^RuntimeWarning: coroutine 'sleep' was never awaited/,
    );
    loop.close();
    expect(warning).toHaveBeenCalledTimes(1);
  });

  test('createTask, a coroutine handed to a task, and await all count as used', async () => {
    const warning = vi.spyOn(logger, 'warning').mockImplementation(() => {});
    const { loop } = makeLoop({ debug: true });
    function* main(): Coroutine<void> {
      const t = createTask(sleep(0.001));
      yield* t;
      yield* waitFor(sleep(0), null);
    }
    await loop.runUntilComplete(main());
    await loop
      .runUntilComplete(
        (async () => {
          await sleep(0);
        })(),
      )
      .catch(() => {});
    loop.close();
    expect(warning).not.toHaveBeenCalled();
  });
});
