/**
 * `asyncWith`, `AsyncContextManager` and `asyncContextManager`: Python's
 * `async with` and `contextlib.asynccontextmanager`, after CPython's
 * test_contextlib_async.py, over the scopes that implement the protocol.
 */
// biome-ignore-all lint/correctness/useYield: bodies that do not wait are coroutines all the same.
import { CancelledError, type Coroutine, newEventLoop, RuntimeError } from '@x/loop';
import {
  type AsyncContextManager,
  asyncContextManager,
  asyncWith,
  Barrier,
  createTask,
  ExceptionGroup,
  Lock,
  Semaphore,
  sleep,
  TaskGroup,
  Timeout,
  timeout,
  timeoutAt,
} from '@x/tasks';
import { describe, expect, it } from 'vitest';

function run<T>(main: () => Coroutine<T>): Promise<T> {
  const loop = newEventLoop();
  return loop.runUntilComplete(main()).finally(() => loop.close());
}

class Recorder implements AsyncContextManager<string> {
  log: unknown[] = [];
  constructor(private readonly swallow = false) {}
  *aenter(): Coroutine<string> {
    yield* sleep(0);
    this.log.push('enter');
    return 'value';
  }
  *aexit(error: unknown): Coroutine<boolean> {
    yield* sleep(0);
    this.log.push(['exit', error]);
    return this.swallow;
  }
}

describe('asyncWith', () => {
  it('enters, runs the body with the value, exits with undefined', async () => {
    const cm = new Recorder();
    const r = await run(() =>
      asyncWith(cm, function* (v) {
        cm.log.push(v);
        return 42;
      }),
    );
    expect(r).toBe(42);
    expect(cm.log).toEqual(['enter', 'value', ['exit', undefined]]);
  });

  it('hands the error to aexit and rethrows it unless aexit returns true', async () => {
    const err = new Error('boom');
    const cm = new Recorder();
    await expect(
      run(() =>
        asyncWith(cm, function* () {
          throw err;
        }),
      ),
    ).rejects.toBe(err);
    expect(cm.log).toEqual(['enter', ['exit', err]]);
    const swallowing = new Recorder(true);
    const r = await run(() =>
      asyncWith(swallowing, function* () {
        throw err;
      }),
    );
    expect(r).toBeUndefined();
  });

  it('refuses what is not a context manager, and a body that is not a function*', async () => {
    expect(() => asyncWith({} as never, function* () {})).toThrow(
      /asyncWith\(\) needs an asynchronous context manager/,
    );
    expect(() => asyncWith(new Recorder(), null as never)).toThrow(/asyncWith\(\) needs a body/);
    await expect(run(() => asyncWith(new Recorder(), (() => 1) as never))).rejects.toThrow(
      /the body of asyncWith must be a function\*/,
    );
  });

  it('TaskGroup, Timeout, Lock, Semaphore and Barrier are context managers', async () => {
    const r = await run(function* () {
      const lock = new Lock();
      const sem = new Semaphore(1);
      const got: unknown[] = [];
      yield* asyncWith(lock, function* () {
        got.push(lock.locked());
      });
      yield* asyncWith(sem, function* () {
        got.push(sem.locked());
      });
      got.push(lock.locked(), sem.locked());
      const t = yield* asyncWith(timeout(10), function* (scope) {
        got.push(scope instanceof Timeout, scope.expired());
        return scope;
      });
      got.push(t.expired());
      const tg = new TaskGroup();
      yield* asyncWith(tg, function* (g) {
        g.createTask(sleep(0));
      });
      const barrier = new Barrier(1);
      got.push(
        yield* asyncWith(barrier, function* (i) {
          return i;
        }),
      );
      return got;
    });
    expect(r).toEqual([true, true, false, false, true, false, false, 0]);
  });

  it('timeout(delay) and timeoutAt(when) without a body are Timeouts that expire', async () => {
    await run(function* () {
      const t = timeout(0);
      expect(t).toBeInstanceOf(Timeout);
      const at = timeoutAt(null);
      expect(at.when()).toBeNull();
      let caught: unknown;
      try {
        yield* asyncWith(timeoutAt(0), function* () {
          yield* sleep(10);
        });
      } catch (e) {
        caught = e;
      }
      expect((caught as Error).name).toBe('TimeoutError');
    });
  });

  it('a TaskGroup or a Timeout entered twice is a RuntimeError', async () => {
    await run(function* () {
      const tg = new TaskGroup();
      yield* asyncWith(tg, function* () {});
      let caught: unknown;
      try {
        yield* asyncWith(tg, function* () {});
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(RuntimeError);
      const t = timeout(null);
      yield* asyncWith(t, function* () {});
      caught = undefined;
      try {
        yield* asyncWith(t, function* () {});
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(RuntimeError);
    });
  });

  it('a TaskGroup exited with an error raises the ExceptionGroup', async () => {
    const err = new Error('child');
    await expect(
      run(() =>
        asyncWith(new TaskGroup(), function* (tg) {
          tg.createTask(
            (function* () {
              throw err;
            })(),
          );
          yield* sleep(0.5);
        }),
      ),
    ).rejects.toBeInstanceOf(ExceptionGroup);
  });

  it('a body closed with return() exits the manager with a GeneratorExit', async () => {
    const cm = new Recorder();
    await run(function* () {
      const t = createTask(
        asyncWith(cm, function* () {
          yield* sleep(10);
        }),
      );
      yield* sleep(0);
      yield* sleep(0);
      t.getCoro().return(undefined);
      t.cancel();
      try {
        yield* t;
      } catch (e) {
        expect(e).toBeInstanceOf(CancelledError);
      }
    });
    expect(cm.log[0]).toBe('enter');
  });
});

describe('asyncContextManager', () => {
  it('runs the code before emit as aenter and the code after as aexit', async () => {
    const log: string[] = [];
    const managed = asyncContextManager(function* (
      emit: (v: number) => Coroutine<void>,
      n: number,
    ) {
      log.push('before');
      yield* sleep(0);
      try {
        yield* emit(n * 2);
      } finally {
        yield* sleep(0);
        log.push('after');
      }
    });
    const r = await run(() =>
      asyncWith(managed(21), function* (v) {
        log.push(`body ${v}`);
        return v;
      }),
    );
    expect(r).toBe(42);
    expect(log).toEqual(['before', 'body 42', 'after']);
  });

  it('throws the body error out of emit, where the function may swallow it', async () => {
    const err = new Error('body');
    const swallowing = asyncContextManager(function* (emit: (v: null) => Coroutine<void>) {
      try {
        yield* emit(null);
      } catch {
        // swallowed
      }
    });
    expect(
      await run(() =>
        asyncWith(swallowing(), function* () {
          throw err;
        }),
      ),
    ).toBeUndefined();
    const passing = asyncContextManager(function* (emit: (v: null) => Coroutine<void>) {
      yield* emit(null);
    });
    await expect(
      run(() =>
        asyncWith(passing(), function* () {
          throw err;
        }),
      ),
    ).rejects.toBe(err);
  });

  it('refuses a function that does not emit, or emits twice', async () => {
    const silent = asyncContextManager(function* (_emit: (v: null) => Coroutine<void>) {});
    await expect(run(() => asyncWith(silent(), function* () {}))).rejects.toThrow(
      /generator didn't yield/,
    );
    const twice = asyncContextManager(function* (emit: (v: null) => Coroutine<void>) {
      yield* emit(null);
      yield* emit(null);
    });
    await expect(run(() => asyncWith(twice(), function* () {}))).rejects.toThrow(
      /generator didn't stop/,
    );
    expect(() => asyncContextManager(1 as never)).toThrow(TypeError);
  });
});
