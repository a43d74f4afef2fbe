/**
 * Call-graph introspection, after CPython 3.14's
 * Lib/test/test_asyncio/test_graph.py (CallStackTestBase): the same programs,
 * the same awaited-by trees. Python's `s`/`a` frame kinds cannot be told
 * apart in a JavaScript stack, so a stack is compared by function names, and
 * only the names of the test's own functions (plus the library ones the
 * CPython test names, such as `wait`). Stacks of suspended tasks are known in
 * debug mode, which every CallStack test runs in; the awaited-by edges are
 * also checked without it.
 */
import { type Coroutine, EventLoop, type Future, getRunningLoop, TimeoutError } from '@x/loop';
import {
  asCompleted,
  type CallStackEntry,
  captureCallGraph,
  createTask,
  type FutureCallGraph,
  formatCallGraph,
  futureAddToAwaitedBy,
  futureDiscardFromAwaitedBy,
  gather,
  printCallGraph,
  Queue,
  shield,
  sleep,
  Task,
  taskGroup,
  timeout,
  wait,
  waitFor,
} from '@x/tasks';
import { afterEach, describe, expect, it } from 'vitest';

type Walked = [string, string[], Walked[]];

const KEEP = new Set([
  'c1',
  'c2',
  'c3',
  'c4',
  'c5',
  'a1',
  'a2',
  'b1',
  'deep',
  'inner',
  'main',
  'gen',
  'genNestedCall',
  'captureTestStack',
  'testBody',
  'wait',
  'waitFor',
  'gather',
]);

/** As CPython's test: `a name` for a coroutine frame, `s name` for a plain function's. */
function names(stack: readonly CallStackEntry[]): string[] {
  return stack.filter((e) => KEEP.has(e.name)).map((e) => `${e.async ? 'a' : 's'} ${e.name}`);
}

/** Python's `capture_test_stack().walk`: the tree as nested lists, awaiters sorted by name. */
function walk(s: FutureCallGraph): Walked {
  let label = 'F';
  if (s.future instanceof Task) {
    const n = s.future.getName();
    label = /^Task-\d+$/.test(n) ? 'T<anon>' : `T<${n}>`;
  }
  const by = s.awaitedBy.map(walk).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return [label, names(s.callStack), by];
}

/** Python's `capture_test_stack(fut=None, depth=1)`: the walked graph and the printed text. */
function captureTestStack(fut?: Future<unknown> | null, depth = 1): [Walked, string] {
  let printed = '';
  printCallGraph(fut, { depth: depth + 1, write: (s) => (printed += s) });
  const g = captureCallGraph(fut, { depth }) as FutureCallGraph;
  return [walk(g), printed];
}

const loops: EventLoop[] = [];
afterEach(() => {
  for (const l of loops.splice(0)) if (!l.isClosed()) l.close();
});

function runTest<T>(body: () => Coroutine<T>, debug = true): Promise<T> {
  const loop = new EventLoop({ debug });
  loops.push(loop);
  return loop.runUntilComplete(body());
}

describe.each([true, false])('CallStackTestBase (debug %s)', (debug) => {
  // Without debug mode a task that is not the current one shows no frames.
  const maybe = (stack: string[]): string[] => (debug ? stack : []);

  it('test_stack_tgroup', async () => {
    let stackForC5: [Walked, string] | null = null;
    function c5(): void {
      stackForC5 = captureTestStack(null, 2);
    }
    function* c4(): Coroutine<void> {
      yield* sleep(0);
      c5();
    }
    function* c3(): Coroutine<void> {
      yield* c4();
    }
    function* c2(): Coroutine<void> {
      yield* c3();
    }
    function* c1(task: Task<void>): Coroutine<void> {
      yield* task;
    }
    function* main(): Coroutine<void> {
      // biome-ignore lint/correctness/useYield: a coroutine that does not wait
      yield* taskGroup(function* (tg) {
        const task = tg.createTask(c2(), { name: 'c2_root' });
        tg.createTask(c1(task), { name: 'sub_main_1' });
        tg.createTask(c1(task), { name: 'sub_main_2' });
      });
    }
    await runTest(function* testBody() {
      yield* main();
    }, debug);
    const [walked, printed] = stackForC5 as unknown as [Walked, string];
    const root: Walked = ['T<anon>', maybe(['a main', 'a testBody']), []];
    expect(walked).toEqual([
      'T<c2_root>',
      // The current task's stack is always known: c5 down to c2 (depth=2 skips captureTestStack).
      ['s c5', 'a c4', 'a c3', 'a c2'],
      [
        root,
        ['T<sub_main_1>', maybe(['a c1']), [root]],
        ['T<sub_main_2>', maybe(['a c1']), [root]],
      ],
    ]);
    expect(printed).toMatch(/^\* Task\(name='c2_root', id=0x[0-9a-f]+\)\n {2}\+ Call stack:\n/);
    expect(printed).toContain('  |   File ');
    expect(printed).toMatch(/, line \d+, in async c4\(\)/);
    if (debug) expect(printed).toContain(' async testBody()');
    expect(printed).toContain("    * Task(name='sub_main_1', id=0x");
  });

  it('test_stack_async_gen: a generator consumed inline adds frames, not tasks', async () => {
    let stack: [Walked, string] | null = null;
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    function* genNestedCall(): Coroutine<void> {
      stack = captureTestStack();
    }
    function* gen(): Generator<number | Future<unknown> | undefined, void, unknown> {
      for (let num = 0; num < 2; num++) {
        yield num;
        if (num === 1) yield* genNestedCall();
      }
    }
    function* main(): Coroutine<void> {
      const it = gen();
      for (let r = it.next(); !r.done; r = it.next()) {
        if (typeof r.value !== 'number') yield r.value;
      }
    }
    await runTest(function* testBody() {
      yield* main();
    }, debug);
    expect((stack as unknown as [Walked, string])[0]).toEqual([
      'T<anon>',
      ['s captureTestStack', 'a genNestedCall', 'a gen', 'a main', 'a testBody'],
      [],
    ]);
  });

  it('test_stack_gather', async () => {
    let stackForDeep: [Walked, string] | null = null;
    function* deep(): Coroutine<void> {
      yield* sleep(0);
      stackForDeep = captureTestStack();
    }
    function* c1(): Coroutine<void> {
      yield* sleep(0);
      yield* deep();
    }
    function* c2(): Coroutine<void> {
      yield* sleep(0);
    }
    function* main(): Coroutine<void> {
      yield* gather([c1(), c2()]);
    }
    await runTest(function* testBody() {
      yield* main();
    }, debug);
    expect((stackForDeep as unknown as [Walked, string])[0]).toEqual([
      'T<anon>',
      ['s captureTestStack', 'a deep', 'a c1'],
      [['T<anon>', maybe(['a main', 'a testBody']), []]],
    ]);
  });

  it('test_stack_shield', async () => {
    let stackForShield: [Walked, string] | null = null;
    function* deep(): Coroutine<void> {
      yield* sleep(0);
      stackForShield = captureTestStack();
    }
    function* c1(): Coroutine<void> {
      yield* sleep(0);
      yield* deep();
    }
    function* main(): Coroutine<void> {
      yield* shield(c1());
    }
    await runTest(function* testBody() {
      yield* main();
    }, debug);
    expect((stackForShield as unknown as [Walked, string])[0]).toEqual([
      'T<anon>',
      ['s captureTestStack', 'a deep', 'a c1'],
      [['T<anon>', maybe(['a main', 'a testBody']), []]],
    ]);
  });

  it('test_stack_timeout', async () => {
    let stackForInner: [Walked, string] | null = null;
    function* inner(): Coroutine<void> {
      yield* sleep(0);
      stackForInner = captureTestStack();
    }
    function* c1(): Coroutine<void> {
      yield* timeout(1, function* () {
        yield* sleep(0);
        yield* inner();
      });
    }
    function* main(): Coroutine<void> {
      yield* shield(c1());
    }
    await runTest(function* testBody() {
      yield* main();
    }, debug);
    const [walked] = stackForInner as unknown as [Walked, string];
    expect(walked[0]).toBe('T<anon>');
    expect(walked[1]).toEqual(['s captureTestStack', 'a inner', 'a c1']);
    expect(walked[2]).toEqual([['T<anon>', maybe(['a main', 'a testBody']), []]]);
  });

  it('test_stack_wait', async () => {
    let stackForInner: [Walked, string] | null = null;
    function* inner(): Coroutine<void> {
      yield* sleep(0);
      stackForInner = captureTestStack();
    }
    function* c1(): Coroutine<void> {
      yield* timeout(1, function* () {
        yield* sleep(0);
        yield* inner();
      });
    }
    function* c2(): Coroutine<void> {
      for (let i = 0; i < 3; i++) yield* sleep(0);
    }
    function* main(t1: Task<void>, t2: Task<void>): Coroutine<void> {
      for (;;) {
        const [, pending] = yield* wait([t1, t2]);
        if (pending.size === 0) break;
      }
    }
    await runTest(function* testBody() {
      const t1 = createTask(c1());
      const t2 = createTask(c2());
      try {
        yield* main(t1, t2);
      } finally {
        yield* t1;
        yield* t2;
      }
    }, debug);
    expect((stackForInner as unknown as [Walked, string])[0]).toEqual([
      'T<anon>',
      ['s captureTestStack', 'a inner', 'a c1'],
      [['T<anon>', maybe(['a wait', 'a main', 'a testBody']), []]],
    ]);
  });

  it('test_stack_task', async () => {
    let stackForInner: [Walked, string] | null = null;
    function* inner(): Coroutine<void> {
      yield* sleep(0);
      stackForInner = captureTestStack();
    }
    function* c1(): Coroutine<void> {
      yield* inner();
    }
    function* c2(): Coroutine<void> {
      yield* createTask(c1(), { name: 'there there' });
    }
    function* main(): Coroutine<void> {
      yield* c2();
    }
    await runTest(function* testBody() {
      yield* main();
    }, debug);
    expect((stackForInner as unknown as [Walked, string])[0]).toEqual([
      'T<there there>',
      ['s captureTestStack', 'a inner', 'a c1'],
      [['T<anon>', maybe(['a c2', 'a main', 'a testBody']), []]],
    ]);
  });

  it('test_stack_future', async () => {
    let stackForFut: [Walked, string] | null = null;
    function* a2(fut: Future<void>): Coroutine<void> {
      yield* fut;
    }
    function* a1(fut: Future<void>): Coroutine<void> {
      yield* a2(fut);
    }
    function* b1(fut: Future<void>): Coroutine<void> {
      yield* fut;
    }
    function* main(): Coroutine<void> {
      const fut = getRunningLoop().createFuture<void>();
      yield* taskGroup(function* (g) {
        g.createTask(a1(fut), { name: 'task A' });
        g.createTask(b1(fut), { name: 'task B' });
        for (let i = 0; i < 5; i++) yield* sleep(0);
        stackForFut = captureTestStack(fut);
        fut.setResult(undefined);
      });
    }
    await runTest(function* testBody() {
      yield* main();
    }, debug);
    const [walked, printed] = stackForFut as unknown as [Walked, string];
    // The parent task is the current one: its stack is the live one (Python
    // shows the running task's outermost coroutine only).
    const root: Walked = ['T<anon>', ['s captureTestStack', 'a main', 'a testBody'], []];
    expect(walked).toEqual([
      'F',
      [],
      [
        ['T<task A>', maybe(['a a2', 'a a1']), [root]],
        ['T<task B>', maybe(['a b1']), [root]],
      ],
    ]);
    expect(printed.startsWith('* Future(id=')).toBe(true);
  });
});

describe('call graph edges', () => {
  it('a task awaiting a task; waitFor; asCompleted; TaskGroup children; cycles', async () => {
    await runTest(function* () {
      const loop = getRunningLoop();
      const me = createTask((function* () {})());
      yield* me;
      const parents = (f: Future<unknown>): string[] =>
        (captureCallGraph(f)?.awaitedBy ?? []).map((g) => (g.future as Task).getName());

      // waitFor: the waiting task awaits the awaited one directly.
      const slow = createTask(sleep(10), { name: 'slow' });
      const waiter = createTask(
        (function* () {
          try {
            yield* waitFor(slow, 5);
          } catch (e) {
            if (!(e instanceof TimeoutError)) throw e;
          }
        })(),
        { name: 'waiter' },
      );
      yield* sleep(0);
      expect(parents(slow)).toEqual(['waiter']);
      waiter.cancel();
      yield* wait([waiter]);
      expect(parents(slow)).toEqual([]);

      // asCompleted: each awaitable is awaited by the task iterating, until it is done.
      const gate = loop.createFuture<void>();
      const a = createTask(sleep(0, 'a'), { name: 'a' });
      const b = createTask(
        (function* () {
          yield* gate;
          return 'b';
        })(),
        { name: 'b' },
      );
      const iterating = createTask(
        (function* () {
          for (const next of asCompleted([a, b])) yield* next;
        })(),
        { name: 'iterating' },
      );
      yield* sleep(0);
      expect(parents(a)).toEqual(['iterating']);
      expect(parents(b)).toEqual(['iterating']);
      yield* a;
      yield* sleep(0);
      expect(parents(a)).toEqual([]);
      expect(parents(b)).toEqual(['iterating']);
      gate.setResult();
      yield* iterating;
      expect(parents(b)).toEqual([]);

      // TaskGroup: a child is awaited by the parent even while the body does something else.
      yield* taskGroup(function* (tg) {
        const child = tg.createTask(sleep(0.01), { name: 'child' });
        const cur = captureCallGraph() as FutureCallGraph;
        expect(parents(child)).toEqual([(cur.future as Task).getName()]);
        yield* sleep(0);
        expect(parents(child)).toEqual([(cur.future as Task).getName()]);
      });

      // A cycle (a deadlock: with tasks it cannot even be cancelled) is shown once around.
      const f1 = loop.createFuture<void>();
      const f2 = loop.createFuture<void>();
      futureAddToAwaitedBy(f1, f2);
      futureAddToAwaitedBy(f2, f1);
      const g = captureCallGraph(f1) as FutureCallGraph;
      expect(g.awaitedBy[0]?.future).toBe(f2);
      expect(g.awaitedBy[0]?.awaitedBy).toEqual([]);
      expect(loop.isRunning()).toBe(true);
    }, false);
  });

  it('futureAddToAwaitedBy / futureDiscardFromAwaitedBy: explicit edges, checked arguments', async () => {
    await runTest(function* () {
      const loop = getRunningLoop();
      const fut = loop.createFuture<void>();
      const w = loop.createFuture<void>();
      futureAddToAwaitedBy(fut, w);
      futureAddToAwaitedBy(fut, w);
      let g = captureCallGraph(fut) as FutureCallGraph;
      expect(g.awaitedBy.length).toBe(1);
      expect(g.awaitedBy[0]?.future).toBe(w);
      expect(formatCallGraph(fut)).toMatch(
        /^\* Future\(id=0x[0-9a-f]+\)\n {2}\+ Awaited by:\n {4}\* Future\(id=0x[0-9a-f]+\)$/,
      );
      futureDiscardFromAwaitedBy(fut, w);
      futureDiscardFromAwaitedBy(fut, w);
      g = captureCallGraph(fut) as FutureCallGraph;
      expect(g.awaitedBy).toEqual([]);
      expect(() => futureAddToAwaitedBy(fut, {} as never)).toThrow(TypeError);
      expect(() => futureDiscardFromAwaitedBy(null as never, w)).toThrow(TypeError);
    });
  });

  it("a task waiting in sleep(), Queue.get() or Queue.put() shows that coroutine's frame", async () => {
    await runTest(function* () {
      const full = new Queue<number>(1);
      full.putNowait(0);
      const empty = new Queue<number>();
      function* producer(): Coroutine<void> {
        yield* full.put(1);
      }
      function* consumer(): Coroutine<number> {
        return yield* empty.get();
      }
      function* sleeper(): Coroutine<void> {
        yield* sleep(10);
      }
      const tasks = [createTask(producer()), createTask(consumer()), createTask(sleeper())];
      yield* sleep(0);
      // As CPython's stack of a task in `await q.put(1)`: the library's coroutine, then its caller.
      expect(
        tasks.map((t) =>
          (captureCallGraph(t) as FutureCallGraph).callStack.map(
            (e) => `${e.async ? 'a' : 's'} ${e.name}`,
          ),
        ),
      ).toEqual([
        ['a Queue.put', 'a producer'],
        ['a Queue.get', 'a consumer'],
        ['a sleep', 'a sleeper'],
      ]);
      for (const t of tasks) t.cancel();
      yield* sleep(0);
    });
  });

  it('capture outside a loop, no current task, options and limit', async () => {
    expect(() => captureCallGraph()).toThrow(
      'capture_call_graph() is called outside of a running event loop and no *future* to introspect was provided',
    );
    const loop = new EventLoop();
    loops.push(loop);
    const fut = loop.createFuture<void>();
    expect(captureCallGraph(fut)?.future).toBe(fut);
    // In a callback, not a task: nothing to describe.
    let inCallback: unknown = 'unset';
    let text: unknown = 'unset';
    let printed = '';
    loop.callSoon(() => {
      inCallback = captureCallGraph();
      text = formatCallGraph();
      printCallGraph(undefined, { write: (s) => (printed += s) });
      fut.setResult();
    });
    await loop.runUntilComplete(fut);
    expect(inCallback).toBeNull();
    expect(text).toBe('');
    expect(printed).toBe('\n');
    expect(() => captureCallGraph(42 as never)).toThrow(/does not appear to be compatible/);
    expect(() => captureCallGraph(fut, { depth: -1 })).toThrow(TypeError);
    expect(() => captureCallGraph(fut, { limit: 1.5 })).toThrow(TypeError);
    expect(() => formatCallGraph(fut, 3 as never)).toThrow(TypeError);
    expect(() => printCallGraph(fut, { write: 3 as never })).toThrow(TypeError);

    await runTest(function* () {
      // biome-ignore lint/correctness/useYield: a coroutine that does not wait
      function* c3(): Coroutine<FutureCallGraph[]> {
        return [
          captureCallGraph() as FutureCallGraph,
          captureCallGraph(null, { limit: 1 }) as FutureCallGraph,
          captureCallGraph(null, { limit: -1 }) as FutureCallGraph,
          captureCallGraph(null, { limit: 0 }) as FutureCallGraph,
        ];
      }
      function* c2(): Coroutine<FutureCallGraph[]> {
        return yield* c3();
      }
      const [all, outer, innermost, none] = yield* c2();
      const n = (g: FutureCallGraph | undefined) =>
        (g as FutureCallGraph).callStack.map((e) => e.name);
      expect(n(all).slice(0, 2)).toEqual(['c3', 'c2']);
      expect(n(outer)).toEqual([n(all).at(-1)]);
      expect(n(innermost)).toEqual(['c3']);
      expect(n(none)).toEqual([]);
    });
  });

  it('printCallGraph writes to stdout by default', async () => {
    const lines: string[] = [];
    const orig = console.log;
    console.log = (s: string) => lines.push(s);
    try {
      // biome-ignore lint/correctness/useYield: a coroutine that does not wait
      await runTest(function* () {
        printCallGraph();
      });
    } finally {
      console.log = orig;
    }
    expect(lines[0]?.split('\n')[0]).toMatch(/^\* Task\(name='Task-\d+', id=0x[0-9a-f]+\)$/);
    expect(lines[0]).toContain('  + Call stack:');
  });
});

describe('debug mode: an error that crosses tasks carries the awaiting chain', () => {
  function* deep(): Coroutine<void> {
    yield* sleep(0);
    throw new Error('boom');
  }
  function* child(): Coroutine<void> {
    yield* deep();
  }
  function* middle(): Coroutine<void> {
    yield* createTask(child(), { name: 'child' });
  }

  it('appends each awaiting task and its frames, as V8 shows async frames', async () => {
    const err = await runTest(function* mainBody() {
      try {
        yield* gather([createTask(middle(), { name: 'middle' })]);
      } catch (e) {
        return e as Error;
      }
      throw new Error('not reached');
    });
    const stack = err.stack as string;
    const tail = stack.slice(stack.indexOf("    at [Task 'child']"));
    expect(tail.split('\n').map((l) => l.replace(/\(.*\)$/, '(…)'))).toEqual([
      "    at [Task 'child'] (…)",
      '    at async middle (…)',
      "    at [Task 'middle'] (…)",
      '    at async mainBody (…)',
      expect.stringMatching(/^ {4}at \[Task 'Task-\d+'\] \(…\)$/),
    ]);
    // Each task's creation site is a location in this file.
    expect(tail).toMatch(/at \[Task 'child'\] \(.*graph\.test\.ts:\d+:\d+\)/);
  });

  it('once per error, and never without debug mode or for a cancellation', async () => {
    const err = await runTest(function* () {
      try {
        yield* createTask(middle(), { name: 'middle' });
      } catch (e) {
        return e as Error;
      }
      throw new Error('not reached');
    }, false);
    expect(err.stack).not.toContain('at [Task');
    const twice = await runTest(function* () {
      const t = createTask(middle(), { name: 'middle' });
      try {
        yield* t;
      } catch (e) {
        return e as Error;
      }
      throw new Error('not reached');
    });
    expect(twice.stack?.match(/at \[Task 'child'\]/g)).toHaveLength(1);
    const cancelled = await runTest(function* () {
      const t = createTask(sleep(10), { name: 'sleeper' });
      yield* sleep(0);
      t.cancel();
      try {
        yield* t;
      } catch (e) {
        return e as Error;
      }
      throw new Error('not reached');
    });
    expect(cancelled.stack).not.toContain('at [Task');
  });
});
