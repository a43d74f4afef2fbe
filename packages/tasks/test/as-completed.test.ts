/**
 * Port of the as_completed tests of CPython's Lib/test/test_asyncio/test_tasks.py
 * for 3.13+'s `as_completed`: the `try_iterator` halves (the plain iterator)
 * in the first block, the `try_async_iterator` halves (`async for`, spelled
 * `each()` in a coroutine and `for await` in an async function) in the
 * second. CPython's test loop fakes time; here the delays are a few
 * milliseconds and the tests check order.
 */
import { type Coroutine, EventLoop, type Future, setEventLoop, TimeoutError } from '@x/loop';
import { asCompleted, createTask, each, ensureFuture, sleep, Task, wait } from '@x/tasks';
import { beforeEach, describe, expect, test } from 'vitest';
import { caught, collectGarbage, makeLoop } from './task-helpers.js';

describe('TaskTests (as_completed)', () => {
  let loop: EventLoop;
  let calls: ReturnType<typeof makeLoop>['calls'];

  beforeEach(() => {
    ({ loop, calls } = makeLoop());
  });

  test('test_as_completed', async () => {
    const completed = new Set<string>();
    function* sleeper(dt: number, x: string): Coroutine<string> {
      yield* sleep(dt);
      completed.add(x);
      return x;
    }
    function* tryIterator(awaitables: Coroutine<string>[]): Coroutine<string[]> {
      const values: string[] = [];
      for (const f of asCompleted(awaitables)) values.push(yield* f);
      return values;
    }
    const a = sleeper(0.005, 'a');
    const b = sleeper(0.005, 'b');
    const c = sleeper(0.03, 'c');
    const res = await loop.runUntilComplete(new Task(tryIterator([b, c, a]), { loop }));
    expect(res.slice(0, 2)).toContain('a');
    expect(res.slice(0, 2)).toContain('b');
    expect(res[2]).toBe('c');
  });

  test('test_as_completed_with_timeout', async () => {
    const a = loop.createTask(sleep(0.01, 'a'));
    const b = loop.createTask(sleep(1, 'b'));
    function* tryIterator(): Coroutine<Array<[number, unknown]>> {
      const values: Array<[number, unknown]> = [];
      for (const f of asCompleted([a, b], { timeout: 0.15 })) {
        try {
          values.push([1, yield* f]);
        } catch (exc) {
          values.push([2, exc]);
        }
      }
      return values;
    }
    const res = await loop.runUntilComplete(new Task(tryIterator(), { loop }));
    expect(res.length).toBe(2);
    expect(res[0]).toEqual([1, 'a']);
    expect(res[1]?.[0]).toBe(2);
    expect(res[1]?.[1]).toBeInstanceOf(TimeoutError);
    // asCompleted() does not cancel what is still running.
    expect(b.done()).toBe(false);
    b.cancel();
    await loop.runUntilComplete(wait([a, b]));
  });

  test('test_as_completed_with_unused_timeout', async () => {
    const a = sleep(0.005, 'a');
    function* tryIterator(): Coroutine<void> {
      for (const f of asCompleted([a], { timeout: 1 })) {
        expect(yield* f).toBe('a');
      }
    }
    await loop.runUntilComplete(new Task(tryIterator(), { loop }));
    // Every awaitable finished in time: the timer was cancelled.
    expect(loop._timers.size === 0 || loop._timers.items.every((t) => t._cancelled)).toBe(true);
  });

  test('test_as_completed_resume_iterator', async () => {
    // as_completed returns an iterator that can be resumed the next time
    // iteration is performed (a `break` does not close it).
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* coro(i: number): Coroutine<number> {
      return i;
    }
    function* tryIterator(awaitables: Coroutine<number>[]): Coroutine<number[]> {
      let iterations = 0;
      const iterator = asCompleted(awaitables);
      const collected: number[] = [];
      for (const f of iterator) {
        collected.push(yield* f);
        iterations += 1;
        if (iterations === 2) break;
      }
      expect(collected.length).toBe(2);
      // Resume same iterator:
      for (const f of iterator) collected.push(yield* f);
      return collected;
    }
    setEventLoop(loop);
    const results = await loop.runUntilComplete(tryIterator([coro(0), coro(1), coro(2), coro(3)]));
    expect([...results].sort()).toEqual([0, 1, 2, 3]);
  });

  test('test_as_completed_reverse_wait', async () => {
    // The first coroutine awaited gets the first completed awaitable, even if
    // it was not the first one generated.
    setEventLoop(loop);
    const a = sleep(0.01, 'a');
    const b = sleep(0.03, 'b');
    function* testCoro(): Coroutine<void> {
      const futs = [...asCompleted(new Set([a, b]))];
      expect(futs.length).toBe(2);
      const x = yield* futs[1] as Coroutine<string>;
      expect(x).toBe('a');
      const y = yield* futs[0] as Coroutine<string>;
      expect(y).toBe('b');
    }
    await loop.runUntilComplete(testCoro());
  });

  test('test_as_completed_concurrent', async () => {
    // More than one coroutine yielded from asCompleted can be awaited concurrently.
    setEventLoop(loop);
    const a = sleep(0.01, 'a');
    const b = sleep(0.01, 'b');
    function* testCoro(): Coroutine<void> {
      const futs = [...asCompleted(new Set([a, b]))];
      expect(futs.length).toBe(2);
      const [done] = yield* wait(futs.map((fut) => ensureFuture(fut)));
      expect(new Set([...done].map((f) => f.result()))).toEqual(new Set(['a', 'b']));
    }
    await loop.runUntilComplete(testCoro());
  });

  test('test_as_completed_duplicate_coroutines', async () => {
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* coro(s: string): Coroutine<string> {
      return s;
    }
    function* tryIterator(): Coroutine<string[]> {
      const result: string[] = [];
      const c = coro('ham');
      for (const f of asCompleted([c, c, coro('spam')])) result.push(yield* f);
      return result;
    }
    const fut = new Task(tryIterator(), { loop });
    await loop.runUntilComplete(fut);
    const result = fut.result();
    expect(new Set(result)).toEqual(new Set(['ham', 'spam']));
    expect(result.length).toBe(2);
  });

  test('test_as_completed_coroutine_without_loop', () => {
    setEventLoop(null);
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* coro(): Coroutine<number> {
      return 42;
    }
    expect(() => [...asCompleted([coro()])]).toThrow(/no current event loop/);
  });

  test('test_as_completed_coroutine_use_running_loop', async () => {
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* coro(): Coroutine<number> {
      return 42;
    }
    function* testCoro(): Coroutine<void> {
      const futs = [...asCompleted([coro()])];
      expect(futs.length).toBe(1);
      expect(yield* futs[0] as Coroutine<number>).toBe(42);
    }
    await loop.runUntilComplete(testCoro());
  });

  test('test_as_completed_invalid_args', () => {
    // asCompleted() expects an iterable of awaitables, not a future instance.
    setEventLoop(loop);
    const fut = loop.createFuture();
    expect(() => asCompleted(fut as never)).toThrow(TypeError);
    expect(() => asCompleted(fut as never)).toThrow(
      'expects an iterable of awaitables, not Future: pass an iterable, as in asCompleted([fut])',
    );
    expect(() => asCompleted(sleep(0) as never)).toThrow(
      /not coroutine: .*asCompleted\(\[\.\.\.generator\]\)/,
    );
    expect(() => asCompleted(Promise.resolve(1) as never)).toThrow(/not Promise/);
    expect(() => asCompleted(42 as never)).toThrow('expects an iterable of awaitables, not number');
    expect(() => asCompleted(null as never)).toThrow('expects an iterable of awaitables, not null');
    expect(() => asCompleted([fut], { timeout: '1' as never })).toThrow(
      /asCompleted\(\) timeout must be a number of seconds or null, got string/,
    );
  });

  test('exceptions come out of the coroutine for the awaitable that failed, in completion order', async () => {
    class Boom extends Error {
      override name = 'Boom';
    }
    function* fails(): Coroutine<number> {
      yield* sleep(0.005);
      throw new Boom('first');
    }
    function* tryValue(c: Coroutine<number>): Coroutine<unknown> {
      try {
        return yield* c;
      } catch (e) {
        return e;
      }
    }
    // The slow one waits for the failure to be seen (ordered by events, not by timers that a
    // loaded machine may fire together).
    const gate = loop.createFuture<void>();
    function* slow(): Coroutine<number> {
      yield* gate;
      return 2;
    }
    function* main(): Coroutine<unknown[]> {
      const out: unknown[] = [];
      for (const next of asCompleted<number>([slow(), fails(), Promise.resolve(3)])) {
        out.push(yield* tryValue(next));
        if (out.length === 2) gate.setResult();
      }
      return out;
    }
    const out = await loop.runUntilComplete(main());
    expect(out[0]).toBe(3);
    expect(out[1]).toBeInstanceOf(Boom);
    expect(out[2]).toBe(2);
    await collectGarbage();
    expect(calls).toEqual([]);
  });

  test('a waiting coroutine that is cancelled passes its turn on to the next one', async () => {
    const f1 = loop.createFuture<string>();
    const f2 = loop.createFuture<string>();
    function* main(): Coroutine<string[]> {
      const [c1, c2] = [...asCompleted([f1, f2])] as [Coroutine<string>, Coroutine<string>];
      const t1 = createTask(c1);
      const t2 = createTask(c2);
      yield* sleep(0);
      f1.setResult('one');
      // t1 is woken up but cancelled before it takes the item: t2 gets it.
      loop.callSoon(() => t1.cancel());
      yield* sleep(0);
      yield* sleep(0);
      f2.setResult('two');
      const r2 = yield* t2;
      const r1 = yield* caught(t1[Symbol.iterator]() as Coroutine<unknown>);
      return [r2, (r1 as Error).name];
    }
    expect(await loop.runUntilComplete(main())).toEqual(['one', 'CancelledError']);
  });

  test('all coroutines left throw TimeoutError after the timeout, and later completions are ignored', async () => {
    const a = loop.createFuture<number>();
    const b = loop.createFuture<number>();
    function* main(): Coroutine<unknown[]> {
      const out: unknown[] = [];
      const coros = [...asCompleted([a, b], { timeout: 0.005 })];
      yield* sleep(0.02);
      a.setResult(1);
      for (const c of coros) out.push(yield* caught(c as Coroutine<unknown>));
      return out;
    }
    const out = await loop.runUntilComplete(main());
    expect(out.length).toBe(2);
    expect(out.every((e) => e instanceof TimeoutError)).toBe(true);
    expect(a._cb0).toBe(null);
    expect(b._cb0).toBe(null);
  });

  test('a cancelled waiter leaves the queue; one cancelled while an item is handed out is skipped', async () => {
    const f1 = loop.createFuture<string>();
    const f2 = loop.createFuture<string>();
    const f3 = loop.createFuture<string>();
    function* main(): Coroutine<unknown[]> {
      const [c1, c2, c3] = [...asCompleted([f1, f2, f3])] as Coroutine<string>[];
      const t1 = createTask(c1 as Coroutine<string>);
      const t2 = createTask(c2 as Coroutine<string>);
      const t3 = createTask(c3 as Coroutine<string>);
      yield* sleep(0);
      // t1 is cancelled while it waits and nothing has completed: it leaves the queue.
      t1.cancel();
      yield* sleep(0);
      expect(t1.cancelled()).toBe(true);
      // f1 completes, then t2 is cancelled before the completion is handed
      // out: the hand-off skips t2's cancelled wait and goes to t3.
      f1.setResult('one');
      t2.cancel();
      const r3 = yield* t3;
      const e2 = yield* caught(t2[Symbol.iterator]() as Coroutine<unknown>);
      f2.setResult('two');
      f3.setResult('three');
      return [r3, (e2 as Error).name];
    }
    expect(await loop.runUntilComplete(main())).toEqual(['one', 'CancelledError']);
  });

  test('a completion already queued when the timeout fires is ignored (fake clock)', async () => {
    let now = 0;
    const fake = new EventLoop({ clock: { now: () => now } });
    try {
      setEventLoop(fake);
      const f = fake.createFuture<number>();
      // Both due at t=1; the completion's timer was set first, so it runs first.
      fake.callLater(1, () => f.setResult(1));
      const [coro] = [...asCompleted([f], { timeout: 1 })] as Coroutine<number>[];
      now = 1;
      const err = await fake.runUntilComplete(caught(coro as Coroutine<number>));
      expect(err).toBeInstanceOf(TimeoutError);
      expect(f.result()).toBe(1);
    } finally {
      fake.close();
    }
  });

  test('an empty iterable yields nothing and sets no timer', () => {
    setEventLoop(loop);
    expect([...asCompleted([], { timeout: 1 })]).toEqual([]);
    expect(loop._timers.size).toBe(0);
  });
});

describe('TaskTests (as_completed, async iteration)', () => {
  let loop: EventLoop;

  beforeEach(() => {
    ({ loop } = makeLoop());
  });

  /** async for f in asyncio.as_completed(awaitables): values.append(await f) */
  function* tryAsyncIterator<T>(awaitables: Iterable<Coroutine<T> | Future<T>>): Coroutine<T[]> {
    const values: T[] = [];
    for (const f of yield* each(asCompleted(awaitables))) {
      values.push(yield* f);
      yield* each.next();
    }
    return values;
  }

  /** The same loop with for await, in an async function the loop runs. */
  async function tryForAwait<T>(awaitables: Iterable<Coroutine<T> | Future<T>>): Promise<T[]> {
    const values: T[] = [];
    for await (const f of asCompleted(awaitables)) values.push(await f);
    return values;
  }

  function* inLoop<T>(main: () => Promise<T>): Coroutine<T> {
    return yield* ensureFuture(main());
  }

  function* sleeper(dt: number, x: string): Coroutine<string> {
    yield* sleep(dt);
    return x;
  }

  test('test_as_completed', async () => {
    for (const form of ['each', 'for await']) {
      const [a, b, c] = [sleeper(0.005, 'a'), sleeper(0.005, 'b'), sleeper(0.03, 'c')];
      const res =
        form === 'each'
          ? await loop.runUntilComplete(new Task(tryAsyncIterator([b, c, a]), { loop }))
          : await loop.runUntilComplete(inLoop(() => tryForAwait([b, c, a])));
      expect(res.slice(0, 2), form).toContain('a');
      expect(res.slice(0, 2), form).toContain('b');
      expect(res[2], form).toBe('c');
    }
  });

  test('test_as_completed_same_tasks_in_as_out', async () => {
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* coro<T>(i: T): Coroutine<T> {
      return i;
    }
    function* outOf(awaitables: Set<unknown>): Coroutine<Set<unknown>> {
      const out = new Set<unknown>();
      for (const aw of yield* each(asCompleted(awaitables as Set<Coroutine<unknown>>))) {
        out.add(aw);
        yield* each.next();
      }
      return out;
    }
    setEventLoop(loop);
    // Coroutines are not yielded back: finished coroutines cannot be reused.
    let awaitablesIn = new Set<unknown>([coro(0), coro(1), coro(2), coro(3)]);
    let awaitablesOut = await loop.runUntilComplete(outOf(awaitablesIn));
    expect([...awaitablesOut].filter((x) => awaitablesIn.has(x))).toEqual([]);
    expect([...awaitablesOut].every((x) => x instanceof Task)).toBe(true);
    // Tasks (and Futures) are yielded back as they are.
    const taskB = loop.createTask(coro('b'));
    const taskD = loop.createTask(coro('d'));
    const fut = loop.createFuture<string>();
    fut.setResult('f');
    awaitablesIn = new Set<unknown>([coro('a'), taskB, coro('c'), taskD, fut]);
    awaitablesOut = await loop.runUntilComplete(outOf(awaitablesIn));
    expect(new Set([...awaitablesOut].filter((x) => awaitablesIn.has(x)))).toEqual(
      new Set([taskB, taskD, fut]),
    );
    // With for await too.
    const taskE = loop.createTask(coro('e'));
    const outs = await loop.runUntilComplete(
      inLoop(async () => {
        const got: unknown[] = [];
        for await (const f of asCompleted([taskE])) got.push(f);
        return got;
      }),
    );
    expect(outs).toEqual([taskE]);
  });

  test('test_as_completed_with_timeout', async () => {
    // The TimeoutError comes out of the async for itself (yield* each.next()).
    for (const form of ['each', 'for await']) {
      // CPython's delays are 0.01 and 0.15: 'a' here is due at once, so that a stalled
      // machine cannot let the timeout come first.
      const a = loop.createTask(sleep(0, 'a'));
      const b = loop.createTask(sleep(1, 'b'));
      function* tryEach(): Coroutine<Array<[number, unknown]>> {
        const values: Array<[number, unknown]> = [];
        try {
          for (const f of yield* each(asCompleted([a, b], { timeout: 0.15 }))) {
            values.push([1, yield* f]);
            yield* each.next();
          }
        } catch (exc) {
          values.push([2, exc]);
        }
        return values;
      }
      async function tryAwait(): Promise<Array<[number, unknown]>> {
        const values: Array<[number, unknown]> = [];
        try {
          for await (const f of asCompleted([a, b], { timeout: 0.15 })) values.push([1, await f]);
        } catch (exc) {
          values.push([2, exc]);
        }
        return values;
      }
      const res =
        form === 'each'
          ? await loop.runUntilComplete(new Task(tryEach(), { loop }))
          : await loop.runUntilComplete(inLoop(tryAwait));
      expect(res.length, form).toBe(2);
      expect(res[0], form).toEqual([1, 'a']);
      expect(res[1]?.[0], form).toBe(2);
      expect(res[1]?.[1], form).toBeInstanceOf(TimeoutError);
      // Nothing is cancelled.
      expect(b.done()).toBe(false);
      b.cancel();
      await loop.runUntilComplete(wait([a, b]));
    }
  });

  test('a timeout before the first completion is thrown out of yield* each()', async () => {
    const f = loop.createFuture<number>();
    function* main(): Coroutine<unknown> {
      try {
        for (const _ of yield* each(asCompleted([f], { timeout: 0.005 }))) {
          yield* each.next();
        }
      } catch (e) {
        return e;
      }
      return null;
    }
    expect(await loop.runUntilComplete(main())).toBeInstanceOf(TimeoutError);
    expect(f.done()).toBe(false);
  });

  test('test_as_completed_with_unused_timeout', async () => {
    function* tryEach(): Coroutine<void> {
      for (const f of yield* each(asCompleted([sleep(0.005, 'a')], { timeout: 1 }))) {
        expect(yield* f).toBe('a');
        yield* each.next();
      }
    }
    await loop.runUntilComplete(new Task(tryEach(), { loop }));
    expect(loop._timers.size === 0 || loop._timers.items.every((t) => t._cancelled)).toBe(true);
  });

  test('test_as_completed_resume_iterator', async () => {
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* coro(i: number): Coroutine<number> {
      return i;
    }
    function* tryEach(awaitables: Coroutine<number>[]): Coroutine<number[]> {
      let iterations = 0;
      const iterator = asCompleted(awaitables);
      const collected: number[] = [];
      for (const f of yield* each(iterator)) {
        collected.push(yield* f);
        iterations += 1;
        if (iterations === 2) break;
        yield* each.next();
      }
      expect(collected.length).toBe(2);
      // Resume same iterator:
      for (const f of yield* each(iterator)) {
        collected.push(yield* f);
        yield* each.next();
      }
      return collected;
    }
    async function tryAwait(awaitables: Coroutine<number>[]): Promise<number[]> {
      let iterations = 0;
      const iterator: AsyncIterable<Future<number>> = asCompleted(awaitables);
      const collected: number[] = [];
      for await (const f of iterator) {
        collected.push(await f);
        iterations += 1;
        if (iterations === 2) break;
      }
      expect(collected.length).toBe(2);
      for await (const f of iterator) collected.push(await f);
      return collected;
    }
    setEventLoop(loop);
    const r1 = await loop.runUntilComplete(tryEach([coro(0), coro(1), coro(2), coro(3)]));
    expect([...r1].sort()).toEqual([0, 1, 2, 3]);
    const r2 = await loop.runUntilComplete(
      inLoop(() => tryAwait([coro(0), coro(1), coro(2), coro(3)])),
    );
    expect([...r2].sort()).toEqual([0, 1, 2, 3]);
  });

  test('test_as_completed_concurrent', async () => {
    // [f async for f in as_completed(fs)], then wait() on them.
    setEventLoop(loop);
    const a = sleep(0.01, 'a');
    const b = sleep(0.01, 'b');
    function* testCoro(): Coroutine<void> {
      const futs: Future<string>[] = [];
      for (const f of yield* each(asCompleted(new Set([a, b])))) {
        futs.push(f);
        yield* each.next();
      }
      expect(futs.length).toBe(2);
      const [done] = yield* wait(futs.map((fut) => ensureFuture(fut)));
      expect(new Set([...done].map((f) => f.result()))).toEqual(new Set(['a', 'b']));
    }
    await loop.runUntilComplete(testCoro());
  });

  test('test_as_completed_duplicate_coroutines', async () => {
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* coro(s: string): Coroutine<string> {
      return s;
    }
    const c = coro('ham');
    const fut = new Task(tryAsyncIterator([c, c, coro('spam')]), { loop });
    await loop.runUntilComplete(fut);
    const result = fut.result();
    expect(new Set(result)).toEqual(new Set(['ham', 'spam']));
    expect(result.length).toBe(2);
  });

  test('a failed awaitable is yielded like the others; its exception comes out of yield* fut', async () => {
    class Boom extends Error {
      override name = 'Boom';
    }
    function* fails(): Coroutine<number> {
      yield* sleep(0.005);
      throw new Boom('first');
    }
    // The slow one waits for the failure to be seen (ordered by events, not by timers that a
    // loaded machine may fire together).
    const gate = loop.createFuture<void>();
    function* slow(): Coroutine<number> {
      yield* gate;
      return 2;
    }
    function* main(): Coroutine<unknown[]> {
      const out: unknown[] = [];
      for (const f of yield* each(asCompleted<number>([slow(), fails()]))) {
        out.push(f.done() ? (f.exception() ?? f.result()) : 'not done');
        if (out.length === 1) gate.setResult();
        yield* each.next();
      }
      return out;
    }
    const out = await loop.runUntilComplete(main());
    expect(out[0]).toBeInstanceOf(Boom);
    expect(out[1]).toBe(2);
  });

  test('a promise given comes back as the Future that follows it', async () => {
    function* main(): Coroutine<unknown[]> {
      const out: unknown[] = [];
      for (const f of yield* each(asCompleted([Promise.resolve(7)]))) {
        out.push(f.constructor.name, yield* f);
        yield* each.next();
      }
      return out;
    }
    expect(await loop.runUntilComplete(main())).toEqual(['Future', 7]);
  });

  test('plain and async iteration share one count', async () => {
    const fs = [0, 1, 2].map((i) => {
      const f = loop.createFuture<number>();
      f.setResult(i);
      return f;
    });
    function* main(): Coroutine<number> {
      const it = asCompleted(fs);
      let n = 0;
      for (const c of it) {
        yield* c;
        n++;
        break;
      }
      for (const _ of yield* each(it)) {
        n++;
        yield* each.next();
      }
      return n;
    }
    expect(await loop.runUntilComplete(main())).toBe(3);
  });

  test('cancelling the task while it waits in each() over asCompleted()', async () => {
    const f = loop.createFuture<number>();
    function* main(): Coroutine<void> {
      for (const _ of yield* each(asCompleted([f]))) yield* each.next();
    }
    function* driver(): Coroutine<unknown> {
      const t = createTask(main());
      yield* sleep(0);
      t.cancel();
      return yield* caught(t);
    }
    expect((await loop.runUntilComplete(driver())) as Error).toHaveProperty(
      'name',
      'CancelledError',
    );
    // The awaitable itself is not cancelled, as in asyncio.
    expect(f.cancelled()).toBe(false);
  });

  test('for await outside a running loop rejects with a RuntimeError saying where to iterate', async () => {
    setEventLoop(loop);
    const f = loop.createFuture<number>();
    const it = asCompleted([f])[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toThrow(
      /for await over asCompleted\(\) needs a running event loop/,
    );
    f.cancel();
  });
});
