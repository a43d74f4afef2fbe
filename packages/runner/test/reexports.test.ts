// @x/runner re-exports what an application needs, as `import asyncio` gives everything:
// here, every export of @x/io (streams, servers, subprocesses, transports, TLS, DNS) and of
// @x/tasks.
import * as io from '@x/io';
import * as runner from '@x/runner';
import { expect, test } from 'vitest';

test('every export of @x/io is an export of @x/runner, the same object', () => {
  const names = Object.keys(io);
  expect(names).toContain('openConnection');
  expect(names).toContain('startServer');
  for (const name of names) {
    expect((runner as Record<string, unknown>)[name], name).toBe(
      (io as Record<string, unknown>)[name],
    );
  }
});

test('every export of @x/tasks is an export of @x/runner, the same object, each() included', async () => {
  const tasks = await import('@x/tasks');
  const names = Object.keys(tasks);
  expect(names).toContain('each');
  expect(names).toContain('asCompleted');
  for (const name of names) {
    expect((runner as Record<string, unknown>)[name], name).toBe(
      (tasks as Record<string, unknown>)[name],
    );
  }
  expect(runner.each.next).toBe(tasks.each.next);
});
