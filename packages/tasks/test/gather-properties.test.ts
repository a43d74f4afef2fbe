/**
 * Property-based tests of `gather` over random lists of children that return
 * a value, throw, or get cancelled, each after a random pause, passed as
 * tasks or as coroutines, sometimes more than once, with or without the
 * eager task factory, with and without `returnExceptions`.
 *
 * Invariants: results come in argument order; with `returnExceptions` every
 * failure is at its index; without, the first failure to happen is what
 * gather raises (among children already done when gather() is called, as
 * eager tasks are, the first in argument order, as in CPython 3.12+), and the
 * other children still run to their end; every child
 * ends done; nothing reaches the exception handler (not even "never
 * retrieved" reports once everything is collected).
 */
import {
  CancelledError,
  type Coroutine,
  type EventLoop,
  type ExceptionContext,
  type Future,
  newEventLoop,
} from '@x/loop';
import { createTask, currentTask, eagerTaskFactory, gather, sleep } from '@x/tasks';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { collectGarbage } from './task-helpers.js';

/** How long a child waits before it ends: not at all, one bare turn, or a few milliseconds. */
type Pause = 'none' | 'sleep0' | 1 | 2 | 3;

interface ChildSpec {
  outcome: 'result' | 'throw' | 'cancel';
  pause: Pause;
  /** Passed to gather as a Task made beforehand, or as a coroutine gather wraps. */
  as: 'task' | 'coroutine';
}

interface Scenario {
  children: ChildSpec[];
  /** Indices of children passed a second time, appended after the others. */
  repeats: number[];
  eager: boolean;
}

const pauseArb: fc.Arbitrary<Pause> = fc.constantFrom<Pause>('none', 'sleep0', 1, 2, 3);

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .array(
    fc.record({
      outcome: fc.constantFrom<ChildSpec['outcome']>('result', 'throw', 'cancel'),
      pause: pauseArb,
      as: fc.constantFrom<ChildSpec['as']>('task', 'coroutine'),
    }),
    { minLength: 1, maxLength: 7 },
  )
  .chain((children) =>
    fc.record({
      children: fc.constant(children),
      repeats: fc.array(fc.nat({ max: children.length - 1 }), { maxLength: 2 }),
      eager: fc.boolean(),
    }),
  );

class ChildError extends Error {
  override name = 'ChildError';
}

/** What a child did, in the order children ended. */
interface Ended {
  index: number;
  error: unknown;
}

function* pause(p: Pause): Coroutine<void> {
  if (p === 'none') return;
  if (p === 'sleep0') yield* sleep(0);
  else yield* sleep(p / 1000);
}

function* child(i: number, spec: ChildSpec, ended: Ended[]): Coroutine<number> {
  yield* pause(spec.pause);
  if (spec.outcome === 'result') {
    ended.push({ index: i, error: null });
    return i * 10;
  }
  if (spec.outcome === 'throw') {
    const error = new ChildError(`child ${i}`);
    ended.push({ index: i, error });
    throw error;
  }
  // Cancelled: the task cancels itself, and the CancelledError arrives at its next wait.
  currentTask()?.cancel(`cancel ${i}`);
  try {
    yield* sleep(0);
  } catch (e) {
    ended.push({ index: i, error: e });
    throw e;
  }
  throw new Error('unreachable: the cancellation was not delivered');
}

interface RunResult {
  ended: Ended[];
  outcome: { ok: true; value: unknown[] } | { ok: false; error: unknown };
  children: Future<unknown>[];
  calls: ExceptionContext[];
  argIndex: number[];
  /** How many children had ended when gather() returned (eager tasks end inside it). */
  endedAtGather: number;
}

const allCalls: ExceptionContext[] = [];

async function run(scenario: Scenario, returnExceptions: boolean): Promise<RunResult> {
  const loop: EventLoop = newEventLoop();
  const calls: ExceptionContext[] = [];
  loop.setExceptionHandler((_l, ctx) => {
    calls.push(ctx);
    allCalls.push(ctx);
  });
  if (scenario.eager) loop.setTaskFactory(eagerTaskFactory);
  const ended: Ended[] = [];
  const argIndex = [...scenario.children.map((_, i) => i), ...scenario.repeats];
  let children: Future<unknown>[] = [];
  let endedAtGather = 0;

  function* main(): Coroutine<RunResult['outcome']> {
    const made = scenario.children.map((spec, i) =>
      spec.as === 'task' ? createTask(child(i, spec, ended)) : child(i, spec, ended),
    );
    const args = argIndex.map((i) => made[i] as Future<number> | Coroutine<number>);
    const outer = returnExceptions ? gather(args, { returnExceptions: true }) : gather(args);
    children = (outer as unknown as { _children: Future<unknown>[] })._children;
    endedAtGather = ended.length;
    let outcome: RunResult['outcome'];
    try {
      outcome = { ok: true, value: (yield* outer) as unknown[] };
    } catch (error) {
      outcome = { ok: false, error };
    }
    // The other children keep running after a failure: wait for each to end.
    for (const c of children) {
      while (!c.done()) yield* sleep(0.001);
    }
    return outcome;
  }

  try {
    const outcome = await loop.runUntilComplete(main());
    return { ended, outcome, children, calls, argIndex, endedAtGather };
  } finally {
    loop.close();
  }
}

function expectedValue(scenario: Scenario, i: number): number {
  expect(scenario.children[i]?.outcome).toBe('result');
  return i * 10;
}

// Many runs with real sleeps take seconds on a loaded machine.
describe('gather properties', { timeout: 60_000 }, () => {
  test('returnExceptions: every result and every failure at its index, in argument order', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const r = await run(scenario, true);
        expect(r.calls).toEqual([]);
        expect(r.outcome.ok).toBe(true);
        const values = (r.outcome as { value: unknown[] }).value;
        expect(values.length).toBe(r.argIndex.length);
        // One child per distinct argument, and every child ran to its end.
        expect(new Set(r.children).size).toBe(scenario.children.length);
        expect(r.ended.map((e) => e.index).sort()).toEqual(scenario.children.map((_, i) => i));
        r.argIndex.forEach((i, pos) => {
          const spec = scenario.children[i] as ChildSpec;
          const v = values[pos];
          const end = r.ended.find((e) => e.index === i) as Ended;
          if (spec.outcome === 'result') expect(v).toBe(expectedValue(scenario, i));
          else if (spec.outcome === 'throw') expect(v).toBe(end.error);
          else expect(v).toBeInstanceOf(CancelledError);
          expect(r.children[pos]?.done()).toBe(true);
        });
      }),
      { numRuns: 150 },
    );
  });

  test('without returnExceptions: the first failure propagates, the others still finish', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const r = await run(scenario, false);
        expect(r.calls).toEqual([]);
        // Children already done when gather() ran are taken in argument
        // order (CPython's done_futs); the others in the order they end.
        const doneAtCall = r.ended
          .slice(0, r.endedAtGather)
          .filter((e) => e.error !== null)
          .sort((x, y) => x.index - y.index);
        const firstFailure = doneAtCall[0] ?? r.ended.find((e) => e.error !== null);
        if (firstFailure === undefined) {
          expect(r.outcome).toEqual({
            ok: true,
            value: r.argIndex.map((i) => expectedValue(scenario, i)),
          });
        } else {
          expect(r.outcome.ok).toBe(false);
          // The very error the child raised, its CancelledError included.
          expect((r.outcome as { error: unknown }).error).toBe(firstFailure.error);
          if (scenario.children[firstFailure.index]?.outcome === 'cancel') {
            expect(firstFailure.error).toBeInstanceOf(CancelledError);
            expect((firstFailure.error as Error).message).toBe(`cancel ${firstFailure.index}`);
          }
        }
        // Every child ran to its own end: none was cancelled because another failed.
        expect(r.ended.map((e) => e.index).sort()).toEqual(scenario.children.map((_, i) => i));
        for (const c of r.children) expect(c.done()).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  test('nothing is reported as never retrieved once everything is collected', async () => {
    // Runs after the properties above: their loops, children and errors are garbage now.
    await collectGarbage();
    expect(allCalls).toEqual([]);
  });
});
