/**
 * Port of the shield tests of CPython's Lib/test/test_asyncio/test_tasks.py
 * (test_shield_*, test_gather_shield) for 3.14's `shield`, including the
 * 3.14 report of a shielded future that fails after its shield was cancelled
 * (gh-86802: "... exception in shielded future", once).
 *
 * CPython's `run_briefly` runs a task that yields once; so does `runBriefly` here.
 */
import {
  CancelledError,
  type Coroutine,
  type EventLoop,
  type Future,
  RuntimeError,
  setEventLoop,
} from '@x/loop';
import { createTask, ensureFuture, gather, shield, sleep } from '@x/tasks';
import { beforeEach, describe, expect, test } from 'vitest';
import { collectGarbage, makeLoop } from './task-helpers.js';

async function runBriefly(loop: EventLoop): Promise<void> {
  await loop.runUntilComplete(
    (function* once(): Coroutine<void> {
      yield;
    })(),
  );
}

describe('TaskTests (shield)', () => {
  let loop: EventLoop;
  let calls: ReturnType<typeof makeLoop>['calls'];

  beforeEach(() => {
    ({ loop, calls } = makeLoop());
  });

  test('test_shield_result', async () => {
    const inner = loop.createFuture<number>();
    const outer = shield(inner);
    inner.setResult(42);
    expect(await loop.runUntilComplete(outer)).toBe(42);
  });

  test('test_shield_exception', async () => {
    const inner = loop.createFuture();
    const outer = shield(inner);
    await runBriefly(loop);
    const exc = new RuntimeError('expected');
    inner.setException(exc);
    await runBriefly(loop);
    expect(outer.exception()).toBe(exc);
  });

  test('test_shield_cancel_inner', async () => {
    const inner = loop.createFuture();
    const outer = shield(inner);
    await runBriefly(loop);
    inner.cancel();
    await runBriefly(loop);
    expect(outer.cancelled()).toBe(true);
  });

  test('test_shield_cancel_outer', async () => {
    const inner = loop.createFuture();
    const outer = shield(inner);
    await runBriefly(loop);
    outer.cancel();
    await runBriefly(loop);
    expect(outer.cancelled()).toBe(true);
    // No callback left on the outer future.
    expect(outer._cb0).toBe(null);
    expect(outer._more).toBe(null);
    expect(inner.cancelled()).toBe(false);
  });

  test('test_shield_cancel_outer_result', async () => {
    const inner = loop.createFuture<number>();
    const outer = shield(inner);
    await runBriefly(loop);
    outer.cancel();
    await runBriefly(loop);
    inner.setResult(1);
    await runBriefly(loop);
    expect(calls).toEqual([]);
  });

  test('test_shield_cancel_outer_exception', async () => {
    const inner = loop.createFuture();
    const outer = shield(inner);
    await runBriefly(loop);
    outer.cancel();
    await runBriefly(loop);
    const exc = new Error('foo');
    inner.setException(exc);
    await runBriefly(loop);
    expect(calls.length).toBe(1);
    expect(calls[0]?.message).toBe('Error exception in shielded future');
    expect(calls[0]?.exception).toBe(exc);
    expect(calls[0]?.future).toBe(inner);
    // Reported once: not again as "never retrieved" when it is collected.
    await collectGarbage();
    expect(calls.length).toBe(1);
  });

  test('test_shield_duplicate_log_once', async () => {
    const inner = loop.createFuture();
    let outer = shield(inner);
    await runBriefly(loop);
    outer.cancel();
    await runBriefly(loop);
    outer = shield(inner);
    await runBriefly(loop);
    outer.cancel();
    await runBriefly(loop);
    inner.setException(new Error('foo'));
    await runBriefly(loop);
    expect(calls.length).toBe(1);
  });

  test('test_shield_shortcut', async () => {
    const fut = loop.createFuture<number>();
    fut.setResult(42);
    const res = shield(fut);
    expect(res).toBe(fut);
    expect(await loop.runUntilComplete(res)).toBe(42);
  });

  test('test_shield_effect', async () => {
    // Cancelling outer() does not affect inner().
    let proof = 0;
    const waiter = loop.createFuture();

    function* inner(): Coroutine<void> {
      yield* waiter;
      proof += 1;
    }

    function* outer(): Coroutine<void> {
      yield* shield(inner());
      proof += 100;
    }

    const f = ensureFuture(outer(), { loop });
    await runBriefly(loop);
    f.cancel();
    await expect(loop.runUntilComplete(f)).rejects.toBeInstanceOf(CancelledError);
    waiter.setResult(undefined);
    await runBriefly(loop);
    expect(proof).toBe(1);
  });

  test('test_shield_gather', async () => {
    const child1 = loop.createFuture<number>();
    const child2 = loop.createFuture<number>();
    const parent = gather([child1, child2]);
    const outer = shield(parent);
    await runBriefly(loop);
    outer.cancel();
    await runBriefly(loop);
    expect(outer.cancelled()).toBe(true);
    child1.setResult(1);
    child2.setResult(2);
    await runBriefly(loop);
    expect(parent.result()).toEqual([1, 2]);
  });

  test('test_gather_shield', async () => {
    const child1 = loop.createFuture<number>();
    const child2 = loop.createFuture<number>();
    const inner1 = shield(child1);
    const inner2 = shield(child2);
    const parent = gather([inner1, inner2]);
    await runBriefly(loop);
    parent.cancel();
    // This should cancel inner1 and inner2 but not child1 and child2.
    await runBriefly(loop);
    expect(parent.exception()).toBeInstanceOf(CancelledError);
    expect(inner1.cancelled()).toBe(true);
    expect(inner2.cancelled()).toBe(true);
    expect(child1.cancelled()).toBe(false);
    expect(child2.cancelled()).toBe(false);
    child1.setResult(1);
    child2.setResult(2);
    await runBriefly(loop);
    expect(calls).toEqual([]);
  });

  test('test_shield_coroutine_without_loop', () => {
    setEventLoop(null);
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* coro(): Coroutine<number> {
      return 42;
    }
    expect(() => shield(coro())).toThrow(/no current event loop/);
  });

  test('test_shield_coroutine_use_running_loop', async () => {
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* coro(): Coroutine<number> {
      return 42;
    }
    const { value: outer } = await loop.runUntilComplete(
      // biome-ignore lint/correctness/useYield: a coroutine that does not wait
      (function* (): Coroutine<{ value: Future<number> }> {
        return { value: shield(coro()) };
      })(),
    );
    expect(outer.getLoop()).toBe(loop);
    expect(await loop.runUntilComplete(outer)).toBe(42);
  });

  test('test_shield_coroutine_use_global_loop', async () => {
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* coro(): Coroutine<number> {
      return 42;
    }
    setEventLoop(loop);
    const outer = shield(coro());
    expect(outer.getLoop()).toBe(loop);
    expect(await loop.runUntilComplete(outer)).toBe(42);
  });
});

describe('shield, beyond the CPython tests', () => {
  let loop: EventLoop;
  let calls: ReturnType<typeof makeLoop>['calls'];

  beforeEach(() => {
    ({ loop, calls } = makeLoop());
  });

  test('a task that awaits a shield is cancelled, the shielded task runs on to its result', async () => {
    const log: string[] = [];
    function* work(): Coroutine<string> {
      yield* sleep(0.01);
      log.push('work done');
      return 'result';
    }
    function* main(): Coroutine<string> {
      const t = createTask(work());
      const waiter = createTask(
        (function* (): Coroutine<string> {
          return yield* shield(t);
        })(),
      );
      yield* sleep(0);
      waiter.cancel('stop waiting');
      try {
        yield* waiter;
      } catch (e) {
        log.push(`waiter: ${(e as Error).name} ${(e as Error).message}`);
      }
      expect(t.done()).toBe(false);
      return yield* t;
    }
    expect(await loop.runUntilComplete(main())).toBe('result');
    expect(log).toEqual(['waiter: CancelledError stop waiting', 'work done']);
  });

  test('a shielded coroutine nobody references still finishes after the shield is cancelled and memory is collected', async () => {
    // The loop holds every pending task strongly, so the inner task cannot be collected mid-flight.
    const log: string[] = [];
    function* work(): Coroutine<void> {
      yield* sleep(0.02);
      log.push('inner finished');
    }
    function* main(): Coroutine<void> {
      const outer = shield(work());
      yield* sleep(0);
      outer.cancel();
      yield* sleep(0);
    }
    await loop.runUntilComplete(main());
    await collectGarbage();
    await loop.runUntilComplete(sleep(0.04));
    expect(log).toEqual(['inner finished']);
    expect(calls).toEqual([]);
  });

  test('a shielded task that fails after the shield was cancelled is reported with the task', async () => {
    class Boom extends Error {
      override name = 'Boom';
    }
    function* work(): Coroutine<void> {
      yield* sleep(0.005);
      throw new Boom('late failure');
    }
    function* main(): Coroutine<void> {
      const outer = shield(work());
      yield* sleep(0);
      outer.cancel();
      // Until the report came, however late the timers fire on a loaded machine.
      while (calls.length === 0) yield* sleep(0.001);
    }
    await loop.runUntilComplete(main());
    expect(calls.length).toBe(1);
    expect(calls[0]?.message).toBe('Boom exception in shielded future');
    expect(calls[0]?.exception).toMatchObject({ message: 'late failure' });
  });

  test('inner failing in the same iteration as the cancel: reported as never retrieved, not lost', async () => {
    let inner: Future<unknown> | null = loop.createFuture();
    let outer: Future<unknown> | null = shield(inner);
    await runBriefly(loop);
    outer.cancel();
    inner.setException(new RuntimeError('raced'));
    await runBriefly(loop);
    expect(outer.cancelled()).toBe(true);
    inner = outer = null;
    expect(calls).toEqual([]);
    // As in CPython: neither callback retrieves it, so the collector reports it.
    await collectGarbage();
    expect(calls.map((c) => c.message)).toEqual(['Future exception was never retrieved']);
  });

  test('the shielded future is cancelled by other means: the awaiter sees CancelledError', async () => {
    function* main(): Coroutine<unknown> {
      const inner = loop.createFuture<number>();
      const outer = shield(inner);
      loop.callSoon(() => inner.cancel('other means'));
      try {
        return yield* outer;
      } catch (e) {
        return e;
      }
    }
    const e = await loop.runUntilComplete(main());
    expect(e).toBeInstanceOf(CancelledError);
  });

  test('an inner future cancelled or succeeding after its shield was cancelled is not reported', async () => {
    const inner = loop.createFuture();
    const outer = shield(inner);
    await runBriefly(loop);
    outer.cancel();
    await runBriefly(loop);
    inner.cancel();
    await runBriefly(loop);
    expect(calls).toEqual([]);
  });

  test('in debug mode the report carries where the shielded future was created', async () => {
    const { loop: dbg, calls: dbgCalls } = makeLoop({ debug: true });
    const inner = dbg.createFuture();
    const outer = shield(inner);
    await runBriefly(dbg);
    outer.cancel();
    await runBriefly(dbg);
    inner.setException(new RuntimeError('late'));
    await runBriefly(dbg);
    expect(dbgCalls.length).toBe(1);
    expect(dbgCalls[0]?.message).toBe('RuntimeError exception in shielded future');
    expect(String(dbgCalls[0]?.source_traceback)).toMatch(/shield\.test\.ts/);
    dbg.setDebug(false);
  });

  test('a promise is wrapped with ensureFuture', async () => {
    function* main(): Coroutine<number> {
      return yield* shield(Promise.resolve(7));
    }
    expect(await loop.runUntilComplete(main())).toBe(7);
  });

  test('a value that is not awaitable is a TypeError', () => {
    setEventLoop(loop);
    expect(() => shield(42 as never)).toThrow(TypeError);
  });
});
