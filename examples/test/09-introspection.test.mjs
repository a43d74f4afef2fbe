// Scenario 9: `xrun ps` / `xrun pstree` on a running program, from another process.
import { execFile } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { startExample, xrunBin } from './helpers.mjs';

function xrun(...args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [xrunBin(), ...args], { timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('introspection', () => {
  test('xrun ps and xrun pstree show the albums and their songs', async () => {
    const child = startExample('09-introspection/music.ts', { before: [xrunBin(), '--debug'] });
    const ready = await child.waitFor(/ready (\d+)/);
    const pid = Array.isArray(ready) ? ready[1] : /ready (\d+)/.exec(String(ready))[1];
    const ps = await xrun('ps', pid);
    expect(ps.code).toBe(0);
    expect(ps.stdout).toMatch(
      / Levitate +sleep -> play +TaskGroup\._aexit -> .*album +Sundowning /,
    );
    const tree = await xrun('pstree', pid);
    expect(tree.code).toBe(0);
    expect(tree.stdout).toMatch(/^└── \(T\) Task-1\n/);
    expect(tree.stdout).toContain('├── (T) Sundowning');
    expect(tree.stdout).toContain('└── (T) Aqua Regia');
    child.kill('SIGINT');
    const r = await child.done;
    expect(r.status).toBe(130);
  });
});
