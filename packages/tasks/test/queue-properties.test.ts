/**
 * Property-based test of Queue: N producers and M consumers over a bounded
 * queue, with random tiny sleeps and random cancellation of consumers
 * (while they wait in `get()` or while they process an item). Whatever the
 * schedule, every item put is got exactly once (a cancelled `get()` loses
 * nothing), and `join()` returns exactly when every item was marked done.
 */
import { type Coroutine, type ExceptionContext, newEventLoop } from '@x/loop';
import { createTask, eagerTaskFactory, gather, Queue, sleep, type Task, timeout } from '@x/tasks';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

/** How long a task pauses: not at all, one bare turn, or a millisecond. */
type Pause = 'none' | 'sleep0' | 1;

function* pause(p: Pause): Coroutine<void> {
  if (p === 'sleep0') yield* sleep(0);
  else if (p === 1) yield* sleep(0.001);
}

const pauseArb: fc.Arbitrary<Pause> = fc.constantFrom<Pause>('none', 'sleep0', 'sleep0', 1);

interface Scenario {
  maxsize: number;
  /**
   * One list of steps per producer: each pauses, puts an item, then maybe
   * cancels a consumer slot (or every one but the first) at once, which
   * catches a consumer between being woken by this put and running.
   */
  producers: { pause: Pause; cancel: number | 'all' | null }[][];
  /** One list of pauses per consumer slot, used in turn while processing items. */
  consumers: Pause[][];
  /**
   * Cancellations of consumer slots other than the first, which always
   * runs: after `afterMs` ms (0: on the next iteration).
   */
  cancels: { slot: number; afterMs: number }[];
  /**
   * Whether a cancelled consumer is replaced by a new one. Without
   * replacements, a wake-up that a cancelled getter fails to pass on leaves
   * an item in the queue for good, and join() never returns.
   */
  replace: boolean;
  eager: boolean;
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  maxsize: fc.integer({ min: 1, max: 3 }),
  producers: fc.array(
    fc.array(
      fc.record({
        pause: pauseArb,
        cancel: fc.oneof(
          { arbitrary: fc.constant(null), weight: 3 },
          { arbitrary: fc.nat(3), weight: 1 },
          { arbitrary: fc.constant('all' as const), weight: 1 },
        ),
      }),
      { minLength: 0, maxLength: 8 },
    ),
    { minLength: 1, maxLength: 4 },
  ),
  consumers: fc.array(fc.array(pauseArb, { minLength: 1, maxLength: 4 }), {
    minLength: 1,
    maxLength: 4,
  }),
  cancels: fc.array(fc.record({ slot: fc.nat(3), afterMs: fc.integer({ min: 0, max: 4 }) }), {
    maxLength: 6,
  }),
  replace: fc.boolean(),
  eager: fc.boolean(),
});

/** Runs a scenario, checks its invariants, and returns how many consumers were cancelled mid-run. */
async function runScenario(s: Scenario): Promise<number> {
  const loop = newEventLoop();
  const calls: ExceptionContext[] = [];
  loop.setExceptionHandler((_l, ctx) => {
    calls.push(ctx);
  });
  if (s.eager) loop.setTaskFactory(eagerTaskFactory);

  const q = new Queue<number>(s.maxsize);
  const put: number[] = [];
  const got: number[] = [];
  let done = 0;
  let stopping = false;
  let cancelled = 0;
  let midRun = 0;
  const slots: Task<void>[] = [];

  /** Cancels the consumer of a slot; the first slot always runs. */
  function cancelSlot(n: number): void {
    if (s.consumers.length < 2) return;
    slots[1 + (n % (s.consumers.length - 1))]?.cancel();
  }

  function* producer(id: number, steps: Scenario['producers'][number]): Coroutine<void> {
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i] as Scenario['producers'][number][number];
      yield* pause(step.pause);
      const item = id * 1000 + i;
      yield* q.put(item);
      put.push(item);
      if (step.cancel === 'all') for (let n = 1; n < s.consumers.length; n++) cancelSlot(n - 1);
      else if (step.cancel !== null) cancelSlot(step.cancel);
    }
  }

  function* consumer(pauses: Pause[]): Coroutine<void> {
    for (let k = 0; ; k++) {
      const item = yield* q.get();
      // Recorded before anything can interrupt: the item was got.
      got.push(item);
      try {
        yield* pause(pauses[k % pauses.length] as Pause);
      } finally {
        done++;
        q.taskDone();
      }
    }
  }

  /** Starts the consumer of a slot, and a replacement whenever it is cancelled. */
  function startSlot(slot: number): void {
    const t = createTask(consumer(s.consumers[slot] as Pause[]), { name: `consumer-${slot}` });
    slots[slot] = t;
    t.addDoneCallback(() => {
      if (t.cancelled()) cancelled++;
      if (!stopping && s.replace) startSlot(slot);
    });
  }

  function* main(): Coroutine<void> {
    for (let slot = 0; slot < s.consumers.length; slot++) startSlot(slot);
    for (const c of s.cancels) {
      const fire = (): void => cancelSlot(c.slot);
      if (c.afterMs === 0) loop.callSoon(fire);
      else loop.callLater(c.afterMs / 1000, fire);
    }
    // Bounded, so that a lost item fails the property instead of hanging it.
    yield* timeout(0.5, function* () {
      yield* gather(s.producers.map((p, id) => producer(id, p)));
      yield* q.join();
    });
    // join() returned: everything put was got and marked done, nothing more.
    expect(q._unfinishedTasks).toBe(0);
    expect(done).toBe(put.length);
    stopping = true;
    midRun = cancelled;
    for (const t of slots) t.cancel();
    yield* gather(slots, { returnExceptions: true });
  }

  try {
    await loop.runUntilComplete(main());
    expect(q.empty()).toBe(true);
    expect([...got].sort((a, b) => a - b)).toEqual([...put].sort((a, b) => a - b));
    expect(new Set(got).size).toBe(got.length);
    const expected = s.producers.reduce((n, p) => n + p.length, 0);
    expect(put.length).toBe(expected);
    expect(q._getters.length).toBe(0);
    expect(q._putters.length).toBe(0);
    expect(calls.map((c) => c.message)).toEqual([]);
    return midRun;
  } finally {
    loop.close();
  }
}

describe('Queue properties', () => {
  test('every item put is got exactly once, and join() returns when all are done', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        await runScenario(s);
      }),
      { numRuns: 150 },
    );
    // Room for shrinking a failure, each run of which waits for its timeout.
  }, 60_000);

  test('a scenario with many cancellations of waiting consumers', async () => {
    const cancelled = await runScenario({
      maxsize: 1,
      producers: [
        (['sleep0', 1, 'sleep0', 1, 'none'] as Pause[]).map((p, i) => ({ pause: p, cancel: i })),
        ([1, 1, 'sleep0'] as Pause[]).map((p) => ({ pause: p, cancel: null })),
      ],
      consumers: [['sleep0'], [1], ['none'], ['sleep0']],
      cancels: [0, 1, 2, 3, 4].flatMap((ms) => [
        { slot: 0, afterMs: ms },
        { slot: 1, afterMs: ms },
        { slot: 2, afterMs: ms },
      ]),
      replace: true,
      eager: false,
    });
    expect(cancelled).toBeGreaterThan(3);
  });

  test('a getter woken by the last put and cancelled passes the item on', async () => {
    // Three consumers wait; the last put wakes the second, and the producer
    // then cancels every consumer but the first: the first must get the item.
    const cancelled = await runScenario({
      maxsize: 2,
      producers: [
        [
          { pause: 'sleep0', cancel: null },
          { pause: 'sleep0', cancel: 'all' },
        ],
      ],
      consumers: [['none'], ['none'], ['none']],
      cancels: [],
      replace: false,
      eager: false,
    });
    expect(cancelled).toBe(2);
  });
});
