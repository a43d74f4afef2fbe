// Scenario 2: work still running when the main coroutine returns does not keep the
// program alive: tasks are cancelled (their finally runs); a running child process does
// not keep the loop from exiting and is left running (as CPython 3.11 leaves it; 3.12+
// kill it at exit, checked against the python3 on PATH); a task that owns its child can
// kill it in its finally.
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { out, processExists, runExample } from './helpers.mjs';

describe('leftover work at exit', () => {
  test('run() cancels a task still running at shutdown; its finally runs', async () => {
    const r = await runExample('02-leftover-work/task-still-running.ts');
    expect(r.stdout).toBe(
      out(
        'Main is running',
        'Task is running',
        'Main is done',
        'Task was cancelled while sleeping',
        'Task cleans up in finally',
        'run() resolved: the leftover task was cancelled and has finished',
      ),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('a running subprocess does not keep the loop from exiting, and is left running', async () => {
    const r = await runExample('02-leftover-work/child-process.ts');
    const pid = Number(r.stdout.match(/^Child (\d+) started\n/)?.[1]);
    expect(pid).toBeGreaterThan(0);
    try {
      expect(r.stdout).toBe(
        out(
          `Child ${pid} started`,
          'Main is done, the child is still running',
          'run() resolved; the program ends without waiting for the child',
        ),
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      // The child would sleep for 10 s: the program ended without waiting for it, and
      // did not kill it.
      expect(processExists(pid)).toBe(true);
    } finally {
      if (processExists(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  test('CPython: 3.11 leaves the child running; 3.12+ kills it when its transport is collected at exit', async (ctx) => {
    const version = spawnSync('python3', ['-c', 'import sys; print(sys.version_info[1])'], {
      encoding: 'utf8',
    });
    if (version.error?.code === 'ENOENT') ctx.skip('python3 is not installed');
    const minor = Number(version.stdout.trim());
    const code = [
      'import asyncio, sys',
      'async def main():',
      "    proc = await asyncio.create_subprocess_exec(sys.executable, '-c', 'import time; time.sleep(10)',",
      '        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)',
      "    print(f'Child {proc.pid} started', flush=True)",
      '    await asyncio.sleep(0.3)',
      'asyncio.run(main())',
    ].join('\n');
    const r = spawnSync('python3', ['-c', code], { encoding: 'utf8' });
    const pid = Number(r.stdout.match(/^Child (\d+) started\n/)?.[1]);
    try {
      expect(r.status).toBe(0);
      // 3.11's threaded child watcher keeps the transport alive: nothing kills the child.
      // From 3.12 the pidfd watcher lets the transport be collected once the loop is
      // closed, and its __del__ calls close(), which kills a child still running.
      // x-async leaves it running (see docs/differences.md).
      if (minor < 12) expect(processExists(pid)).toBe(true);
      else {
        // A killed child is a zombie until it is reaped: wait for it to go.
        const deadline = Date.now() + 10_000;
        while (processExists(pid) && Date.now() < deadline)
          await new Promise((res) => setTimeout(res, 20));
        expect(processExists(pid)).toBe(false);
      }
    } finally {
      if (processExists(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  test('a task that owns its child kills it in finally when run() cancels it', async () => {
    const r = await runExample('02-leftover-work/child-process-killed.ts');
    const pid = Number(r.stdout.match(/^Child (\d+) started\n/)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(r.stdout).toBe(
      out(
        `Child ${pid} started`,
        'Main is done, the child is still running',
        'Child ended by signal 9',
        'run() resolved',
      ),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(processExists(pid)).toBe(false);
  });
});
