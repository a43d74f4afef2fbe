// createSubprocessExec / createSubprocessShell and Process, with real child processes.
// Ported from CPython 3.14's test_subprocess.py (SubprocessMixin, names kept), plus
// faults (a child killed while communicate() waits, 4 MiB of output, stdin closed
// early), bad input, cancellation at every await, and handle hygiene.
// Child processes and Python start slowly on a loaded 2-core machine: each describe has a
// generous timeout (60 s); nothing here waits for a fixed time to pass.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BrokenPipeError,
  ConnectionResetError,
  createSubprocessExec,
  createSubprocessShell,
  DEVNULL,
  FileNotFoundError,
  PIPE,
  type Process,
  ProcessLookupError,
  STDOUT,
  SubprocessProtocol,
  subprocessExec,
} from '@x/io';
import {
  CancelledError,
  type Coroutine,
  type EventLoop,
  type ExceptionContext,
  type Future,
  getRunningLoop,
  RuntimeError,
  ValueError,
} from '@x/loop';
import { createTask, gather, sleep, waitFor } from '@x/tasks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { closeLoop, recordingLoop } from './net-helpers.js';

const PY = 'python3';
// Program blocking
const PROGRAM_BLOCKED = ['-c', 'import time; time.sleep(3600)'];
// Program copying input to output
const PROGRAM_CAT = [
  '-c',
  'import sys; data = sys.stdin.buffer.read(); sys.stdout.buffer.write(data)',
];

let loop: EventLoop;
let errors: ExceptionContext[];

beforeEach(() => {
  baseline = process
    .getActiveResourcesInfo()
    .filter((r) => r === 'ProcessWrap' || r === 'PipeWrap');
  ({ loop, errors } = recordingLoop());
});

afterEach(() => closeLoop(loop));

function run<T>(coro: Coroutine<T>): Promise<T> {
  // Under the test timeout (60 s): a hang fails this test alone, with the loop stopped.
  return loop.runUntilComplete(waitFor(coro, 50));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Child process and pipe handles keeping this process alive, beyond those of the test runner. */
async function activeHandles(): Promise<string[]> {
  // Node closes a child's handles a host turn after its exit.
  await new Promise((r) => setTimeout(r, 30));
  const now: string[] = process
    .getActiveResourcesInfo()
    .filter((r) => r === 'ProcessWrap' || r === 'PipeWrap');
  for (const r of baseline) now.splice(now.indexOf(r), 1);
  return now;
}
let baseline: string[] = [];

function caughtSync(f: () => void): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an exception');
}

function* caught(f: () => Coroutine<unknown>): Coroutine<unknown> {
  try {
    yield* f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an exception');
}

describe('SubprocessMixin', { timeout: 60_000 }, () => {
  test('test_stdin_stdout', async () => {
    function* main(data: Buffer): Coroutine<[number, Buffer]> {
      const proc = yield* createSubprocessExec(PY, PROGRAM_CAT, { stdin: PIPE, stdout: PIPE });
      // feed data
      proc.stdin?.write(data);
      yield* (proc.stdin as NonNullable<Process['stdin']>).drain();
      proc.stdin?.close();
      // stdin's waitClosed() ends once the pipe is closed (CPython's _stdin_closed).
      yield* (proc.stdin as NonNullable<Process['stdin']>).waitClosed();
      // get output and exitcode
      const out = yield* (proc.stdout as NonNullable<Process['stdout']>).read();
      const exitcode = yield* proc.wait();
      return [exitcode, out];
    }
    const [exitcode, stdout] = await run(main(Buffer.from('some data')));
    expect(exitcode).toBe(0);
    expect(stdout.toString()).toBe('some data');
  });

  test('test_communicate', async () => {
    function* main(): Coroutine<[number | null, Buffer | null]> {
      const proc = yield* createSubprocessExec(PY, PROGRAM_CAT, { stdin: PIPE, stdout: PIPE });
      const [stdout] = yield* proc.communicate(Buffer.from('some data'));
      return [proc.returncode, stdout];
    }
    const [exitcode, stdout] = await run(main());
    expect(exitcode).toBe(0);
    expect(stdout?.toString()).toBe('some data');
  });

  test('test_communicate_none_input', async () => {
    function* main(): Coroutine<[number | null, Buffer | null]> {
      const proc = yield* createSubprocessExec(PY, PROGRAM_CAT, { stdin: PIPE, stdout: PIPE });
      const [stdout] = yield* proc.communicate();
      return [proc.returncode, stdout];
    }
    const [exitcode, stdout] = await run(main());
    expect(exitcode).toBe(0);
    expect(stdout?.length).toBe(0);
  });

  test('test_shell', async () => {
    function* main(): Coroutine<number> {
      const proc = yield* createSubprocessShell('exit 7');
      return yield* proc.wait();
    }
    expect(await run(main())).toBe(7);
  });

  test('test_start_new_session', async () => {
    function* main(): Coroutine<[number, string]> {
      const proc = yield* createSubprocessShell('ps -o sid= -p $$; exit 8', {
        startNewSession: true,
        stdout: PIPE,
      });
      const [out] = yield* proc.communicate();
      return [yield* proc.wait(), (out as Buffer).toString().trim()];
    }
    const [exitcode, sid] = await run(main());
    expect(exitcode).toBe(8);
    // The shell leads its own session.
    expect(Number(sid)).not.toBe(
      Number(
        spawnSync('ps', ['-o', 'sid=', '-p', String(process.pid)])
          .stdout.toString()
          .trim(),
      ),
    );
  });

  test('test_kill', async () => {
    function* main(): Coroutine<number> {
      const proc = yield* createSubprocessExec(PY, PROGRAM_BLOCKED);
      proc.kill();
      return yield* proc.wait();
    }
    expect(await run(main())).toBe(-9);
  });

  test('test_kill_issue43884', async () => {
    function* main(): Coroutine<number> {
      const proc = yield* createSubprocessShell('sleep 1; sleep 1', { stdout: PIPE });
      yield* sleep(0.2);
      proc.kill();
      return yield* proc.wait();
    }
    expect(await run(main())).toBe(-9);
  });

  test('test_terminate', async () => {
    function* main(): Coroutine<number> {
      const proc = yield* createSubprocessExec(PY, PROGRAM_BLOCKED);
      proc.terminate();
      return yield* proc.wait();
    }
    expect(await run(main())).toBe(-15);
  });

  test('test_send_signal', async () => {
    function* main(): Coroutine<number> {
      const code =
        'import signal, time; signal.signal(signal.SIGHUP, signal.SIG_DFL); print("sleeping", flush=True); time.sleep(3600)';
      const proc = yield* createSubprocessExec(PY, ['-c', code], { stdout: PIPE });
      // basic synchronization to wait until the program is sleeping
      const line = yield* (proc.stdout as NonNullable<Process['stdout']>).readline();
      expect(line.toString()).toBe('sleeping\n');
      proc.sendSignal('SIGHUP');
      return yield* proc.wait();
    }
    expect(await run(main())).toBe(-1);
  });

  test('test_stdin_broken_pipe: drain() raises BrokenPipeError or ConnectionResetError', async () => {
    function* main(): Coroutine<unknown> {
      // the program ends before the stdin can be fed
      const proc = yield* createSubprocessExec(PY, ['-c', 'import sys; sys.stdin.buffer.read(1)'], {
        stdin: PIPE,
      });
      const stdin = proc.stdin as NonNullable<Process['stdin']>;
      stdin.write(Buffer.from('x'));
      yield* stdin.drain();
      yield* proc.wait();
      // Large enough to fill the pipe: the data can no longer be delivered.
      stdin.write(Buffer.alloc(4 * 1024 * 1024, 0x78));
      const e = yield* caught(() => stdin.drain());
      return e;
    }
    const e = await run(main());
    expect(e instanceof BrokenPipeError || e instanceof ConnectionResetError).toBe(true);
  });

  test('test_communicate_ignore_broken_pipe', async () => {
    function* main(): Coroutine<number> {
      // the program ends before the stdin can be fed
      const proc = yield* createSubprocessExec(PY, ['-c', 'pass'], { stdin: PIPE });
      // communicate() must ignore BrokenPipeError when feeding stdin
      yield* proc.communicate(Buffer.alloc(4 * 1024 * 1024, 0x78));
      return yield* proc.wait();
    }
    expect(await run(main())).toBe(0);
  });

  test('test_pause_reading: the reader pauses the pipe above 2 × limit', async () => {
    // Reach the pipe transport's class through the public low-level API, to count calls.
    function* probe(): Coroutine<object> {
      const [t] = yield* subprocessExec(() => new SubprocessProtocol(), 'true', [], {
        stdin: null,
        stderr: null,
      });
      const proto = Object.getPrototypeOf(t.getPipeTransport(1));
      t.close();
      return proto;
    }
    const proto = (await run(probe())) as { pauseReading(): void; resumeReading(): void };
    const calls: string[] = [];
    const { pauseReading, resumeReading } = proto;
    proto.pauseReading = function (this: unknown) {
      calls.push('pause');
      pauseReading.call(this);
    };
    proto.resumeReading = function (this: unknown) {
      calls.push('resume');
      resumeReading.call(this);
    };
    try {
      const limit = 10;
      const size = limit * 2 + 1;
      function* main(): Coroutine<Buffer | null> {
        const code = `import sys\nsys.stdout.write("x" * ${size})\nsys.stdout.flush()`;
        const proc = yield* createSubprocessExec(PY, ['-c', code], {
          stdin: PIPE,
          stdout: PIPE,
          limit,
        });
        const [stdout] = yield* proc.communicate();
        return stdout;
      }
      const stdout = await run(main());
      expect(stdout?.toString()).toBe('x'.repeat(size));
      expect(calls).toContain('pause');
      expect(calls).toContain('resume');
    } finally {
      proto.pauseReading = pauseReading;
      proto.resumeReading = resumeReading;
    }
  });

  test('test_stdin_not_inheritable / test_empty_input', async () => {
    function* lenMessage(message: Buffer): Coroutine<[string, number]> {
      const code = 'import sys; data = sys.stdin.read(); print(len(data))';
      const proc = yield* createSubprocessExec(PY, ['-c', code], {
        stdin: PIPE,
        stdout: PIPE,
        stderr: PIPE,
      });
      const [stdout] = yield* proc.communicate(message);
      const exitcode = yield* proc.wait();
      return [(stdout as Buffer).toString().trimEnd(), exitcode];
    }
    expect(await run(lenMessage(Buffer.from('abc')))).toEqual(['3', 0]);
    expect(await run(lenMessage(Buffer.alloc(0)))).toEqual(['0', 0]);
  });

  test('test_devnull_input / test_devnull_output / test_devnull_error', async () => {
    const code = 'import sys; data = sys.stdin.read(); print(len(data))';
    function* input(): Coroutine<[string, number]> {
      const proc = yield* createSubprocessExec(PY, ['-c', code], {
        stdin: DEVNULL,
        stdout: PIPE,
        stderr: PIPE,
      });
      const [stdout] = yield* proc.communicate();
      return [(stdout as Buffer).toString().trimEnd(), yield* proc.wait()];
    }
    expect(await run(input())).toEqual(['0', 0]);
    function* output(): Coroutine<[Buffer | null, number]> {
      const proc = yield* createSubprocessExec(PY, ['-c', code], {
        stdin: PIPE,
        stdout: DEVNULL,
        stderr: PIPE,
      });
      const [stdout] = yield* proc.communicate(Buffer.from('abc'));
      return [stdout, yield* proc.wait()];
    }
    expect(await run(output())).toEqual([null, 0]);
    function* error(): Coroutine<[Buffer | null, number]> {
      const proc = yield* createSubprocessExec(PY, ['-c', code], {
        stdin: PIPE,
        stdout: PIPE,
        stderr: DEVNULL,
      });
      const [, stderr] = yield* proc.communicate(Buffer.from('abc'));
      return [stderr, yield* proc.wait()];
    }
    expect(await run(error())).toEqual([null, 0]);
  });

  test('test_devstdin_input: a documented difference, stdin is a socket pair', async () => {
    // CPython gives the child a pipe(2); Node (libuv) gives socket pairs, which
    // open("/dev/stdin") cannot reopen (ENXIO). Reading fd 0 works as usual.
    function* main(): Coroutine<[string, number]> {
      const code = [
        'import os, stat, sys',
        'print(stat.S_ISSOCK(os.fstat(0).st_mode))',
        'try:',
        '    open("/dev/stdin")',
        'except OSError as e:',
        '    print(e.errno)',
        'print(len(sys.stdin.read()))',
      ].join('\n');
      const proc = yield* createSubprocessExec(PY, ['-c', code], {
        stdin: PIPE,
        stdout: PIPE,
        stderr: PIPE,
      });
      const [stdout] = yield* proc.communicate(Buffer.from('abc'));
      return [(stdout as Buffer).toString(), yield* proc.wait()];
    }
    expect(await run(main())).toEqual(['True\n6\n3\n', 0]);
  });

  test('test_cancel_process_wait: cancelling wait() does not kill the child', async () => {
    function* main(): Coroutine<[boolean, number]> {
      const proc = yield* createSubprocessExec(PY, PROGRAM_BLOCKED);
      // Create an internal future waiting on the process exit
      const task = createTask(proc.wait());
      getRunningLoop().callSoon(() => task.cancel());
      try {
        yield* task;
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
      }
      yield* sleep(0.05);
      const stillRunning = alive(proc.pid) && proc.returncode === null;
      // Kill the process and wait until it is done
      proc.kill();
      return [stillRunning, yield* proc.wait()];
    }
    expect(await run(main())).toEqual([true, -9]);
  });

  test('test_cancel_make_subprocess_transport_exec: the child is killed and reaped', async () => {
    function* main(): Coroutine<void> {
      const task = createTask(createSubprocessExec(PY, PROGRAM_BLOCKED));
      getRunningLoop().callSoon(() => task.cancel());
      try {
        yield* task;
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
      }
    }
    await run(main());
    expect(await activeHandles()).toEqual([]);
    expect(errors).toEqual([]);
  });

  test('test_popen_error / test_popen_error_with_stdin_pipe: nothing left behind', async () => {
    for (const stdin of [null, PIPE] as const) {
      const e = await run(
        caught(() => createSubprocessExec('/nonexistent/python', ['-c', 'pass'], { stdin })),
      );
      expect(e).toBeInstanceOf(FileNotFoundError);
    }
    expect(await activeHandles()).toEqual([]);
  });

  test('test_read_stdout_after_process_exit', async () => {
    function* main(): Coroutine<number> {
      const code = [
        'import sys',
        'for _ in range(64):',
        '    sys.stdout.write("x" * 4096)',
        'sys.stdout.flush()',
        'sys.exit(1)',
      ].join('\n');
      const proc = yield* createSubprocessExec(PY, ['-c', code], { stdout: PIPE });
      let total = 0;
      for (;;) {
        const data = yield* (proc.stdout as NonNullable<Process['stdout']>).read(65536);
        if (data.length === 0) break;
        total += data.length;
        yield* sleep(0.02);
      }
      expect(total).toBe(64 * 4096);
      return yield* proc.wait();
    }
    expect(await run(main())).toBe(1);
  });

  test('test_create_subprocess_exec_text_mode_fails / shell', async () => {
    for (const opt of [{ text: true }, { encoding: 'utf-8' }, { errors: 'strict' }]) {
      const a = await run(caught(() => createSubprocessExec(PY, [], opt as object)));
      expect(a).toBeInstanceOf(ValueError);
      const b = await run(caught(() => createSubprocessShell(PY, opt as object)));
      expect(b).toBeInstanceOf(ValueError);
    }
  });

  test('test_create_subprocess_env_shell / exec', async () => {
    function* check(proc: Process, output: string): Coroutine<void> {
      const [stdout] = yield* proc.communicate();
      expect(stdout?.toString()).toBe(output);
      expect(proc.returncode).toBe(0);
      const task = createTask(proc.wait());
      yield* sleep(0);
      expect(task.result()).toBe(proc.returncode);
    }
    function* main(): Coroutine<void> {
      const cmd = `${PY} -c "import os, sys; sys.stdout.write(os.getenv('FOO'))"`;
      const p1 = yield* createSubprocessShell(cmd, {
        env: { ...process.env, FOO: 'bar' },
        stdout: PIPE,
      });
      yield* check(p1, 'bar');
      const p2 = yield* createSubprocessExec(
        PY,
        ['-c', "import os, sys; sys.stdout.write(os.getenv('FOO'))"],
        {
          env: { ...process.env, FOO: 'baz' },
          stdout: PIPE,
        },
      );
      yield* check(p2, 'baz');
    }
    await run(main());
  });

  test('test_subprocess_concurrent_wait', async () => {
    function* main(): Coroutine<void> {
      const proc = yield* createSubprocessExec(PY, PROGRAM_CAT, { stdin: PIPE, stdout: PIPE });
      const [stdout] = yield* proc.communicate(Buffer.from('some data'));
      expect(stdout?.toString()).toBe('some data');
      expect(proc.returncode).toBe(0);
      const rcs = yield* gather(Array.from({ length: 10 }, () => proc.wait()));
      expect(rcs).toEqual(Array(10).fill(0));
    }
    await run(main());
  });

  test('test_subprocess_communicate_stdout', async () => {
    function* getCommandStdout(...args: string[]): Coroutine<string> {
      const proc = yield* createSubprocessExec(PY, args, { stdout: PIPE });
      const [stdout] = yield* proc.communicate();
      return (stdout as Buffer).toString().trim();
    }
    function* main(): Coroutine<string[]> {
      const outputs = Array.from({ length: 10 }, (_, i) => `foo${i}`);
      return yield* gather(
        outputs.map((out) => getCommandStdout('-c', `print(${JSON.stringify(out)})`)),
      );
    }
    expect(await run(main())).toEqual(Array.from({ length: 10 }, (_, i) => `foo${i}`));
  });
});

describe('Process: beyond the CPython suite', { timeout: 60_000 }, () => {
  test('stderr=STDOUT: one stream, in the order the child wrote', async () => {
    function* main(): Coroutine<[Buffer | null, Buffer | null, boolean]> {
      const proc = yield* createSubprocessShell(
        'for i in 1 2 3; do echo out$i; echo err$i >&2; done',
        {
          stdout: PIPE,
          stderr: STDOUT,
        },
      );
      const noStderr = proc.stderr === null;
      const [out, err] = yield* proc.communicate();
      return [out, err, noStderr];
    }
    const [out, err, noStderr] = await run(main());
    expect(out?.toString()).toBe('out1\nerr1\nout2\nerr2\nout3\nerr3\n');
    expect(err).toBeNull();
    expect(noStderr).toBe(true);
  });

  test('4 MiB of output through communicate() (no deadlock), with stdin fed at the same time', async () => {
    function* main(): Coroutine<[Buffer | null, Buffer | null]> {
      // The child writes 4 MiB to stdout and 4 MiB to stderr before it reads its stdin.
      const code = [
        'import sys',
        "sys.stdout.buffer.write(b'o' * 4194304); sys.stdout.flush()",
        "sys.stderr.buffer.write(b'e' * 4194304); sys.stderr.flush()",
        'n = len(sys.stdin.buffer.read())',
        'sys.stdout.write(str(n))',
      ].join('\n');
      const proc = yield* createSubprocessExec(PY, ['-c', code], {
        stdin: PIPE,
        stdout: PIPE,
        stderr: PIPE,
      });
      return yield* proc.communicate(Buffer.alloc(4194304, 0x69));
    }
    const [out, err] = await run(main());
    expect(out?.length).toBe(4194304 + 7);
    expect(out?.subarray(0, 4194304).every((b) => b === 0x6f)).toBe(true);
    expect(out?.subarray(4194304).toString()).toBe('4194304');
    expect(err?.length).toBe(4194304);
  });

  test('a child killed while communicate() waits: communicate() returns what it had, returncode -9', async () => {
    const ready = join(tmpdir(), `x-async-ready-${process.pid}-${Date.now()}`);
    function* main(): Coroutine<[Buffer | null, number | null]> {
      // The child writes, then says (through a file) that it did, then sleeps.
      const code = `import sys, time; sys.stdout.write("partial"); sys.stdout.flush(); open(${JSON.stringify(ready)}, "w").close(); time.sleep(3600)`;
      const proc = yield* createSubprocessExec(PY, ['-c', code], { stdin: PIPE, stdout: PIPE });
      const killer = createTask(
        (function* () {
          while (!existsSync(ready)) yield* sleep(0.01);
          proc.kill();
        })(),
      );
      const [out] = yield* proc.communicate(Buffer.from('ignored'));
      yield* killer;
      return [out, proc.returncode];
    }
    try {
      const [out, rc] = await run(main());
      expect(out?.toString()).toBe('partial');
      expect(rc).toBe(-9);
    } finally {
      rmSync(ready, { force: true });
    }
  });

  test('stdin closed early by the child: communicate() still reads everything', async () => {
    function* main(): Coroutine<[Buffer | null, number]> {
      const code = 'import os, sys; sys.stdin.close(); os.close(0); sys.stdout.write("x" * 100000)';
      const proc = yield* createSubprocessExec(PY, ['-c', code], { stdin: PIPE, stdout: PIPE });
      const [out] = yield* proc.communicate(Buffer.alloc(1 << 20));
      return [out, yield* proc.wait()];
    }
    const [out, rc] = await run(main());
    expect(out?.length).toBe(100000);
    expect(rc).toBe(0);
  });

  test('ProcessLookupError once finished; no signal to a child Node already reaped', async () => {
    function* main(): Coroutine<unknown> {
      const proc = yield* createSubprocessExec(PY, ['-c', 'pass'], { stdout: PIPE });
      yield* proc.communicate();
      return caughtSync(() => {
        proc.kill();
      });
    }
    expect(await run(main())).toBeInstanceOf(ProcessLookupError);
  });

  test('bad input: a string where bytes are required, input without stdin=PIPE, write after close', async () => {
    function* main(): Coroutine<unknown[]> {
      const out: unknown[] = [];
      const proc = yield* createSubprocessExec(PY, PROGRAM_CAT, { stdin: PIPE, stdout: PIPE });
      out.push(yield* caught(() => proc.communicate('text' as unknown as Uint8Array)));
      out.push(
        caughtSync(() => {
          proc.stdin?.write('text' as unknown as Uint8Array);
        }),
      );
      // Nothing was lost or started: the process still works.
      proc.stdin?.write(Buffer.from('ok'));
      proc.stdin?.close();
      out.push(
        caughtSync(() => {
          proc.stdin?.write(Buffer.from('late'));
        }),
      );
      const [stdout] = yield* proc.communicate();
      out.push(stdout?.toString());
      const p2 = yield* createSubprocessExec(PY, ['-c', 'pass']);
      out.push(yield* caught(() => p2.communicate(Buffer.from('x'))));
      yield* p2.wait();
      out.push(yield* caught(() => createSubprocessExec(PY, [], { limit: 0 })));
      return out;
    }
    const [a, b, c, d, e, f] = await run(main());
    expect(a).toBeInstanceOf(TypeError);
    expect((a as Error).message).toContain("input argument must be a bytes-like object, not 'str'");
    expect(b).toBeInstanceOf(TypeError);
    expect(c).toBeInstanceOf(RuntimeError);
    expect((c as Error).message).toContain('Cannot call write() after close()');
    expect(d).toBe('ok');
    expect(e).toBeInstanceOf(ValueError);
    expect(f).toBeInstanceOf(ValueError);
    expect((f as Error).message).toBe('Limit cannot be <= 0');
  });

  test('cancellation at every await: the child keeps running and can be waited for', async () => {
    function* cancelled(f: () => Coroutine<unknown>, proc: Process): Coroutine<void> {
      const t = createTask(f());
      yield* sleep(0.02);
      t.cancel();
      const e = yield* caught(function* () {
        return yield* t;
      });
      expect(e).toBeInstanceOf(CancelledError);
      expect(proc.returncode).toBeNull();
      expect(alive(proc.pid)).toBe(true);
    }
    function* main(): Coroutine<[string, number]> {
      const code =
        'import sys, time; sys.stdout.write(sys.stdin.readline()); sys.stdout.flush(); time.sleep(3600)';
      const proc = yield* createSubprocessExec(PY, ['-c', code], { stdin: PIPE, stdout: PIPE });
      const stdout = proc.stdout as NonNullable<Process['stdout']>;
      const stdin = proc.stdin as NonNullable<Process['stdin']>;
      yield* cancelled(() => stdout.read(), proc);
      yield* cancelled(() => stdout.readline(), proc);
      yield* cancelled(() => proc.wait(), proc);
      // The pipes still work after all that.
      stdin.write(Buffer.from('still here\n'));
      yield* stdin.drain();
      const line = (yield* stdout.readline()).toString();
      // As in CPython, communicate() closes stdin at once; cancelled, it leaves the child running.
      yield* cancelled(() => proc.communicate(), proc);
      expect(stdin.isClosing()).toBe(true);
      proc.kill();
      return [line, yield* proc.wait()];
    }
    expect(await run(main())).toEqual(['still here\n', -9]);
  });

  test('a missing program through createSubprocessShell is the shell exit status 127', async () => {
    function* main(): Coroutine<[number, string]> {
      const proc = yield* createSubprocessShell('/nonexistent-program-x', { stderr: PIPE });
      const [, err] = yield* proc.communicate();
      return [proc.returncode as number, (err as Buffer).toString()];
    }
    const [rc, err] = await run(main());
    expect(rc).toBe(127);
    expect(err).toContain('nonexistent-program-x');
  });

  test('no leaked handles after many runs', async () => {
    function* main(): Coroutine<void> {
      for (let i = 0; i < 20; i++) {
        const proc = yield* createSubprocessExec('true', [], {
          stdin: PIPE,
          stdout: PIPE,
          stderr: PIPE,
        });
        yield* proc.communicate(Buffer.from('x'));
      }
      const procs: Future<[Buffer | null, Buffer | null]>[] = [];
      for (let i = 0; i < 5; i++) {
        const p = yield* createSubprocessShell('echo a; echo b >&2', {
          stdout: PIPE,
          stderr: STDOUT,
        });
        procs.push(createTask(p.communicate()));
      }
      yield* gather(procs);
    }
    await run(main());
    expect(await activeHandles()).toEqual([]);
  });
});
