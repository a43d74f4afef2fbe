// How `@x/loop` resolves, as its users get it (the built package): Node (and Bun and Deno)
// match the `node` export condition and get the worker-thread pool as the default executor
// without an extra import, as CPython's loop has its thread pool; a browser bundle gets the
// core alone, where `runInExecutor(null, ...)` says what to import or pass.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { expect, test } from 'vitest';

const here = fileURLToPath(new URL('..', import.meta.url));

function node(args) {
  return spawnSync(process.execPath, args, { cwd: here, encoding: 'utf8', timeout: 60_000 });
}

const PROGRAM = `
import { newEventLoop } from '@x/loop';
const loop = newEventLoop();
try {
  const f = loop.runInExecutor(null, (a, b) => a * b, 6, 7);
  console.log('result', await loop.runUntilComplete(f));
} catch (e) {
  console.log(e.name + ': ' + e.message);
} finally {
  await loop.runUntilComplete(loop.shutdownDefaultExecutor()).catch(() => {});
  loop.close();
}
`;

test('on Node, @x/loop alone runs runInExecutor(null, ...) in its worker threads', () => {
  const r = node(['--input-type=module', '-e', PROGRAM]);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('result 42\n');
});

test('a browser bundle of @x/loop has no default executor, and says what to do', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'x-node-entry-'));
  try {
    const outfile = join(dir, 'bundle.mjs');
    await build({
      stdin: { contents: PROGRAM, resolveDir: here, loader: 'js' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      outfile,
      logLevel: 'silent',
    });
    const r = node([outfile]);
    expect(r.stdout).toMatch(
      /^RuntimeError: runInExecutor\(null, \.\.\.\) has no default executor here: .*import '@x\/loop\/node'/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
