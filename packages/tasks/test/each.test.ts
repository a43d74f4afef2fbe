/**
 * `each()`: Python's `async for` inside a coroutine, over an AsyncGen, a
 * native AsyncIterable and `asCompleted()` (its own tests are with
 * asCompleted's). The Python each scenario mirrors is in the comments.
 */
import { CancelledError, type Coroutine, type EventLoop, RuntimeError } from '@x/loop';
import {
  type AsyncGen,
  asCompleted,
  asyncGenerator,
  createTask,
  each,
  ensureFuture,
  GeneratorExit,
  sleep,
} from '@x/tasks';
import { beforeEach, describe, expect, test } from 'vitest';
import { caught, makeLoop } from './task-helpers.js';

/** async def count(n, log): yield 0..n-1, after a sleep each, logging its end. */
const count = asyncGenerator(function* count(
  emit: (v: number) => Coroutine<void>,
  n: number,
  log: string[] = [],
) {
  try {
    for (let i = 0; i < n; i++) {
      yield* sleep(0);
      yield* emit(i);
    }
    log.push('ended');
  } catch (e) {
    log.push(`caught ${(e as Error).name}`);
    throw e;
  } finally {
    log.push('finally');
  }
});

describe('each() over an AsyncGen', () => {
  let loop: EventLoop;

  beforeEach(() => {
    ({ loop } = makeLoop());
  });

  test('runs the body once per item, and the body may wait', async () => {
    // async for i in count(3): await asyncio.sleep(0); out.append(i)
    function* main(): Coroutine<number[]> {
      const out: number[] = [];
      for (const i of yield* each(count(3))) {
        yield* sleep(0);
        out.push(i);
        yield* each.next();
      }
      return out;
    }
    expect(await loop.runUntilComplete(main())).toEqual([0, 1, 2]);
  });

  test('an empty source runs the body zero times', async () => {
    const log: string[] = [];
    function* main(): Coroutine<number> {
      let runs = 0;
      for (const _ of yield* each(count(0, log))) {
        runs++;
        yield* each.next();
      }
      return runs;
    }
    expect(await loop.runUntilComplete(main())).toBe(0);
    expect(log).toEqual(['ended', 'finally']);
  });

  test('the first item is waited for before the body starts', async () => {
    const steps: string[] = [];
    const gen = asyncGenerator(function* (emit: (v: string) => Coroutine<void>) {
      steps.push('body started');
      yield* sleep(0.005);
      steps.push('first emitted');
      yield* emit('a');
    });
    function* main(): Coroutine<void> {
      const items = yield* each(gen());
      steps.push('each() returned');
      for (const v of items) {
        steps.push(`loop body ${v}`);
        yield* each.next();
      }
    }
    await loop.runUntilComplete(main());
    expect(steps).toEqual(['body started', 'first emitted', 'each() returned', 'loop body a']);
  });

  test("cancelling the task while it waits in each.next() reaches the generator's wait", async () => {
    const log: string[] = [];
    const blocker = loop.createFuture<void>();
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      try {
        yield* emit(1);
        yield* blocker; // the task waits here, inside the generator's body
        yield* emit(2);
      } catch (e) {
        log.push(`generator caught ${(e as Error).name}`);
        throw e;
      }
    });
    const seen: number[] = [];
    function* main(): Coroutine<void> {
      for (const v of yield* each(gen())) {
        seen.push(v);
        yield* each.next();
      }
    }
    const task = loop.createTask(main());
    function* driver(): Coroutine<unknown> {
      yield* sleep(0);
      yield* sleep(0);
      task.cancel('stop');
      return yield* caught(task);
    }
    const err = await loop.runUntilComplete(driver());
    expect(err).toBeInstanceOf(CancelledError);
    expect(task.cancelled()).toBe(true);
    expect(blocker.cancelled()).toBe(true);
    expect(seen).toEqual([1]);
    expect(log).toEqual(['generator caught CancelledError']);
  });

  test('cancelling the task while yield* each() waits for the first item', async () => {
    const blocker = loop.createFuture<number>();
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      yield* emit(yield* blocker);
    });
    let bodyRan = false;
    function* main(): Coroutine<void> {
      for (const _ of yield* each(gen())) {
        bodyRan = true;
        yield* each.next();
      }
    }
    function* driver(): Coroutine<unknown> {
      const task = createTask(main());
      yield* sleep(0);
      task.cancel();
      const err = yield* caught(task);
      // Nothing is left open in this task: each.next() here is outside any loop.
      const outside = yield* caught(each.next());
      return [err, outside];
    }
    const [err, outside] = (await loop.runUntilComplete(driver())) as [unknown, unknown];
    expect(err).toBeInstanceOf(CancelledError);
    expect(blocker.cancelled()).toBe(true);
    expect(bodyRan).toBe(false);
    expect(outside).toBeInstanceOf(RuntimeError);
  });

  test('two tasks each running an each() loop do not disturb each other', async () => {
    const order: string[] = [];
    function* consume(name: string, n: number): Coroutine<number[]> {
      const out: number[] = [];
      for (const v of yield* each(count(n))) {
        order.push(`${name}${v}`);
        out.push(v);
        yield* sleep(0); // the other task runs its loop meanwhile
        yield* each.next();
      }
      return out;
    }
    function* main(): Coroutine<[number[], number[]]> {
      const a = createTask(consume('a', 3));
      const b = createTask(consume('b', 4));
      return [yield* a, yield* b];
    }
    const [a, b] = await loop.runUntilComplete(main());
    expect(a).toEqual([0, 1, 2]);
    expect(b).toEqual([0, 1, 2, 3]);
    // They really ran interleaved.
    expect(order.indexOf('b0')).toBeLessThan(order.indexOf('a2'));
  });

  test('nested loops: each.next() advances the innermost one, in the same coroutine or a called one', async () => {
    function* inner(label: string, out: string[]): Coroutine<void> {
      for (const j of yield* each(count(2))) {
        out.push(`${label}.${j}`);
        yield* each.next();
      }
    }
    function* main(): Coroutine<string[]> {
      const out: string[] = [];
      for (const i of yield* each(count(2))) {
        for (const j of yield* each(count(2))) {
          out.push(`${i}-${j}`);
          yield* each.next();
        }
        yield* inner(`call${i}`, out);
        yield* each.next();
      }
      return out;
    }
    expect(await loop.runUntilComplete(main())).toEqual([
      '0-0',
      '0-1',
      'call0.0',
      'call0.1',
      '1-0',
      '1-1',
      'call1.0',
      'call1.1',
    ]);
  });

  test('a generator that loops with each() and emits inside the loop keeps its loop apart from its consumer', async () => {
    // async def doubled(src): async for v in src: yield v * 2
    const doubled = asyncGenerator(function* doubled(
      emit: (v: number) => Coroutine<void>,
      src: AsyncGen<number>,
    ) {
      for (const v of yield* each(src)) {
        yield* emit(v * 2);
        yield* each.next();
      }
    });
    function* main(): Coroutine<number[]> {
      const out: number[] = [];
      for (const v of yield* each(doubled(count(3)))) {
        out.push(v);
        yield* each.next();
      }
      return out;
    }
    expect(await loop.runUntilComplete(main())).toEqual([0, 2, 4]);

    // The same generator driven by for await: every step is a task of its own.
    async function viaForAwait(): Promise<number[]> {
      const out: number[] = [];
      for await (const v of doubled(count(3))) out.push(v);
      return out;
    }
    function* inLoop(): Coroutine<number[]> {
      return yield* ensureFuture(viaForAwait());
    }
    expect(await loop.runUntilComplete(inLoop())).toEqual([0, 2, 4]);
  });

  test("an eager task started inside a generator's step does not see the generator's loops", async () => {
    const seen: unknown[] = [];
    function* probe(): Coroutine<void> {
      // Runs at once, inside the generator's step, but in a task of its own.
      seen.push(yield* caught(each.next()));
    }
    const gen = asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
      for (const v of yield* each(count(2))) {
        createTask(probe(), { eagerStart: true });
        yield* emit(v);
        yield* each.next();
      }
    });
    function* main(): Coroutine<number[]> {
      const out: number[] = [];
      for (const v of yield* each(gen())) {
        out.push(v);
        yield* each.next();
      }
      return out;
    }
    expect(await loop.runUntilComplete(main())).toEqual([0, 1]);
    expect(seen.length).toBe(2);
    for (const e of seen) expect(e).toBeInstanceOf(RuntimeError);
  });

  test('an exception of the source comes out of yield* each() and of yield* each.next()', async () => {
    class Boom extends Error {
      override name = 'Boom';
    }
    const failsAt = asyncGenerator(function* (emit: (v: number) => Coroutine<void>, at: number) {
      for (let i = 0; ; i++) {
        yield* sleep(0);
        if (i === at) throw new Boom(`at ${i}`);
        yield* emit(i);
      }
    });
    function* loopOver(at: number, seen: number[]): Coroutine<void> {
      for (const v of yield* each(failsAt(at))) {
        seen.push(v);
        yield* each.next();
      }
    }
    function* main(): Coroutine<unknown[]> {
      const seen0: number[] = [];
      const e0 = yield* caught(loopOver(0, seen0));
      const seen2: number[] = [];
      const e2 = yield* caught(loopOver(2, seen2));
      // Each failed loop left nothing open.
      const outside = yield* caught(each.next());
      return [e0, seen0, e2, seen2, outside];
    }
    const [e0, seen0, e2, seen2, outside] = await loop.runUntilComplete(main());
    expect(e0).toBeInstanceOf(Boom);
    expect((e0 as Error).message).toBe('at 0');
    expect(seen0).toEqual([]);
    expect(e2).toBeInstanceOf(Boom);
    expect(seen2).toEqual([0, 1]);
    expect(outside).toBeInstanceOf(RuntimeError);
  });

  test('break does not aclose the generator: a later each() goes on, shutdownAsyncgens() closes it', async () => {
    const log: string[] = [];
    const gen = count(5, log);
    function* main(): Coroutine<number[]> {
      const out: number[] = [];
      for (const v of yield* each(gen)) {
        out.push(v);
        if (v === 1) break;
        yield* each.next();
      }
      // async for does not close the generator on break: nothing ran its finally.
      expect(log).toEqual([]);
      for (const v of yield* each(gen)) {
        out.push(v);
        if (v === 2) break;
        yield* each.next();
      }
      return out;
    }
    expect(await loop.runUntilComplete(main())).toEqual([0, 1, 2]);
    expect(log).toEqual([]);
    await loop.runUntilComplete(loop.shutdownAsyncgens());
    expect(log).toEqual(['caught GeneratorExit', 'finally']);
  });

  test('return and a throw out of the body end the loop too', async () => {
    function* returnsFirst(): Coroutine<number> {
      for (const v of yield* each(count(3))) {
        return v;
      }
      return -1;
    }
    function* throwsFirst(): Coroutine<void> {
      for (const _ of yield* each(count(3))) {
        throw new Error('out');
      }
    }
    function* main(): Coroutine<unknown[]> {
      const r = yield* returnsFirst();
      const e = yield* caught(throwsFirst());
      const outside = yield* caught(each.next());
      return [r, e, outside];
    }
    const [r, e, outside] = await loop.runUntilComplete(main());
    expect(r).toBe(0);
    expect((e as Error).message).toBe('out');
    expect(outside).toBeInstanceOf(RuntimeError);
  });

  test('yield* gen.aclose() after a break closes it at once', async () => {
    const log: string[] = [];
    const gen = count(3, log);
    function* main(): Coroutine<void> {
      for (const _ of yield* each(gen)) break;
      yield* gen.aclose();
    }
    await loop.runUntilComplete(main());
    expect(log).toEqual(['caught GeneratorExit', 'finally']);
    expect(GeneratorExit).toBeDefined();
  });
});

describe('each() misuse', () => {
  let loop: EventLoop;

  beforeEach(() => {
    ({ loop } = makeLoop());
  });

  test('an iteration without yield* each.next() makes the next one throw', async () => {
    function* forgot(): Coroutine<number[]> {
      const seen: number[] = [];
      for (const v of yield* each(count(3))) {
        seen.push(v);
      }
      return seen;
    }
    function* skippedByContinue(): Coroutine<number[]> {
      const seen: number[] = [];
      for (const v of yield* each(count(3))) {
        seen.push(v);
        if (v === 1) continue;
        yield* each.next();
      }
      return seen;
    }
    function* main(): Coroutine<unknown[]> {
      const e1 = yield* caught(forgot());
      const e2 = yield* caught(skippedByContinue());
      const outside = yield* caught(each.next());
      return [e1, e2, outside];
    }
    const [e1, e2, outside] = await loop.runUntilComplete(main());
    for (const e of [e1, e2]) {
      expect(e).toBeInstanceOf(RuntimeError);
      expect((e as Error).message).toBe(
        'an iteration of an each() loop ended without yield* each.next(): call yield* each.next() at the end of the loop body (and before any continue)',
      );
    }
    // The broken loops were left: nothing remains open.
    expect(outside).toBeInstanceOf(RuntimeError);
  });

  test('each.next() outside an each() loop, and twice in one iteration', async () => {
    function* twice(): Coroutine<number[]> {
      const seen: number[] = [];
      for (const v of yield* each(count(4))) {
        seen.push(v);
        yield* each.next();
        yield* each.next();
      }
      return seen;
    }
    function* main(): Coroutine<unknown[]> {
      return [yield* caught(each.next()), yield* caught(twice())];
    }
    const [outside, tw] = await loop.runUntilComplete(main());
    expect(outside).toBeInstanceOf(RuntimeError);
    expect((outside as Error).message).toMatch(
      /^each\.next\(\) was called outside an each\(\) loop/,
    );
    expect(tw).toBeInstanceOf(RuntimeError);
    expect((tw as Error).message).toBe(
      'each.next() was called twice in one iteration of the loop: call it once, at the end of the loop body',
    );
  });

  test('each.next() in another task does not see this task’s loop', async () => {
    const started = loop.createFuture<void>();
    const release = loop.createFuture<void>();
    function* looping(): Coroutine<number[]> {
      const seen: number[] = [];
      for (const v of yield* each(count(2))) {
        seen.push(v);
        if (!started.done()) started.setResult();
        yield* release;
        yield* each.next();
      }
      return seen;
    }
    function* main(): Coroutine<unknown[]> {
      const t = createTask(looping());
      yield* started;
      const other = yield* caught(createTask(each.next()));
      release.setResult();
      return [other, yield* t];
    }
    const [other, seen] = await loop.runUntilComplete(main());
    expect(other).toBeInstanceOf(RuntimeError);
    expect(seen).toEqual([0, 1]);
  });

  test('each() of something that is not an async source is a TypeError at the call', () => {
    expect(() => each(42 as never)).toThrow(
      new TypeError(
        'each() requires an async source (an AsyncGen, asCompleted(...) or an AsyncIterable), got number',
      ),
    );
    expect(() => each(null as never)).toThrow(/got null$/);
    expect(() => each([1, 2] as never)).toThrow(
      /got Array: a plain iterable goes in a plain for\.\.\.of$/,
    );
    expect(() => each(count as never)).toThrow(
      /got function: call the async generator function to get an async generator$/,
    );
    const badAiter = { [Symbol.asyncIterator]: () => 5 };
    expect(() => each(badAiter as never)).toThrow(
      'each() received an object from [Symbol.asyncIterator]() that has no next() method: number',
    );
  });

  test('each() outside a task is a RuntimeError that says where to iterate', async () => {
    const coro = each(count(1));
    expect(() => coro.next()).toThrow(/each\(\) must run inside a task/);
  });

  test('the iterable each() returns can be iterated once', async () => {
    function* main(): Coroutine<unknown> {
      const items = yield* each(count(2));
      for (const _ of items) break;
      try {
        for (const _ of items) break;
      } catch (e) {
        return e;
      }
      return null;
    }
    const err = await loop.runUntilComplete(main());
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toMatch(/can be iterated once/);
  });

  test('await on each() and each.next() is refused with a hint to use yield*', async () => {
    await expect(
      (async () => {
        await (each(count(1)) as unknown as PromiseLike<unknown>);
      })(),
    ).rejects.toThrow(/yield\*/);
  });
});

describe('each() over a native AsyncIterable', () => {
  let loop: EventLoop;

  beforeEach(() => {
    ({ loop } = makeLoop());
  });

  test('an async function* source, stepped through its promises', async () => {
    async function* letters(): AsyncGenerator<string> {
      for (const c of 'abc') {
        await new Promise((r) => setTimeout(r, 1));
        yield c;
      }
    }
    function* main(): Coroutine<string> {
      let out = '';
      for (const c of yield* each(letters())) {
        yield* sleep(0);
        out += c;
        yield* each.next();
      }
      return out;
    }
    expect(await loop.runUntilComplete(main())).toBe('abc');
  });

  test('a web ReadableStream', async () => {
    const stream = new ReadableStream<string>({
      start(controller) {
        controller.enqueue('x');
        controller.enqueue('y');
        controller.close();
      },
    });
    function* main(): Coroutine<string[]> {
      const out: string[] = [];
      for (const chunk of yield* each(stream as unknown as AsyncIterable<string>)) {
        out.push(chunk);
        yield* each.next();
      }
      return out;
    }
    expect(await loop.runUntilComplete(main())).toEqual(['x', 'y']);
  });

  test('an iterator whose next() returns results without a promise, and one that rejects', async () => {
    let i = 0;
    const plain: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () =>
          (i < 2 ? { done: false, value: i++ } : { done: true, value: undefined }) as never,
      }),
    };
    async function* fails(): AsyncGenerator<number> {
      yield 1;
      throw new Error('source failed');
    }
    function* main(): Coroutine<unknown[]> {
      const seen: number[] = [];
      for (const v of yield* each(plain)) {
        seen.push(v);
        yield* each.next();
      }
      const failed: number[] = [];
      const err = yield* caught(
        (function* () {
          for (const v of yield* each(fails())) {
            failed.push(v);
            yield* each.next();
          }
        })(),
      );
      return [seen, failed, err];
    }
    const [seen, failed, err] = await loop.runUntilComplete(main());
    expect(seen).toEqual([0, 1]);
    expect(failed).toEqual([1]);
    expect((err as Error).message).toBe('source failed');
  });

  test('cancelling the task abandons the pending next(): the task ends at once', async () => {
    let resolveNext: ((r: IteratorResult<number>) => void) | null = null;
    let calls = 0;
    const never: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () => {
          calls++;
          if (calls === 1) return Promise.resolve({ done: false, value: 1 });
          return new Promise<IteratorResult<number>>((r) => {
            resolveNext = r;
          });
        },
      }),
    };
    const seen: number[] = [];
    function* main(): Coroutine<void> {
      for (const v of yield* each(never)) {
        seen.push(v);
        yield* each.next();
      }
    }
    function* driver(): Coroutine<unknown> {
      const t = createTask(main());
      while (resolveNext === null) yield* sleep(0.001);
      t.cancel();
      return yield* caught(t);
    }
    const err = await loop.runUntilComplete(driver());
    expect(err).toBeInstanceOf(CancelledError);
    expect(seen).toEqual([1]);
    // The promise is still pending: it was abandoned, not cancelled.
    expect(calls).toBe(2);
    (resolveNext as unknown as (r: IteratorResult<number>) => void)({ done: false, value: 2 });
  });

  test('asCompleted() is accepted as an async source', async () => {
    function* main(): Coroutine<number[]> {
      const out: number[] = [];
      for (const fut of yield* each(asCompleted([sleep(0.01, 1), sleep(0, 2)]))) {
        out.push(yield* fut);
        yield* each.next();
      }
      return out;
    }
    expect(await loop.runUntilComplete(main())).toEqual([2, 1]);
  });
});
