// @x/runner re-exports what an application needs, as `import asyncio` gives everything:
// here, every export of @x/io (streams, servers, subprocesses, transports, TLS, DNS).
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
