// Scenario 2: work still running when the main coroutine returns does not keep the
// program alive, and is cleaned up: tasks are cancelled (their finally runs), and a
// child process started with abortable() is killed before run() resolves.
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

  test('a child process started with abortable() does not outlive the program', async () => {
    const r = await runExample('02-leftover-work/child-process.ts');
    const pid = Number(r.stdout.match(/^Child (\d+) started\n/)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(r.stdout).toBe(
      out(
        `Child ${pid} started`,
        'Main is done, the child is still running',
        'run_child() was cancelled; the child is gone',
        'run() resolved',
      ),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // The child would sleep for a minute: it was killed, and waited for, before the
    // program ended.
    expect(processExists(pid)).toBe(false);
  });
});
