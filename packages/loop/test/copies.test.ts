/**
 * Two copies of @x/loop in one program: the errors the split causes say so,
 * naming both copies, instead of "no task factory: import '@x/tasks'".
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Coroutine, newEventLoop } from '@x/loop';
import { expect, test } from 'vitest';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');

test('the version a copy reports is its package.json version', async () => {
  const { VERSION } = await import('../src/copies.js');
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  expect(VERSION).toBe(pkg.version);
});

test('one copy: the errors are the plain ones', () => {
  const loop = newEventLoop();
  function* main(): Coroutine<void> {}
  loop.setTaskFactory(null);
  // No @x/tasks in this package's tests: no default factory either.
  expect(() => loop.createTask(main())).toThrow(
    /^no task factory: import '@x\/tasks' \(it registers Task as the default\) or call loop\.setTaskFactory\(\)$/,
  );
  loop.close();
});

test('a second copy: both copies are named, with their versions and paths', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'x-loop-copy-'));
  try {
    const copyDir = join(dir, 'node_modules', '@x', 'loop');
    cpSync(join(pkgDir, 'src'), join(copyDir, 'src'), { recursive: true });
    const other = (await import(join(copyDir, 'src', 'index.ts'))) as typeof import('@x/loop');
    expect(other.EventLoop).not.toBe((await import('@x/loop')).EventLoop);
    const loop = other.newEventLoop();
    function* main(): Coroutine<void> {}
    const expected = `two copies of @x/loop are loaded: 0.0.0 at ${pkgDir} and 0.0.0 at ${copyDir}. Every package must use one copy`;
    expect(() => loop.createTask(main() as never)).toThrow(expected);
    expect(() => other.getRunningLoop()).toThrow(`no running event loop; ${expected}`);
    // The loop of the second copy still works.
    const fut = loop.createFuture<number>();
    loop.callSoon(() => fut.setResult(1));
    expect(await loop.runUntilComplete(fut)).toBe(1);
    loop.close();
  } finally {
    // Forget the copy, so that no later test in this process sees two.
    const copies = (globalThis as unknown as Record<symbol, Array<{ where: string }>>)[
      Symbol.for('x-async:@x/loop copies')
    ];
    copies.splice(
      copies.findIndex((c) => c.where.startsWith(dir)),
      1,
    );
    rmSync(dir, { recursive: true, force: true });
  }
});
