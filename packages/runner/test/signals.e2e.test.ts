// Real processes, real signals: each test spawns Node on a fixture under test/fixtures,
// waits for the line saying it is ready, signals it, and checks its whole output and how
// it ended. Children cannot use vitest's source resolution: the fixtures import the built
// packages (`@x/runner` resolves to dist/), which the turbo `test` task builds first.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test, vi } from 'vitest';

// Each test starts Node processes: on a loaded machine that alone can take seconds.
vi.setConfig({ testTimeout: 120_000 });

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, 'fixtures');
const packagesDir = join(here, '..', '..');
const xrun = join(here, '..', 'bin', 'xrun.js');

/** The newest modification time under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

beforeAll(() => {
  for (const pkg of ['loop', 'tasks', 'signals', 'runner']) {
    const dist = join(packagesDir, pkg, 'dist');
    if (!existsSync(join(dist, 'index.js'))) {
      throw new Error(
        `packages/${pkg}/dist is missing: these tests run the built packages in child processes; run pnpm build first`,
      );
    }
    // Only a warning: a build restored from turbo's cache can be older than a fresh checkout.
    if (newest(join(packagesDir, pkg, 'src')) > newest(dist)) {
      console.warn(
        `packages/${pkg}/dist is older than its src: if these tests fail, run pnpm build first (the children run dist)`,
      );
    }
  }
});

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
}

class Child {
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  stderr = '';
  readonly ended: Promise<Ended>;
  private buffer = '';
  private waiters: Array<{ re: RegExp; resolve: (line: string) => void }> = [];

  constructor(args: string[], options: { shell?: boolean } = {}) {
    const env = { ...process.env };
    delete env.XASYNC_DEBUG;
    delete env.NODE_OPTIONS;
    this.proc = options.shell
      ? spawn('/bin/sh', ['-c', '"$0" "$@"; echo "status=$?"', process.execPath, ...args], {
          cwd: fixtures,
          env,
        })
      : spawn(process.execPath, args, { cwd: fixtures, env });
    this.proc.stdout?.setEncoding('utf8');
    this.proc.stderr?.setEncoding('utf8');
    this.proc.stdout?.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl = this.buffer.indexOf('\n');
      while (nl !== -1) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => {
          if (!w.re.test(line)) return true;
          w.resolve(line);
          return false;
        });
        nl = this.buffer.indexOf('\n');
      }
    });
    this.proc.stderr?.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.ended = new Promise((resolve) => {
      this.proc.on('close', (code, signal) => resolve({ code, signal }));
    });
  }

  /**
   * Resolves with the first stdout line matching `re`; kills the child and
   * fails after `ms` (generous: a loaded machine starts Node slowly).
   */
  waitFor(re: RegExp, ms = 30_000): Promise<string> {
    const seen = this.lines.find((l) => re.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return this.bounded(
      new Promise<string>((resolve) => this.waiters.push({ re, resolve })),
      ms,
      `a line matching ${re}`,
    );
  }

  /** How the child ended; kills it and fails if it takes more than `ms` (generous, as above). */
  exit(ms = 30_000): Promise<Ended> {
    return this.bounded(this.ended, ms, 'the child to exit');
  }

  kill(sig: NodeJS.Signals, pid = this.proc.pid as number): void {
    process.kill(pid, sig);
  }

  private bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.proc.kill('SIGKILL');
        reject(
          new Error(
            `timed out after ${ms} ms waiting for ${what}\nstdout:\n${this.lines.join('\n')}\nstderr:\n${this.stderr}`,
          ),
        );
      }, ms);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }
}

const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items`, at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

// POSIX signals and exit statuses: Windows has neither kill(2) nor death by a signal.
describe.skipIf(process.platform === 'win32')('Ctrl-C and SIGTERM, end to end', () => {
  test('runMain: SIGINT during a sleep runs every finally, then the process dies by SIGINT', async () => {
    const child = new Child(['basic.mjs', 'runMain']);
    await child.waitFor(/^ready/);
    child.kill('SIGINT');
    expect(await child.exit()).toEqual({ code: null, signal: 'SIGINT' });
    expect(child.lines.slice(1)).toEqual(['main finally', 'background finally']);
    expect(child.stderr).toBe('');
  });

  test('run(): SIGINT rejects with KeyboardInterrupt after the cleanup, listeners given back', async () => {
    const child = new Child(['basic.mjs', 'run']);
    await child.waitFor(/^ready/);
    child.kill('SIGINT');
    expect(await child.exit()).toEqual({ code: 0, signal: null });
    expect(child.lines.slice(1)).toEqual([
      'main finally',
      'background finally',
      'run rejected KeyboardInterrupt',
      'listeners SIGINT=0 SIGTERM=0',
    ]);
  });

  test('await run(main()) as the last line: SIGINT runs the cleanup, prints KeyboardInterrupt, dies by SIGINT', async () => {
    const child = new Child(['await-run.mjs']);
    await child.waitFor(/^ready/);
    child.kill('SIGINT');
    expect(await child.exit()).toEqual({ code: null, signal: 'SIGINT' });
    expect(child.lines.slice(1)).toEqual(['cleaned up']);
    expect(child.stderr).toBe('KeyboardInterrupt\n');
    // A shell sees 130, as after `python main.py` and a Ctrl-C.
    const sh = new Child(['await-run.mjs'], { shell: true });
    const pid = Number((await sh.waitFor(/^ready/)).split(' ')[1]);
    sh.kill('SIGINT', pid);
    expect(await sh.exit()).toEqual({ code: 0, signal: null });
    expect(sh.lines.slice(1)).toEqual(['cleaned up', 'status=130']);
    // A KeyboardInterrupt that main raises itself ends the same way.
    const raised = new Child(['await-run.mjs', 'throw']);
    expect(await raised.exit()).toEqual({ code: null, signal: 'SIGINT' });
    expect(raised.lines).toEqual(['cleaned up']);
    expect(raised.stderr).toBe('KeyboardInterrupt\n');
  });

  test('a shell sees 130 after SIGINT and 143 after SIGTERM', async () => {
    const a = new Child(['basic.mjs', 'runMain'], { shell: true });
    const pidA = Number((await a.waitFor(/^ready/)).split(' ')[1]);
    a.kill('SIGINT', pidA);
    const b = new Child(['exits.mjs', 'sigterm'], { shell: true });
    const pidB = Number((await b.waitFor(/^ready/)).split(' ')[1]);
    b.kill('SIGTERM', pidB);
    expect(await a.exit()).toEqual({ code: 0, signal: null });
    expect(await b.exit()).toEqual({ code: 0, signal: null });
    expect(a.lines.slice(1)).toEqual(['main finally', 'background finally', 'status=130']);
    expect(b.lines.slice(1)).toEqual([`ready ${pidB}`, 'finally', 'status=143']);
  });

  test('50 times, SIGINT at a random moment: always the same cleanup and end', async () => {
    const delays = Array.from({ length: 50 }, () => Math.floor(Math.random() * 40));
    const failures: string[] = [];
    await pool(delays, 4, async (delay) => {
      const child = new Child(['basic.mjs', 'runMain']);
      await child.waitFor(/^ready/);
      await sleepMs(delay);
      child.kill('SIGINT');
      const ended = await child.exit();
      const lines = child.lines.slice(1);
      if (
        ended.signal !== 'SIGINT' ||
        lines.join('|') !== 'main finally|background finally' ||
        child.stderr !== ''
      ) {
        failures.push(`delay ${delay}: ${JSON.stringify({ ended, lines, stderr: child.stderr })}`);
      }
    });
    expect(failures).toEqual([]);
  }, 300_000);

  test('cleanup that waits runs to its end after the first SIGINT', async () => {
    const child = new Child(['finally-waits.mjs']);
    await child.waitFor(/^ready/);
    child.kill('SIGINT');
    expect(await child.exit()).toEqual({ code: null, signal: 'SIGINT' });
    expect(child.lines).toEqual(['ready', 'cleanup start', 'cleanup done']);
  });

  test('a second SIGINT during that cleanup interrupts it', async () => {
    const child = new Child(['finally-waits.mjs']);
    await child.waitFor(/^ready/);
    child.kill('SIGINT');
    await child.waitFor(/^cleanup start/);
    child.kill('SIGINT');
    expect(await child.exit()).toEqual({ code: null, signal: 'SIGINT' });
    // run() rejected at once; shutdown cancelled the main task again, inside its finally.
    expect(child.lines).toEqual(['ready', 'cleanup start']);
    expect(child.stderr).toBe('');
  });

  test('SIGINT inside a finally that waits: the wait is cancelled there', async () => {
    const child = new Child(['interrupted-finally.mjs']);
    await child.waitFor(/^ready/);
    child.kill('SIGINT');
    // The finally caught the cancellation and main returned: run() returns, exit 0, as CPython.
    expect(await child.exit()).toEqual({ code: 0, signal: null });
    expect(child.lines).toEqual([
      'ready: finally waits',
      'finally interrupted: CancelledError(SIGINT)',
      'finally done',
    ]);
  });

  test('a main task that ignores cancellation: abandoned shutdownTimeout after SIGINT, then the process dies by it', async () => {
    const child = new Child(['stubborn.mjs', '0.2']);
    await child.waitFor(/^ready/);
    child.kill('SIGINT');
    expect(await child.exit(10_000)).toEqual({ code: null, signal: 'SIGINT' });
    // Reported once, and not cancelled or waited for again by the shutdown.
    expect(child.lines).toEqual(['ready', 'ignored CancelledError(SIGINT)']);
    expect(child.stderr).toMatch(
      /^Task still running 0.2 seconds after SIGINT cancelled it \(shutdownTimeout\): abandoned, the loop is closed anyway/,
    );
    expect(child.stderr.match(/Task still running/g)).toHaveLength(1);
    expect(child.stderr).toMatch(/task: <Task cancelling name='Task-1'/);
  });

  test('a task that ignores cancellation: the second SIGINT ends run(), shutdown abandons it', async () => {
    // A shutdownTimeout far longer than the test takes to send the second signal, even on a loaded machine.
    const child = new Child(['stubborn.mjs', '3']);
    await child.waitFor(/^ready/);
    child.kill('SIGINT');
    await child.waitFor(/^ignored/);
    child.kill('SIGINT');
    expect(await child.exit(15_000)).toEqual({ code: null, signal: 'SIGINT' });
    expect(child.lines).toEqual([
      'ready',
      'ignored CancelledError(SIGINT)',
      // Shutdown cancels it again (no message), it refuses again, and is abandoned.
      'ignored CancelledError()',
    ]);
    expect(child.stderr).toMatch(
      /^Task still running 3 seconds after it was cancelled at shutdown \(shutdownTimeout\): abandoned/,
    );
    expect(child.stderr).toMatch(/task: <Task cancelling name='Task-1'/);
  });

  test('SIGINT during shutdown: the host default applies, the process dies at once', async () => {
    const child = new Child(['shutdown.mjs']);
    await child.waitFor(/^ready/);
    child.kill('SIGINT');
    // At once: long before the leftover's 10 s wait could end.
    expect(await child.exit(8000)).toEqual({ code: null, signal: 'SIGINT' });
    expect(child.lines).toEqual(['main done', 'ready: leftover finally waits']);
  });

  test('runMain handles SIGTERM like SIGINT; run() leaves it to the host', async () => {
    const a = new Child(['exits.mjs', 'sigterm']);
    await a.waitFor(/^ready/);
    a.kill('SIGTERM');
    const b = new Child(['basic.mjs', 'run']);
    await b.waitFor(/^ready/);
    b.kill('SIGTERM');
    expect(await a.exit()).toEqual({ code: null, signal: 'SIGTERM' });
    expect(a.lines.slice(2)).toEqual(['finally']);
    // run() handles SIGINT only, by default: SIGTERM ends the process with no cleanup.
    expect(await b.exit()).toEqual({ code: null, signal: 'SIGTERM' });
    expect(b.lines.slice(1)).toEqual([]);
  });
});

// POSIX signals and exit statuses: Windows has neither kill(2) nor death by a signal.
describe.skipIf(process.platform === 'win32')('runMain exit statuses', () => {
  const cases: Array<[string, Ended, RegExp | string]> = [
    ['ok', { code: 0, signal: null }, ''],
    ['exitCode', { code: 5, signal: null }, ''],
    ['throw', { code: 1, signal: null }, /^TypeError: something bad happened\n {4}at main /],
    ['systemExit', { code: 4, signal: null }, ''],
    ['systemExitText', { code: 1, signal: null }, 'goodbye\n'],
    ['keyboardInterrupt', { code: null, signal: 'SIGINT' }, ''],
  ];
  test.each(cases)('%s', async (how, ended, stderr) => {
    const child = new Child(['exits.mjs', how]);
    expect(await child.exit()).toEqual(ended);
    expect(child.lines).toEqual([`main ${how}`]);
    if (typeof stderr === 'string') expect(child.stderr).toBe(stderr);
    else expect(child.stderr).toMatch(stderr);
  });
});

// POSIX signals and exit statuses: Windows has neither kill(2) nor death by a signal.
describe.skipIf(process.platform === 'win32')('xrun', () => {
  test('runs main with its own arguments; --debug turns debug mode on', async () => {
    const child = new Child([xrun, 'xrun-main.mjs', 'a', '--b']);
    expect(await child.exit()).toEqual({ code: 0, signal: null });
    expect(child.lines).toEqual(['args ["a","--b"]', 'debug false']);
    const debug = new Child([xrun, '--debug', 'xrun-main.mjs']);
    expect(await debug.exit()).toEqual({ code: 0, signal: null });
    // (Debug mode may log more, such as the loop's close.)
    expect(debug.lines.slice(0, 2)).toEqual(['args []', 'debug true']);
  });

  test('Ctrl-C: the cleanup runs, the process dies by SIGINT', async () => {
    const child = new Child([xrun, 'xrun-main.mjs', 'wait']);
    await child.waitFor(/^ready/);
    child.kill('SIGINT');
    expect(await child.exit()).toEqual({ code: null, signal: 'SIGINT' });
    expect(child.lines).toEqual(['args ["wait"]', 'debug false', 'ready', 'finally']);
  });

  test("the README's quick start: Ctrl-C, the cleanup, then 130", async () => {
    const child = new Child([xrun, 'quickstart.js'], { shell: true });
    await child.waitFor(/^background: tick 1/);
    await child.waitFor(/^main: tick 1/);
    const ps = await new Promise<string>((resolve) => {
      // The node process is the shell's child: signal it, as a terminal's Ctrl-C would.
      const p = spawn('pgrep', ['-P', String(child.proc.pid)]);
      let out = '';
      p.stdout.on('data', (d) => {
        out += d;
      });
      p.on('close', () => resolve(out.trim()));
    });
    child.kill('SIGINT', Number(ps));
    expect(await child.exit()).toEqual({ code: 0, signal: null });
    expect(child.lines.filter((l) => !/tick/.test(l))).toEqual([
      'main: cleaning up...',
      'main: clean',
      'background: cleaning up...',
      'background: clean',
      'status=130',
    ]);
  });

  test('a module that runs itself is run once', async () => {
    const child = new Child([xrun, 'xrun-self.mjs']);
    expect(await child.exit()).toEqual({ code: 0, signal: null });
    expect(child.lines).toEqual(['main ran']);
    expect(child.stderr).toBe('');
  });

  test('a default export works too', async () => {
    const child = new Child([xrun, 'xrun-default.mjs']);
    expect(await child.exit()).toEqual({ code: 7, signal: null });
    expect(child.lines).toEqual(['default export ran']);
  });

  test('clear errors, exit status 2', async () => {
    const noMain = new Child([xrun, 'xrun-no-main.mjs']);
    const missing = new Child([xrun, 'nope.mjs']);
    const noFile = new Child([xrun]);
    const badOption = new Child([xrun, '--fast', 'xrun-main.mjs']);
    expect(await noMain.exit()).toEqual({ code: 2, signal: null });
    expect(noMain.stderr).toMatch(
      /^xrun: xrun-no-main.mjs exports neither main nor a default export/,
    );
    expect(await missing.exit()).toEqual({ code: 2, signal: null });
    expect(missing.stderr).toMatch(/^xrun: cannot find 'nope.mjs' \(looked for .*nope.mjs\)/);
    expect(await noFile.exit()).toEqual({ code: 2, signal: null });
    expect(noFile.stderr).toMatch(/^xrun: no file to run\n\nusage: xrun/);
    expect(await badOption.exit()).toEqual({ code: 2, signal: null });
    expect(badOption.stderr).toMatch(/^xrun: unknown option '--fast'/);
  });

  test('--help', async () => {
    const child = new Child([xrun, '--help']);
    expect(await child.exit()).toEqual({ code: 0, signal: null });
    expect(child.lines[0]).toBe('usage: xrun [--debug] file.js [args...]');
    expect(child.stderr).toBe('');
  });
});
