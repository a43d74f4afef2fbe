// The subprocess transport (loop.subprocess_exec / subprocess_shell), with real child
// processes. Ported where they apply from CPython 3.14's test_subprocess.py
// (SubprocessTransportTests and the transport-level tests of SubprocessMixin).

// Child processes and Python start slowly on a loaded 2-core machine: each describe has a
// generous timeout (60 s); nothing here waits for a fixed time to pass.
import {
  BrokenPipeError,
  DEVNULL,
  FileNotFoundError,
  PermissionError,
  PIPE,
  ProcessLookupError,
  STDOUT,
  SubprocessProtocol,
  type SubprocessTransport,
  subprocessExec,
  subprocessShell,
} from '@x/io';
import {
  CancelledError,
  type Coroutine,
  type EventLoop,
  type ExceptionContext,
  type Future,
  getRunningLoop,
  logger,
  OSError,
  ValueError,
} from '@x/loop';
import { createTask, sleep, waitFor } from '@x/tasks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { closeLoop, recordingLoop } from './net-helpers.js';

const PY = 'python3';
const PROGRAM_BLOCKED = ['-c', 'import time; time.sleep(3600)'];

let loop: EventLoop;
let errors: ExceptionContext[];

beforeEach(() => {
  ({ loop, errors } = recordingLoop());
});

afterEach(() => closeLoop(loop));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Records every protocol event, in order; `done` resolves at connectionLost. */
class Recorder extends SubprocessProtocol {
  events: unknown[] = [];
  data: Record<number, Buffer[]> = { 1: [], 2: [] };
  transport: SubprocessTransport | null = null;
  done: Future<void>;
  exited: Future<void>;
  constructor() {
    super();
    this.done = getRunningLoop().createFuture<void>();
    this.exited = getRunningLoop().createFuture<void>();
  }
  override connectionMade(t: SubprocessTransport): void {
    this.transport = t;
    this.events.push('connectionMade');
  }
  override pipeDataReceived(fd: 1 | 2, data: Buffer): void {
    this.data[fd].push(data);
    if (this.events.at(-1) !== `data${fd}`) this.events.push(`data${fd}`);
  }
  override pipeConnectionLost(fd: 0 | 1 | 2, exc: unknown): void {
    this.events.push(['pipeConnectionLost', fd, exc]);
  }
  override processExited(): void {
    this.events.push('processExited');
    this.exited.setResult(undefined);
  }
  override connectionLost(exc: unknown): void {
    this.events.push(['connectionLost', exc]);
    this.done.setResult(undefined);
  }
  out(fd: 1 | 2): string {
    return Buffer.concat(this.data[fd]).toString();
  }
}

describe('SubprocessTransportTests', { timeout: 60_000 }, () => {
  test('test_proc_exited: events, returncode, then ProcessLookupError', async () => {
    function* main(): Coroutine<[SubprocessTransport, Recorder]> {
      const [t, p] = yield* subprocessExec(
        () => new Recorder(),
        PY,
        ['-c', 'import sys; sys.exit(6)'],
        {
          stdin: null,
          stdout: null,
          stderr: null,
        },
      );
      yield* p.done;
      return [t, p];
    }
    const [transport, protocol] = await loop.runUntilComplete(main());
    expect(transport.getReturncode()).toBe(6);
    expect(protocol.events).toEqual(['connectionMade', 'processExited', ['connectionLost', null]]);
    expect(transport.isClosing()).toBe(false);
    // methods must raise ProcessLookupError if the process exited
    expect(() => transport.sendSignal('SIGTERM')).toThrow(ProcessLookupError);
    expect(() => transport.terminate()).toThrow(ProcessLookupError);
    expect(() => transport.kill()).toThrow(ProcessLookupError);
    transport.close();
    expect(transport.isClosing()).toBe(true);
  });

  test('test_subprocess_repr', async () => {
    function* main(): Coroutine<string[]> {
      const [t, p] = yield* subprocessExec(() => new Recorder(), PY, PROGRAM_BLOCKED, {
        stdin: PIPE,
        stdout: null,
        stderr: null,
      });
      const running = String(t);
      t.kill();
      yield* p.done;
      const exited = String(t);
      t.close();
      return [running, exited, String(t), String(t.getPid())];
    }
    const [running, exited, closed, pid] = await loop.runUntilComplete(main());
    expect(running).toMatch(
      new RegExp(`^<BaseSubprocessTransport pid=${pid} running stdin=<WritePipeTransport`),
    );
    expect(exited).toMatch(new RegExp(`^<BaseSubprocessTransport pid=${pid} returncode=-9 stdin=`));
    expect(closed).toMatch(/^<BaseSubprocessTransport closed pid=\d+ returncode=-9/);
  });
});

describe('SubprocessMixin (transport level)', { timeout: 60_000 }, () => {
  test('test_subprocess_protocol_events: every event, pipe events in order per fd', async () => {
    function* main(): Coroutine<Recorder> {
      const code = 'import sys; sys.stdout.write("stdout"); sys.stderr.write("stderr")';
      const [t, p] = yield* subprocessExec(() => new Recorder(), PY, ['-c', code], { stdin: null });
      yield* p.done;
      t.close();
      return p;
    }
    const p = await loop.runUntilComplete(main());
    expect(p.out(1)).toBe('stdout');
    expect(p.out(2)).toBe('stderr');
    const names = p.events.map((e) => (Array.isArray(e) ? `${e[0]}${e[1] ?? ''}` : e));
    expect(names[0]).toBe('connectionMade');
    expect(names.at(-1)).toBe('connectionLost');
    for (const fd of [1, 2]) {
      expect(names.indexOf(`data${fd}`)).toBeLessThan(names.indexOf(`pipeConnectionLost${fd}`));
    }
    expect(names).toContain('processExited');
  });

  test('test_close_kill_running', async () => {
    function* main(): Coroutine<[number | null, number, boolean]> {
      const [t] = yield* subprocessExec(() => new SubprocessProtocol(), PY, PROGRAM_BLOCKED);
      const returncode = t.getReturncode();
      const pid = t.getPid();
      const saved = logger.warning;
      t.close();
      const rc = yield* waitFor((t as unknown as { _wait(): Coroutine<number> })._wait(), 30);
      logger.warning = saved;
      return [returncode, rc, alive(pid)];
    }
    const [before, rc, stillAlive] = await loop.runUntilComplete(main());
    expect(before).toBeNull();
    // transport.close() must kill the process if it is still running
    expect(rc).toBe(-9);
    expect(stillAlive).toBe(false);
  });

  test('test_close_dont_kill_finished', async () => {
    function* main(): Coroutine<[number | null, boolean, number]> {
      const [t, p] = yield* subprocessExec(() => new Recorder(), PY, ['-c', 'pass'], {
        stdin: null,
        stdout: null,
        stderr: null,
      });
      const proc = t.getExtraInfo('subprocess') as import('node:child_process').ChildProcess;
      let transportRc: number | null = -1;
      let killed = false;
      // The child has exited (Node reaped it) but the transport is not told yet:
      // close() now must not kill anything.
      proc.once('exit', () => {
        transportRc = t.getReturncode();
        const kill = process.kill;
        process.kill = ((...a: Parameters<typeof process.kill>) => {
          killed = true;
          return kill(...a);
        }) as typeof process.kill;
        try {
          t.close();
        } finally {
          process.kill = kill;
        }
      });
      yield* p.done;
      return [transportRc, killed, t.getReturncode() as number];
    }
    const [before, killed, after] = await loop.runUntilComplete(main());
    expect(before).toBeNull();
    // transport.close() must not kill the process if it finished, even if
    // the transport was not notified yet
    expect(killed).toBe(false);
    expect(after).toBe(0);
  });

  test('test_cancel_post_init: cancelled while connecting, the child is killed and waited for', async () => {
    let transport: SubprocessTransport | null = null;
    class P extends SubprocessProtocol {
      override connectionMade(t: SubprocessTransport): void {
        transport = t;
      }
    }
    function* main(): Coroutine<void> {
      const task = createTask(subprocessExec(() => new P(), PY, PROGRAM_BLOCKED));
      getRunningLoop().callSoon(() => task.cancel());
      yield* expectCancelled(task);
    }
    await loop.runUntilComplete(main());
    // As in CPython, connectionMade still ran; the transport was closed, which killed the child.
    const t = transport as unknown as SubprocessTransport;
    expect(t.isClosing()).toBe(true);
    expect(t.getReturncode()).toBe(-9);
    expect(alive(t.getPid())).toBe(false);
    expect(errors).toEqual([]);
  });

  test('test_popen_error: a missing program is FileNotFoundError', async () => {
    function* main(): Coroutine<unknown> {
      try {
        yield* subprocessExec(() => new SubprocessProtocol(), '/nonexistent/program', ['a']);
      } catch (e) {
        return e;
      }
      return null;
    }
    const e = (await loop.runUntilComplete(main())) as OSError;
    expect(e).toBeInstanceOf(FileNotFoundError);
    expect(e).toBeInstanceOf(OSError);
    expect(e.errno).toBe(2);
    expect(e.message).toBe("[Errno 2] No such file or directory: '/nonexistent/program'");
    expect(await activeChildren()).toBe(0);
  });

  test('a directory as program is PermissionError; a missing cwd is named', async () => {
    function* main(): Coroutine<unknown[]> {
      const out: unknown[] = [];
      for (const [prog, opts] of [
        ['/tmp', {}],
        ['ls', { cwd: '/nonexistent-dir' }],
      ] as const) {
        try {
          yield* subprocessExec(() => new SubprocessProtocol(), prog, [], opts);
        } catch (e) {
          out.push(e);
        }
      }
      return out;
    }
    const [a, b] = (await loop.runUntilComplete(main())) as OSError[];
    expect(a).toBeInstanceOf(PermissionError);
    expect(a.message).toBe("[Errno 13] Permission denied: '/tmp'");
    expect(b).toBeInstanceOf(FileNotFoundError);
    expect(b.message).toBe("[Errno 2] No such file or directory: '/nonexistent-dir'");
  });

  test('stderr=STDOUT merges both into one pipe, in write order', async () => {
    function* main(): Coroutine<Recorder> {
      const code = [
        'import sys',
        'for i in range(50):',
        '    sys.stdout.write(f"o{i} "); sys.stdout.flush()',
        '    sys.stderr.write(f"e{i} "); sys.stderr.flush()',
      ].join('\n');
      const [t, p] = yield* subprocessExec(() => new Recorder(), PY, ['-c', code], {
        stdin: DEVNULL,
        stdout: PIPE,
        stderr: STDOUT,
      });
      expect(t.getPipeTransport(2)).toBeNull();
      expect(t.getPipeTransport(1)).not.toBeNull();
      yield* p.done;
      t.close();
      return p;
    }
    const p = await loop.runUntilComplete(main());
    const expected = Array.from({ length: 50 }, (_, i) => `o${i} e${i} `).join('');
    expect(p.out(1)).toBe(expected);
    expect(p.data[2]).toEqual([]);
  });

  test('subprocessShell runs /bin/sh -c; its options are checked as CPython checks them', async () => {
    function* main(): Coroutine<number | null> {
      const [t, p] = yield* subprocessShell(() => new Recorder(), 'exit 7', {
        stdin: null,
        stdout: null,
        stderr: null,
      });
      yield* p.done;
      return t.getReturncode();
    }
    expect(await loop.runUntilComplete(main())).toBe(7);
    function* bad(f: () => Coroutine<unknown>): Coroutine<unknown> {
      try {
        yield* f();
      } catch (e) {
        return e;
      }
      return null;
    }
    const mk = () => new SubprocessProtocol();
    const cases: Array<[() => Coroutine<unknown>, unknown, string]> = [
      [() => subprocessShell(mk, 42 as unknown as string), ValueError, 'cmd must be a string'],
      [
        () => subprocessShell(mk, 'true', { shell: false } as object),
        ValueError,
        'shell must be True',
      ],
      [
        () => subprocessExec(mk, PY, [], { shell: true } as object),
        ValueError,
        'shell must be False',
      ],
      [
        () => subprocessExec(mk, PY, [], { text: true } as object),
        ValueError,
        'text must be False',
      ],
      [
        () => subprocessExec(mk, PY, [], { encoding: 'utf-8' } as object),
        ValueError,
        'encoding must be None',
      ],
      [
        () => subprocessExec(mk, PY, [], { errors: 'strict' } as object),
        ValueError,
        'errors must be None',
      ],
      [
        () => subprocessExec(mk, PY, [], { universalNewlines: true } as object),
        ValueError,
        'universal_newlines must be False',
      ],
      [() => subprocessExec(mk, PY, [], { bufsize: 1 } as object), ValueError, 'bufsize must be 0'],
      [
        () => subprocessExec(mk, PY, [3 as unknown as string]),
        TypeError,
        'expected str, bytes or os.PathLike object, not int',
      ],
      [
        () => subprocessExec(mk, PY, '-c' as unknown as string[]),
        TypeError,
        'args must be an array of strings',
      ],
      [() => subprocessExec(mk, 'ls', ['a\0b']), ValueError, 'embedded null byte'],
      [
        () => subprocessExec(mk, PY, [], { stdout: STDOUT } as object),
        ValueError,
        'STDOUT can only be used for stderr',
      ],
      [
        () => subprocessExec(mk, PY, [], { stdin: 'pipe' } as object),
        TypeError,
        "stdin must be PIPE, DEVNULL, a file descriptor number, 'inherit' or null",
      ],
      [
        () => subprocessExec(mk, PY, [], { stdin: -1 }),
        ValueError,
        'stdin must be a file descriptor',
      ],
      [
        () => subprocessExec(mk, PY, [], { preexecFn: () => {} } as object),
        TypeError,
        "unexpected subprocess option 'preexecFn'",
      ],
      [
        () => subprocessExec(mk, PY, [], { processGroup: 5 }),
        ValueError,
        'processGroup 5 is not supported',
      ],
      [
        () => subprocessExec(mk, PY, [], { limit: 10 }),
        TypeError,
        'limit is an option of createSubprocessExec',
      ],
      [
        () => subprocessExec(mk, PY, [], { env: { A: 1 } } as object),
        TypeError,
        "env['A'] must be a string",
      ],
      [
        () => subprocessExec('nope' as unknown as () => SubprocessProtocol, PY),
        TypeError,
        'protocolFactory must be a function',
      ],
    ];
    for (const [f, cls, msg] of cases) {
      const e = (await loop.runUntilComplete(bad(f))) as Error;
      expect(e, msg).toBeInstanceOf(cls as new () => Error);
      expect(e.message).toContain(msg);
    }
    expect(await activeChildren()).toBe(0);
    // The loop is still usable.
    expect(await loop.runUntilComplete(main())).toBe(7);
  });

  test('sendSignal checks its signal as os.kill does', async () => {
    function* main(): Coroutine<unknown[]> {
      const [t, p] = yield* subprocessExec(() => new Recorder(), PY, PROGRAM_BLOCKED, {
        stdin: null,
        stdout: null,
        stderr: null,
      });
      const out: unknown[] = [];
      for (const sig of ['SIGFOO', 99, 1.5, null]) {
        try {
          t.sendSignal(sig as NodeJS.Signals);
        } catch (e) {
          out.push(e);
        }
      }
      t.sendSignal(0); // existence check: nothing happens
      t.sendSignal('SIGTERM');
      yield* p.done;
      out.push(t.getReturncode());
      return out;
    }
    const [a, b, c, d, rc] = await loop.runUntilComplete(main());
    expect(a).toBeInstanceOf(ValueError);
    expect(b).toBeInstanceOf(OSError);
    expect((b as OSError).errno).toBe(22);
    expect(c).toBeInstanceOf(TypeError);
    expect(d).toBeInstanceOf(TypeError);
    expect(rc).toBe(-15);
  });

  test('a protocol callback that throws goes to the exception handler; the loop goes on', async () => {
    class Bad extends Recorder {
      override pipeDataReceived(): void {
        throw new Error('boom');
      }
    }
    function* main(): Coroutine<number | null> {
      const [t, p] = yield* subprocessExec(() => new Bad(), 'echo', ['hi'], { stdin: null });
      yield* p.done;
      t.close();
      return t.getReturncode();
    }
    expect(await loop.runUntilComplete(main())).toBe(0);
    expect(errors.length).toBe(1);
    expect((errors[0].exception as Error).message).toBe('boom');
  });
});

// test_events.py's helper programs (echo.py, echo2.py, echo3.py), inline.
const ECHO = [
  '-c',
  'import os\nwhile True:\n    buf = os.read(0, 1024)\n    if not buf:\n        break\n    os.write(1, buf)',
];
const ECHO2 = [
  '-c',
  "import os\nbuf = os.read(0, 1024)\nos.write(1, b'OUT:'+buf)\nos.write(2, b'ERR:'+buf)",
];
const ECHO3 = [
  '-c',
  "import os\nwhile True:\n    buf = os.read(0, 1024)\n    if not buf:\n        break\n    try:\n        os.write(1, b'OUT:'+buf)\n    except OSError as ex:\n        os.write(2, b'ERR:' + ex.__class__.__name__.encode('ascii'))",
];

/** test_events.MySubprocessProtocol. */
class MySubprocessProtocol extends SubprocessProtocol {
  state = 'INITIAL';
  transport: SubprocessTransport | null = null;
  connected: Future<void>;
  completed: Future<void>;
  disconnects: Record<number, Future<unknown>>;
  data: Record<number, Buffer> = { 1: Buffer.alloc(0), 2: Buffer.alloc(0) };
  gotData: Record<number, Future<void>>;
  returncode: number | null = null;
  constructor() {
    super();
    const l = getRunningLoop();
    this.connected = l.createFuture();
    this.completed = l.createFuture();
    this.disconnects = { 0: l.createFuture(), 1: l.createFuture(), 2: l.createFuture() };
    this.gotData = { 1: l.createFuture(), 2: l.createFuture() };
  }
  override connectionMade(t: SubprocessTransport): void {
    this.transport = t;
    expect(this.state).toBe('INITIAL');
    this.state = 'CONNECTED';
    this.connected.setResult(undefined);
  }
  override connectionLost(): void {
    expect(this.state).toBe('CONNECTED');
    this.state = 'CLOSED';
    this.completed.setResult(undefined);
  }
  override pipeDataReceived(fd: 1 | 2, data: Buffer): void {
    expect(this.state).toBe('CONNECTED');
    this.data[fd] = Buffer.concat([this.data[fd], data]);
    if (!this.gotData[fd].done()) this.gotData[fd].setResult(undefined);
  }
  override pipeConnectionLost(fd: 0 | 1 | 2, exc: unknown): void {
    expect(this.state).toBe('CONNECTED');
    this.disconnects[fd].setResult(exc);
  }
  override processExited(): void {
    expect(this.state).toBe('CONNECTED');
    this.returncode = (this.transport as SubprocessTransport).getReturncode();
  }
  /** A fresh got_data event for `fd` (Event.clear()). */
  clear(fd: 1 | 2): void {
    this.gotData[fd] = getRunningLoop().createFuture();
  }
}

type W = { write(d: Uint8Array): void; close(): void };

describe('SubprocessTestsMixin (test_events.py)', { timeout: 60_000 }, () => {
  const quiet = () => {
    const saved = logger.warning;
    logger.warning = () => {};
    return () => {
      logger.warning = saved;
    };
  };

  test('test_subprocess_exec', async () => {
    function* main(): Coroutine<MySubprocessProtocol> {
      const [transp, proto] = yield* subprocessExec(() => new MySubprocessProtocol(), PY, ECHO);
      yield* proto.connected;
      expect(proto.state).toBe('CONNECTED');
      (transp.getPipeTransport(0) as unknown as W).write(Buffer.from('Python The Winner'));
      yield* proto.gotData[1];
      const restore = quiet();
      transp.close();
      restore();
      yield* proto.completed;
      return proto;
    }
    const proto = await loop.runUntilComplete(main());
    expect(proto.returncode).toBe(-9); // check_killed
    expect(proto.data[1].toString()).toBe('Python The Winner');
  });

  test('test_subprocess_interactive', async () => {
    function* main(): Coroutine<MySubprocessProtocol> {
      const [transp, proto] = yield* subprocessExec(() => new MySubprocessProtocol(), PY, ECHO);
      yield* proto.connected;
      const stdin = transp.getPipeTransport(0) as unknown as W;
      stdin.write(Buffer.from('Python '));
      yield* proto.gotData[1];
      proto.clear(1);
      expect(proto.data[1].toString()).toBe('Python ');
      stdin.write(Buffer.from('The Winner'));
      yield* proto.gotData[1];
      expect(proto.data[1].toString()).toBe('Python The Winner');
      transp.close();
      yield* proto.completed;
      return proto;
    }
    expect((await loop.runUntilComplete(main())).returncode).toBe(-9);
  });

  test('test_subprocess_shell', async () => {
    function* main(): Coroutine<[MySubprocessProtocol, boolean]> {
      const [transp, proto] = yield* subprocessShell(
        () => new MySubprocessProtocol(),
        'echo Python',
      );
      yield* proto.connected;
      transp.getPipeTransport(0)?.close();
      yield* proto.completed;
      const all = [0, 1, 2].every((fd) => proto.disconnects[fd].done());
      transp.close();
      return [proto, all];
    }
    const [proto, all] = await loop.runUntilComplete(main());
    expect(proto.returncode).toBe(0);
    expect(all).toBe(true);
    expect(proto.data[1].toString().trimEnd()).toBe('Python');
    expect(proto.data[2].length).toBe(0);
  });

  test('test_subprocess_exitcode / test_subprocess_close_after_finish / test_subprocess_wait_no_same_group', async () => {
    function* main(startNewSession: boolean): Coroutine<[MySubprocessProtocol, unknown[]]> {
      const [transp, proto] = yield* subprocessShell(() => new MySubprocessProtocol(), 'exit 7', {
        stdin: null,
        stdout: null,
        stderr: null,
        startNewSession,
      });
      const pipes = [0, 1, 2].map((fd) => transp.getPipeTransport(fd as 0 | 1 | 2));
      yield* proto.completed;
      expect(transp.close()).toBeUndefined();
      return [proto, pipes];
    }
    for (const session of [false, true]) {
      const [proto, pipes] = await loop.runUntilComplete(main(session));
      expect(proto.returncode).toBe(7);
      expect(pipes).toEqual([null, null, null]);
    }
  });

  test('test_subprocess_kill / test_subprocess_terminate / test_subprocess_send_signal', async () => {
    function* main(act: (t: SubprocessTransport) => void): Coroutine<number | null> {
      const [transp, proto] = yield* subprocessExec(() => new MySubprocessProtocol(), PY, [
        '-c',
        'import signal, os; signal.signal(signal.SIGHUP, signal.SIG_DFL); os.read(0, 1)',
      ]);
      yield* proto.connected;
      act(transp);
      yield* proto.completed;
      transp.close();
      return proto.returncode;
    }
    expect(await loop.runUntilComplete(main((t) => t.kill()))).toBe(-9);
    expect(await loop.runUntilComplete(main((t) => t.terminate()))).toBe(-15);
    expect(await loop.runUntilComplete(main((t) => t.sendSignal('SIGHUP')))).toBe(-1);
  });

  test('test_subprocess_stderr', async () => {
    function* main(): Coroutine<MySubprocessProtocol> {
      const [transp, proto] = yield* subprocessExec(() => new MySubprocessProtocol(), PY, ECHO2);
      yield* proto.connected;
      (transp.getPipeTransport(0) as unknown as W).write(Buffer.from('test'));
      yield* proto.completed;
      transp.close();
      return proto;
    }
    const proto = await loop.runUntilComplete(main());
    expect(proto.data[1].toString()).toBe('OUT:test');
    expect(proto.data[2].toString().startsWith('ERR:test')).toBe(true);
    expect(proto.returncode).toBe(0);
  });

  test('test_subprocess_stderr_redirect_to_stdout', async () => {
    function* main(): Coroutine<[MySubprocessProtocol, boolean, boolean]> {
      const [transp, proto] = yield* subprocessExec(() => new MySubprocessProtocol(), PY, ECHO2, {
        stderr: STDOUT,
      });
      yield* proto.connected;
      const has1 = transp.getPipeTransport(1) !== null;
      const has2 = transp.getPipeTransport(2) !== null;
      (transp.getPipeTransport(0) as unknown as W).write(Buffer.from('test'));
      yield* proto.completed;
      transp.close();
      return [proto, has1, has2];
    }
    const [proto, has1, has2] = await loop.runUntilComplete(main());
    expect([has1, has2]).toEqual([true, false]);
    expect(proto.data[1].toString().startsWith('OUT:testERR:test')).toBe(true);
    expect(proto.data[2].length).toBe(0);
    expect(proto.returncode).toBe(0);
  });

  test('test_subprocess_close_client_stream', async () => {
    function* main(): Coroutine<MySubprocessProtocol> {
      const [transp, proto] = yield* subprocessExec(() => new MySubprocessProtocol(), PY, ECHO3);
      yield* proto.connected;
      const stdin = transp.getPipeTransport(0) as unknown as W;
      const stdout = transp.getPipeTransport(1) as unknown as W;
      stdin.write(Buffer.from('test'));
      yield* proto.gotData[1];
      expect(proto.data[1].toString()).toBe('OUT:test');
      stdout.close();
      yield* proto.disconnects[1];
      stdin.write(Buffer.from('xxx'));
      yield* proto.gotData[2];
      expect(proto.data[2].toString()).toBe('ERR:BrokenPipeError');
      const restore = quiet();
      transp.close();
      restore();
      yield* proto.completed;
      return proto;
    }
    expect((await loop.runUntilComplete(main())).returncode).toBe(-9);
  });

  test("stdin's flow control: limits as CPython's, pauseWriting() inside write(), resumeWriting() once flushed", async () => {
    const calls: string[] = [];
    class P extends MySubprocessProtocol {
      override pauseWriting(): void {
        calls.push('pause');
      }
      override resumeWriting(): void {
        calls.push('resume');
      }
    }
    function* main(): Coroutine<unknown[]> {
      const [transp, proto] = yield* subprocessExec(() => new P(), PY, ECHO);
      yield* proto.connected;
      const stdin = transp.getPipeTransport(0) as unknown as W & {
        getWriteBufferLimits(): [number, number];
        setWriteBufferLimits(high?: number, low?: number): void;
        getWriteBufferSize(): number;
      };
      const out: unknown[] = [stdin.getWriteBufferLimits()];
      try {
        stdin.setWriteBufferLimits(10, 20);
      } catch (e) {
        out.push(e);
      }
      stdin.setWriteBufferLimits(0);
      out.push(stdin.getWriteBufferLimits());
      stdin.write(Buffer.from('abc'));
      out.push([...calls]); // paused synchronously
      while (calls.length < 2) yield* sleep(0.005);
      out.push(stdin.getWriteBufferSize());
      yield* proto.gotData[1];
      transp.close();
      yield* proto.completed;
      return out;
    }
    const [limits, err, zero, during, size] = await loop.runUntilComplete(main());
    expect(limits).toEqual([16384, 65536]);
    expect(err).toBeInstanceOf(ValueError);
    expect((err as Error).message).toBe('high (10) must be >= low (20) must be >= 0');
    expect(zero).toEqual([0, 0]);
    expect(during).toEqual(['pause']);
    expect(calls).toEqual(['pause', 'resume']);
    expect(size).toBe(0);
  });

  test('test_subprocess_exec_invalid_args / test_subprocess_shell_invalid_args', async () => {
    const mk = () => new SubprocessProtocol();
    function* bad(f: () => Coroutine<unknown>): Coroutine<unknown> {
      try {
        yield* f();
      } catch (e) {
        return e;
      }
      return null;
    }
    for (const f of [
      () => subprocessExec(mk, 'pwd', [], { universalNewlines: true } as object),
      () => subprocessExec(mk, 'pwd', [], { bufsize: 4096 } as object),
      () => subprocessExec(mk, 'pwd', [], { shell: true } as object),
      () => subprocessShell(mk, ['ls', '-l'] as unknown as string),
      () => subprocessShell(mk, 'pwd', { universalNewlines: true } as object),
      () => subprocessShell(mk, 'pwd', { bufsize: 4096 } as object),
      () => subprocessShell(mk, 'pwd', { shell: false } as object),
    ]) {
      expect(await loop.runUntilComplete(bad(f))).toBeInstanceOf(ValueError);
    }
  });
});

describe('UnixReadPipeTransportTests / UnixWritePipeTransportTests (through getPipeTransport)', {
  timeout: 60_000,
}, () => {
  type RP = {
    isReading(): boolean;
    pauseReading(): void;
    resumeReading(): void;
    isClosing(): boolean;
    close(): void;
    getExtraInfo(n: string): unknown;
  };
  type WP = W & {
    isClosing(): boolean;
    abort(): void;
    canWriteEof(): boolean;
    writeEof(): void;
    writelines(d: Iterable<Uint8Array>): void;
    getWriteBufferSize(): number;
  };

  test('read pipe: pause_reading / resume_reading / is_reading, data held while paused, close', async () => {
    function* main(): Coroutine<unknown[]> {
      const [transp, proto] = yield* subprocessExec(() => new MySubprocessProtocol(), PY, ECHO);
      yield* proto.connected;
      const stdout = transp.getPipeTransport(1) as unknown as RP;
      const stdin = transp.getPipeTransport(0) as unknown as WP;
      const out: unknown[] = [stdout.isReading(), stdout.getExtraInfo('pipe') !== null];
      stdout.pauseReading();
      stdout.pauseReading(); // a second pause does nothing
      out.push(stdout.isReading());
      stdin.write(Buffer.from('held'));
      yield* sleep(0.3); // the child answered meanwhile: nothing is delivered while paused
      out.push(proto.data[1].length);
      stdout.resumeReading();
      out.push(stdout.isReading());
      yield* proto.gotData[1];
      out.push(proto.data[1].toString());
      stdout.close();
      out.push(stdout.isClosing(), stdout.isReading());
      out.push(yield* proto.disconnects[1]);
      transp.close();
      yield* proto.completed;
      return out;
    }
    expect(await loop.runUntilComplete(main())).toEqual([
      true,
      true,
      false,
      0,
      true,
      'held',
      true,
      false,
      null,
    ]);
  });

  test('write pipe: bytes-like only, empty writes, writelines, can_write_eof, write_eof, abort', async () => {
    function* main(): Coroutine<unknown[]> {
      const [transp, proto] = yield* subprocessExec(() => new MySubprocessProtocol(), PY, ECHO);
      yield* proto.connected;
      const stdin = transp.getPipeTransport(0) as unknown as WP;
      const out: unknown[] = [];
      try {
        stdin.write('text' as unknown as Uint8Array);
      } catch (e) {
        out.push(e instanceof TypeError && (e as Error).message);
      }
      stdin.write(Buffer.alloc(0));
      out.push(stdin.getWriteBufferSize(), stdin.canWriteEof());
      stdin.writelines([Buffer.from('a'), new Uint8Array([98]), Buffer.from('c')]);
      yield* proto.gotData[1];
      while (proto.data[1].length < 3) yield* sleep(0.005);
      out.push(proto.data[1].toString());
      stdin.writeEof();
      out.push(stdin.isClosing());
      out.push(yield* proto.disconnects[0]); // the pipe closed cleanly
      yield* proto.completed; // EOF on its stdin: echo.py exits
      out.push(proto.returncode);
      return out;
    }
    expect(await loop.runUntilComplete(main())).toEqual([
      "data argument must be a bytes-like object, not 'str': encode it first, e.g. Buffer.from(s)",
      0,
      true,
      'abc',
      true,
      null,
      0,
    ]);
    function* aborting(): Coroutine<unknown[]> {
      const [transp, proto] = yield* subprocessExec(() => new MySubprocessProtocol(), PY, ECHO);
      yield* proto.connected;
      const stdin = transp.getPipeTransport(0) as unknown as WP;
      stdin.abort();
      const lost = yield* proto.disconnects[0];
      yield* proto.completed;
      return [stdin.isClosing(), lost, proto.returncode];
    }
    expect(await loop.runUntilComplete(aborting())).toEqual([true, null, 0]);
  });

  test('write pipe closed with data the child never read: pipeConnectionLost(0, BrokenPipeError)', async () => {
    function* main(): Coroutine<unknown> {
      const [transp, proto] = yield* subprocessExec(
        () => new MySubprocessProtocol(),
        PY,
        ['-c', 'pass'],
        {
          stdout: null,
          stderr: null,
        },
      );
      yield* proto.connected;
      const stdin = transp.getPipeTransport(0) as unknown as WP;
      stdin.write(Buffer.alloc(4 * 1024 * 1024));
      stdin.close();
      const exc = yield* proto.disconnects[0];
      yield* proto.completed;
      transp.close();
      return exc;
    }
    expect(await loop.runUntilComplete(main())).toBeInstanceOf(BrokenPipeError);
  });
});

describe('what a closing loop leaves behind', { timeout: 60_000 }, () => {
  test('a running child is left running, un-refed; reported in debug mode', async () => {
    const warnings: string[] = [];
    const saved = logger.warning;
    logger.warning = (m: string) => warnings.push(m);
    loop.setDebug(true);
    let pid = 0;
    try {
      function* main(): Coroutine<void> {
        const [t] = yield* subprocessExec(() => new SubprocessProtocol(), PY, PROGRAM_BLOCKED, {
          stdin: PIPE,
          stdout: PIPE,
          stderr: DEVNULL,
        });
        pid = t.getPid();
      }
      await loop.runUntilComplete(main());
      loop.close();
      expect(
        warnings.some(
          (w) =>
            w.startsWith('unclosed <BaseSubprocessTransport') && w.includes(`pid=${pid} running`),
        ),
      ).toBe(true);
      expect(alive(pid)).toBe(true);
      // Nothing keeps this process alive for the child any more.
      expect(await activeChildren()).toBe(0);
      // Its exit, later, cannot reach the closed loop: said in debug mode, as CPython's
      // child watcher says it.
      process.kill(pid, 'SIGKILL');
      const deadline = Date.now() + 10_000;
      const said = `that handles pid ${pid} is closed`;
      while (!warnings.some((w) => w.endsWith(said)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(warnings.filter((w) => w.endsWith(said))).toHaveLength(1);
    } finally {
      logger.warning = saved;
    }
  });
});

function* expectCancelled(f: Future<unknown>): Coroutine<void> {
  try {
    yield* f;
  } catch (e) {
    if (e instanceof CancelledError) return;
    throw e;
  }
  throw new Error('expected CancelledError');
}

/**
 * Ref'd child process handles of this process (un-refed ones do not count),
 * after a host turn: Node closes a child's handle one turn after its exit.
 */
async function activeChildren(): Promise<number> {
  await new Promise((r) => setTimeout(r, 20));
  return process.getActiveResourcesInfo().filter((r) => r === 'ProcessWrap').length;
}
