/**
 * `@x/loop` for browsers loads no Node module, so it has no default executor
 * until `@x/loop/node` is loaded. The tests resolve `@x/loop` to its source
 * entry, which is that build, and this file does not import `@x/loop/node`:
 * `runInExecutor(null, ...)` says at the call what to import or pass, and an
 * executor given explicitly or set as the default still works. (That Node
 * loads the pool with `@x/loop`: tooling/runtimes/test/node-entry.test.mjs.)
 */
import { type Executor, newEventLoop, RuntimeError } from '@x/loop';
import { expect, test } from 'vitest';

/** An executor that runs the function on the spot, as a test double of a real one. */
const inline: Executor = {
  submit: <T>(fn: (...a: any[]) => T, args: unknown[]) =>
    Promise.resolve().then(() => fn(...args)) as Promise<Awaited<T>>,
  shutdown: () => Promise.resolve(),
};

test('runInExecutor(null, ...) without @x/loop/node names the import and the alternatives', () => {
  const loop = newEventLoop();
  try {
    expect(() => loop.runInExecutor(null, (x: number) => x, 1)).toThrow(RuntimeError);
    expect(() => loop.runInExecutor(null, (x: number) => x, 1)).toThrow(
      /has no default executor here.*import '@x\/loop\/node'.*pass an Executor to runInExecutor\(\) or to loop\.setDefaultExecutor\(\)/,
    );
    // Nothing was created: the loop stays usable and closes cleanly.
    expect(loop._defaultExecutor).toBeNull();
  } finally {
    loop.close();
  }
});

test('an explicit executor or one set as the default needs no Node entry point', async () => {
  const loop = newEventLoop();
  try {
    expect(await loop.runUntilComplete(loop.runInExecutor(inline, (a: number) => a + 1, 1))).toBe(
      2,
    );
    loop.setDefaultExecutor(inline);
    expect(
      await loop.runUntilComplete(loop.runInExecutor(null, (a: string) => a.repeat(2), 'ab')),
    ).toBe('abab');
  } finally {
    loop.close();
  }
});
