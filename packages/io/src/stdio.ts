/**
 * The stdio options of a child process (`subprocess.PIPE`, `STDOUT`,
 * `DEVNULL`, an fd, None) and how they become Node's `spawn()` stdio.
 *
 * `stderr: STDOUT` with `stdout: PIPE` needs both of the child's descriptors
 * 1 and 2 to be one pipe, so that what the child writes to either arrives in
 * the order it wrote it. CPython's `Popen` does that with `dup2()` in the
 * child; Node has no `dup2` but duplicates a socket it is given in the stdio
 * array into the child. So the two ends of a connected Unix socket pair
 * (made with `net.createServer` + `net.connect` on a temporary path, removed
 * at once) serve: one end is given as both fd 1 and fd 2, the parent reads
 * the other. Node's own `'pipe'` stdio is a socket pair too (libuv makes
 * one), so the child sees the same kind of descriptor either way.
 */
import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventLoop, type Future, ValueError } from '@x/loop';
import { shortRepr } from '@x/loop/internal';
import { fromNodeError } from './errors.js';

/**
 * Mirrors `asyncio.subprocess.PIPE`: connect the child's stream to a pipe
 * the parent reads or writes (`proc.stdout`, `proc.stdin`, ...).
 *
 * @example
 * ```ts
 * const proc = yield* createSubprocessExec('ls', ['-l'], { stdout: PIPE });
 * const [out] = yield* proc.communicate();
 * ```
 */
export const PIPE: unique symbol = Symbol('PIPE');

/**
 * Mirrors `asyncio.subprocess.STDOUT`: for `stderr` only, send the child's
 * stderr where its stdout goes (with `stdout: PIPE`, into the same pipe, in
 * the order the child wrote).
 *
 * @example
 * ```ts
 * const proc = yield* createSubprocessShell('echo out; echo err >&2', { stdout: PIPE, stderr: STDOUT });
 * const [both] = yield* proc.communicate(); // "out\nerr\n"
 * ```
 */
export const STDOUT: unique symbol = Symbol('STDOUT');

/**
 * Mirrors `asyncio.subprocess.DEVNULL`: connect the child's stream to
 * `/dev/null`.
 *
 * @example
 * ```ts
 * const proc = yield* createSubprocessExec('make', [], { stdout: DEVNULL, stderr: DEVNULL });
 * yield* proc.wait();
 * ```
 */
export const DEVNULL: unique symbol = Symbol('DEVNULL');

/**
 * Mirrors the `stdin` / `stdout` / `stderr` arguments of `Popen`: `PIPE`,
 * `DEVNULL`, an open file descriptor of this process, or `null` / `'inherit'`
 * (Python's `None`: the child shares this process's stream).
 *
 * @example
 * ```ts
 * const opts: SubprocessOptions = { stdin: DEVNULL, stdout: PIPE, stderr: null };
 * ```
 */
export type StdioOption = typeof PIPE | typeof DEVNULL | 'inherit' | number | null;

/**
 * Mirrors the keyword arguments of `asyncio.create_subprocess_exec()` /
 * `loop.subprocess_exec()` that Node can honour: the three stdio options,
 * the stream `limit`, `cwd`, `env` (replaces the environment, as in Python),
 * `startNewSession` (`start_new_session`: `setsid()`), and `processGroup`
 * (`process_group=0` only: the child leads a new process group, which Node
 * can only give it through a new session).
 *
 * @example
 * ```ts
 * const proc = yield* createSubprocessExec('env', [], { stdout: PIPE, env: { ...process.env, FOO: 'bar' } });
 * ```
 */
export interface SubprocessOptions {
  /** Mirrors `stdin=`: what the child reads (`PIPE` gives `proc.stdin`). */
  stdin?: StdioOption;
  /** Mirrors `stdout=`: where the child writes (`PIPE` gives `proc.stdout`). */
  stdout?: StdioOption;
  /** Mirrors `stderr=`: as `stdout`, or `STDOUT` to share the child's stdout. */
  stderr?: StdioOption | typeof STDOUT;
  /** Mirrors `limit=`: the buffer limit of the `StreamReader`s (64 KiB). */
  limit?: number;
  /** Mirrors `cwd=`: the child's working directory. */
  cwd?: string;
  /** Mirrors `env=`: the child's whole environment (undefined values are left out). */
  env?: Record<string, string | undefined>;
  /** Mirrors `start_new_session=`: the child calls `setsid()`. */
  startNewSession?: boolean;
  /** Mirrors `process_group=`: only 0 (a new process group, through a new session). */
  processGroup?: number;
}

/** What Node's `spawn()` takes for one stdio slot. */
export type NodeStdio = 'pipe' | 'ignore' | 'inherit' | number | Socket;

const KNOWN = new Set([
  'stdin',
  'stdout',
  'stderr',
  'limit',
  'cwd',
  'env',
  'startNewSession',
  'processGroup',
]);

// Popen's text-mode arguments: asyncio refuses them with these messages.
const TEXT_MODE: Record<string, (v: unknown) => string | null> = {
  universalNewlines: (v) => (v ? 'universal_newlines must be False' : null),
  text: (v) => (v ? 'text must be False' : null),
  encoding: (v) => (v !== undefined && v !== null ? 'encoding must be None' : null),
  errors: (v) => (v !== undefined && v !== null ? 'errors must be None' : null),
  bufsize: (v) => (v !== undefined && v !== 0 ? 'bufsize must be 0' : null),
};

function describeStdio(v: unknown): string {
  if (v === PIPE) return 'PIPE';
  if (v === STDOUT) return 'STDOUT';
  if (v === DEVNULL) return 'DEVNULL';
  return shortRepr(v);
}

/** One stdio option as Node's spawn() takes it; `STDOUT` is handled by the caller. */
function toNode(name: string, v: unknown): NodeStdio {
  if (v === PIPE) return 'pipe';
  if (v === DEVNULL) return 'ignore';
  if (v === null || v === undefined || v === 'inherit') return 'inherit';
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) {
      throw new ValueError(`${name} must be a file descriptor (an integer >= 0), not ${v}`);
    }
    return v;
  }
  if (v === STDOUT) {
    throw new ValueError(`STDOUT can only be used for stderr, not for ${name}`);
  }
  throw new TypeError(
    `${name} must be PIPE, DEVNULL, a file descriptor number, 'inherit' or null, not ${describeStdio(v)}`,
  );
}

/** The checked options, and what spawn() needs. */
export interface SpawnPlan {
  stdio: [NodeStdio, NodeStdio, NodeStdio];
  /** stderr goes into the stdout pipe: a socket pair is needed (see `mergedPipe`). */
  merge: boolean;
  limit: number | undefined;
  cwd: string | undefined;
  env: Record<string, string> | undefined;
  detached: boolean;
  /** The options as given, for the debug log: `stdin=<pipe> stdout=...`. */
  given: { stdin: unknown; stdout: unknown; stderr: unknown };
}

/**
 * Checks `options` as `loop.subprocess_exec()` and `Popen` would, and plans
 * the spawn. `dflt` is what an absent stdio option means: `PIPE` for the
 * low-level `subprocessExec`, `null` (inherit) for `createSubprocessExec`,
 * as in asyncio; `streams`: the caller makes streams (`limit` is allowed).
 */
export function planSpawn(options: unknown, dflt: typeof PIPE | null, streams: boolean): SpawnPlan {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(
      `the options must be an object such as { stdout: PIPE }, not ${shortRepr(options)}`,
    );
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    const textMode = TEXT_MODE[key];
    if (textMode !== undefined) {
      const msg = textMode(o[key]);
      if (msg !== null) throw new ValueError(msg);
      continue;
    }
    if (key === 'shell') continue; // checked by the caller, as subprocess_exec/subprocess_shell do
    if (key === 'limit' && !streams && o.limit !== undefined) {
      // As Popen's "unexpected keyword argument 'limit'" behind loop.subprocess_exec.
      throw new TypeError(
        'limit is an option of createSubprocessExec/createSubprocessShell (the buffer limit of their streams); the protocol of subprocessExec/subprocessShell gets the data as it comes',
      );
    }
    if (!KNOWN.has(key)) {
      throw new TypeError(
        `unexpected subprocess option '${key}': the options are ${[...KNOWN].join(', ')}`,
      );
    }
  }
  const pick = (name: 'stdin' | 'stdout' | 'stderr'): unknown =>
    Object.hasOwn(o, name) && o[name] !== undefined ? o[name] : dflt;
  const stdin = pick('stdin');
  const stdout = pick('stdout');
  const stderr = pick('stderr');
  const nodeIn = toNode('stdin', stdin);
  const nodeOut = toNode('stdout', stdout);
  let nodeErr: NodeStdio;
  let merge = false;
  if (stderr === STDOUT) {
    // Python's Popen: the child's fd 2 becomes a copy of its fd 1, whatever that is.
    // With stdout: PIPE, the spawner gives fd 1 and fd 2 one socket pair (`merge`).
    if (nodeOut === 'pipe') merge = true;
    nodeErr = nodeOut === 'inherit' ? 1 : nodeOut;
  } else nodeErr = toNode('stderr', stderr);

  const limit = o.limit;
  // As StreamReader checks it, before anything is started.
  if (limit !== undefined) {
    if (typeof limit !== 'number' || Number.isNaN(limit)) {
      throw new TypeError(`limit must be a number of bytes, not ${shortRepr(limit)}`);
    }
    if (limit <= 0) throw new ValueError('Limit cannot be <= 0');
  }
  const cwd = o.cwd;
  if (cwd !== undefined && cwd !== null && typeof cwd !== 'string') {
    throw new TypeError(`cwd must be a path string, not ${shortRepr(cwd)}`);
  }
  let env: Record<string, string> | undefined;
  if (o.env !== undefined && o.env !== null) {
    if (typeof o.env !== 'object') {
      throw new TypeError(`env must be an object of strings, not ${shortRepr(o.env)}`);
    }
    env = {};
    for (const [k, v] of Object.entries(o.env as Record<string, unknown>)) {
      if (v === undefined) continue;
      if (typeof v !== 'string') {
        throw new TypeError(`env['${k}'] must be a string, not ${shortRepr(v)}`);
      }
      if (k.includes('\0') || v.includes('\0')) throw new ValueError('embedded null byte');
      if (k === '' || k.includes('='))
        throw new ValueError(`illegal environment variable name: '${k}'`);
      env[k] = v;
    }
  }
  let detached = Boolean(o.startNewSession);
  if (o.processGroup !== undefined && o.processGroup !== null) {
    if (o.processGroup !== 0) {
      throw new ValueError(
        `processGroup ${shortRepr(o.processGroup)} is not supported: Node can only start the child in a new process group of its own (processGroup: 0)`,
      );
    }
    detached = true;
  }
  return {
    stdio: [nodeIn, nodeOut, nodeErr],
    merge,
    limit: limit as number | undefined,
    cwd: (cwd as string | undefined) ?? undefined,
    env,
    detached,
    given: { stdin, stdout, stderr },
  };
}

/** How the debug log names a stdio option, as `_log_subprocess` does. */
export function stdioName(v: unknown): string {
  if (v === PIPE) return '<pipe>';
  if (v === STDOUT) return '<stdout>';
  if (v === DEVNULL) return '<devnull>';
  return String(v ?? 'None');
}

/**
 * A connected pair of Unix stream sockets: `[childEnd, parentEnd]`. The
 * temporary path is gone once the future is done. If the future is cancelled
 * meanwhile, the sockets are destroyed when they come.
 */
export function mergedPipe(loop: EventLoop): Future<[Socket, Socket]> {
  const fut = loop.createFuture<[Socket, Socket]>();
  const path = join(tmpdir(), `x-async-${process.pid}-${randomBytes(6).toString('hex')}.sock`);
  const server = createServer();
  let client: Socket | null = null;
  let accepted: Socket | null = null;
  let connected = false;
  let failed = false;
  const fail = (err: unknown): void => {
    if (failed) return;
    failed = true;
    server.close();
    client?.destroy();
    accepted?.destroy();
    if (!fut.done() && !loop.isClosed()) {
      fut.setException(fromNodeError(err, `cannot make a socket pair at ${path}`));
    }
  };
  const done = (): void => {
    if (failed || !connected || accepted === null || client === null) return;
    // Closing the server removes its path; the connection stays.
    server.close();
    if (fut.done() || loop.isClosed()) {
      client.destroy();
      accepted.destroy();
      return;
    }
    client.removeListener('error', fail);
    fut.setResult([client, accepted]);
  };
  server.once('error', fail);
  server.once('connection', (s: Socket) => {
    accepted = s;
    done();
  });
  server.listen(path, () => {
    client = createConnection(path, () => {
      connected = true;
      done();
    });
    client.once('error', fail);
  });
  return fut;
}
