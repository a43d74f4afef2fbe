/**
 * `xrun ps PID` and `xrun pstree PID`, after CPython 3.14's
 * `asyncio/tools.py` (`python -m asyncio ps/pstree PID`): read the tasks of
 * another running x-async program through its inspection socket and print
 * them as a table or as the awaited-by tree, in the same layout.
 */
import { connect } from 'node:net';
import type { CallStackEntry } from '@x/tasks';
import { inspectDir, socketPathFor } from './inspect-channel.js';
import type { TaskSnapshot } from './task-inspector.js';

/** Why `xrun ps` could not read a program; the message is for the user. */
export class InspectError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InspectError';
  }
}

/** Connects to program `pid` and reads its snapshot. */
export function readSnapshot(pid: number, timeoutMs = 10_000): Promise<TaskSnapshot> {
  return new Promise((resolve, reject) => {
    if (process.platform === 'win32') {
      reject(new InspectError('xrun ps needs Unix sockets, which this platform does not have'));
      return;
    }
    let path: string;
    try {
      path = socketPathFor(inspectDir(false), pid);
    } catch (e) {
      reject(
        new InspectError(
          `no x-async program to inspect (${e instanceof Error ? e.message : String(e)})`,
          { cause: e },
        ),
      );
      return;
    }
    const chunks: Buffer[] = [];
    const socket = connect(path);
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new InspectError(`process ${pid} did not answer within ${timeoutMs / 1000} s`));
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'ENOENT' || e.code === 'ECONNREFUSED'
          ? `process ${pid} is not an x-async program started with xrun or runMain() by this user, or it has ended (no ${path})`
          : `cannot read process ${pid}: ${e.message}`;
      reject(new InspectError(why, { cause: e }));
    });
    socket.on('end', () => {
      try {
        const data = JSON.parse(Buffer.concat(chunks).toString('utf8')) as
          | TaskSnapshot
          | { error: string };
        if ('error' in data) reject(new InspectError(`process ${pid} failed: ${data.error}`));
        else resolve(data);
      } catch (e) {
        reject(new InspectError(`process ${pid} sent an unreadable answer`, { cause: e }));
      }
    });
  });
}

const hex = (id: number): string => `0x${id.toString(16)}`;

/** `name path:line`, as `_format_stack_entry`. */
function formatEntry(e: CallStackEntry): string {
  const m = e.location === undefined ? null : /^(.*):(\d+):\d+$/.exec(e.location);
  if (m === null) return e.name;
  return `${e.name} ${(m[1] as string).replace(/^file:\/\//, '')}:${m[2]}`;
}

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** The rows of `build_task_table`: one per (task, awaiter), or one for a task nobody awaits. */
export function taskTableRows(s: TaskSnapshot): string[][] {
  const rows: string[][] = [];
  for (const t of s.tasks) {
    const coro = t.stack.map((e) => e.name).join(' -> ');
    if (t.awaitedBy.length === 0) {
      rows.push([String(s.tid), hex(t.id), t.name, coro, '', '', '0x0']);
      continue;
    }
    for (const a of t.awaitedBy) {
      const chain = a.stack.map((e) => e.name).join(' -> ');
      rows.push([String(s.tid), hex(t.id), t.name, coro, chain, a.name, hex(a.id)]);
    }
  }
  return rows;
}

/** What `xrun ps PID` prints: `python -m asyncio ps PID`'s table. */
export function formatTaskTable(s: TaskSnapshot): string {
  const widths = [10, 20, 20, 50, 50, 15, 15];
  const line = (cols: string[]): string =>
    cols.map((c, i) => pad(c, widths[i] as number)).join(' ');
  const out = [
    line([
      'tid',
      'task id',
      'task name',
      'coroutine stack',
      'awaiter chain',
      'awaiter name',
      'awaiter id',
    ]),
    '-'.repeat(180),
  ];
  for (const row of taskTableRows(s)) out.push(line(row));
  if (!s.debug && s.tasks.length > 0) {
    out.push(
      '',
      '(coroutine stacks are recorded in debug mode: run the program with xrun --debug)',
    );
  }
  return `${out.join('\n')}\n`;
}

/** The await cycles among tasks, as `_find_cycles`: each a list of task ids. */
function findCycles(graph: Map<number, Set<number>>): number[][] {
  const color = new Map<number, number>();
  const path: number[] = [];
  const cycles: number[][] = [];
  const dfs = (v: number): void => {
    color.set(v, 1);
    path.push(v);
    for (const w of graph.get(v) ?? []) {
      const c = color.get(w) ?? 0;
      if (c === 0) dfs(w);
      else if (c === 1) cycles.push([...path.slice(path.indexOf(w)), w]);
    }
    color.set(v, 2);
    path.pop();
  };
  for (const v of graph.keys()) if ((color.get(v) ?? 0) === 0) dfs(v);
  return cycles;
}

/** What `xrun pstree PID` prints: `python -m asyncio pstree PID`'s tree; throws on a cycle. */
export function formatTaskTree(s: TaskSnapshot): string {
  const id2name = new Map<number, string>();
  const taskStacks = new Map<number, string[]>();
  const awaits: Array<[number, string[], number]> = [];
  for (const t of s.tasks) {
    id2name.set(t.id, t.name);
    if (t.stack.length > 0) taskStacks.set(t.id, t.stack.map(formatEntry));
    for (const a of t.awaitedBy) awaits.push([a.id, a.stack.map(formatEntry), t.id]);
  }
  const graph = new Map<number, Set<number>>();
  for (const [parent, , child] of awaits) {
    let set = graph.get(parent);
    if (set === undefined) {
      set = new Set();
      graph.set(parent, set);
    }
    set.add(child);
  }
  const cycles = findCycles(graph);
  if (cycles.length > 0) {
    const lines = ['ERROR: await-graph contains cycles - cannot print a tree!', ''];
    for (const c of cycles) {
      lines.push(`cycle: ${c.map((id) => id2name.get(id) ?? hex(id)).join(' → ')}`);
    }
    throw new InspectError(lines.join('\n'));
  }

  // Nodes: `t<id>` for a task, `c<n>` for a coroutine frame under a parent.
  const labels = new Map<string, string>();
  const children = new Map<string, string[]>();
  const corNodes = new Map<string, Map<string, string>>();
  let nextCor = 0;
  for (const [id, name] of id2name) labels.set(`t${id}`, `(T) ${name}`);
  const kids = (node: string): string[] => {
    let k = children.get(node);
    if (k === undefined) {
      k = [];
      children.set(node, k);
    }
    return k;
  };
  const corNode = (parent: string, frame: string): string => {
    let m = corNodes.get(parent);
    if (m === undefined) {
      m = new Map();
      corNodes.set(parent, m);
    }
    const existing = m.get(frame);
    if (existing !== undefined) return existing;
    const key = `c${++nextCor}`;
    labels.set(key, ` ${frame}`);
    kids(parent).push(key);
    m.set(frame, key);
    return key;
  };
  for (const [parent, stack, child] of awaits) {
    if (!labels.has(`t${parent}`)) labels.set(`t${parent}`, `(T) ${hex(parent)}`);
    let cur = `t${parent}`;
    for (const frame of [...stack].reverse()) cur = corNode(cur, frame);
    const list = kids(cur);
    if (!list.includes(`t${child}`)) list.push(`t${child}`);
  }
  const awaiting = new Set(awaits.map(([p]) => p));
  for (const id of id2name.keys()) {
    const stack = taskStacks.get(id);
    if (awaiting.has(id) || stack === undefined) continue;
    let cur = `t${id}`;
    for (const frame of [...stack].reverse()) cur = corNode(cur, frame);
  }
  const all = new Set<string>();
  for (const k of children.values()) for (const c of k) all.add(c);
  const out: string[] = [];
  const render = (node: string, prefix: string, last: boolean): void => {
    out.push(`${prefix}${last ? '└── ' : '├── '}${labels.get(node)}`);
    const next = prefix + (last ? '    ' : '│   ');
    const k = children.get(node) ?? [];
    for (let i = 0; i < k.length; i++) render(k[i] as string, next, i === k.length - 1);
  };
  for (const node of labels.keys()) if (!all.has(node)) render(node, '', true);
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
