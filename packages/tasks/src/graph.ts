/**
 * Call-graph introspection, after CPython 3.14's `asyncio/graph.py`: which
 * tasks await a future, which await those, and so on up to the task that
 * `run()` started, with each task's call stack where it can be known.
 *
 * The awaited-by edges cost nothing while the program runs. A task already
 * knows the Future it waits on; `gather`, `shield` and `wait` note which
 * futures the Future they hand out stands for (one note per call, none per
 * await); `captureCallGraph` turns that around when asked. Only the edges
 * asyncio records with `future_add_to_awaited_by` for a scope rather than an
 * await (a TaskGroup's children are awaited by its parent task, `asCompleted`'s
 * by the task iterating) are stored, by `futureAddToAwaitedBy`.
 *
 * A suspended generator shows no frames in JavaScript, so the call stack of
 * a task other than the current one is known only in debug mode, where the
 * stack is read each time the task suspends on a Future (see `await-site.ts`
 * in `@x/loop`). The current task's stack is read live, as CPython does.
 */
import {
  CancelledError,
  type EventLoop,
  type Future,
  getRunningLoopOrNull,
  isFuture,
  RuntimeError,
} from '@x/loop';
import {
  captureStack,
  firstFrame,
  sourceTracebackOf,
  takeAwaitSite,
  tasksOf,
} from '@x/loop/internal';
import { currentTask, Task } from './task.js';

/**
 * One frame of a call stack (Python's `FrameCallGraphEntry`): the function's
 * name and, where known, `file:line:column`.
 *
 * @example
 * ```ts
 * captureCallGraph()?.callStack.map((e) => `${e.name} ${e.location}`);
 * ```
 */
export interface CallStackEntry {
  /** The function's name; `<anonymous>` for an anonymous function. */
  readonly name: string;
  /** Where it is suspended or running, as `file:line:column`. */
  readonly location?: string;
  /** True for a coroutine (a generator function's frame), false for a plain function's. */
  readonly async?: boolean;
}

/**
 * Mirrors `asyncio.FutureCallGraph`: a future, its call stack (innermost
 * frame first) and the graphs of the futures that await it.
 *
 * @example
 * ```ts
 * const g = captureCallGraph(someTask);
 * g?.awaitedBy.map((parent) => parent.future);   // the tasks waiting on it
 * ```
 */
export interface FutureCallGraph {
  /** The future or task. */
  readonly future: Future<unknown>;
  /** Its call stack, innermost frame first (Python's `call_stack`). */
  readonly callStack: readonly CallStackEntry[];
  /** The graphs of what awaits it (Python's `awaited_by`). */
  readonly awaitedBy: readonly FutureCallGraph[];
}

/**
 * Options of `captureCallGraph` and `formatCallGraph`, as asyncio's keyword
 * arguments `depth` and `limit`.
 *
 * @example
 * ```ts
 * formatCallGraph(task, { limit: -3 }); // the three innermost frames of each stack
 * ```
 */
export interface CallGraphOptions {
  /** Frames of the current task's stack to skip from the top; 1 (the default) starts at the caller. */
  depth?: number;
  /** At most this many frames per stack: positive keeps the outermost, negative the innermost, 0 none; null all. */
  limit?: number | null;
}

// ---- the edges -------------------------------------------------------------

/** Edges added by `futureAddToAwaitedBy`: future -> what awaits it. Weak: a lost discard leaks nothing. */
const explicit = new WeakMap<Future<unknown>, Set<Future<unknown>>>();
/** A future handed out by gather/shield/wait -> the futures that awaiting it means awaiting. */
const standsFor = new WeakMap<Future<unknown>, Iterable<Future<unknown>>>();
/** Debug mode: a task -> the stack where it last suspended on a Future. */
const suspendedAt = new WeakMap<Task<unknown>, string>();

function checkFutures(fut: unknown, waiter: unknown, fn: string): void {
  if (!isFuture(fut) || !isFuture(waiter)) {
    throw new TypeError(
      `${fn}() takes two Futures (or Tasks): the awaited one and its waiter, got ${typeof fut === 'object' && fut !== null ? fut.constructor.name : typeof fut} and ${typeof waiter === 'object' && waiter !== null ? waiter.constructor.name : typeof waiter}`,
    );
  }
}

/**
 * Mirrors `asyncio.future_add_to_awaited_by()`: records that `waiter` awaits
 * `fut`, for the call graph, where a waiter does not simply `yield* fut`
 * (an operation that waits on a future for a task, a scope such as a
 * TaskGroup). Pair it with `futureDiscardFromAwaitedBy` when the wait ends.
 *
 * @example
 * ```ts
 * futureAddToAwaitedBy(readFuture, currentTask()!);
 * try { ... } finally { futureDiscardFromAwaitedBy(readFuture, currentTask()!); }
 * ```
 */
export function futureAddToAwaitedBy(fut: Future<unknown>, waiter: Future<unknown>): void {
  checkFutures(fut, waiter, 'futureAddToAwaitedBy');
  let set = explicit.get(fut);
  if (set === undefined) {
    set = new Set();
    explicit.set(fut, set);
  }
  set.add(waiter);
}

/**
 * Mirrors `asyncio.future_discard_from_awaited_by()`: forgets an edge that
 * `futureAddToAwaitedBy` recorded; nothing happens if there is none.
 *
 * @example
 * ```ts
 * futureDiscardFromAwaitedBy(readFuture, task);
 * ```
 */
export function futureDiscardFromAwaitedBy(fut: Future<unknown>, waiter: Future<unknown>): void {
  checkFutures(fut, waiter, 'futureDiscardFromAwaitedBy');
  const set = explicit.get(fut);
  if (set === undefined) return;
  set.delete(waiter);
  if (set.size === 0) explicit.delete(fut);
}

/** @internal Awaiting `outer` is awaiting each of `inner` (gather's children, a shield's inner future). */
export function standFor(outer: Future<unknown>, inner: Iterable<Future<unknown>>): void {
  standsFor.set(outer, inner);
}

/**
 * @internal Debug mode: called by a task that has just suspended on a Future,
 * to keep where. (Only while it waits on one is the site shown: see buildGraph.)
 */
export function noteSuspension(task: Task<unknown>): void {
  const site = takeAwaitSite();
  if (site !== null) suspendedAt.set(task, site);
  else suspendedAt.delete(task);
}

// ---- the reverse index -------------------------------------------------------

interface Index {
  loop: EventLoop;
  size: number;
  awaiters: Map<Future<unknown>, Task<unknown>[]>;
}

/** Valid until the next microtask (tasks step only between them) or a new task. */
let cached: Index | null = null;

function buildIndex(loop: EventLoop): Index {
  const awaiters = new Map<Future<unknown>, Task<unknown>[]>();
  const add = (fut: Future<unknown>, task: Task<unknown>, seen: Set<Future<unknown>>): void => {
    if (seen.has(fut) || fut === task) return;
    seen.add(fut);
    const list = awaiters.get(fut);
    if (list === undefined) awaiters.set(fut, [task]);
    else list.push(task);
    const inner = standsFor.get(fut);
    if (inner !== undefined) for (const f of inner) if (!f.done()) add(f, task, seen);
  };
  for (const t of tasksOf(loop)) {
    if (!(t instanceof Task) || t.done()) continue;
    const w = t._futWaiter;
    if (w !== null) add(w, t, new Set());
  }
  return { loop, size: tasksOf(loop).size, awaiters };
}

function indexFor(loop: EventLoop): Index {
  const c = cached;
  if (c !== null && c.loop === loop && c.size === tasksOf(loop).size) return c;
  const index = buildIndex(loop);
  if (cached === null) queueMicrotask(() => (cached = null));
  cached = index;
  return index;
}

function awaitersOf(fut: Future<unknown>, index: Index): Future<unknown>[] {
  const out: Future<unknown>[] = [];
  const derived = index.awaiters.get(fut);
  if (derived !== undefined) for (const t of derived) out.push(t);
  const ex = explicit.get(fut);
  if (ex !== undefined) for (const w of ex) if (!out.includes(w) && w !== fut) out.push(w);
  return out;
}

// ---- call stacks -------------------------------------------------------------

const FRAME = /^\s*at (?:(.+?) \((.*)\)|(.*))$/;

/**
 * The frames of the library's hand-written coroutines (iterators, not
 * generators: see `CoroutineObject`), by the name of the coroutine each
 * stands for in asyncio; null for their helpers' frames, not shown.
 */
const HAND_WRITTEN: ReadonlyMap<string, string | null> = new Map([
  ['SleepCoroutine.next', 'sleep'],
  ['QueueCoroutine.waitToGet', 'Queue.get'],
  ['QueueCoroutine.waitToPut', 'Queue.put'],
  ['QueueCoroutine.wait', null],
  ['QueueCoroutine.next', null],
]);

/**
 * The frames of a V8-style stack, innermost first, from the top down to the
 * task's step: the runtime's own frames (`Generator.next`, the loop) dropped.
 */
function parseStack(stack: string, skip: number): CallStackEntry[] {
  const out: Array<{ name: string; location: string; async: boolean }> = [];
  const lines = stack.split('\n');
  // Whether the frame just read was kept: a generator's frame is followed by
  // the `<name>.next|throw|return (<anonymous>)` frame that resumed it.
  let kept = false;
  for (let i = 1; i < lines.length; i++) {
    const m = FRAME.exec(lines[i] as string);
    if (m === null) continue;
    const name = m[1] ?? '<anonymous>';
    const location = m[2] ?? m[3] ?? '';
    // The bottom of the coroutine chain: the Task that runs it.
    if (/^(?:Task|EventLoop|ReadyQueue)\./.test(name)) break;
    if (location === '<anonymous>') {
      if (kept && /\.(?:next|throw|return)$/.test(name))
        (out[out.length - 1] as { async: boolean }).async = true;
      kept = false;
      continue;
    }
    kept = false;
    // The host's own frames (Node's internal modules; a regex, not a string that a
    // browser-bundle check would take for an import of a Node module), and the
    // iterators of the library between two coroutines: `yield* fut`'s, and the
    // debug-mode watch on a package coroutine (WatchedCoroutine).
    if (/^node:/.test(location) || /^(?:FutureIter|WatchedCoroutine)\.(?:next|throw)$/.test(name))
      continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    // The hand-written coroutines: shown as the coroutine each stands for.
    const shown = HAND_WRITTEN.get(name);
    if (shown !== undefined) {
      if (shown !== null) out.push({ name: shown, location, async: true });
      continue;
    }
    out.push({ name: name.replace(/^(?:Object|Generator)\./, ''), location, async: false });
    kept = true;
  }
  return out;
}

function applyLimit(stack: CallStackEntry[], limit: number | null): CallStackEntry[] {
  if (limit === null) return stack;
  if (limit === 0) return [];
  // As traceback's limit: positive keeps the outermost frames, negative the innermost.
  return limit > 0 ? stack.slice(-limit) : stack.slice(0, -limit);
}

function checkOptions(options: CallGraphOptions | undefined, fn: string): [number, number | null] {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`${fn}() takes its options as an object, as in ${fn}(fut, { limit: 5 })`);
  }
  const depth = options?.depth ?? 1;
  const limit = options?.limit ?? null;
  if (!Number.isInteger(depth) || depth < 0) {
    throw new TypeError(`depth must be an integer >= 0, got ${String(depth)}`);
  }
  if (limit !== null && !Number.isInteger(limit)) {
    throw new TypeError(`limit must be an integer or null, got ${String(limit)}`);
  }
  return [depth, limit];
}

/** What one capture knows: the reverse index, and the current task with its live stack. */
interface Capture {
  index: Index;
  limit: number | null;
  current: Future<unknown> | null;
  live: CallStackEntry[];
}

function buildGraph(fut: Future<unknown>, c: Capture, path: Set<Future<unknown>>): FutureCallGraph {
  let callStack: CallStackEntry[];
  if (fut === c.current) callStack = c.live;
  else {
    // Only a task waiting on a Future is where it last suspended; one that
    // is ready to run (after a bare yield, or woken) has moved on.
    const site = fut instanceof Task && fut._futWaiter !== null ? suspendedAt.get(fut) : undefined;
    callStack = site === undefined || fut.done() ? [] : parseStack(site, 0);
  }
  const awaitedBy: FutureCallGraph[] = [];
  // A cycle of waits (a deadlock) is shown once around, not forever.
  path.add(fut);
  for (const w of awaitersOf(fut, c.index)) {
    if (!path.has(w)) awaitedBy.push(buildGraph(w, c, path));
  }
  path.delete(fut);
  return { future: fut, callStack: applyLimit(callStack, c.limit), awaitedBy };
}

function capture(
  future: Future<unknown> | null | undefined,
  depth: number,
  limit: number | null,
  top: (...a: never[]) => unknown,
): FutureCallGraph | null {
  const loop = getRunningLoopOrNull();
  let fut = future ?? null;
  if (fut !== null) {
    if (!isFuture(fut)) {
      throw new TypeError(
        `${String(fut)} object does not appear to be compatible with asyncio.Future`,
      );
    }
  } else {
    if (loop === null) {
      throw new RuntimeError(
        'capture_call_graph() is called outside of a running event loop and no *future* to introspect was provided',
      );
    }
    fut = currentTask(loop);
    if (fut === null) return null;
  }
  const current = loop === null ? null : currentTask(loop);
  const index = indexFor(fut.getLoop());
  if (current === null) return buildGraph(fut, { index, limit, current, live: [] }, new Set());
  // The current task, wherever it is in the graph: its stack is the live one, from the caller down.
  const live = parseStack(captureStack(top), Math.max(0, depth - 1));
  return buildGraph(fut, { index, limit, current, live }, new Set());
}

/**
 * Mirrors `asyncio.capture_call_graph()`: the graph of what awaits `future`
 * (by default the current task), up to the tasks nobody awaits. Called
 * without a future outside a running loop it throws `RuntimeError`; with no
 * current task it returns null.
 *
 * @example
 * ```ts
 * function* child() {
 *   const g = captureCallGraph();
 *   console.log(g?.awaitedBy[0]?.future === mainTask); // true when main awaits this task
 * }
 * ```
 */
export function captureCallGraph(
  future?: Future<unknown> | null,
  options?: CallGraphOptions,
): FutureCallGraph | null {
  const [depth, limit] = checkOptions(options, 'captureCallGraph');
  return capture(future, depth, limit, captureCallGraph);
}

// ---- the awaiting chain of an error (debug mode) -------------------------------

const annotated = new WeakSet<object>();

function boundary(fut: Future<unknown>): string {
  const what = fut instanceof Task ? `Task '${fut.getName()}'` : 'Future';
  const site = firstFrame(sourceTracebackOf(fut));
  return `    at [${what}] (${site ?? 'created outside debug mode'})`;
}

/**
 * @internal Debug mode: `task` fails with `exc`. A JavaScript stack ends at
 * the task's step, where Python's traceback goes on through every coroutine
 * that awaited the task; so the awaiting chain is appended to the stack as
 * V8 shows async frames: each task as `at [Task 'name'] (creation site)`,
 * the frames of the task that awaits it as `at async name (location)`, and
 * so on up to a task nobody awaits. Once per error, at the first task it ends.
 */
export function annotateFailure(task: Task<unknown>, exc: unknown): void {
  if (!(exc instanceof Error) || exc instanceof CancelledError || annotated.has(exc)) return;
  annotated.add(exc);
  const lines: string[] = [boundary(task)];
  const seen = new Set<Future<unknown>>([task]);
  const index = indexFor(task.getLoop());
  let awaiters = awaitersOf(task, index);
  while (awaiters.length > 0) {
    const parent = awaiters[0] as Future<unknown>;
    if (seen.has(parent)) break;
    seen.add(parent);
    const site =
      parent instanceof Task && parent._futWaiter !== null ? suspendedAt.get(parent) : undefined;
    for (const e of site === undefined ? [] : parseStack(site, 0)) {
      lines.push(`    at async ${e.name} (${e.location ?? 'unknown'})`);
    }
    lines.push(boundary(parent));
    awaiters = awaitersOf(parent, index);
  }
  try {
    exc.stack = `${exc.stack ?? String(exc)}\n${lines.join('\n')}`;
  } catch {
    // A frozen error keeps its own stack.
  }
}

// ---- formatting ----------------------------------------------------------------

let nextId = 0;
const ids = new WeakMap<object, number>();

/**
 * @internal A stable number for a future, for `id=0x..` (Python prints the
 * object's address, which JavaScript does not have).
 */
export function futureId(fut: object): number {
  let id = ids.get(fut);
  if (id === undefined) {
    id = ++nextId;
    ids.set(fut, id);
  }
  return id;
}

/** `File 'x.js', line 3, in name()` from `file:line:column`, as a traceback line. */
function formatEntry(e: CallStackEntry): string {
  const m = e.location === undefined ? null : /^(.*):(\d+):\d+$/.exec(e.location);
  const name = e.async === true ? `async ${e.name}` : e.name;
  if (m === null) return e.location ? `File '${e.location}', in ${name}()` : `in ${name}()`;
  return `File '${m[1]}', line ${m[2]}, in ${name}()`;
}

/** @internal The lines of a graph, as `format_call_graph`'s `render_level`. */
export function renderGraph(st: FutureCallGraph, buf: string[], level: number): void {
  const pad = '    '.repeat(level);
  const id = `0x${futureId(st.future).toString(16)}`;
  if (st.future instanceof Task) {
    buf.push(`${pad}* Task(name='${st.future.getName()}', id=${id})`);
  } else {
    buf.push(`${pad}* Future(id=${id})`);
  }
  if (st.callStack.length > 0) {
    buf.push(`${pad}  + Call stack:`);
    for (const e of st.callStack) buf.push(`${pad}  |   ${formatEntry(e)}`);
  }
  if (st.awaitedBy.length > 0) {
    buf.push(`${pad}  + Awaited by:`);
    for (const parent of st.awaitedBy) renderGraph(parent, buf, level + 1);
  }
}

/**
 * Mirrors `asyncio.format_call_graph()`: the graph of `future` (by default
 * the current task) as text, one `* Task(name=..., id=...)` per node, its
 * call stack and what awaits it, indented; `""` when there is no current task.
 *
 * @example
 * ```ts
 * console.log(formatCallGraph(task));
 * // * Task(name='worker', id=0x3)
 * //     + Awaited by:
 * //     * Task(name='main', id=0x1)
 * ```
 */
export function formatCallGraph(
  future?: Future<unknown> | null,
  options?: CallGraphOptions,
): string {
  const [depth, limit] = checkOptions(options, 'formatCallGraph');
  const graph = capture(future, depth, limit, formatCallGraph);
  if (graph === null) return '';
  const buf: string[] = [];
  renderGraph(graph, buf, 0);
  return buf.join('\n');
}

/**
 * Mirrors `asyncio.print_call_graph()`: writes `formatCallGraph(...)` and a
 * newline with `write` (by default `console.log`'s stream: stdout on Node).
 *
 * @example
 * ```ts
 * printCallGraph();                                   // the current task
 * printCallGraph(task, { write: (s) => log.push(s) });
 * ```
 */
export function printCallGraph(
  future?: Future<unknown> | null,
  options?: CallGraphOptions & { write?: (text: string) => void },
): void {
  const [depth, limit] = checkOptions(options, 'printCallGraph');
  const write = options?.write;
  if (write !== undefined && typeof write !== 'function') {
    throw new TypeError('write must be a function taking the text to print');
  }
  const graph = capture(future, depth, limit, printCallGraph);
  const buf: string[] = [];
  if (graph !== null) renderGraph(graph, buf, 0);
  const text = `${buf.join('\n')}\n`;
  if (write !== undefined) write(text);
  else console.log(text.slice(0, -1));
}
