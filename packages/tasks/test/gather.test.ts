/**
 * Port of the gather tests of CPython's Lib/test/test_asyncio/test_tasks.py
 * (GatherTestsBase, FutureGatherTests, CoroutineGatherTests,
 * test_cancel_gather_1/2), for 3.14's `gather`, plus the TypeScript-specific
 * parts (tuple inference, argument checks).
 *
 * CPython's test loop (`new_test_loop`) fakes time; here the loops are real
 * and the delays are a few milliseconds. `_run_loop` runs iterations while
 * callbacks are ready, as CPython's helper does.
 *
 * Not ported, and why: test_env_var_debug (PYTHONASYNCIODEBUG; the loop's
 * XASYNC_DEBUG is tested with @x/loop), the `get_innermost_context` part of
 * test_cancel_gather_2 (JavaScript errors have no `__context__` chain), and its
 * non-string message case (`cancel(msg?: string)`).
 */
import {
  CancelledError,
  type Coroutine,
  type EventLoop,
  type Future,
  RuntimeError,
  setEventLoop,
  ValueError,
} from '@x/loop';
import { createTask, eagerTaskFactory, ensureFuture, gather, sleep, type Task } from '@x/tasks';
import { beforeEach, describe, expect, expectTypeOf, test, vi } from 'vitest';
import { caught, collectGarbage, makeLoop, waitDone } from './task-helpers.js';

/**
 * `test_utils.run_briefly`: runs a task that yields once, so three loop
 * iterations (its two steps, then the callback that stops the loop).
 */
async function runBriefly(loop: EventLoop): Promise<void> {
  await loop.runUntilComplete(
    (function* once(): Coroutine<void> {
      yield;
    })(),
  );
}

/** `GatherTestsBase._run_loop`: runs the loop while callbacks are ready. */
async function runLoop(loop: EventLoop): Promise<void> {
  while (loop._ready.length > 0) await runBriefly(loop);
}

/**
 * Runs `fn` as a coroutine of the loop and returns what it returns. The
 * value is boxed: a promise resolved with a Future (a thenable) would wait
 * for it.
 */
function inLoop<R>(loop: EventLoop, fn: () => R): Promise<{ value: R }> {
  return loop.runUntilComplete(
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    (function* (): Coroutine<{ value: R }> {
      return { value: fn() };
    })(),
  );
}

class ZeroDivisionError extends Error {
  override name = 'ZeroDivisionError';
}

interface Variant {
  name: string;
  wrap(futures: Future<unknown>[]): unknown[];
  gather(
    loop: EventLoop,
    args: unknown[],
    options?: { returnExceptions?: boolean },
  ): Promise<{ value: Future<unknown[]> }>;
}

const futureVariant: Variant = {
  name: 'FutureGatherTests',
  wrap: (futures) => futures,
  gather: async (_loop, args, options) => ({
    value: gather(args as never, options as never) as Future<unknown[]>,
  }),
};

const coroutineVariant: Variant = {
  name: 'CoroutineGatherTests',
  wrap: (futures) =>
    futures.map((fut) =>
      (function* coro(): Coroutine<unknown> {
        return yield* fut;
      })(),
    ),
  // Inside a running loop, as CPython's CoroutineGatherTests._gather.
  gather: (loop, args, options) =>
    inLoop(loop, () => gather(args as never, options as never) as Future<unknown[]>),
};

for (const variant of [futureVariant, coroutineVariant]) {
  describe(`${variant.name} (GatherTestsBase)`, () => {
    let oneLoop: EventLoop;

    beforeEach(() => {
      oneLoop = makeLoop().loop;
      makeLoop();
      setEventLoop(oneLoop);
    });

    async function checkSuccess(options?: { returnExceptions?: boolean }): Promise<void> {
      const [a, b, c] = [0, 1, 2].map(() => oneLoop.createFuture<number>()) as [
        Future<number>,
        Future<number>,
        Future<number>,
      ];
      const { value: fut } = await variant.gather(oneLoop, variant.wrap([a, b, c]), options);
      const cb = vi.fn();
      fut.addDoneCallback(cb);
      b.setResult(1);
      a.setResult(2);
      await runLoop(oneLoop);
      expect(cb).not.toHaveBeenCalled();
      expect(fut.done()).toBe(false);
      c.setResult(3);
      await runLoop(oneLoop);
      expect(cb).toHaveBeenCalledOnce();
      expect(cb.mock.calls[0]?.[0]).toBe(fut);
      expect(fut.result()).toEqual([2, 1, 3]);
    }

    test('test_success', async () => {
      await checkSuccess();
      await checkSuccess({ returnExceptions: false });
    });

    test('test_result_exception_success', async () => {
      await checkSuccess({ returnExceptions: true });
    });

    test('test_one_exception', async () => {
      const [a, b, c, d, e] = [0, 1, 2, 3, 4].map(() =>
        oneLoop.createFuture<number>(),
      ) as Future<number>[] as [
        Future<number>,
        Future<number>,
        Future<number>,
        Future<number>,
        Future<number>,
      ];
      const { value: fut } = await variant.gather(oneLoop, variant.wrap([a, b, c, d, e]));
      const cb = vi.fn();
      fut.addDoneCallback(cb);
      const exc = new ZeroDivisionError();
      a.setResult(1);
      b.setException(exc);
      await runLoop(oneLoop);
      expect(fut.done()).toBe(true);
      expect(cb).toHaveBeenCalledOnce();
      expect(cb.mock.calls[0]?.[0]).toBe(fut);
      expect(fut.exception()).toBe(exc);
      // Does nothing
      c.setResult(3);
      d.cancel();
      e.setException(new RuntimeError());
      e.exception();
      await runLoop(oneLoop);
      expect(fut.exception()).toBe(exc);
    });

    test('test_return_exceptions', async () => {
      const [a, b, c, d] = [0, 1, 2, 3].map(() => oneLoop.createFuture<number>()) as [
        Future<number>,
        Future<number>,
        Future<number>,
        Future<number>,
      ];
      const { value: fut } = await variant.gather(oneLoop, variant.wrap([a, b, c, d]), {
        returnExceptions: true,
      });
      const cb = vi.fn();
      fut.addDoneCallback(cb);
      const exc = new ZeroDivisionError();
      const exc2 = new RuntimeError();
      b.setResult(1);
      c.setException(exc);
      a.setResult(3);
      await runLoop(oneLoop);
      expect(fut.done()).toBe(false);
      d.setException(exc2);
      await runLoop(oneLoop);
      expect(fut.done()).toBe(true);
      expect(cb).toHaveBeenCalledOnce();
      expect(fut.result()).toEqual([3, 1, exc, exc2]);
      expect(fut.result()[2]).toBe(exc);
      expect(fut.result()[3]).toBe(exc2);
    });
  });
}

describe('FutureGatherTests', () => {
  let oneLoop: EventLoop;
  let otherLoop: EventLoop;

  beforeEach(() => {
    oneLoop = makeLoop().loop;
    otherLoop = makeLoop().loop;
    setEventLoop(oneLoop);
  });

  test('test_constructor_empty_sequence_without_loop', () => {
    setEventLoop(null);
    expect(() => gather([])).toThrow(/no current event loop/);
  });

  test('test_constructor_empty_sequence_use_running_loop', async () => {
    const { value: fut } = await inLoop(oneLoop, () => gather([]));
    expect(fut.getLoop()).toBe(oneLoop);
    await runLoop(oneLoop);
    expect(fut.done()).toBe(true);
    expect(fut.result()).toEqual([]);
  });

  test('test_constructor_empty_sequence_use_global_loop', async () => {
    setEventLoop(oneLoop);
    const fut = gather([]);
    expect(fut.getLoop()).toBe(oneLoop);
    // An empty gather is done at once: nothing to wait for.
    expect(fut.done()).toBe(true);
    expect(fut.result()).toEqual([]);
  });

  test('test_constructor_heterogenous_futures', () => {
    const fut1 = oneLoop.createFuture();
    const fut2 = otherLoop.createFuture();
    expect(() => gather([fut1, fut2])).toThrow(ValueError);
    expect(() => gather([fut1, fut2])).toThrow('The future belongs to a different loop');
  });

  test('test_constructor_homogenous_futures', async () => {
    const children = [0, 1, 2].map(() => otherLoop.createFuture());
    let fut = gather(children);
    expect(fut.getLoop()).toBe(otherLoop);
    await runLoop(otherLoop);
    expect(fut.done()).toBe(false);
    fut = gather(children);
    expect(fut.getLoop()).toBe(otherLoop);
    await runLoop(otherLoop);
    expect(fut.done()).toBe(false);
  });

  test('test_one_cancellation', async () => {
    const [a, b, c, d, e] = [0, 1, 2, 3, 4].map(() => oneLoop.createFuture<number>()) as [
      Future<number>,
      Future<number>,
      Future<number>,
      Future<number>,
      Future<number>,
    ];
    const fut = gather([a, b, c, d, e]);
    const cb = vi.fn();
    fut.addDoneCallback(cb);
    a.setResult(1);
    b.cancel();
    await runLoop(oneLoop);
    expect(fut.done()).toBe(true);
    expect(cb).toHaveBeenCalledOnce();
    expect(fut.cancelled()).toBe(false);
    expect(fut.exception()).toBeInstanceOf(CancelledError);
    // Does nothing
    c.setResult(3);
    d.cancel();
    e.setException(new RuntimeError());
    e.exception();
  });

  test('test_result_exception_one_cancellation', async () => {
    const [a, b, c, d, e, f] = [0, 1, 2, 3, 4, 5].map(() => oneLoop.createFuture<number>()) as [
      Future<number>,
      Future<number>,
      Future<number>,
      Future<number>,
      Future<number>,
      Future<number>,
    ];
    const fut = gather([a, b, c, d, e, f], { returnExceptions: true });
    const cb = vi.fn();
    fut.addDoneCallback(cb);
    a.setResult(1);
    const zde = new ZeroDivisionError();
    b.setException(zde);
    c.cancel();
    await runLoop(oneLoop);
    expect(fut.done()).toBe(false);
    d.setResult(3);
    e.cancel('stop e');
    const rte = new RuntimeError();
    f.setException(rte);
    const res = (await oneLoop.runUntilComplete(fut)) as unknown[];
    expect(res[2]).toBeInstanceOf(CancelledError);
    expect(res[4]).toBeInstanceOf(CancelledError);
    // The child's cancel message is kept (CPython: '' when there is none).
    expect((res[2] as Error).message).toBe('');
    expect((res[4] as Error).message).toBe('stop e');
    res[2] = res[4] = null;
    expect(res).toEqual([1, zde, null, 3, null, rte]);
    expect(cb).toHaveBeenCalledOnce();
  });

  test('an already-done child is counted at once (3.12+): all done means the outer is done on return', () => {
    const a = oneLoop.createFuture<number>();
    const b = oneLoop.createFuture<string>();
    a.setResult(1);
    b.setResult('x');
    const fut = gather([a, b]);
    expect(fut.done()).toBe(true);
    expect(fut.result()).toEqual([1, 'x']);
    const c = oneLoop.createFuture<number>();
    const boom = new ZeroDivisionError();
    c.setException(boom);
    const failed = gather([c, oneLoop.createFuture()]);
    expect(failed.done()).toBe(true);
    expect(failed.exception()).toBe(boom);
  });

  test('the same future twice is one child, with its result at both places', async () => {
    const a = oneLoop.createFuture<number>();
    const b = oneLoop.createFuture<number>();
    const fut = gather([a, b, a]);
    const children = (fut as unknown as { _children: unknown[] })._children;
    expect(children.length).toBe(3);
    expect(children[0]).toBe(a);
    expect(children[1]).toBe(b);
    expect(children[2]).toBe(a);
    a.setResult(1);
    b.setResult(2);
    expect(await oneLoop.runUntilComplete(fut)).toEqual([1, 2, 1]);
  });

  test('a future given twice, before and after a coroutine, is one child that fails the outer once', async () => {
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* c(): Coroutine<number> {
      return 2;
    }
    const a = oneLoop.createFuture<number>();
    const fut = gather([a, a, c(), a]);
    const children = (fut as unknown as { _children: unknown[] })._children;
    expect(children.length).toBe(4);
    expect(children[0]).toBe(a);
    expect(children[1]).toBe(a);
    expect(children[3]).toBe(a);
    const boom = new ZeroDivisionError();
    const seen: unknown[] = [];
    fut.addDoneCallback((f) => seen.push(f.exception()));
    a.setException(boom);
    await expect(oneLoop.runUntilComplete(fut)).rejects.toBe(boom);
    expect(seen).toEqual([boom]);
    const ok = oneLoop.createFuture<number>();
    const again = gather([ok, ok, c()]);
    ok.setResult(1);
    expect(await oneLoop.runUntilComplete(again)).toEqual([1, 1, 2]);
  });
});

describe('CoroutineGatherTests', () => {
  let oneLoop: EventLoop;
  let otherLoop: EventLoop;

  beforeEach(() => {
    oneLoop = makeLoop().loop;
    otherLoop = makeLoop().loop;
    setEventLoop(oneLoop);
  });

  // biome-ignore lint/correctness/useYield: a coroutine that does not wait
  function* coro(): Coroutine<string> {
    return 'abc';
  }

  test('test_constructor_without_loop', () => {
    setEventLoop(null);
    expect(() => gather([coro(), coro()])).toThrow(/no current event loop/);
  });

  test('test_constructor_use_running_loop', async () => {
    const gen1 = coro();
    const gen2 = coro();
    const { value: fut } = await inLoop(oneLoop, () => gather([gen1, gen2]));
    expect(fut.getLoop()).toBe(oneLoop);
    expect(await oneLoop.runUntilComplete(fut)).toEqual(['abc', 'abc']);
  });

  test('test_constructor_use_global_loop', async () => {
    setEventLoop(otherLoop);
    const fut = gather([coro(), coro()]);
    expect(fut.getLoop()).toBe(otherLoop);
    expect(await otherLoop.runUntilComplete(fut)).toEqual(['abc', 'abc']);
  });

  test('test_duplicate_coroutines', async () => {
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* c2(s: string): Coroutine<string> {
      return s;
    }
    const c = c2('abc');
    const { value: fut } = await coroutineVariant.gather(oneLoop, [c, c, c2('def'), c]);
    await runLoop(oneLoop);
    expect(fut.result()).toEqual(['abc', 'abc', 'def', 'abc']);
    const children = (fut as unknown as { _children: Future<unknown>[] })._children;
    expect(children[0]).toBe(children[1]);
    expect(children[0]).toBe(children[3]);
    expect(new Set(children).size).toBe(2);
  });

  test('test_cancellation_broadcast', async () => {
    // Cancelling outer() cancels all children.
    let proof = 0;
    const waiter = oneLoop.createFuture();

    function* inner(): Coroutine<void> {
      yield* waiter;
      proof += 1;
    }

    const child1 = ensureFuture(inner(), { loop: oneLoop });
    const child2 = ensureFuture(inner(), { loop: oneLoop });
    let gatherer: Future<unknown> | null = null;

    function* outer(): Coroutine<void> {
      gatherer = gather([child1, child2]);
      yield* gatherer;
      proof += 100;
    }

    const f = ensureFuture(outer(), { loop: oneLoop });
    await runBriefly(oneLoop);
    expect(f.cancel()).toBe(true);
    await expect(oneLoop.runUntilComplete(f)).rejects.toBeInstanceOf(CancelledError);
    expect((gatherer as unknown as Future<unknown>).cancel()).toBe(false);
    expect(waiter.cancelled()).toBe(true);
    expect(child1.cancelled()).toBe(true);
    expect(child2.cancelled()).toBe(true);
    await runBriefly(oneLoop);
    expect(proof).toBe(0);
  });

  test('test_exception_marking', async () => {
    // Test for the first line marked "Mark exception retrieved."
    const { loop, calls } = makeLoop();
    setEventLoop(loop);

    function* inner(f: Future<unknown>): Coroutine<void> {
      yield* f;
      throw new RuntimeError('should not be ignored');
    }

    const a = loop.createFuture();
    const b = loop.createFuture();

    function* outer(): Coroutine<void> {
      yield* gather([inner(a), inner(b)]);
    }

    const f = ensureFuture(outer(), { loop });
    await runBriefly(loop);
    a.setResult(undefined);
    await runBriefly(loop);
    b.setResult(undefined);
    await runBriefly(loop);
    expect(f.exception()).toBeInstanceOf(RuntimeError);
    // The second child failed after the outer was done: gather retrieved its
    // exception, so nothing is reported when it is collected.
    await runLoop(loop);
    await collectGarbage();
    expect(calls).toEqual([]);
  });

  test('test_issue46672', async () => {
    const { loop, calls } = makeLoop();
    setEventLoop(loop);
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* c2(s: string): Coroutine<string> {
      return s;
    }
    const c = c2('abc');
    await expect(coroutineVariant.gather(loop, [c, {}])).rejects.toThrow(TypeError);
    await runLoop(loop);
    // The task made for `c` finished before any outer future existed: no error.
    expect(calls).toEqual([]);
  });
});

describe('GatherTests', () => {
  test('test_cancel_gather_1', async () => {
    // Ensure that a gathering future refuses to be cancelled once all children are done.
    const { loop } = makeLoop();
    const fut = loop.createFuture<number>();
    const { value: gatherTask } = await inLoop(loop, () => {
      // The indirection fut->childCoro is needed since otherwise the
      // gathering task is done at the same time as the child future.
      function* childCoro(): Coroutine<number> {
        return yield* fut;
      }
      const gatherFuture = gather([childCoro()]);
      return ensureFuture(gatherFuture);
    });

    let cancelResult: boolean | null = null;
    fut.addDoneCallback(() => {
      cancelResult = gatherTask.cancel();
    });
    fut.setResult(42); // calls the cancelling callback after fut is done()

    // At this point the task should complete.
    await loop.runUntilComplete(gatherTask);

    // Python issue #26923: asyncio.gather drops cancellation
    expect(cancelResult).toBe(false);
    expect(gatherTask.cancelled()).toBe(false);
    expect(gatherTask.result()).toEqual([42]);
  });

  for (const [cancelArgs, expected] of [
    [[], ''],
    [[undefined], ''],
    [['my message'], 'my message'],
  ] as const) {
    test(`test_cancel_gather_2 (cancel(${cancelArgs.map(String).join(', ')}))`, async () => {
      const { loop } = makeLoop();

      function* testCoro(): Coroutine<void> {
        let time = 0;
        for (;;) {
          time += 0.005;
          yield* gather([sleep(0.005)], { returnExceptions: true });
          if (time > 0.5) return;
        }
      }

      function* main(): Coroutine<void> {
        const qwe = createTask(testCoro());
        yield* sleep(0.02);
        qwe.cancel(...(cancelArgs as unknown as [string?]));
        yield* qwe;
      }

      const exc = await loop.runUntilComplete(main()).then(
        () => null,
        (e: unknown) => e,
      );
      // gather() must propagate the CancelledError raised by the inner task to its caller.
      expect(exc).toBeInstanceOf(CancelledError);
      expect((exc as Error).message).toBe(expected);
    });
  }

  test('cancelling the outer future with a message: the awaiting task sees that message', async () => {
    const { loop } = makeLoop();
    function* child(): Coroutine<number> {
      yield* sleep(10);
      return 1;
    }
    function* main(): Coroutine<unknown> {
      const t1 = createTask(child());
      const t2 = createTask(child());
      const outer = gather([t1, t2]);
      yield* sleep(0);
      expect(outer.cancel('enough')).toBe(true);
      expect(outer.done()).toBe(false);
      const e = yield* caught(outer[Symbol.iterator]() as Coroutine<unknown>);
      expect(t1.cancelled() && t2.cancelled()).toBe(true);
      return e;
    }
    const e = await loop.runUntilComplete(main());
    expect(e).toBeInstanceOf(CancelledError);
    expect((e as Error).message).toBe('enough');
  });

  test('with returnExceptions, a cancelled gather still ends with CancelledError (bpo-32684)', async () => {
    const { loop } = makeLoop();
    function* child(): Coroutine<number> {
      yield* sleep(10);
      return 1;
    }
    const { value: outer } = await inLoop(loop, () =>
      gather([child()], { returnExceptions: true }),
    );
    expect(outer.cancel('msg')).toBe(true);
    await expect(loop.runUntilComplete(outer)).rejects.toThrow(CancelledError);
    expect(outer.cancelled()).toBe(false);
    expect((outer.exception() as Error).message).toBe('msg');
  });

  test('the first exception propagates and the other children keep running', async () => {
    const { loop, calls } = makeLoop();
    const log: string[] = [];
    const boom = new ZeroDivisionError('boom');
    const gateA = loop.createFuture<void>();
    const gateC = loop.createFuture<void>();
    function* fails(): Coroutine<number> {
      yield* sleep(0);
      log.push('fails');
      throw boom;
    }
    function* slow(name: string): Coroutine<string> {
      yield* gateA;
      log.push(name);
      return name;
    }
    function* failsLater(): Coroutine<number> {
      yield* gateC;
      log.push('failsLater');
      throw new RuntimeError('later');
    }
    const tasks: Task<unknown>[] = [];
    function* main(): Coroutine<unknown> {
      const a = createTask(slow('a'));
      const b = createTask(fails());
      const c = createTask(failsLater());
      tasks.push(a, b, c);
      const e = yield* caught(gather([a, b, c])[Symbol.iterator]() as Coroutine<unknown>);
      log.push('gather raised');
      expect(a.done() || c.done()).toBe(false);
      gateA.setResult();
      yield* waitDone(a);
      gateC.setResult();
      for (const t of tasks) yield* waitDone(t);
      return e;
    }
    const e = await loop.runUntilComplete(main());
    expect(e).toBe(boom);
    expect(log).toEqual(['fails', 'gather raised', 'a', 'failsLater']);
    expect(tasks.every((t) => t.done())).toBe(true);
    await collectGarbage();
    expect(calls).toEqual([]);
  });

  test('a child cancelled on its own: the outer future gets its CancelledError, not a cancellation', async () => {
    const { loop } = makeLoop();
    function* child(): Coroutine<number> {
      yield* sleep(10);
      return 1;
    }
    function* main(): Coroutine<unknown> {
      const a = createTask(child());
      const b = createTask(child());
      const outer = gather([a, b]);
      yield* sleep(0);
      a.cancel('only a');
      const e = yield* caught(outer[Symbol.iterator]() as Coroutine<unknown>);
      expect(outer.cancelled()).toBe(false);
      expect(b.done()).toBe(false);
      b.cancel();
      return e;
    }
    const e = await loop.runUntilComplete(main());
    expect(e).toBeInstanceOf(CancelledError);
    expect((e as Error).message).toBe('only a');
  });

  test('eager children finish inside gather(): the outer future is done on return', async () => {
    const { loop } = makeLoop();
    loop.setTaskFactory(eagerTaskFactory);
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* quick(n: number): Coroutine<number> {
      return n * 2;
    }
    const { value: outer } = await inLoop(loop, () => {
      const fut = gather([quick(1), quick(2)]);
      expect(fut.done()).toBe(true);
      return fut;
    });
    expect(outer.result()).toEqual([2, 4]);
  });

  test('promises are wrapped with ensureFuture', async () => {
    const { loop } = makeLoop();
    function* main(): Coroutine<[number, string, boolean]> {
      return yield* gather([Promise.resolve(1), sleep(0.001, 'two'), Promise.resolve(true)]);
    }
    expect(await loop.runUntilComplete(main())).toEqual([1, 'two', true]);
  });

  test('bad arguments are a TypeError that says how to call it', () => {
    const { loop } = makeLoop();
    setEventLoop(loop);
    const fut = loop.createFuture();
    expect(() => gather(fut as never)).toThrow(
      /gather\(\) takes an array of awaitables, as in gather\(\[a, b\]\), not Future/,
    );
    expect(() => gather(Promise.resolve(1) as never)).toThrow(/not Promise/);
    expect(() => gather(sleep(0) as never)).toThrow(TypeError);
    expect(() => gather(42 as never)).toThrow(/not number/);
    expect(() => gather(null as never)).toThrow(/not null/);
    expect(() => gather(Object.create(null) as never)).toThrow(/not Object/);
    expect(() => gather([fut], true as never)).toThrow(
      /gather\(aws, \{ returnExceptions: true \}\)/,
    );
    expect(() => gather([42] as never)).toThrow(
      /An asyncio.Future, a coroutine or an awaitable is required/,
    );
  });

  test('any iterable of awaitables is accepted', async () => {
    const { loop } = makeLoop();
    setEventLoop(loop);
    const a = loop.createFuture<number>();
    a.setResult(5);
    const fut = gather(new Set([a]) as never) as Future<number[]>;
    expect(fut.result()).toEqual([5]);
  });
});

describe('gather types', () => {
  test('infers the tuple of results', async () => {
    const { loop } = makeLoop();
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* f(): Coroutine<number> {
      return 1;
    }
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* g(): Coroutine<string> {
      return 'g';
    }
    function* main(): Coroutine<string> {
      const t = createTask(f());
      const [a, b, c, d] = yield* gather([f(), g(), t, Promise.resolve(true)]);
      expectTypeOf(a).toEqualTypeOf<number>();
      expectTypeOf(b).toEqualTypeOf<string>();
      expectTypeOf(c).toEqualTypeOf<number>();
      expectTypeOf(d).toEqualTypeOf<boolean>();
      const withErrors = yield* gather([f(), g()], { returnExceptions: true });
      expectTypeOf(withErrors).toEqualTypeOf<[number | Error, string | Error]>();
      const many = yield* gather([1, 2, 3].map((n) => sleep(0, n)));
      expectTypeOf(many).toEqualTypeOf<number[]>();
      expectTypeOf(gather([f()])).toEqualTypeOf<Future<[number]>>();
      return `${a}${b}${c}${d}${withErrors.length}${many.length}`;
    }
    expect(await loop.runUntilComplete(main())).toBe('1g1true23');
  });
});
