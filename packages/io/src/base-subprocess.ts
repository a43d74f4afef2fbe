/**
 * The subprocess transport and `subprocessExec` / `subprocessShell`, after
 * CPython's `base_subprocess.py`, `unix_events._UnixSubprocessTransport` and
 * `base_events.subprocess_exec/_shell`, on Node's `child_process.spawn`.
 *
 * As in CPython, the child's pipes are pipe transports whose protocols
 * forward to the transport, which calls the `SubprocessProtocol` as loop
 * callbacks (queued until `connectionMade()`); the exit status comes from
 * Node's `'exit'` event (CPython's child watcher) as a loop callback too.
 * `wait()` returns once the child exited and every pipe is closed, as in
 * 3.12+. A transport closed while its child runs kills the child. When the
 * loop closes, a child still running is left running, but its handles are
 * un-ref'd so that the Node process can end, as a Python program would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { constants } from 'node:os';
import {
  type Coroutine,
  type EventLoop,
  type Future,
  getRunningLoop,
  logger,
  OSError,
  ValueError,
} from '@x/loop';
import { shortRepr } from '@x/loop/internal';
import { fromNodeError } from './errors.js';
import { type HostResource, trackResource, untrackResource } from './host-resources.js';
import { ReadPipeTransport, WritePipeTransport } from './pipe-transports.js';
import { type BaseProtocol, Protocol, type SubprocessProtocol } from './protocols.js';
import {
  mergedPipe,
  PIPE,
  planSpawn,
  type SpawnPlan,
  type SubprocessOptions,
  stdioName,
} from './stdio.js';
import { ProcessLookupError, spawnError } from './subprocess-errors.js';
import type { BaseTransport, SubprocessTransport } from './transports.js';

const SIGNALS = constants.signals as Readonly<Record<string, number>>;
type Fd = 0 | 1 | 2;

/** Mirrors `WriteSubprocessPipeProto` / `ReadSubprocessPipeProto`: forwards one pipe's events to the transport. */
class SubprocessPipeProto extends Protocol {
  proc: BaseSubprocessTransport | null;
  readonly fd: Fd;
  pipe: ReadPipeTransport | WritePipeTransport | null = null;
  disconnected = false;

  constructor(proc: BaseSubprocessTransport, fd: Fd) {
    super();
    this.proc = proc;
    this.fd = fd;
  }

  override connectionMade(transport: BaseTransport): void {
    this.pipe = transport as ReadPipeTransport | WritePipeTransport;
  }

  override connectionLost(exc: unknown): void {
    this.disconnected = true;
    this.proc?._pipeConnectionLost(this.fd, exc);
    this.proc = null;
  }

  override pauseWriting(): void {
    this.proc?._protocol?.pauseWriting();
  }

  override resumeWriting(): void {
    this.proc?._protocol?.resumeWriting();
  }

  override dataReceived(data: Buffer): void {
    this.proc?._pipeDataReceived(this.fd as 1 | 2, data);
  }

  override toString(): string {
    return `<SubprocessPipeProto fd=${this.fd} pipe=${String(this.pipe)}>`;
  }
}

/** Mirrors `BaseSubprocessTransport` (with `_UnixSubprocessTransport._start`). */
export class BaseSubprocessTransport implements SubprocessTransport, HostResource {
  /** @internal */ _closed = false;
  /** @internal */ _protocol: SubprocessProtocol | null;
  /** @internal */ _loop: EventLoop | null;
  /** @internal */ _proc: ChildProcess | null = null;
  /** @internal */ _pid: number | null = null;
  /** @internal */ _returncode: number | null = null;
  /** @internal */ _exitWaiters: Future<number>[] | null = [];
  /** @internal */ _pendingCalls: Array<[(...a: unknown[]) => void, unknown[]]> | null = [];
  /** @internal */ _pipes = new Map<Fd, SubprocessPipeProto | null>();
  /** @internal */ _finished = false;
  /** @internal */ _extra: Record<string, unknown> = {};
  /** @internal The program, for the debug log and errors. */
  readonly _program: string;

  /** @internal Spawns the child; `merged` is the socket pair of `stderr: STDOUT`. */
  constructor(
    loop: EventLoop,
    protocol: SubprocessProtocol,
    argv: readonly string[],
    shell: boolean,
    plan: SpawnPlan,
    merged: [Socket, Socket] | null,
  ) {
    this._loop = loop;
    this._protocol = protocol;
    this._program = argv[0];
    const stdio = [...plan.stdio];
    if (merged !== null) {
      // One socket as both fd 1 and fd 2: the child's writes to either keep their order.
      stdio[1] = merged[0];
      stdio[2] = merged[0];
    }
    if (stdio[0] === 'pipe') this._pipes.set(0, null);
    if (stdio[1] === 'pipe' || merged !== null) this._pipes.set(1, null);
    if (stdio[2] === 'pipe') this._pipes.set(2, null);
    const [file, args] = shell ? ['/bin/sh', ['-c', argv[0]]] : [argv[0], argv.slice(1)];
    try {
      this._proc = spawn(file, args, {
        stdio,
        cwd: plan.cwd,
        env: plan.env,
        detached: plan.detached,
      });
    } finally {
      // The child has its copy of the pair's end (or failed); the parent's goes.
      merged?.[0].destroy();
    }
    this._extra.subprocess = this._proc;
    const proc = this._proc;
    if (proc.pid !== undefined) this._pid = proc.pid;
    proc.on('exit', (code, signal) => this._onExit(code, signal));
    // Errors after the spawn (a failed kill) go to the exception handler;
    // a spawn failure is reported by makeSubprocessTransport.
    proc.on('error', (err) => {
      if (this._pid !== null && this._loop !== null && !this._loop.isClosed()) {
        const l = this._loop;
        l.callSoon(() =>
          l.callExceptionHandler({
            message: `Error from child process ${this._pid}`,
            exception: fromNodeError(err),
            transport: this,
          }),
        );
      }
    });
    if (this._pid === null) {
      for (const s of [proc.stdin, proc.stdout, proc.stderr]) s?.destroy();
      merged?.[1].destroy();
      return;
    }
    if (loop.getDebug())
      logger.debug(`process ${shortRepr(this._program)} created: pid ${this._pid}`);
    trackResource(loop, this);
    this._connectPipes(proc, merged?.[1] ?? null);
  }

  /** @internal Mirrors `_connect_pipes`: the pipe transports, then `connectionMade`, then what came meanwhile. */
  _connectPipes(proc: ChildProcess, mergedEnd: Socket | null): void {
    const loop = this._loop as EventLoop;
    // Each proto knows its pipe at once (CPython learns it in connection_made()),
    // so that a close() before those callbacks ran still closes every pipe.
    if (proc.stdin) {
      const p = new SubprocessPipeProto(this, 0);
      this._pipes.set(0, p);
      p.pipe = new WritePipeTransport(loop, proc.stdin as Socket, p, {});
    }
    const out = mergedEnd ?? proc.stdout;
    if (out) {
      const p = new SubprocessPipeProto(this, 1);
      this._pipes.set(1, p);
      p.pipe = new ReadPipeTransport(loop, out as Socket, p, {});
    }
    if (proc.stderr) {
      const p = new SubprocessPipeProto(this, 2);
      this._pipes.set(2, p);
      p.pipe = new ReadPipeTransport(loop, proc.stderr as Socket, p, {});
    }
    // The pipe transports' connectionMade() calls are queued; these follow them.
    loop.callSoon(() => {
      if (this._protocol === null || this._pendingCalls === null) return;
      loop.callSoon(() => this._protocol?.connectionMade(this));
      for (const [cb, data] of this._pendingCalls) loop.callSoon(cb, ...data);
      this._pendingCalls = null;
      this._connected?.();
    });
  }

  /** @internal Called once connectionMade is scheduled (the waiter of `_make_subprocess_transport`). */
  _connected: (() => void) | null = null;

  /** @internal Node's 'exit': CPython's child watcher callback. */
  _onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const returncode = code ?? -(SIGNALS[signal as string] ?? 0);
    const loop = this._loop;
    if (loop === null) return;
    if (loop.isClosed()) {
      // As CPython's threaded child watcher when the loop is gone (debug mode only:
      // the pidfd watcher of 3.14 on Linux says nothing).
      if (loop.getDebug())
        logger.warning(`Loop ${String(loop)} that handles pid ${this._pid} is closed`);
      return;
    }
    loop.callSoon(() => this._processExited(returncode));
  }

  toString(): string {
    const info = ['BaseSubprocessTransport'];
    if (this._closed) info.push('closed');
    if (this._pid !== null) info.push(`pid=${this._pid}`);
    if (this._returncode !== null) info.push(`returncode=${this._returncode}`);
    else if (this._pid !== null) info.push('running');
    else info.push('not started');
    const stdin = this._pipes.get(0);
    if (stdin) info.push(`stdin=${String(stdin.pipe)}`);
    const stdout = this._pipes.get(1);
    const stderr = this._pipes.get(2);
    if (stdout) info.push(`stdout=${String(stdout.pipe)}`);
    if (stderr) info.push(`stderr=${String(stderr.pipe)}`);
    return `<${info.join(' ')}>`;
  }

  setProtocol(protocol: BaseProtocol): void {
    this._protocol = protocol as SubprocessProtocol;
  }

  getProtocol(): BaseProtocol {
    return this._protocol as BaseProtocol;
  }

  isClosing(): boolean {
    return this._closed;
  }

  /**
   * Mirrors `close()`: closes the pipes and, if the child is still running,
   * kills it (SIGKILL), as asyncio does.
   */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    // Closed: not an unclosed resource at loop close (a running child is killed below).
    if (this._loop !== null) untrackResource(this._loop, this);
    for (const proto of this._pipes.values()) proto?.pipe?.close();
    const proc = this._proc;
    // Has the child finished? (Node sets exitCode/signalCode before 'exit'
    // reaches us: that is `self._proc.poll()`.)
    if (
      proc !== null &&
      this._returncode === null &&
      proc.exitCode === null &&
      proc.signalCode === null
    ) {
      if (this._loop?.getDebug()) logger.warning(`Close running child process: kill ${this}`);
      try {
        process.kill(proc.pid as number, 'SIGKILL');
      } catch {
        // ESRCH / EPERM: the process may have already exited, or runs setuid.
      }
    }
  }

  getPid(): number {
    return this._pid as number;
  }

  getReturncode(): number | null {
    return this._returncode;
  }

  getPipeTransport(fd: Fd): BaseTransport | null {
    const p = this._pipes.get(fd);
    return p?.pipe ?? null;
  }

  getExtraInfo(name: string, dflt: unknown = null): unknown {
    return Object.hasOwn(this._extra, name) ? this._extra[name] : dflt;
  }

  /**
   * Mirrors `send_signal(signal)`: `ProcessLookupError` once the transport
   * is finished; a child that already exited is not signalled (no error).
   */
  sendSignal(signal: NodeJS.Signals | number): void {
    const sig = checkSignal(signal);
    const proc = this._proc;
    if (proc === null) {
      throw new ProcessLookupError('[Errno 3] No such process', { errno: 3, code: 'ESRCH' });
    }
    // Node reaps the child and sets these in one step: until then the pid is ours.
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    try {
      process.kill(proc.pid as number, sig);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return;
      throw fromNodeError(err);
    }
  }

  /** Mirrors `terminate()`: SIGTERM. */
  terminate(): void {
    this.sendSignal('SIGTERM');
  }

  /** Mirrors `kill()`: SIGKILL. */
  kill(): void {
    this.sendSignal('SIGKILL');
  }

  /** @internal */
  _call<A extends unknown[]>(cb: (...a: A) => void, ...data: A): void {
    if (this._pendingCalls !== null) {
      this._pendingCalls.push([cb as (...a: unknown[]) => void, data]);
    } else this._loop?.callSoon(cb, ...data);
  }

  /** @internal */
  _pipeConnectionLost(fd: Fd, exc: unknown): void {
    const protocol = this._protocol as SubprocessProtocol;
    this._call((f: Fd, e: unknown) => protocol.pipeConnectionLost(f, e), fd, exc);
    this._tryFinish();
  }

  /** @internal */
  _pipeDataReceived(fd: 1 | 2, data: Buffer): void {
    const protocol = this._protocol as SubprocessProtocol;
    this._call((f: 1 | 2, d: Buffer) => protocol.pipeDataReceived(f, d), fd, data);
  }

  /** @internal */
  _processExited(returncode: number): void {
    if (this._returncode !== null) return;
    if (this._loop?.getDebug()) logger.debug(`${this} exited with return code ${returncode}`);
    this._returncode = returncode;
    const protocol = this._protocol as SubprocessProtocol;
    this._call(() => protocol.processExited());
    this._tryFinish();
  }

  /** @internal Mirrors `_wait()`: the return code, once the child exited and its pipes closed. */
  *_wait(): Coroutine<number> {
    if (this._returncode !== null) return this._returncode;
    const waiter = (this._loop as EventLoop).createFuture<number>();
    (this._exitWaiters as Future<number>[]).push(waiter);
    return yield* waiter;
  }

  /** @internal */
  _tryFinish(): void {
    if (this._finished || this._returncode === null) return;
    for (const p of this._pipes.values()) if (p === null || !p.disconnected) return;
    this._finished = true;
    this._call((exc: unknown) => this._callConnectionLost(exc), null);
  }

  /** @internal */
  _callConnectionLost(exc: unknown): void {
    const loop = this._loop;
    try {
      this._protocol?.connectionLost(exc);
    } finally {
      // Wake up the futures waiting in wait().
      for (const w of this._exitWaiters ?? [])
        if (!w.cancelled()) w.setResult(this._returncode as number);
      this._exitWaiters = null;
      if (loop !== null) untrackResource(loop, this);
      this._loop = null;
      this._proc = null;
      this._protocol = null;
    }
  }

  /** @internal The loop closed with this child still running or its pipes open: let the process end anyway. */
  loopClosed(): void {
    this._proc?.unref();
    for (const p of this._pipes.values()) (p?.pipe as { _unref?: () => void } | null)?._unref?.();
  }
}

/** Mirrors `os.kill`'s check of its signal: a name of this platform or a number. */
function checkSignal(signal: unknown): NodeJS.Signals | number {
  if (typeof signal === 'number') {
    if (!Number.isInteger(signal)) {
      throw new TypeError(`signal must be an integer or a signal name, not ${signal}`);
    }
    if (signal < 0 || signal > 64) {
      throw new OSError('[Errno 22] Invalid argument', { errno: 22, code: 'EINVAL' });
    }
    return signal;
  }
  if (typeof signal === 'string') {
    if (!Object.hasOwn(SIGNALS, signal)) {
      throw new ValueError(
        `Invalid signal: '${signal}': expected a signal name of this platform, such as 'SIGTERM', or a number`,
      );
    }
    return signal as NodeJS.Signals;
  }
  throw new TypeError(
    `signal must be a signal name such as 'SIGTERM' or a number, not ${shortRepr(signal)}`,
  );
}

function checkArg(v: unknown, what: string): string {
  if (typeof v !== 'string') {
    const name =
      v === null ? 'None' : Array.isArray(v) ? 'list' : typeof v === 'number' ? 'int' : typeof v;
    throw new TypeError(`expected str, bytes or os.PathLike object, not ${name} (${what})`);
  }
  if (v.includes('\0')) throw new ValueError('embedded null byte');
  return v;
}

/**
 * Mirrors `_make_subprocess_transport`: spawns, and waits until the protocol
 * is connected. Cancelled meanwhile, it closes the transport (killing the
 * child) and waits for it before it re-raises, as CPython does.
 */
function* makeSubprocessTransport(
  loop: EventLoop,
  protocol: SubprocessProtocol,
  argv: readonly string[],
  shell: boolean,
  plan: SpawnPlan,
): Coroutine<BaseSubprocessTransport> {
  let merged: [Socket, Socket] | null = null;
  if (plan.merge) merged = yield* mergedPipe(loop);
  const transport = new BaseSubprocessTransport(loop, protocol, argv, shell, plan, merged);
  const proc = transport._proc as ChildProcess;
  if (transport._pid === null) {
    // Node reports the failure on its next tick.
    const failed = loop.createFuture<never>();
    proc.once('error', (err) => {
      if (!failed.done() && !loop.isClosed()) {
        const enoentCwd =
          (err as NodeJS.ErrnoException).code === 'ENOENT' &&
          plan.cwd !== undefined &&
          !existsSync(plan.cwd);
        failed.setException(spawnError(err, enoentCwd ? (plan.cwd as string) : argv[0]));
      }
    });
    transport._closed = true;
    yield* failed;
  }
  const waiter = loop.createFuture<void>();
  transport._connected = () => {
    if (!waiter.done()) waiter.setResult(undefined);
  };
  try {
    yield* waiter;
  } catch (exc) {
    transport.close();
    yield* transport._wait();
    throw exc;
  }
  return transport;
}

function checkProtocolFactory(protocolFactory: unknown): void {
  if (typeof protocolFactory !== 'function') {
    throw new TypeError(
      `protocolFactory must be a function returning a SubprocessProtocol, not ${shortRepr(protocolFactory)}`,
    );
  }
}

/** The debug log of `_log_subprocess`. */
function logSubprocess(msg: string, plan: SpawnPlan): void {
  const { stdin, stdout, stderr } = plan.given;
  logger.debug(
    `${msg} stdin=${stdioName(stdin)} stdout=${stdioName(stdout)} stderr=${stdioName(stderr)}`,
  );
}

/**
 * Mirrors `loop.subprocess_exec(protocol_factory, program, *args, ...)`:
 * runs `program` with `args` (no shell) and connects its pipes to a
 * `SubprocessProtocol`. The stdio options default to `PIPE`, as asyncio's
 * low-level method does.
 *
 * @example
 * ```ts
 * class Collect extends SubprocessProtocol {
 *   out: Buffer[] = []; done = getRunningLoop().createFuture<void>();
 *   override pipeDataReceived(_fd: 1 | 2, data: Buffer) { this.out.push(data); }
 *   override connectionLost() { this.done.setResult(undefined); }
 * }
 * const [transport, protocol] = yield* subprocessExec(() => new Collect(), 'echo', ['hi'], { stdin: null });
 * yield* protocol.done;
 * transport.close();
 * ```
 */
export function* subprocessExec<P extends SubprocessProtocol>(
  protocolFactory: () => P,
  program: string,
  args: readonly string[] = [],
  options?: SubprocessOptions,
): Coroutine<[SubprocessTransport, P]> {
  return yield* spawnExec(protocolFactory, program, args, options, PIPE);
}

/**
 * @internal `subprocessExec` with the stdio default of the caller: `PIPE` for
 * `loop.subprocess_exec`, `null` (inherit) for `create_subprocess_exec`.
 */
export function* spawnExec<P extends SubprocessProtocol>(
  protocolFactory: () => P,
  program: string,
  args: readonly string[] | undefined,
  options: SubprocessOptions | undefined,
  dflt: typeof PIPE | null,
): Coroutine<[BaseSubprocessTransport, P]> {
  const loop = getRunningLoop();
  checkProtocolFactory(protocolFactory);
  const argv = execArgv(program, args);
  if ((options as { shell?: unknown } | undefined)?.shell)
    throw new ValueError('shell must be False');
  const plan = planSpawn(options, dflt, dflt === null);
  const protocol = protocolFactory();
  if (loop.getDebug()) logSubprocess(`execute program ${shortRepr(program)}`, plan);
  const transport = yield* makeSubprocessTransport(loop, protocol, argv, false, plan);
  if (loop.getDebug()) logger.debug(`execute program ${shortRepr(program)}: ${transport}`);
  return [transport, protocol];
}

/**
 * Mirrors `loop.subprocess_shell(protocol_factory, cmd, ...)`: runs `cmd`
 * with `/bin/sh -c`. The stdio options default to `PIPE`.
 *
 * @example
 * ```ts
 * const [transport] = yield* subprocessShell(() => new SubprocessProtocol(), 'exit 3', { stdin: null, stdout: null, stderr: null });
 * ```
 */
export function* subprocessShell<P extends SubprocessProtocol>(
  protocolFactory: () => P,
  cmd: string,
  options?: SubprocessOptions,
): Coroutine<[SubprocessTransport, P]> {
  return yield* spawnShell(protocolFactory, cmd, options, PIPE);
}

/** @internal `subprocessShell` with the caller's stdio default (see `spawnExec`). */
export function* spawnShell<P extends SubprocessProtocol>(
  protocolFactory: () => P,
  cmd: string,
  options: SubprocessOptions | undefined,
  dflt: typeof PIPE | null,
): Coroutine<[BaseSubprocessTransport, P]> {
  const loop = getRunningLoop();
  checkProtocolFactory(protocolFactory);
  checkShellCmd(cmd);
  const shell = (options as { shell?: unknown } | undefined)?.shell;
  if (shell !== undefined && !shell) throw new ValueError('shell must be True');
  const plan = planSpawn(options, dflt, dflt === null);
  const protocol = protocolFactory();
  if (loop.getDebug()) logSubprocess(`run shell command ${shortRepr(cmd)}`, plan);
  const transport = yield* makeSubprocessTransport(loop, protocol, [cmd], true, plan);
  if (loop.getDebug()) logger.debug(`run shell command ${shortRepr(cmd)}: ${transport}`);
  return [transport, protocol];
}

/** The argv of an exec, checked as `Popen` checks it. */
export function execArgv(program: unknown, args: unknown): string[] {
  if (args !== undefined && args !== null && !Array.isArray(args)) {
    throw new TypeError(
      `args must be an array of strings, not ${shortRepr(args)}${typeof args === 'string' ? `: pass [${JSON.stringify(args)}]` : ''}`,
    );
  }
  const argv = [checkArg(program, 'program')];
  for (const [i, a] of ((args ?? []) as unknown[]).entries()) argv.push(checkArg(a, `args[${i}]`));
  return argv;
}

/** Mirrors `subprocess_shell`'s "cmd must be a string". */
export function checkShellCmd(cmd: unknown): asserts cmd is string {
  if (typeof cmd !== 'string') throw new ValueError('cmd must be a string');
  if (cmd.includes('\0')) throw new ValueError('embedded null byte');
}
