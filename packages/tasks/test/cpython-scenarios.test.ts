/**
 * The CPython 3.14 tests of test_waitfor.py and
 * test_eager_task_factory.py that had no port yet, and checks of behaviour
 * compared with CPython 3.14 by running the same scenario in both (the
 * expected values are what CPython prints).
 */
import {
  CancelledError,
  type Coroutine,
  type EventLoop,
  type Future,
  getRunningLoop,
  TimeoutError,
} from '@x/loop';
import {
  asyncGenerator,
  createEagerTaskFactory,
  createTask,
  currentTask,
  type ExceptionGroup,
  eagerTaskFactory,
  gather,
  shield,
  sleep,
  Task,
  taskGroup,
  timeout,
  waitFor,
} from '@x/tasks';
import { describe, expect, test } from 'vitest';
import { makeLoop } from './task-helpers.js';

function run<T>(loop: EventLoop, main: () => Coroutine<T>): Promise<T> {
  return loop.runUntilComplete(main());
}

describe('AsyncioWaitForTest (test_waitfor.py)', () => {
  test('test_zero_timeout', async () => {
    const { loop } = makeLoop();
    await run(loop, function* () {
      function* coro(): Coroutine<string> {
        yield* sleep(0.01);
        return 'done';
      }
      const task = createTask(coro());
      const shieldedTask = shield(task);
      let timedOut = false;
      try {
        yield* waitFor(shieldedTask, 0);
      } catch (e) {
        timedOut = e instanceof TimeoutError;
      }
      expect(timedOut).toBe(true);
      // The task runs in the background.
      expect(task.done()).toBe(false);
      expect(task.cancelled()).toBe(false);
      expect(shieldedTask.cancelled()).toBe(true);
      yield* sleep(0.05);
      expect(task.done()).toBe(true);
    });
  });

  test('test_none_timeout', async () => {
    const { loop } = makeLoop();
    await run(loop, function* () {
      function* coro(): Coroutine<string> {
        yield* sleep(0.01);
        return 'done';
      }
      const task = createTask(coro());
      yield* waitFor(shield(task), null);
      expect(task.done()).toBe(true);
      expect(yield* task).toBe('done');
    });
  });

  test('test_shielded_timeout', async () => {
    const { loop } = makeLoop();
    await run(loop, function* () {
      function* coro(): Coroutine<string> {
        yield* sleep(0.05);
        return 'done';
      }
      const task = createTask(coro());
      let timedOut = false;
      try {
        yield* waitFor(shield(task), 0.005);
      } catch (e) {
        timedOut = e instanceof TimeoutError;
      }
      expect(timedOut).toBe(true);
      expect(task.done()).toBe(false);
      expect(task.cancelled()).toBe(false);
      expect(yield* task).toBe('done');
    });
  });
});

function* recursiveTaskGroups(width: number, depth: number): Coroutine<void> {
  if (depth === 0) return;
  // biome-ignore lint/correctness/useYield: the body only creates tasks, as CPython's.
  yield* taskGroup(function* (tg) {
    for (let i = 0; i < width; i++) tg.createTask(recursiveTaskGroups(width, depth - 1));
  });
}

function* recursiveGather(width: number, depth: number): Coroutine<void> {
  if (depth === 0) return;
  const children: Coroutine<void>[] = [];
  for (let i = 0; i < width; i++) children.push(recursiveGather(width, depth - 1));
  yield* gather(children);
}

/** `AsyncTaskCounter`: counts the tasks that were not started eagerly. */
function countTasks(loop: EventLoop, eager: boolean): () => number {
  let count = 0;
  class CountingTask<T> extends Task<T> {
    constructor(coro: Coroutine<T>, options?: ConstructorParameters<typeof Task<T>>[1]) {
      super(coro, options);
      if (options?.eagerStart !== true) count++;
    }
  }
  if (eager) {
    loop.setTaskFactory(createEagerTaskFactory(CountingTask));
  } else {
    loop.setTaskFactory((l, coro, options) => new CountingTask(coro, { ...options, loop: l }));
  }
  return () => count;
}

describe.each([
  ['NonEagerTests', false, 781], // 1 + 5 + 5^2 + 5^3 + 5^4
  ['EagerTests', true, 0],
] as const)('%s (test_eager_task_factory.py)', (_name, eager, expected) => {
  test('test_recursive_taskgroups', async () => {
    const { loop } = makeLoop();
    const count = countTasks(loop, eager);
    await run(loop, () => recursiveTaskGroups(5, 4));
    expect(count()).toBe(expected);
  });

  test('test_recursive_gather', async () => {
    const { loop } = makeLoop();
    const count = countTasks(loop, eager);
    await run(loop, () => recursiveGather(5, 4));
    expect(count()).toBe(expected);
  });
});

describe('compared with CPython 3.14, scenario by scenario', () => {
  test('a timeout and a failing child at the same moment: the timeout wins, the count is back to 0', async () => {
    const { loop } = makeLoop();
    await run(loop, function* () {
      const t = currentTask() as Task<unknown>;
      function* child(): Coroutine<void> {
        yield* sleep(0.02);
        throw new TypeError('boom');
      }
      let caught: unknown;
      try {
        yield* timeout(0.02, function* () {
          yield* taskGroup(function* (tg) {
            tg.createTask(child());
            yield* sleep(1);
          });
        });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(TimeoutError);
      expect(t.cancelling()).toBe(0);
    });
  });

  test('an outside cancel through timeout and taskGroup keeps its message and count', async () => {
    const { loop } = makeLoop();
    await run(loop, function* () {
      const seen: unknown[] = [];
      function* body(): Coroutine<void> {
        const t = currentTask() as Task<unknown>;
        try {
          yield* timeout(1, function* () {
            yield* taskGroup(function* (tg) {
              tg.createTask(sleep(1));
              yield* sleep(1);
            });
          });
        } catch (e) {
          seen.push((e as Error).constructor.name, (e as Error).message, t.cancelling());
          throw e;
        }
      }
      const task = createTask(body());
      yield* sleep(0.01);
      task.cancel('ext');
      let outer: unknown;
      try {
        yield* task;
      } catch (e) {
        outer = e;
      }
      expect(seen).toEqual(['CancelledError', 'ext', 1]);
      expect((outer as Error).message).toBe('ext');
      expect(task.cancelled()).toBe(true);
    });
  });

  test('gather cancelled with a message, children swallow it: CancelledError without it', async () => {
    const { loop } = makeLoop();
    await run(loop, function* () {
      const seen: unknown[] = [];
      function* child(i: number): Coroutine<number> {
        try {
          yield* sleep(1);
          return 0;
        } catch (e) {
          seen.push(i, (e as Error).message);
          return i;
        }
      }
      const g = gather([child(1), child(2)]);
      yield* sleep(0);
      g.cancel('stop');
      let outer: unknown;
      try {
        yield* g;
      } catch (e) {
        outer = e;
      }
      expect(seen).toEqual([1, 'stop', 2, 'stop']);
      expect(outer).toBeInstanceOf(CancelledError);
      expect((outer as Error).message).toBe('');
    });
  });

  test('a child that fails while cancelled is grouped before the body error', async () => {
    const { loop } = makeLoop();
    await run(loop, function* () {
      function* child(): Coroutine<void> {
        try {
          yield* sleep(1);
        } finally {
          // biome-ignore lint/correctness/noUnsafeFinally: the scenario under test.
          throw new RangeError('in finally');
        }
      }
      let caught: unknown;
      try {
        yield* taskGroup(function* (tg) {
          tg.createTask(child());
          yield* sleep(0);
          throw new TypeError('body');
        });
      } catch (e) {
        caught = e;
      }
      expect((caught as ExceptionGroup).errors.map((e) => (e as Error).name)).toEqual([
        'RangeError',
        'TypeError',
      ]);
    });
  });

  test('eager tasks: names given to createTask, nesting and order (3.14)', async () => {
    const { loop } = makeLoop();
    await run(loop, function* () {
      getRunningLoop().setTaskFactory(eagerTaskFactory);
      const parent = currentTask();
      const order: unknown[] = [];
      function* a(): Coroutine<string> {
        order.push(['a start', currentTask()?.getName()]);
        function* b(): Coroutine<string> {
          order.push(['b start', currentTask()?.getName()]);
          yield* sleep(0);
          order.push('b end');
          return 'b';
        }
        const tb = createTask(b(), { name: 'B' });
        order.push(['after b', currentTask()?.getName(), tb.done()]);
        yield* sleep(0);
        order.push('a end');
        return yield* tb;
      }
      const ta = createTask(a(), { name: 'A' });
      order.push(['after a', currentTask() === parent, ta.done()]);
      getRunningLoop().callSoon(() => order.push('cb'));
      expect(yield* ta).toBe('b');
      expect(order).toEqual([
        ['a start', 'A'],
        ['b start', 'B'],
        ['after b', 'A', false],
        ['after a', true, false],
        'b end',
        'a end',
        'cb',
      ]);
    });
  });

  test('an async generator: cancelled consumer, aclose, shutdownAsyncgens', async () => {
    const { loop } = makeLoop();
    const log: string[] = [];
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>, name: string) {
      try {
        for (let i = 0; i < 3; i++) {
          yield* sleep(0);
          yield* emit(i);
        }
      } catch (e) {
        log.push(`${name} got ${(e as Error).constructor.name}`);
        throw e;
      } finally {
        yield* sleep(0);
        log.push(`${name} finally`);
      }
    });
    await run(loop, function* () {
      const g1 = gen('g1');
      const t = createTask(g1.next());
      yield* sleep(0);
      t.cancel();
      // Until its finally (which waits) has run: by events, not by a 10 ms bet.
      while (!t.done()) yield* sleep(0.001);
      expect(t.cancelled()).toBe(true);
      expect((yield* g1.next()).done).toBe(true);
      const g2 = gen('g2');
      expect((yield* g2.next()).value).toBe(0);
      yield* g2.aclose();
      const g3 = gen('g3');
      expect((yield* g3.next()).value).toBe(0);
    });
    await loop.runUntilComplete(loop.shutdownAsyncgens());
    expect(log).toEqual([
      'g1 got CancelledError',
      'g1 finally',
      'g2 got GeneratorExit',
      'g2 finally',
      'g3 got GeneratorExit',
      'g3 finally',
    ]);
  });

  test('a shield cancelled by its awaiter reports the later failure once (3.14)', async () => {
    const { loop, calls } = makeLoop();
    await run(loop, function* () {
      function* inner(): Coroutine<void> {
        yield* sleep(0.01);
        throw new RangeError('k');
      }
      const it = createTask(inner());
      function* outer(): Coroutine<void> {
        return yield* shield(it);
      }
      const o = createTask(outer());
      yield* sleep(0);
      o.cancel();
      let cancelled = false;
      try {
        yield* o;
      } catch (e) {
        cancelled = e instanceof CancelledError;
      }
      expect(cancelled).toBe(true);
      // Ordered by events, not by a longer sleep (a loaded machine may run both
      // timers in one iteration): once the inner task is done, its callbacks
      // run in the next iteration.
      while (!it.done()) yield* sleep(0.005);
      yield* sleep(0);
      yield* sleep(0);
      expect(calls.map((c) => c.message)).toEqual(['RangeError exception in shielded future']);
      expect(calls[0]?.exception).toBe((it as Future<void>).exception());
    });
  });
});
