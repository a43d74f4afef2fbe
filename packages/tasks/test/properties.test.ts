/**
 * Property-based tests of Task over random trees of tasks that sleep, fail,
 * get cancelled, cancel each other, and catch or ignore cancellation, with
 * `finally` blocks that themselves wait.
 *
 * The file has three parts, meant to be copied for other joins (gather,
 * TaskGroup): the tree model and its arbitrary, how a node runs (the join of
 * its children is one function, `orderedJoin`), and the invariants checked
 * after each run.
 */
import {
  CancelledError,
  type Coroutine,
  type EventLoop,
  type ExceptionContext,
  newEventLoop,
} from '@x/loop';
import { allTasks, createTask, currentTask, eagerTaskFactory, sleep, type Task } from '@x/tasks';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

// ---------------------------------------------------------------------------
// The tree model
// ---------------------------------------------------------------------------

/** How long a node waits: not at all, one bare turn, or a few milliseconds. */
type Pause = 'none' | 'sleep0' | 1 | 2 | 3;

/** Whom a node cancels, resolved when the cancellation fires. */
type Target =
  | { kind: 'self' }
  | { kind: 'parent' }
  | { kind: 'child'; index: number }
  | { kind: 'sibling'; index: number };

/** When a cancellation fires: synchronously, on the next iteration, or after a few ms. */
type When = 'now' | 'soon' | 1 | 2 | 3;

interface Spec {
  /** What the node waits for before joining its children. */
  pause: Pause;
  /** Whether the node fails (after joining its children). */
  fail: boolean;
  /** Whether the first failed child's error is re-raised (else it is collected). */
  propagate: boolean;
  /** What the node does with a CancelledError: let it through, return, or go on. */
  onCancel: 'propagate' | 'catch' | 'ignore';
  /** Whether a caught cancellation is also taken back with uncancel(). */
  uncancel: boolean;
  /** What the node's `finally` waits for after joining its children. */
  finallyPause: Pause;
  cancels: { target: Target; when: When }[];
  children: Spec[];
}

interface TreeNode extends Omit<Spec, 'children'> {
  id: number;
  children: TreeNode[];
  /** The ids of this node and all its descendants. */
  subtree: Set<number>;
}

const pauseArb: fc.Arbitrary<Pause> = fc.constantFrom<Pause>('none', 'sleep0', 1, 2, 3);
const whenArb: fc.Arbitrary<When> = fc.constantFrom<When>('now', 'soon', 1, 2, 3);
const targetArb: fc.Arbitrary<Target> = fc.oneof(
  fc.constant<Target>({ kind: 'self' }),
  fc.constant<Target>({ kind: 'parent' }),
  fc.nat(3).map((index): Target => ({ kind: 'child', index })),
  fc.nat(3).map((index): Target => ({ kind: 'sibling', index })),
);
const cancelsArb: fc.Arbitrary<Spec['cancels']> = fc.oneof(
  { arbitrary: fc.constant<Spec['cancels']>([]), weight: 2 },
  {
    arbitrary: fc.array(fc.record({ target: targetArb, when: whenArb }), {
      minLength: 1,
      maxLength: 2,
    }),
    weight: 1,
  },
);

const specArbs = new Map<string, fc.Arbitrary<Spec>>();

/** Trees of at most `depth + 1` levels with at most 4 children per node. */
function specArb(depth: number, withCancels: boolean): fc.Arbitrary<Spec> {
  const key = `${depth}:${withCancels}`;
  const known = specArbs.get(key);
  if (known !== undefined) return known;
  const arb: fc.Arbitrary<Spec> = fc.record({
    pause: pauseArb,
    fail: fc.oneof(
      { arbitrary: fc.constant(false), weight: 3 },
      { arbitrary: fc.constant(true), weight: 1 },
    ),
    propagate: fc.boolean(),
    onCancel: fc.constantFrom<Spec['onCancel']>('propagate', 'catch', 'ignore'),
    uncancel: fc.boolean(),
    finallyPause: pauseArb,
    cancels: withCancels ? cancelsArb : fc.constant<Spec['cancels']>([]),
    children:
      depth === 0
        ? fc.constant<Spec[]>([])
        : fc.array(specArb(depth - 1, withCancels), { maxLength: 4 }),
  });
  specArbs.set(key, arb);
  return arb;
}

/** Numbers the nodes depth-first, from 0 at the root. */
function buildTree(spec: Spec): TreeNode {
  let next = 0;
  const build = (s: Spec): TreeNode => {
    const id = next++;
    const children = s.children.map(build);
    const subtree = new Set<number>([id]);
    for (const c of children) for (const d of c.subtree) subtree.add(d);
    return { ...s, id, children, subtree };
  };
  return build(spec);
}

// ---------------------------------------------------------------------------
// Running a tree
// ---------------------------------------------------------------------------

class NodeError extends Error {
  constructor(readonly nodeId: number) {
    super(`node ${nodeId} failed`);
    this.name = 'NodeError';
  }
}

type Outcome =
  | { kind: 'value'; value: NodeValue }
  | { kind: 'error'; error: unknown }
  | { kind: 'cancelled'; error: unknown };

interface NodeValue {
  id: number;
  /** One outcome per child, in the children's order. */
  results: Outcome[];
  caught: boolean;
}

/** What one run records, for the invariants. */
interface World {
  loop: EventLoop;
  taskOf: Map<number, Task<NodeValue>>;
  idOf: Map<Task<NodeValue>, number>;
  /** The nodes whose task accepted a cancel() (returned true) while pending. */
  cancelAccepted: Set<number>;
  /** The nodes that caught a CancelledError and went on (onCancel catch or ignore). */
  swallowed: Set<number>;
  started: Set<number>;
  finallyEntered: Map<number, number>;
  finallyCompleted: Map<number, number>;
  /** Every NodeError a node threw. */
  thrown: Set<NodeError>;
  /** Every error some code received (an awaiter, the test, the loop's handler). */
  observed: Set<unknown>;
  /** Things that must never happen, described. */
  violations: string[];
}

function* pause(p: Pause): Coroutine<void> {
  if (p === 'none') return;
  yield* sleep(p === 'sleep0' ? 0 : p / 1000);
}

function self(): Task<NodeValue> {
  return currentTask() as Task<NodeValue>;
}

/**
 * Awaits child `t` and returns its outcome. If this task is cancelled
 * meanwhile (its CancelledError is not `t`'s outcome), that error is thrown.
 */
function* awaitChild(w: World, t: Task<NodeValue>): Coroutine<Outcome> {
  try {
    return { kind: 'value', value: yield* t };
  } catch (e) {
    if (t.done()) {
      if (t.cancelled()) {
        if (e instanceof CancelledError) return { kind: 'cancelled', error: e };
      } else if (t.exception() === e) {
        w.observed.add(e);
        return { kind: 'error', error: e };
      }
    }
    throw e;
  }
}

/** Awaits child `t` until it is done, whatever happens to this task meanwhile. */
function* joinChild(w: World, t: Task<NodeValue>): Coroutine<Outcome> {
  for (;;) {
    try {
      return yield* awaitChild(w, t);
    } catch (e) {
      // Only cancel() throws into a node from outside.
      if (!(e instanceof CancelledError)) w.violations.push(`joinChild got ${String(e)}`);
    }
  }
}

/** How a node joins its children: awaits them in order (the simplest join). */
function* orderedJoin(
  w: World,
  node: TreeNode,
  kids: Task<NodeValue>[],
  results: Outcome[],
): Coroutine<void> {
  while (results.length < kids.length) {
    const me = self();
    const out = yield* awaitChild(w, kids[results.length] as Task<NodeValue>);
    if (self() !== me) w.violations.push(`node ${node.id}: currentTask() changed across a wait`);
    results.push(out);
    if (out.kind === 'error' && node.propagate) throw out.error;
  }
}

function cancel(w: World, t: Task<NodeValue>, msg: string): void {
  const wasDone = t.done();
  const accepted = t.cancel(msg);
  if (accepted === wasDone)
    w.violations.push(`cancel() returned ${accepted} on a task done=${wasDone}`);
  if (accepted) w.cancelAccepted.add(w.idOf.get(t) as number);
}

function scheduleCancel(
  w: World,
  spec: { target: Target; when: When },
  by: number,
  me: Task<NodeValue>,
  parent: Task<NodeValue> | null,
  kids: Task<NodeValue>[],
  siblings: Task<NodeValue>[],
): void {
  const fire = (): void => {
    const tg = spec.target;
    let t: Task<NodeValue> | null | undefined;
    if (tg.kind === 'self') t = me;
    else if (tg.kind === 'parent') t = parent;
    else if (tg.kind === 'child') t = kids.length > 0 ? kids[tg.index % kids.length] : null;
    else t = siblings.length > 0 ? siblings[tg.index % siblings.length] : null;
    if (t != null) cancel(w, t, `by ${by}`);
  };
  if (spec.when === 'now') fire();
  else if (spec.when === 'soon') w.loop.callSoon(fire);
  else w.loop.callLater(spec.when / 1000, fire);
}

function* runNode(
  w: World,
  node: TreeNode,
  parent: Task<NodeValue> | null,
  siblings: Task<NodeValue>[],
): Coroutine<NodeValue> {
  const me = self();
  w.started.add(node.id);
  const kids: Task<NodeValue>[] = [];
  const results: Outcome[] = [];
  let inFlight: unknown = null;
  try {
    for (const c of node.children) {
      const t = createTask(runNode(w, c, me, kids));
      w.taskOf.set(c.id, t);
      w.idOf.set(t, c.id);
      kids.push(t);
    }
    for (const spec of node.cancels) scheduleCancel(w, spec, node.id, me, parent, kids, siblings);
    try {
      yield* pause(node.pause);
    } catch (e) {
      if (!(e instanceof CancelledError) || node.onCancel !== 'ignore') throw e;
      w.swallowed.add(node.id);
      if (node.uncancel) me.uncancel();
    }
    yield* orderedJoin(w, node, kids, results);
    if (node.fail) {
      const e = new NodeError(node.id);
      w.thrown.add(e);
      throw e;
    }
    return { id: node.id, results, caught: false };
  } catch (e) {
    if (e instanceof CancelledError && node.onCancel === 'catch') {
      w.swallowed.add(node.id);
      if (node.uncancel) me.uncancel();
      return { id: node.id, results, caught: true };
    }
    inFlight = e;
    throw e;
  } finally {
    w.finallyEntered.set(node.id, (w.finallyEntered.get(node.id) ?? 0) + 1);
    // Structured: every child is awaited, so none of their errors can be lost.
    while (results.length < kids.length) {
      results.push(yield* joinChild(w, kids[results.length] as Task<NodeValue>));
    }
    try {
      yield* pause(node.finallyPause);
    } catch (e) {
      // This test's own finally replaces the error in flight: the test saw it.
      if (inFlight !== null) w.observed.add(inFlight);
      // biome-ignore lint/correctness/noUnsafeFinally: a cancelled wait in finally ends the node
      throw e;
    }
    w.finallyCompleted.set(node.id, (w.finallyCompleted.get(node.id) ?? 0) + 1);
  }
}

interface RunResult {
  w: World;
  root: Task<NodeValue>;
  calls: ExceptionContext[];
  leftover: number;
  /** Tasks the loop still holds (it must let go of every done task). */
  held: number;
}

async function runTree(
  tree: TreeNode,
  eager: boolean,
  rootCancel: When | null,
): Promise<RunResult> {
  const loop = newEventLoop();
  const calls: ExceptionContext[] = [];
  loop.setExceptionHandler((_l, ctx) => {
    calls.push(ctx);
    if ('exception' in ctx) w.observed.add(ctx.exception);
  });
  if (eager) loop.setTaskFactory(eagerTaskFactory);
  const w: World = {
    loop,
    taskOf: new Map(),
    idOf: new Map(),
    cancelAccepted: new Set(),
    swallowed: new Set(),
    started: new Set(),
    finallyEntered: new Map(),
    finallyCompleted: new Map(),
    thrown: new Set(),
    observed: new Set(),
    violations: [],
  };
  const root = loop.createTask(runNode(w, tree, null, [])) as Task<NodeValue>;
  w.taskOf.set(tree.id, root);
  w.idOf.set(root, tree.id);
  if (rootCancel !== null) {
    const fire = (): void => cancel(w, root, 'from outside');
    if (rootCancel === 'now') fire();
    else if (rootCancel === 'soon') loop.callSoon(fire);
    else loop.callLater(rootCancel / 1000, fire);
  }
  await loop.runUntilComplete(root).catch((e: unknown) => {
    w.observed.add(e);
  });
  const leftover = allTasks(loop).size;
  const held = loop._tasks.size;
  loop.close();
  return { w, root, calls, leftover, held };
}

// ---------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------

function outcomeOf(t: Task<NodeValue>): Outcome {
  if (t.cancelled()) return { kind: 'cancelled', error: null };
  const e = t.exception();
  return e === null ? { kind: 'value', value: t.result() } : { kind: 'error', error: e };
}

function checkInvariants(tree: TreeNode, r: RunResult): void {
  const { w } = r;
  expect(w.violations).toEqual([]);
  // Nothing reached the exception handler: no step failed, no task was left pending.
  expect(r.calls.map((c) => c.message)).toEqual([]);
  // Every task ends done.
  expect(r.root.done()).toBe(true);
  expect(r.leftover).toBe(0);
  expect(r.held).toBe(0);
  const visit = (node: TreeNode): void => {
    const t = w.taskOf.get(node.id);
    if (t === undefined) return; // its parent never started
    expect(t.done()).toBe(true);
    const started = w.started.has(node.id);
    // Every finally block that can run, runs exactly once.
    expect(w.finallyEntered.get(node.id) ?? 0).toBe(started ? 1 : 0);
    expect(w.finallyCompleted.get(node.id) ?? 0).toBeLessThanOrEqual(1);
    // A task whose coroutine never started can only have been cancelled.
    if (!started) expect(t.cancelled()).toBe(true);
    // Once a leaf accepted a cancel(), it cannot just return a value unless
    // its own code swallowed a CancelledError: nothing may drop the request
    // (a leaf has no child task to pass it to). It may still fail, as an
    // error thrown in the same step wins, as in CPython.
    if (node.children.length === 0 && w.cancelAccepted.has(node.id) && !w.swallowed.has(node.id)) {
      expect(t.cancelled() || t.exception() !== null).toBe(true);
    }
    const out = outcomeOf(t);
    if (out.kind === 'error') {
      // An error comes from this node or one of its descendants.
      expect(out.error).toBeInstanceOf(NodeError);
      expect(node.subtree.has((out.error as NodeError).nodeId)).toBe(true);
    }
    if (out.kind === 'value') {
      // Results come back in the children's order, one per child.
      const v = out.value;
      expect(v.id).toBe(node.id);
      expect(v.results).toHaveLength(node.children.length);
      v.results.forEach((res, i) => {
        const child = node.children[i] as TreeNode;
        const ct = w.taskOf.get(child.id) as Task<NodeValue>;
        if (res.kind === 'value') {
          expect(res.value.id).toBe(child.id);
          expect(ct.result()).toBe(res.value);
        } else if (res.kind === 'error') {
          expect(node.children[i]?.subtree.has((res.error as NodeError).nodeId)).toBe(true);
          expect(ct.exception()).toBe(res.error);
        } else {
          expect(res.error).toBeInstanceOf(CancelledError);
          expect(ct.cancelled()).toBe(true);
        }
      });
    }
    for (const c of node.children) visit(c);
  };
  visit(tree);
  // No exception is lost: each reached an awaiter, the caller or the handler.
  for (const e of w.thrown) expect(w.observed.has(e)).toBe(true);
}

/** Without any cancellation, the outcome is fully determined by the tree. */
type Expected = { id: number; results: Expected[] } | { error: number };

function predict(node: TreeNode): Expected {
  const results = node.children.map(predict);
  if (node.propagate) {
    const failed = results.find((r) => 'error' in r);
    if (failed !== undefined) return failed;
  }
  if (node.fail) return { error: node.id };
  return { id: node.id, results };
}

function normalize(out: Outcome): Expected {
  if (out.kind === 'value') return { id: out.value.id, results: out.value.results.map(normalize) };
  if (out.kind === 'error') return { error: (out.error as NodeError).nodeId };
  throw new Error('a task was cancelled though nothing cancels');
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

const DEPTH = 3; // up to 4 levels
const RUNS = { numRuns: 100 };

// A hundred trees with real sleeps take seconds on a loaded machine.
describe('TaskTreeProperties', { timeout: 60_000 }, () => {
  test('without cancellation, every tree gives exactly the predicted result', async () => {
    await fc.assert(
      fc.asyncProperty(specArb(DEPTH, false), fc.boolean(), async (spec, eager) => {
        const tree = buildTree(spec);
        const r = await runTree(tree, eager, null);
        checkInvariants(tree, r);
        expect(normalize(outcomeOf(r.root))).toEqual(predict(tree));
        for (const id of r.w.started) expect(r.w.finallyCompleted.get(id)).toBe(1);
        expect(r.w.started.size).toBe(tree.subtree.size);
      }),
      RUNS,
    );
  });

  test('with tasks cancelling each other, every task ends done and nothing is lost', async () => {
    await fc.assert(
      fc.asyncProperty(
        specArb(DEPTH, true),
        fc.boolean(),
        fc.option(whenArb, { freq: 3 }),
        async (spec, eager, rootCancel) => {
          const tree = buildTree(spec);
          const r = await runTree(tree, eager, rootCancel);
          checkInvariants(tree, r);
        },
      ),
      RUNS,
    );
  });
});
