/**
 * The allocation-free paths of @x/tasks and what they must leave unchanged:
 * `gather()`'s one waker per call (versus a done callback per child), a
 * task's context made only when something could tell it apart, and a sleep
 * that is its own timer. Each test checks behaviour CPython defines.
 */
import {
  Context,
  ContextVar,
  type Coroutine,
  Future,
  InvalidStateError,
  newEventLoop,
  TimerHandle,
  ValueError,
} from '@x/loop';
import { createTask, currentTask, gather, sleep, Task } from '@x/tasks';
import { describe, expect, test } from 'vitest';
import { makeLoop, runBriefly } from './task-helpers.js';

function* value<T>(v: T): Coroutine<T> {
  yield* sleep(0);
  return v;
}

describe('GatherWaker', () => {
  test('results keep argument order whatever order the children finish in', async () => {
    const { loop } = makeLoop();
    function* child(i: number): Coroutine<number> {
      // Later arguments finish first.
      for (let k = 0; k < 50 - i; k++) yield* sleep(0);
      return i;
    }
    function* main(): Coroutine<number[]> {
      return yield* gather(Array.from({ length: 50 }, (_, i) => child(i)));
    }
    expect(await loop.runUntilComplete(main())).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  test('a child whose methods are not Future own gets a done callback in the gather context', async () => {
    const { loop, calls } = makeLoop();
    const cvar = new ContextVar<string>('cvar', { default: 'outside' });
    const seen: string[] = [];
    class Watched<T> extends Future<T> {
      override exception(): unknown {
        seen.push(cvar.get());
        return super.exception();
      }
    }
    function* main(): Coroutine<unknown[]> {
      cvar.set('gathering');
      const w = new Watched<number>({ loop });
      const plain = loop.createFuture<number>();
      loop.callSoon(() => w.setResult(1));
      loop.callSoon(() => plain.setResult(2));
      return yield* gather([w, plain, value(3)]);
    }
    expect(await loop.runUntilComplete(main())).toEqual([1, 2, 3]);
    // Read in _done_callback (in the context gather was called in) and for the results.
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.every((s) => s === 'gathering')).toBe(true);
    expect(calls).toEqual([]);
  });

  test('an error in the waker reaches the exception handler as a callback error', async () => {
    const { loop, calls } = makeLoop();
    const child = loop.createFuture<number>();
    const outer = gather([child]);
    const boom = new Error('boom');
    const original = Future.prototype._makeCancelledError;
    Future.prototype._makeCancelledError = () => {
      throw boom;
    };
    try {
      child.cancel();
      await runBriefly(loop);
      await runBriefly(loop);
    } finally {
      Future.prototype._makeCancelledError = original;
    }
    expect(calls).toHaveLength(1);
    expect(calls[0]?.message).toMatch(/^Exception in callback doneCallback\(<Future cancelled/);
    expect(calls[0]?.exception).toBe(boom);
    expect(calls[0]?.handle).toBeDefined();
    expect(outer.done()).toBe(false);
    outer.cancel();
  });

  test('in debug mode every child gets a done-callback Handle', async () => {
    const { loop } = makeLoop({ debug: true });
    const child = loop.createFuture<number>();
    const outer = gather([child]);
    expect(String(child)).toMatch(/cb=\[doneCallback\(\)\]/);
    child.setResult(7);
    await runBriefly(loop);
    expect(outer.result()).toEqual([7]);
  });
});

describe('TaskContext', () => {
  test('a variable set in the first step stays the task own, across steps', async () => {
    const { loop } = makeLoop();
    const cvar = new ContextVar<number>('cvar', { default: 0 });
    const seen: number[] = [];
    function* worker(n: number): Coroutine<void> {
      const token = cvar.set(n);
      yield* sleep(0);
      seen.push(cvar.get());
      yield* sleep(0.001);
      seen.push(cvar.get());
      cvar.reset(token);
      seen.push(cvar.get());
    }
    const ts: Task<void>[] = [];
    function* main(): Coroutine<void> {
      for (let i = 1; i <= 3; i++) ts.push(createTask(worker(i)));
      yield* gather(ts);
    }
    await loop.runUntilComplete(main());
    expect(seen.sort()).toEqual([0, 0, 0, 1, 1, 2, 2, 3, 3]);
    // Each task kept a context of its own; the reset left it empty.
    const ctxs = ts.map((t) => t.getContext());
    expect(new Set(ctxs).size).toBe(3);
    expect(ctxs.every((c) => c.size === 0 && c.get(cvar) === undefined)).toBe(true);
  });

  test('getContext() during the first step is the context the step runs in', async () => {
    const { loop } = makeLoop();
    const cvar = new ContextVar<string>('cvar');
    let during: Context | null = null;
    function* worker(): Coroutine<void> {
      during = (currentTask() as Task<unknown>).getContext();
      cvar.set('after');
      yield* sleep(0);
    }
    const t = new Task(worker(), { loop });
    await loop.runUntilComplete(t);
    expect(t.getContext()).toBe(during);
    expect(t.getContext().get(cvar)).toBe('after');
    // The context is entered while the task steps in it.
    function* again(): Coroutine<void> {
      const ctx = (currentTask() as Task<unknown>).getContext();
      expect(() => ctx.run(() => {})).toThrow(/already entered/);
      yield* sleep(0);
    }
    await loop.runUntilComplete(new Task(again(), { loop }));
  });

  test('tasks that set nothing still get distinct, stable, empty contexts', async () => {
    const { loop } = makeLoop();
    const tasks: Task<unknown>[] = [];
    for (let i = 0; i < 3; i++) tasks.push(new Task(value(i), { loop }));
    const before = tasks[0]?.getContext();
    await loop.runUntilComplete(gather(tasks));
    const ctxs = tasks.map((t) => t.getContext());
    expect(ctxs[0]).toBe(before);
    expect(new Set(ctxs).size).toBe(3);
    expect(ctxs.every((c) => c instanceof Context && c.size === 0)).toBe(true);
    expect(tasks.map((t) => t.getContext())).toEqual(ctxs);
  });

  test('a token from one task cannot reset the variable in another', async () => {
    const { loop } = makeLoop();
    const cvar = new ContextVar<number>('cvar');
    let token: ReturnType<typeof cvar.set> | null = null;
    function* first(): Coroutine<void> {
      const t1 = cvar.set(1);
      token = cvar.set(2);
      // Back to empty, with one token unused: the context is still this task's.
      cvar.reset(t1);
      expect(cvar.get(-1)).toBe(-1);
      yield* sleep(0);
    }
    let error: unknown = null;
    function* second(): Coroutine<void> {
      try {
        cvar.reset(token as never);
      } catch (e) {
        error = e;
      }
      yield* sleep(0);
    }
    await loop.runUntilComplete(new Task(first(), { loop }));
    await loop.runUntilComplete(new Task(second(), { loop }));
    expect(error).toBeInstanceOf(ValueError);
    expect(String((error as Error).message)).toMatch(/created in a different Context/);
  });

  test('a task made where variables are set copies that context', async () => {
    const { loop } = makeLoop();
    const cvar = new ContextVar<string>('cvar', { default: 'none' });
    function* read(): Coroutine<string> {
      yield* sleep(0);
      return cvar.get();
    }
    function* main(): Coroutine<string[]> {
      cvar.set('main');
      const t = createTask(read());
      cvar.set('changed');
      return [yield* t, t.getContext().get(cvar) as string];
    }
    expect(await loop.runUntilComplete(main())).toEqual(['main', 'main']);
  });

  test("a step of another loop's task inside a step gets its own context", async () => {
    const { loop } = makeLoop();
    const other = newEventLoop();
    const cvar = new ContextVar<string>('cvar', { default: 'none' });
    // biome-ignore lint/correctness/useYield: finishes in the one step taken inside t1's
    function* inner(): Coroutine<string> {
      cvar.set('inner');
      return cvar.get();
    }
    const t2 = new Task(inner(), { loop: other });
    let outerCtx: Context | null = null;
    // biome-ignore lint/correctness/useYield: one step, during which t2 steps
    function* outer(): Coroutine<string> {
      t2._run(undefined);
      outerCtx = (currentTask() as Task<unknown>)?.getContext() ?? null;
      return cvar.get();
    }
    const calls: unknown[] = [];
    loop.setExceptionHandler((_l, c) => calls.push(c));
    const t1 = new Task(outer(), { loop });
    await runBriefly(loop);
    // Stepping t2 replaced the current task: the mismatch is reported for t1.
    expect(calls).toHaveLength(1);
    expect(t2.result()).toBe('inner');
    expect(t2.getContext().get(cvar)).toBe('inner');
    expect(t2.getContext()).not.toBe(t1.getContext());
    expect(outerCtx).toBeNull();
    t1.cancel();
    other.close();
  });
});

describe('SleepTimer', () => {
  test('a sleep is its own timer, cancelled when the sleeping task is', async () => {
    const { loop } = makeLoop();
    function* sleeper(): Coroutine<void> {
      yield* sleep(3600);
    }
    const ts: Task<void>[] = [];
    for (let i = 0; i < 150; i++) ts.push(new Task(sleeper(), { loop }));
    await runBriefly(loop);
    expect(loop._timers.size).toBe(150);
    expect(loop._timers.items.some((t) => t instanceof TimerHandle)).toBe(false);
    for (const t of ts) t.cancel();
    await runBriefly(loop);
    expect(ts.every((t) => t.cancelled())).toBe(true);
    expect(loop._timerCancelledCount).toBe(150);
    expect(loop._timers.items.every((t) => t.cancelled())).toBe(true);
    // More than half of the heap is cancelled: the next iteration drops them.
    await runBriefly(loop);
    expect(loop._timers.size).toBe(0);
    expect(loop._timerCancelledCount).toBe(0);
  });

  test('a result set by someone else fails as the plain callback would', async () => {
    const { loop, calls } = makeLoop();
    // biome-ignore lint/correctness/useYield: steps the sleep by hand
    function* main(): Coroutine<unknown> {
      const g = sleep(0.001, 'late');
      const fut = g.next().value as Future<unknown>;
      const timer = loop._timers.peek();
      fut.setResult('early');
      timer?._run(undefined);
      return g.next().value;
    }
    expect(await loop.runUntilComplete(main())).toBe('early');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.message).toMatch(/^Exception in callback setResultUnlessCancelled\(/);
    expect(calls[0]?.exception).toBeInstanceOf(InvalidStateError);
  });

  test('in debug mode, or on a loop that overrides callLater, a sleep uses a TimerHandle', async () => {
    for (const make of [
      () => makeLoop({ debug: true }).loop,
      () => {
        const { loop } = makeLoop();
        const plain = loop.callLater;
        const seen: number[] = [];
        loop.callLater = function (this: typeof loop, delay: number, ...rest: never[]) {
          seen.push(delay);
          return (plain as (...a: unknown[]) => TimerHandle).call(this, delay, ...rest);
        } as typeof loop.callLater;
        return Object.assign(loop, { seen });
      },
    ]) {
      const loop = make();
      let timer: unknown = null;
      function* main(): Coroutine<string> {
        const t = createTask(sleep(0.002, 'slept'));
        yield* sleep(0);
        timer = loop._timers.peek();
        return yield* t;
      }
      expect(await loop.runUntilComplete(main())).toBe('slept');
      expect(timer).toBeInstanceOf(TimerHandle);
      const seen = (loop as { seen?: number[] }).seen;
      if (seen !== undefined) expect(seen).toEqual([0.002]);
      expect(loop._timers.size).toBe(0);
    }
  });
});

describe('a task context across its first steps', () => {
  test('what the first two steps set (in the scratch context) is there when the task gets its Context', async () => {
    const { loop } = makeLoop();
    const a = new ContextVar<string>('a', { default: 'none' });
    const b = new ContextVar<string>('b', { default: 'none' });
    const seen: string[] = [];
    let viewed: Context | null = null;
    function* main(): Coroutine<void> {
      const token = a.set('step 1');
      yield* sleep(0);
      b.set('step 2');
      seen.push(`${a.get()} ${b.get()}`);
      yield* sleep(0);
      // Third step: the task now runs in a Context of its own.
      seen.push(`${a.get()} ${b.get()}`);
      viewed = (currentTask() as Task<unknown>).getContext();
      yield* sleep(0);
      // A token made in the first step still belongs to this task's context.
      a.reset(token);
      seen.push(`${a.get()} ${b.get()}`);
    }
    const t = loop.createTask(main());
    await loop.runUntilComplete(t);
    expect(seen).toEqual(['step 1 step 2', 'step 1 step 2', 'none step 2']);
    expect(t.getContext()).toBe(viewed);
    expect(t.getContext().get(b)).toBe('step 2');
    expect(t.getContext().has(a)).toBe(false);
  });
});
