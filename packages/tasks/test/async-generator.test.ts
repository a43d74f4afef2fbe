/**
 * Port of CPython's Lib/test/test_asyncgen.py (AsyncGenTest,
 * AsyncGenAsyncioTest) for `asyncGenerator`, plus `loop.shutdownAsyncgens()`
 * and the finalizer hook.
 *
 * `async def` with `yield v` becomes `asyncGenerator(function* (emit) { ... yield* emit(v) })`,
 * `await anext(g)` becomes `yield* g.next()`, `async for` becomes `for await`
 * (inside an async function run by the loop) or a `while` over `yield* g.next()`.
 *
 * Not ported, and why: the asend()/athrow() tests (test_async_gen_asyncio_asend_*,
 * _athrow_*, test_async_gen_exception_10/11, run2 of anext_04, anext_05,
 * anext_tuple, anext_stopiteration): the contract's AsyncGen has next() and
 * aclose() only, and emit() returns nothing; the syntax tests and the anext()/aiter()
 * builtin tests (Python syntax and builtins); test_async_gen_api_01's
 * ag_frame/ag_code (CPython objects); the `asyncio.run()` in
 * test_async_gen_asyncio_shutdown_exception_02 (run() is in @x/runner: the
 * finalizer's task is checked directly here).
 */
import { inspect } from 'node:util';
import {
  CancelledError,
  type Coroutine,
  type EventLoop,
  type ExceptionContext,
  logger,
  RuntimeError,
} from '@x/loop';
import {
  type AsyncGen,
  asyncGenerator,
  createTask,
  ensureFuture,
  GeneratorExit,
  sleep,
  Task,
} from '@x/tasks';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { collectGarbage, makeLoop } from './task-helpers.js';

class AwaitException extends Error {
  override name = 'AwaitException';
}
class ZeroDivisionError extends Error {
  override name = 'ZeroDivisionError';
}

/** CPython's `awaitable()` helper: one turn of the loop, or an exception. */
function* awaitable(options?: { throw?: boolean }): Coroutine<void> {
  yield* sleep(0);
  if (options?.throw) throw new AwaitException();
}

/** `[i async for i in gen]`. */
function* toList<T>(gen: AsyncGen<T>): Coroutine<T[]> {
  const out: T[] = [];
  for (;;) {
    const r = yield* gen.next();
    if (r.done) return out;
    out.push(r.value);
  }
}

/** `async for _ in gen: pass`. */
function* consume<T>(gen: AsyncGen<T>): Coroutine<void> {
  for (;;) {
    const r = yield* gen.next();
    if (r.done) return;
  }
}

/** Calls the async function from a task of the loop, where `for await` can find the running loop. */
function* inLoop<T>(main: () => Promise<T>): Coroutine<T> {
  return yield* ensureFuture(main());
}

/** What `asyncio.run(main)` does around `main`, short of the runner itself. */
async function runLikeAsyncioRun(l: EventLoop, main: Coroutine<unknown>): Promise<void> {
  try {
    await l.runUntilComplete(main);
  } finally {
    await l.runUntilComplete(l.shutdownAsyncgens());
    l.close();
  }
}

/** `compare_generators`: what a sync generator gives, the async one must give too. */
function* compareGenerators(
  syncGen: Generator<unknown, void, unknown>,
  asyncGen: AsyncGen<unknown>,
): Coroutine<unknown[]> {
  const syncRes: unknown[] = [];
  for (;;) {
    try {
      const r = syncGen.next();
      if (r.done) {
        syncRes.push('STOP');
        break;
      }
      syncRes.push(r.value);
    } catch (e) {
      syncRes.push((e as Error).name);
    }
  }
  const asyncRes: unknown[] = [];
  for (;;) {
    try {
      const r = yield* asyncGen.next();
      if (r.done) {
        asyncRes.push('STOP');
        break;
      }
      asyncRes.push(r.value);
    } catch (e) {
      asyncRes.push((e as Error).name);
    }
  }
  expect(asyncRes).toEqual(syncRes);
  return asyncRes;
}

let loop: EventLoop;
let calls: ExceptionContext[];
beforeEach(() => {
  ({ loop, calls } = makeLoop());
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('AsyncGenTest', () => {
  test('test_async_gen_iteration_01', async () => {
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      yield* awaitable();
      const a = yield* emit(123);
      expect(a).toBeUndefined();
      yield* awaitable();
      yield* emit(456);
      yield* awaitable();
      yield* emit(789);
    });
    expect(await loop.runUntilComplete(toList(gen()))).toEqual([123, 456, 789]);
  });

  test('test_async_gen_iteration_02', async () => {
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      yield* awaitable();
      yield* emit(123);
      yield* awaitable();
    });
    function* run(): Coroutine<void> {
      const g = gen();
      expect(yield* g.next()).toEqual({ done: false, value: 123 });
      expect(yield* g.next()).toEqual({ done: true, value: undefined });
    }
    await loop.runUntilComplete(run());
  });

  test('test_async_gen_exception_03', async () => {
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      yield* awaitable();
      yield* emit(123);
      yield* awaitable({ throw: true });
      yield* emit(456);
    });
    await expect(loop.runUntilComplete(toList(gen()))).rejects.toBeInstanceOf(AwaitException);
  });

  test('test_async_gen_exception_04', async () => {
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      yield* awaitable();
      yield* emit(123);
      throw new ZeroDivisionError();
    });
    function* run(): Coroutine<void> {
      const g = gen();
      expect((yield* g.next()).value).toBe(123);
      let err: unknown;
      try {
        yield* g.next();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ZeroDivisionError);
      // An async generator that raised is closed (StopAsyncIteration).
      expect(yield* g.next()).toEqual({ done: true, value: undefined });
    }
    await loop.runUntilComplete(run());
  });

  test('test_async_gen_exception_07', async () => {
    function* syncGen(): Generator<number, void, unknown> {
      try {
        yield 1;
        throw new ZeroDivisionError();
      } finally {
        yield 2;
        yield 3;
      }
      yield 100;
    }
    const asyncGen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        yield* emit(1);
        throw new ZeroDivisionError();
      } finally {
        yield* emit(2);
        yield* emit(3);
      }
      yield* emit(100);
    });
    const res = await loop.runUntilComplete(compareGenerators(syncGen(), asyncGen()));
    expect(res).toEqual([1, 2, 3, 'ZeroDivisionError', 'STOP']);
  });

  test('test_async_gen_exception_08', async () => {
    function* syncGen(): Generator<number, void, unknown> {
      try {
        yield 1;
      } finally {
        yield 2;
        // biome-ignore lint/correctness/noUnsafeFinally: a finally block that fails is the case under test
        throw new ZeroDivisionError();
      }
    }
    const asyncGen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        yield* emit(1);
        yield* awaitable();
      } finally {
        yield* awaitable();
        yield* emit(2);
        // biome-ignore lint/correctness/noUnsafeFinally: a finally block that fails is the case under test
        throw new ZeroDivisionError();
      }
    });
    const res = await loop.runUntilComplete(compareGenerators(syncGen(), asyncGen()));
    expect(res).toEqual([1, 2, 'ZeroDivisionError', 'STOP']);
  });

  test('test_async_gen_exception_09', async () => {
    function* syncGen(): Generator<number, void, unknown> {
      try {
        yield 1;
        throw new ZeroDivisionError();
      } finally {
        yield 2;
        yield 3;
      }
      yield 100;
    }
    const asyncGen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        yield* awaitable();
        yield* emit(1);
        throw new ZeroDivisionError();
      } finally {
        yield* emit(2);
        yield* awaitable();
        yield* emit(3);
      }
      yield* emit(100);
    });
    const res = await loop.runUntilComplete(compareGenerators(syncGen(), asyncGen()));
    expect(res).toEqual([1, 2, 3, 'ZeroDivisionError', 'STOP']);
  });

  test('test_async_gen_api_01', () => {
    const gen = asyncGenerator(function* gen(emit: (v: number) => Coroutine<void>) {
      yield* emit(123);
    });
    const g = gen();
    expect(String(g)).toBe('<async_generator object gen>');
    const close = g.aclose();
    expect(typeof close.next).toBe('function');
    expect(typeof close.throw).toBe('function');
  });
});

describe('AsyncGenAsyncioTest', () => {
  test('test_async_gen_asyncio_01', async () => {
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      yield* emit(1);
      yield* sleep(0.01);
      yield* emit(2);
      yield* sleep(0.01);
      return;
    });
    expect(await loop.runUntilComplete(toList(gen()))).toEqual([1, 2]);
  });

  test('test_async_gen_asyncio_02', async () => {
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      yield* emit(1);
      yield* sleep(0.01);
      yield* emit(2);
      throw new ZeroDivisionError();
    });
    await expect(loop.runUntilComplete(toList(gen()))).rejects.toBeInstanceOf(ZeroDivisionError);
  });

  test('test_async_gen_asyncio_anext_04', async () => {
    const foo = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      yield* emit(1);
      yield* sleep(0.01);
      try {
        yield* emit(2);
        yield* emit(3);
      } catch (e) {
        if (!(e instanceof ZeroDivisionError)) throw e;
        yield* emit(1000);
      }
      yield* sleep(0.01);
      yield* emit(4);
    });
    function* run1(): Coroutine<void> {
      const it = foo();
      expect((yield* it.next()).value).toBe(1);
      expect((yield* it.next()).value).toBe(2);
      expect((yield* it.next()).value).toBe(3);
      expect((yield* it.next()).value).toBe(4);
      expect((yield* it.next()).done).toBe(true);
      expect((yield* it.next()).done).toBe(true);
    }
    await loop.runUntilComplete(run1());
  });

  test('test_async_gen_asyncio_anext_06', async () => {
    let DONE = 0;
    const gen = asyncGenerator(function* (emit: (v: undefined) => Coroutine<void>) {
      try {
        yield* emit(undefined);
      } catch {}
      DONE = 1;
    });
    function* run(): Coroutine<void> {
      const g = gen();
      yield* g.next();
      expect((yield* g.next()).done).toBe(true);
      DONE += 10;
    }
    await loop.runUntilComplete(run());
    expect(DONE).toBe(11);
  });

  test('test_async_gen_asyncio_aclose_06', async () => {
    const foo = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        yield* emit(1);
        throw new ZeroDivisionError();
      } finally {
        yield* sleep(0.01);
        yield* emit(12);
      }
    });
    function* run(): Coroutine<void> {
      const gen = foo();
      yield* gen.next();
      yield* gen.aclose();
    }
    const err = await loop.runUntilComplete(run()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toBe('async generator ignored GeneratorExit');
  });

  test('test_async_gen_asyncio_aclose_07', async () => {
    let DONE = 0;
    const foo = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        yield* emit(1);
        throw new ZeroDivisionError();
      } finally {
        yield* sleep(0.01);
        yield* sleep(0.01);
        DONE += 1;
      }
      DONE += 1000;
    });
    function* run(): Coroutine<void> {
      const gen = foo();
      yield* gen.next();
      yield* gen.aclose();
    }
    await loop.runUntilComplete(run());
    expect(DONE).toBe(1);
  });

  test('test_async_gen_asyncio_aclose_08', async () => {
    let DONE = 0;
    const fut = loop.createFuture<void>();
    const foo = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        yield* emit(1);
        yield* fut;
        DONE += 1000;
        yield* emit(2);
      } finally {
        yield* sleep(0.01);
        yield* sleep(0.01);
        DONE += 1;
      }
      DONE += 1000;
    });
    function* run(): Coroutine<void> {
      const gen = foo();
      expect((yield* gen.next()).value).toBe(1);
      yield* gen.aclose();
    }
    await loop.runUntilComplete(run());
    expect(DONE).toBe(1);
    fut.cancel();
  });

  test('test_async_gen_asyncio_gc_aclose_09', async () => {
    let DONE = 0;
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        for (;;) yield* emit(1);
      } finally {
        yield* sleep(0);
        DONE = 1;
      }
    });
    function* run(): Coroutine<void> {
      let g: AsyncGen<number> | null = gen();
      yield* g.next();
      yield* g.next();
      g = null;
      yield* ensureFuture(collectGarbage());
      // Starts running the aclose task, then its sleep(0).
      for (let i = 0; i < 100 && DONE === 0; i++) yield* sleep(0.005);
    }
    await loop.runUntilComplete(run());
    expect(DONE).toBe(1);
    expect(calls).toEqual([]);
  });

  test('test_async_gen_asyncio_aclose_10', async () => {
    let DONE = 0;
    const gen = asyncGenerator(function* (emit: (v: undefined) => Coroutine<void>) {
      try {
        yield* emit(undefined);
      } catch {}
      DONE = 1;
    });
    function* run(): Coroutine<void> {
      const g = gen();
      yield* g.next();
      yield* g.aclose();
      DONE += 10;
    }
    await loop.runUntilComplete(run());
    expect(DONE).toBe(11);
  });

  test('test_async_gen_asyncio_aclose_11', async () => {
    let DONE = 0;
    const gen = asyncGenerator(function* (emit: (v: undefined) => Coroutine<void>) {
      try {
        yield* emit(undefined);
      } catch {}
      yield* emit(undefined);
      DONE += 1;
    });
    function* run(): Coroutine<void> {
      const g = gen();
      yield* g.next();
      let err: unknown;
      try {
        yield* g.aclose();
      } catch (e) {
        err = e;
      }
      expect(String(err)).toMatch(/ignored GeneratorExit/);
      // It is closed all the same.
      expect((yield* g.next()).done).toBe(true);
      DONE += 10;
    }
    await loop.runUntilComplete(run());
    expect(DONE).toBe(10);
  });

  test('test_async_gen_asyncio_aclose_12', async () => {
    let DONE = 0;
    function* target(): Coroutine<void> {
      yield* sleep(0.01);
      throw new ZeroDivisionError();
    }
    const foo = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      const task = createTask(target());
      try {
        yield* emit(1);
      } finally {
        try {
          yield* task;
        } catch (e) {
          if (e instanceof ZeroDivisionError) DONE = 1;
        }
      }
    });
    function* run(): Coroutine<void> {
      const gen = foo();
      yield* gen.next();
      yield* gen.aclose();
    }
    await loop.runUntilComplete(run());
    expect(DONE).toBe(1);
  });

  test('GeneratorExit is what the body sees at its emit', async () => {
    const seen: unknown[] = [];
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        yield* emit(1);
      } catch (e) {
        seen.push(e);
        throw e;
      }
    });
    function* run(): Coroutine<void> {
      const g = gen();
      yield* g.next();
      yield* g.aclose();
    }
    await loop.runUntilComplete(run());
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(GeneratorExit);
    expect((seen[0] as Error).name).toBe('GeneratorExit');
  });

  test('an error thrown by a finally block during aclose() reaches the caller', async () => {
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        yield* emit(1);
      } finally {
        yield* sleep(0);
        // biome-ignore lint/correctness/noUnsafeFinally: a finally block that fails is the case under test
        throw new ZeroDivisionError('in finally');
      }
    });
    function* run(): Coroutine<void> {
      const g = gen();
      yield* g.next();
      yield* g.aclose();
    }
    await expect(loop.runUntilComplete(run())).rejects.toThrow('in finally');
  });

  test('test_async_gen_asyncio_shutdown_01', async () => {
    let finalized = 0;
    const waiter = asyncGenerator(function* (
      emit: (v: number) => Coroutine<void>,
      timeout: number,
    ) {
      try {
        yield* sleep(timeout);
        yield* emit(1);
      } finally {
        yield* sleep(0);
        finalized += 1;
      }
    });
    // `async for _ in waiter(1): pass`, in two tasks.
    const t1 = new Task(consume(waiter(1)), { loop });
    const t2 = new Task(consume(waiter(1)), { loop });
    await loop.runUntilComplete(sleep(0.02));
    t1.cancel();
    t2.cancel();
    await expect(loop.runUntilComplete(t1)).rejects.toBeInstanceOf(CancelledError);
    await expect(loop.runUntilComplete(t2)).rejects.toBeInstanceOf(CancelledError);
    await loop.runUntilComplete(loop.shutdownAsyncgens());
    expect(finalized).toBe(2);
  });

  test('test_async_gen_asyncio_shutdown_02', async () => {
    const messages: ExceptionContext[] = [];
    const asyncIterate = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      yield* emit(1);
      yield* emit(2);
    });
    const it = asyncIterate();
    async function main(): Promise<void> {
      loop.setExceptionHandler((_l, ctx) => messages.push(ctx));
      for await (const _ of it) break;
    }
    await runLikeAsyncioRun(loop, inLoop(main));
    expect(messages).toEqual([]);
  });

  test('test_async_gen_asyncio_shutdown_exception_01', async () => {
    const messages: ExceptionContext[] = [];
    const asyncIterate = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        yield* emit(1);
        yield* emit(2);
      } finally {
        // biome-ignore lint/correctness/noUnsafeFinally: ported as written
        throw new ZeroDivisionError();
      }
    });
    const it = asyncIterate();
    function* main(): Coroutine<void> {
      loop.setExceptionHandler((_l, ctx) => messages.push(ctx));
      // `async for i in it: break` leaves the generator open in Python; a
      // JavaScript `for await` would close it on `break`, so step it by hand.
      yield* it.next();
    }
    await runLikeAsyncioRun(loop, main());
    expect(messages).toHaveLength(1);
    const [message] = messages as [ExceptionContext];
    expect(message.asyncgen).toBe(it);
    expect(message.exception).toBeInstanceOf(ZeroDivisionError);
    expect(message.message).toContain(
      'an error occurred during closing of asynchronous generator <async_generator object',
    );
  });

  test('test_async_gen_asyncio_shutdown_exception_02: the finalizer closes it in a task', async () => {
    const asyncIterate = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        yield* emit(1);
        yield* emit(2);
      } finally {
        // biome-ignore lint/correctness/noUnsafeFinally: ported as written
        throw new ZeroDivisionError();
      }
    });
    function* main(): Coroutine<void> {
      let g: AsyncGen<number> | null = asyncIterate();
      yield* g.next();
      g = null;
      yield* ensureFuture(collectGarbage());
      yield* sleep(0.01);
    }
    await loop.runUntilComplete(main());
    // The aclose() task failed and nobody awaited it: reported when collected, as in CPython.
    await collectGarbage();
    expect(calls.map((c) => c.message)).toEqual(['Task exception was never retrieved']);
    expect(calls[0]?.exception).toBeInstanceOf(ZeroDivisionError);
  });

  test('test_async_gen_expression_01', async () => {
    const arange = asyncGenerator(function* (emit: (v: number) => Coroutine<void>, n: number) {
      for (let i = 0; i < n; i++) {
        yield* sleep(0.001);
        yield* emit(i);
      }
    });
    async function run(): Promise<number[]> {
      const out: number[] = [];
      for await (const i of arange(10)) out.push(i * 2);
      return out;
    }
    expect(await loop.runUntilComplete(inLoop(run))).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  });

  test('test_asyncgen_nonstarted_hooks_are_cancellable', async () => {
    const messages: ExceptionContext[] = [];
    const asyncIterate = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      yield* emit(1);
      yield* emit(2);
    });
    async function main(): Promise<void> {
      loop.setExceptionHandler((_l, ctx) => messages.push(ctx));
      for await (const _ of asyncIterate()) break;
    }
    await runLikeAsyncioRun(loop, inLoop(main));
    expect(messages).toEqual([]);
  });

  test('test_async_gen_await_same_anext_coro_twice', async () => {
    const asyncIterate = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      yield* emit(1);
      yield* emit(2);
    });
    function* run(): Coroutine<void> {
      const it = asyncIterate();
      const nxt = it.next();
      yield* nxt;
      expect(() => nxt.next()).toThrow(/cannot reuse already awaited next\(\)/);
      yield* it.aclose();
    }
    await loop.runUntilComplete(run());
  });

  test('test_async_gen_await_same_aclose_coro_twice', async () => {
    const asyncIterate = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      yield* emit(1);
      yield* emit(2);
    });
    function* run(): Coroutine<void> {
      const it = asyncIterate();
      const nxt = it.aclose();
      yield* nxt;
      let err: unknown;
      try {
        yield* nxt;
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RuntimeError);
      expect((err as Error).message).toMatch(/cannot reuse already awaited aclose\(\)/);
    }
    await loop.runUntilComplete(run());
  });

  test('test_async_gen_aclose_twice_with_different_coros', async () => {
    let ran = false;
    const asyncIterate = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      ran = true;
      yield* emit(1);
    });
    function* run(): Coroutine<void> {
      const it = asyncIterate();
      yield* it.aclose();
      yield* it.aclose();
      // Closed before it started: the body never runs.
      expect((yield* it.next()).done).toBe(true);
    }
    await loop.runUntilComplete(run());
    expect(ran).toBe(false);
  });

  test('test_async_gen_aclose_after_exhaustion', async () => {
    const asyncIterate = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      yield* emit(1);
      yield* emit(2);
    });
    function* run(): Coroutine<number[]> {
      const it = asyncIterate();
      const out = yield* toList(it);
      yield* it.aclose();
      return out;
    }
    expect(await loop.runUntilComplete(run())).toEqual([1, 2]);
  });

  test('test_async_gen_aclose_compatible_with_get_stack', async () => {
    const asyncGen = asyncGenerator(function* (emit: (v: object) => Coroutine<void>) {
      yield* emit({});
    });
    function* run(): Coroutine<void> {
      const ag = asyncGen();
      const t = createTask(ag.aclose());
      yield* t;
      expect(t.done() && t.result()).toBeUndefined();
    }
    await loop.runUntilComplete(run());
  });
});

describe('AsyncGenExtraTests', () => {
  test('shutdownAsyncgens() closes every open generator, concurrently', async () => {
    const log: string[] = [];
    const gen = asyncGenerator(function* g(emit: (v: number) => Coroutine<void>, tag: string) {
      try {
        for (let i = 0; ; i++) yield* emit(i);
      } finally {
        log.push(`start ${tag}`);
        yield* sleep(0.005);
        log.push(`end ${tag}`);
      }
    });
    const a = gen('A');
    const b = gen('B');
    const notStarted = gen('C');
    const finished = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      yield* emit(1);
    })();
    function* main(): Coroutine<void> {
      yield* a.next();
      yield* b.next();
      yield* b.next();
      yield* toList(finished);
    }
    await loop.runUntilComplete(main());
    expect(log).toEqual([]);
    await loop.runUntilComplete(loop.shutdownAsyncgens());
    expect(log).toEqual(['start A', 'start B', 'end A', 'end B']);
    expect(calls).toEqual([]);
    // Closed: the next step is the end.
    expect((await loop.runUntilComplete(a.next())).done).toBe(true);
    void notStarted;
  });

  test('a generator started after shutdownAsyncgens() gets a warning', async () => {
    const warn = vi.spyOn(logger, 'warning').mockImplementation(() => {});
    const gen = asyncGenerator(function* late(emit: (v: number) => Coroutine<void>) {
      yield* emit(1);
    });
    await loop.runUntilComplete(loop.shutdownAsyncgens());
    const g = gen();
    await loop.runUntilComplete(g.next());
    expect(warn).toHaveBeenCalledWith(
      'asynchronous generator <async_generator object late> was scheduled after loop.shutdownAsyncgens() call',
    );
    await loop.runUntilComplete(g.aclose());
  });

  test('cancelling shutdownAsyncgens() cancels the closing tasks', async () => {
    const log: string[] = [];
    let cancelShutdown = (): void => {};
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        yield* emit(1);
      } finally {
        cancelShutdown();
        try {
          yield* sleep(10);
        } catch (e) {
          log.push((e as Error).name);
          // biome-ignore lint/correctness/noUnsafeFinally: the cancellation goes on
          throw e;
        }
      }
    });
    const g = gen();
    await loop.runUntilComplete(g.next());
    const shutdown = loop.createTask(loop.shutdownAsyncgens());
    cancelShutdown = () => loop.callSoon(() => shutdown.cancel());
    await expect(loop.runUntilComplete(shutdown)).rejects.toBeInstanceOf(CancelledError);
    await loop.runUntilComplete(sleep(0));
    expect(log).toEqual(['CancelledError']);
  });

  test('anext() and aclose() refuse to run while a step is in progress', async () => {
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      yield* sleep(0.01);
      yield* emit(1);
    });
    const g = gen();
    function* main(): Coroutine<unknown[]> {
      const first = createTask(g.next());
      yield* sleep(0);
      const errors: unknown[] = [];
      for (const c of [g.next(), g.aclose()] as Coroutine<unknown>[]) {
        try {
          yield* c;
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
      errors.push(yield* first);
      return errors;
    }
    expect(await loop.runUntilComplete(main())).toEqual([
      'anext(): asynchronous generator is already running',
      'aclose(): asynchronous generator is already running',
      { done: false, value: 1 },
    ]);
    await loop.runUntilComplete(g.aclose());
  });

  test('cancelling the consumer cancels the body where it waits', async () => {
    const log: string[] = [];
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        yield* sleep(10);
        yield* emit(1);
      } catch (e) {
        log.push(`body saw ${(e as Error).name}: ${(e as Error).message}`);
        throw e;
      }
    });
    const g = gen();
    const t = loop.createTask(g.next());
    loop.callLater(0.005, () => t.cancel('stop'));
    await expect(loop.runUntilComplete(t)).rejects.toBeInstanceOf(CancelledError);
    expect(log).toEqual(['body saw CancelledError: stop']);
    expect((await loop.runUntilComplete(g.next())).done).toBe(true);
  });

  test("emitting with another generator's emit is a RuntimeError in the body", async () => {
    let otherEmit: ((v: number) => Coroutine<void>) | null = null;
    const other = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      otherEmit = emit;
      yield* emit(0);
    });
    const gen = asyncGenerator(function* (_emit: (v: number) => Coroutine<void>) {
      yield* (otherEmit as unknown as (v: number) => Coroutine<void>)(1);
    });
    const o = other();
    await loop.runUntilComplete(o.next());
    const err = await loop.runUntilComplete(gen().next()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toMatch(/each body must use the emit function it was given/);
    await loop.runUntilComplete(o.aclose());
  });

  test('for await with break closes the generator, running its finally blocks', async () => {
    const log: string[] = [];
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        for (let i = 0; ; i++) yield* emit(i);
      } finally {
        yield* sleep(0);
        log.push('finally');
      }
    });
    async function main(): Promise<number[]> {
      const out: number[] = [];
      for await (const i of gen()) {
        out.push(i);
        if (i === 2) break;
      }
      return out;
    }
    expect(await loop.runUntilComplete(inLoop(main))).toEqual([0, 1, 2]);
    expect(log).toEqual(['finally']);
  });

  test('for await outside a running loop rejects with RuntimeError', async () => {
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      yield* emit(1);
    });
    const it = gen()[Symbol.asyncIterator]();
    const err = await it.next().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toMatch(/needs a running event loop/);
  });

  test('bad arguments give TypeErrors', () => {
    expect(() => asyncGenerator(42 as never)).toThrow(TypeError);
    const notACoroutine = asyncGenerator((() => 42) as never);
    expect(() => notACoroutine()).toThrow(/must be a coroutine function/);
  });

  test('a next() coroutine closed before it ran cannot be reused; the generator goes on', async () => {
    // CPython: `anext(g).close()` marks that awaitable closed and leaves `g` alone.
    let ran = false;
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      ran = true;
      yield* emit(1);
    });
    function* run(): Coroutine<void> {
      const it = gen();
      const nxt = it.next();
      expect(nxt.return(undefined as never)).toEqual({ done: true, value: undefined });
      expect(() => nxt.next()).toThrow(RuntimeError);
      expect(() => nxt.next()).toThrow(/cannot reuse already awaited next\(\)/);
      expect(ran).toBe(false);
      expect(yield* it.next()).toEqual({ done: false, value: 1 });
      yield* it.aclose();
    }
    await loop.runUntilComplete(run());
    expect(calls).toEqual([]);
  });

  test('what the objects say they are: a coroutine, an AsyncGen, and its repr', () => {
    const gen = asyncGenerator(function* agen(emit: (v: number) => Coroutine<void>) {
      yield* emit(1);
    });
    const g = gen();
    expect(Object.prototype.toString.call(g.next())).toBe('[object Generator]');
    expect(Object.prototype.toString.call(g.aclose())).toBe('[object Generator]');
    expect(Object.prototype.toString.call(g)).toBe('[object AsyncGen]');
    expect(inspect(g)).toBe('<async_generator object agen>');
  });

  test('for await over the async iterator itself', async () => {
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      yield* emit(1);
      yield* sleep(0);
      yield* emit(2);
    });
    async function main(): Promise<number[]> {
      // What gen() gives is an AsyncIterator; for await needs it iterable too.
      const it = gen()[Symbol.asyncIterator]() as AsyncIterableIterator<number>;
      expect(it[Symbol.asyncIterator]()).toBe(it);
      const out: number[] = [];
      for await (const v of it) out.push(v);
      return out;
    }
    expect(await loop.runUntilComplete(inLoop(main))).toEqual([1, 2]);
  });

  test('a generator collected after its loop closed is left alone', async () => {
    const log: string[] = [];
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        yield* emit(1);
      } finally {
        log.push('finally');
      }
    });
    let g: AsyncGen<number> | null = gen();
    await loop.runUntilComplete((g as AsyncGen<number>).next());
    g = null;
    loop.close();
    await collectGarbage();
    expect(log).toEqual([]);
    expect(calls).toEqual([]);
  });

  test('a generator that never started is not closed by the finalizer', async () => {
    const log: string[] = [];
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      log.push('body');
      yield* emit(1);
    });
    function* main(): Coroutine<void> {
      let g: AsyncGen<number> | null = gen();
      void g;
      g = null;
      yield* ensureFuture(collectGarbage());
      yield* sleep(0.005);
    }
    await loop.runUntilComplete(main());
    expect(log).toEqual([]);
  });
});
