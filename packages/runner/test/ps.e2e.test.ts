// `xrun ps PID` / `xrun pstree PID` on a live program: the music example of
// examples/09-introspection (Python 3.14's introspection example), started with
// `xrun`, read from another process. The children run the built packages (dist/).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XrunError, xrun } from '@x/runner/cli';
import { afterEach, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const xrunBin = join(here, '..', 'bin', 'xrun.js');
// The program of examples/09-introspection, as plain JavaScript (no build step needed).
const music = join(here, 'fixtures', 'music.mjs');
const sockDir = join(tmpdir(), `x-async-${process.getuid?.() ?? 'user'}`);

const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0))
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Starts a program and resolves with its pid once it says `ready`. */
function start(args: string[], env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, XASYNC_DEBUG: '', ...env },
  });
  started.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ready line; got ${out}`)), 20_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (/ready \d+/.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', () => reject(new Error(`exited before ready: ${out}`)));
  });
}

function runXrun(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [xrunBin, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function ended(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.on('exit', () => resolve());
  });
}

describe('xrun ps / pstree (end to end)', () => {
  it('reads the tasks of a running program in debug mode: table and tree', async () => {
    const child = await start([xrunBin, '--debug', music]);
    const pid = child.pid as number;
    const sock = join(sockDir, `${pid}.sock`);
    expect(existsSync(sock)).toBe(true);

    const ps = await runXrun(['ps', String(pid)]);
    expect(ps.code).toBe(0);
    const lines = ps.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^tid +task id +task name +coroutine stack +awaiter chain +awaiter name +awaiter id/,
    );
    expect(lines[1]).toBe('-'.repeat(180));
    const rows = lines.slice(2);
    const names = rows.map((r) => (/^0 +0x[0-9a-f]+ +(\S+(?: Regia)?)/.exec(r) as string[])[1]);
    expect(names.sort()).toEqual(
      ['Aqua Regia', 'DYWTYLM', 'Levitate', 'Sundowning', 'TMBTE', 'TNDNBTG', 'Task-1'].sort(),
    );
    const row = (name: string): string => rows.find((r) => r.includes(` ${name} `)) as string;
    expect(row('Task-1')).toMatch(/^0 +0x1 +Task-1 +TaskGroup\._aexit -> .*main.* 0x0 *$/);
    const album = (/^0 +(0x[0-9a-f]+) +Sundowning /.exec(row('Sundowning')) as string[])[1];
    expect(row('Levitate')).toMatch(
      new RegExp(
        `^0 +0x[0-9a-f]+ +Levitate +sleep -> play +TaskGroup\\._aexit -> .*album +Sundowning +${album} *$`,
      ),
    );

    const tree = await runXrun(['pstree', String(pid)]);
    expect(tree.code).toBe(0);
    const t = tree.stdout;
    expect(t.startsWith('└── (T) Task-1\n')).toBe(true);
    expect(t).toMatch(/\n {4}└── {2}callMain .*:\d+\n/);
    expect(t).toMatch(/├── \(T\) Sundowning\n/);
    expect(t).toMatch(/└── \(T\) TMBTE\n/);
    expect(t).toMatch(/├── \(T\) TNDNBTG\n.*└── {2}play .*music\.mjs:12\n/s);
    expect(t.match(/\(T\)/g)?.length).toBe(7);

    // The program was not changed by being read: it still runs, and Ctrl-C ends it as usual.
    child.kill('SIGINT');
    await ended(child);
    expect(child.signalCode).toBe('SIGINT');
    expect(existsSync(sock)).toBe(false);
  }, 60_000);

  it('without debug mode: the awaited-by table, no stacks, and a hint', async () => {
    const child = await start([xrunBin, music]);
    const ps = await runXrun(['ps', String(child.pid)]);
    expect(ps.code).toBe(0);
    expect(ps.stdout).toMatch(/\n0 +0x[0-9a-f]+ +Levitate +0x[0-9a-f]+ *\n|Levitate +Sundowning/);
    expect(ps.stdout).toContain('run the program with xrun --debug');
    child.kill('SIGTERM');
    await ended(child);
  }, 60_000);

  it('pstree refuses a graph with a cycle, as Python does', async () => {
    const child = await start([join(here, 'fixtures', 'ps-cycle.mjs')]);
    const tree = await runXrun(['pstree', String(child.pid)]);
    expect(tree.code).toBe(1);
    expect(tree.stderr).toContain('ERROR: await-graph contains cycles - cannot print a tree!');
    expect(tree.stderr).toMatch(/cycle: (alpha → beta → alpha|beta → alpha → beta)/);
    child.kill('SIGTERM');
    await ended(child);
  }, 60_000);

  it('XASYNC_INSPECT=0 opens nothing; a process that is not listening is reported', async () => {
    const child = await start([xrunBin, music], { XASYNC_INSPECT: '0' });
    expect(existsSync(join(sockDir, `${child.pid}.sock`))).toBe(false);
    const ps = await runXrun(['ps', String(child.pid)]);
    expect(ps.code).toBe(1);
    expect(ps.stderr).toContain(`process ${child.pid} is not an x-async program`);
    child.kill('SIGTERM');
    await ended(child);
  }, 60_000);

  it('a bad command line is a usage error', async () => {
    for (const argv of [['ps'], ['ps', 'abc'], ['pstree', '1', '2']]) {
      const e = await xrun(argv).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(XrunError);
      expect((e as XrunError).status).toBe(2);
      expect((e as XrunError).stderr).toContain('takes one process id');
    }
  });
});
