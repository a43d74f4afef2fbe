/**
 * asyncio's high-level subprocess API (`subprocess.py`):
 * `createSubprocessExec` / `createSubprocessShell` and `Process`, whose
 * stdin is a `StreamWriter` and stdout / stderr are `StreamReader`s, all on
 * the subprocess transport.
 */
import {
  type Coroutine,
  type EventLoop,
  type Future,
  getRunningLoop,
  logger,
  ValueError,
} from '@x/loop';
import { gather } from '@x/tasks';
import { type BaseSubprocessTransport, spawnExec, spawnShell } from './base-subprocess.js';
import { BrokenPipeError, ConnectionResetError } from './errors.js';
import { checkBytes } from './pipe-transports.js';
import type { SubprocessOptions } from './stdio.js';
import { StreamReader, StreamReaderProtocol, StreamWriter } from './streams.js';
import type { BaseTransport, SubprocessTransport, Transport } from './transports.js';

/** `streams._DEFAULT_LIMIT`: 64 KiB. */
const DEFAULT_LIMIT = 2 ** 16;

/**
 * Mirrors `asyncio.subprocess.SubprocessStreamProtocol`: like
 * `StreamReaderProtocol` (whose flow control, `FlowControlMixin` in CPython,
 * it inherits for the stdin writer's `drain()`), for a child process.
 */
class SubprocessStreamProtocol extends StreamReaderProtocol {
  stdin: StreamWriter | null = null;
  stdout: StreamReader | null = null;
  stderr: StreamReader | null = null;
  readonly #limit: number;
  readonly #ownLoop: EventLoop;
  #transport: SubprocessTransport | null = null;
  #processExited = false;
  readonly #pipeFds: number[] = [];

  constructor(limit: number, loop: EventLoop) {
    super(null, null, loop);
    this.#limit = limit;
    this.#ownLoop = loop;
  }

  override toString(): string {
    const info = ['SubprocessStreamProtocol'];
    if (this.stdin !== null) info.push(`stdin=${String(this.stdin)}`);
    if (this.stdout !== null) info.push(`stdout=${String(this.stdout)}`);
    if (this.stderr !== null) info.push(`stderr=${String(this.stderr)}`);
    return `<${info.join(' ')}>`;
  }

  override connectionMade(transport: BaseTransport): void {
    const t = transport as SubprocessTransport;
    this.#transport = t;
    const stdoutTransport = t.getPipeTransport(1);
    if (stdoutTransport !== null) {
      this.stdout = new StreamReader({ limit: this.#limit, loop: this.#ownLoop });
      this.stdout.setTransport(stdoutTransport as Transport);
      this.#pipeFds.push(1);
    }
    const stderrTransport = t.getPipeTransport(2);
    if (stderrTransport !== null) {
      this.stderr = new StreamReader({ limit: this.#limit, loop: this.#ownLoop });
      this.stderr.setTransport(stderrTransport as Transport);
      this.#pipeFds.push(2);
    }
    const stdinTransport = t.getPipeTransport(0);
    if (stdinTransport !== null) {
      // The pipe is a WriteTransport: all a writer without a reader uses.
      this.stdin = new StreamWriter(stdinTransport as Transport, this, null, this.#ownLoop);
    }
  }

  pipeDataReceived(fd: 1 | 2, data: Buffer): void {
    const reader = fd === 1 ? this.stdout : fd === 2 ? this.stderr : null;
    reader?.feedData(data);
  }

  pipeConnectionLost(fd: 0 | 1 | 2, exc: unknown): void {
    if (fd === 0) {
      this.stdin?.close();
      // FlowControlMixin.connection_lost: wakes drain(), and settles what
      // stdin.waitClosed() waits on (CPython's _stdin_closed).
      this.connectionLost(exc);
      return;
    }
    const reader = fd === 1 ? this.stdout : fd === 2 ? this.stderr : null;
    if (reader !== null) {
      if (exc === null || exc === undefined) reader.feedEof();
      else reader.setException(exc);
    }
    const i = this.#pipeFds.indexOf(fd);
    if (i >= 0) this.#pipeFds.splice(i, 1);
    this.#maybeCloseTransport();
  }

  processExited(): void {
    this.#processExited = true;
    this.#maybeCloseTransport();
  }

  #maybeCloseTransport(): void {
    if (this.#pipeFds.length === 0 && this.#processExited && this.#transport !== null) {
      this.#transport.close();
      this.#transport = null;
    }
  }
}

/**
 * Mirrors `asyncio.subprocess.Process`: a child process started by
 * `createSubprocessExec` / `createSubprocessShell`.
 *
 * @example
 * ```ts
 * const proc = yield* createSubprocessExec('sort', [], { stdin: PIPE, stdout: PIPE });
 * const [out] = yield* proc.communicate(Buffer.from('b\na\n'));
 * console.log(out?.toString(), proc.returncode); // "a\nb\n" 0
 * ```
 */
export class Process {
  /** Mirrors `Process.pid`. */
  readonly pid: number;
  /** Mirrors `Process.stdin`: a `StreamWriter` with `stdin: PIPE`, else null. */
  readonly stdin: StreamWriter | null;
  /** Mirrors `Process.stdout`: a `StreamReader` with `stdout: PIPE`, else null. */
  readonly stdout: StreamReader | null;
  /** Mirrors `Process.stderr`: a `StreamReader` with `stderr: PIPE`, else null. */
  readonly stderr: StreamReader | null;
  readonly #transport: BaseSubprocessTransport;
  readonly #loop: EventLoop;

  /** @internal Made by `createSubprocessExec` / `createSubprocessShell`. */
  constructor(
    transport: BaseSubprocessTransport,
    protocol: SubprocessStreamProtocol,
    loop: EventLoop,
  ) {
    this.#transport = transport;
    this.#loop = loop;
    this.stdin = protocol.stdin;
    this.stdout = protocol.stdout;
    this.stderr = protocol.stderr;
    this.pid = transport.getPid();
  }

  /** Mirrors `repr(process)`: `<Process 1234>`. */
  toString(): string {
    return `<Process ${this.pid}>`;
  }

  /** Mirrors `Process.returncode`: null while running; -N when killed by signal N. */
  get returncode(): number | null {
    return this.#transport.getReturncode();
  }

  /**
   * Mirrors `wait()`: the return code, once the child exited and its pipes
   * are closed. Cancelling it does not kill the child.
   */
  *wait(): Coroutine<number> {
    return yield* this.#transport._wait();
  }

  /** Mirrors `send_signal(signal)`: `ProcessLookupError` once the process is finished. */
  sendSignal(signal: NodeJS.Signals | number): void {
    this.#transport.sendSignal(signal);
  }

  /** Mirrors `terminate()`: SIGTERM. */
  terminate(): void {
    this.#transport.terminate();
  }

  /** Mirrors `kill()`: SIGKILL. */
  kill(): void {
    this.#transport.kill();
  }

  *#feedStdin(input: Uint8Array | null): Coroutine<void> {
    const debug = this.#loop.getDebug();
    const stdin = this.stdin as StreamWriter;
    if (input !== null) {
      stdin.write(input);
      if (debug) logger.debug(`${this} communicate: feed stdin (${input.length} bytes)`);
    }
    try {
      yield* stdin.drain();
    } catch (exc) {
      // communicate() ignores BrokenPipeError and ConnectionResetError
      if (!(exc instanceof BrokenPipeError || exc instanceof ConnectionResetError)) throw exc;
      if (debug) logger.debug(`${this} communicate: stdin got ${String(exc)}`);
    }
    if (debug) logger.debug(`${this} communicate: close stdin`);
    stdin.close();
  }

  *#readStream(fd: 1 | 2): Coroutine<Buffer> {
    const transport = this.#transport.getPipeTransport(fd) as BaseTransport;
    const stream = (fd === 2 ? this.stderr : this.stdout) as StreamReader;
    const name = fd === 1 ? 'stdout' : 'stderr';
    if (this.#loop.getDebug()) logger.debug(`${this} communicate: read ${name}`);
    const output = yield* stream.read();
    if (this.#loop.getDebug()) logger.debug(`${this} communicate: close ${name}`);
    transport.close();
    return output;
  }

  /**
   * Mirrors `communicate(input=None)`: writes `input` to stdin (errors of a
   * child that stopped reading are ignored) and closes it, reads stdout and
   * stderr to EOF concurrently (so no pipe can fill up and deadlock), waits
   * for the exit, and returns `[stdout, stderr]` (null for a stream that is
   * not `PIPE`). Cancelling it does not kill the child.
   */
  *communicate(input: Uint8Array | null = null): Coroutine<[Buffer | null, Buffer | null]> {
    if (input !== null && input !== undefined) {
      checkBytes(input, 'input');
      if (this.stdin === null) {
        throw new ValueError(
          'communicate(input) needs a process started with stdin: PIPE: otherwise the input would be lost',
        );
      }
    }
    // CPython gathers a `_noop()` coroutine for a stream that is not PIPE; a Future
    // already done gives gather() the same null without a task to run.
    const none = (): Future<null> => {
      const f = this.#loop.createFuture<null>();
      f.setResult(null);
      return f;
    };
    const stdin = this.stdin !== null ? this.#feedStdin(input ?? null) : none();
    const stdout = this.stdout !== null ? this.#readStream(1) : none();
    const stderr = this.stderr !== null ? this.#readStream(2) : none();
    const [, out, err] = yield* gather([stdin, stdout, stderr]) as Future<
      [unknown, Buffer | null, Buffer | null]
    >;
    yield* this.wait();
    return [out, err];
  }
}

function checkLimit(options: SubprocessOptions | undefined): number {
  const limit = options?.limit;
  return limit === undefined ? DEFAULT_LIMIT : limit;
}

/**
 * Mirrors `asyncio.create_subprocess_exec(program, *args, stdin=None,
 * stdout=None, stderr=None, limit=..., **kwds)`: runs `program` with `args`
 * (no shell). Each stdio option defaults to `null` (inherit, as `None`);
 * `PIPE` gives the `Process` a stream for it.
 *
 * @example
 * ```ts
 * const proc = yield* createSubprocessExec('python3', ['-c', 'print(6 * 7)'], { stdout: PIPE });
 * const [out] = yield* proc.communicate();
 * console.log(out?.toString().trim(), proc.returncode); // 42 0
 * ```
 */
export function* createSubprocessExec(
  program: string,
  args: readonly string[] = [],
  options?: SubprocessOptions,
): Coroutine<Process> {
  const loop = getRunningLoop();
  const limit = checkLimit(options);
  const [transport, protocol] = yield* spawnExec(
    () => new SubprocessStreamProtocol(limit, loop),
    program,
    args,
    options,
    null,
  );
  return new Process(transport, protocol, loop);
}

/**
 * Mirrors `asyncio.create_subprocess_shell(cmd, stdin=None, stdout=None,
 * stderr=None, limit=..., **kwds)`: runs `cmd` with `/bin/sh -c`. Quote
 * what you interpolate into `cmd` (the shell interprets it).
 *
 * @example
 * ```ts
 * const proc = yield* createSubprocessShell('ls | wc -l', { stdout: PIPE });
 * const [out] = yield* proc.communicate();
 * ```
 */
export function* createSubprocessShell(
  cmd: string,
  options?: SubprocessOptions,
): Coroutine<Process> {
  const loop = getRunningLoop();
  const limit = checkLimit(options);
  const [transport, protocol] = yield* spawnShell(
    () => new SubprocessStreamProtocol(limit, loop),
    cmd,
    options,
    null,
  );
  return new Process(transport, protocol, loop);
}
