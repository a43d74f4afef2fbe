/**
 * Property tests of `taskGroup`: random trees of tasks in nested task
 * groups, whose leaves sleep, fail, cancel themselves or refuse a
 * cancellation, and whose group bodies sleep and may fail. Whatever the
 * tree and the timing:
 *
 * - every task ends done, and the caller's task is left with no pending
 *   cancellation;
 * - every `finally` of a task that started runs exactly once;
 * - every error thrown appears exactly once, in the (nested)
 *   ExceptionGroups of the root or at the loop's exception handler;
 * - a group with no failure anywhere below it returns its children's
 *   results in order.
 */
import { CancelledError, type Coroutine, type ExceptionContext } from '@x/loop';
import { currentTask, ExceptionGroup, sleep, type Task, taskGroup } from '@x/tasks';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { runTest } from './scope-helpers.js';

interface Leaf {
  kind: 'leaf';
  id: number;
  action: 'ok' | 'fail' | 'cancelSelf' | 'stubborn';
  delay: number;
  asyncCleanup: boolean;
}
interface Group {
  kind: 'group';
  id: number;
  children: Node[];
  bodyDelay: number;
  bodyFail: boolean;
  asyncCleanup: boolean;
}
type Node = Leaf | Group;

class NodeError extends Error {
  constructor(readonly nodeId: number) {
    super(`node ${nodeId} failed`);
  }
}

const CANCELLED = 'cancelled';

const delayArb = fc.integer({ min: 0, max: 3 });
const { group: groupArb } = fc.letrec<{ node: Node; leaf: Leaf; group: Group }>((tie) => ({
  node: fc.oneof({ maxDepth: 3, depthSize: 'small' }, tie('leaf'), tie('group')),
  leaf: fc.record({
    kind: fc.constant('leaf' as const),
    id: fc.constant(0),
    action: fc.constantFrom(
      'ok' as const,
      'ok' as const,
      'fail' as const,
      'cancelSelf' as const,
      'stubborn' as const,
    ),
    delay: delayArb,
    asyncCleanup: fc.boolean(),
  }),
  group: fc.record({
    kind: fc.constant('group' as const),
    id: fc.constant(0),
    children: fc.array(tie('node'), { maxLength: 4 }),
    bodyDelay: delayArb,
    bodyFail: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
    asyncCleanup: fc.boolean(),
  }),
}));

/** Numbers the nodes (the generated ids are all 0) and returns them all. */
function number(root: Node): Node[] {
  const all: Node[] = [];
  const visit = (n: Node): void => {
    n.id = all.length;
    all.push(n);
    if (n.kind === 'group') for (const c of n.children) visit(c);
  };
  visit(root);
  return all;
}

/** Whether the node's task fails: a failure anywhere below always propagates up. */
function fails(n: Node): boolean {
  return n.kind === 'leaf' ? n.action === 'fail' : n.bodyFail || n.children.some(fails);
}

/** What a node's task returns when nothing fails below it. */
function expected(n: Node): unknown {
  if (n.kind === 'leaf') return n.action === 'cancelSelf' ? CANCELLED : `v${n.id}`;
  return n.children.map(expected);
}

function flatten(e: unknown): unknown[] {
  return e instanceof ExceptionGroup ? e.errors.flatMap(flatten) : [e];
}

interface Record_ {
  started: number[];
  finallies: number[];
  thrown: NodeError[];
  tasks: Task<unknown>[];
}

function sleepMs(ms: number): Coroutine<void> {
  return sleep(ms / 1000);
}

function* runNode(n: Node, rec: Record_): Coroutine<unknown> {
  rec.started[n.id]++;
  try {
    if (n.kind === 'leaf') {
      if (n.action === 'cancelSelf') {
        yield* sleepMs(n.delay);
        currentTask()?.cancel();
        yield* sleepMs(1000);
        return 'not cancelled';
      }
      if (n.action === 'stubborn') {
        try {
          yield* sleepMs(n.delay);
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
          yield* sleep(0);
          return `s${n.id}`;
        }
        return `v${n.id}`;
      }
      yield* sleepMs(n.delay);
      if (n.action === 'fail') {
        const e = new NodeError(n.id);
        rec.thrown.push(e);
        throw e;
      }
      return `v${n.id}`;
    }
    const tasks = yield* taskGroup(function* (tg) {
      const ts = n.children.map((c) => {
        const t = tg.createTask(runNode(c, rec));
        rec.tasks.push(t);
        return t;
      });
      yield* sleepMs(n.bodyDelay);
      if (n.bodyFail) {
        const e = new NodeError(n.id);
        rec.thrown.push(e);
        throw e;
      }
      return ts;
    });
    return tasks.map((t) => (t.cancelled() ? CANCELLED : t.result()));
  } finally {
    rec.finallies[n.id]++;
    if (n.asyncCleanup) {
      // A cleanup that waits, and does not let a cancellation replace the
      // error in flight (which would lose it, in Python as here).
      try {
        yield* sleep(0);
      } catch (e) {
        // biome-ignore lint/correctness/noUnsafeFinally: only a cancellation is swallowed
        if (!(e instanceof CancelledError)) throw e;
      }
    }
  }
}

describe('taskGroup properties', () => {
  test('random trees of nested task groups', async () => {
    await fc.assert(
      fc.asyncProperty(groupArb, fc.boolean(), async (root, eager) => {
        const all = number(root);
        const rec: Record_ = {
          started: all.map(() => 0),
          finallies: all.map(() => 0),
          thrown: [],
          tasks: [],
        };
        let handlerCalls: ExceptionContext[] = [];
        const outcome = await runTest(
          function* (_loop, calls) {
            handlerCalls = calls;
            let result: { ok: true; value: unknown } | { ok: false; error: unknown };
            try {
              result = { ok: true, value: yield* runNode(root, rec) };
            } catch (e) {
              result = { ok: false, error: e };
            }
            // No cancellation leaks out of the groups into the caller.
            expect(currentTask()?.cancelling()).toBe(0);
            yield* sleep(0);
            return result;
          },
          { eager, allowHandlerCalls: true },
        );

        // Every task ends done.
        for (const t of rec.tasks) expect(t.done()).toBe(true);

        // Every finally of a task that started runs exactly once.
        for (const n of all) {
          expect(rec.started[n.id]).toBeLessThanOrEqual(1);
          expect(rec.finallies[n.id]).toBe(rec.started[n.id]);
        }
        expect(rec.started[root.id]).toBe(1);

        // Every error appears exactly once: in the groups or at the handler.
        const seen = [
          ...(outcome.ok ? [] : flatten(outcome.error)),
          ...handlerCalls.flatMap((c) => flatten(c.exception)),
        ];
        for (const e of seen) expect(e).toBeInstanceOf(NodeError);
        expect(seen).toHaveLength(rec.thrown.length);
        expect(new Set(seen)).toEqual(new Set(rec.thrown));

        // A group with no failure below returns its children's results in order.
        if (fails(root)) {
          expect(outcome.ok).toBe(false);
          expect((outcome as { error: unknown }).error).toBeInstanceOf(ExceptionGroup);
        } else {
          expect(outcome).toEqual({ ok: true, value: expected(root) });
          expect(handlerCalls).toEqual([]);
        }
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
