/**
 * The loop reads `XASYNC_DEBUG` only where the host lets it: Deno without
 * `--allow-env` throws `NotCapable` on any read of `process.env` (and in a
 * terminal would prompt first), so `new EventLoop()` asks Deno's permissions
 * before reading, and treats a read that fails as "not set".
 */
import { EventLoop } from '@x/loop';
import { afterEach, expect, test, vi } from 'vitest';

const saved = process.env.XASYNC_DEBUG;
afterEach(() => {
  vi.unstubAllGlobals();
  if (saved === undefined) delete process.env.XASYNC_DEBUG;
  else process.env.XASYNC_DEBUG = saved;
});

/** A stand-in for Deno's permissions API that answers `state` and records the queries. */
function denoWith(state: 'granted' | 'denied' | 'prompt') {
  const queries: unknown[] = [];
  return {
    queries,
    Deno: {
      permissions: {
        querySync(descriptor: unknown) {
          queries.push(descriptor);
          return { state };
        },
      },
    },
  };
}

test('where Deno denies env access, XASYNC_DEBUG is not read and the loop is created', () => {
  process.env.XASYNC_DEBUG = '1';
  const { Deno, queries } = denoWith('prompt');
  vi.stubGlobal('Deno', Deno);
  const loop = new EventLoop();
  expect(loop.getDebug()).toBe(false);
  expect(queries).toEqual([{ name: 'env', variable: 'XASYNC_DEBUG' }]);
  loop.close();
});

test('where Deno grants env access, XASYNC_DEBUG is read', () => {
  process.env.XASYNC_DEBUG = '1';
  vi.stubGlobal('Deno', denoWith('granted').Deno);
  const loop = new EventLoop();
  expect(loop.getDebug()).toBe(true);
  loop.close();
});

test('a read of the environment that throws means "not set"', () => {
  const env = Object.getOwnPropertyDescriptor(process, 'env') as PropertyDescriptor;
  Object.defineProperty(process, 'env', {
    configurable: true,
    get() {
      throw new Error('NotCapable: Requires env access to "XASYNC_DEBUG"');
    },
  });
  let loop: EventLoop;
  try {
    loop = new EventLoop();
  } finally {
    Object.defineProperty(process, 'env', env);
  }
  expect(loop.getDebug()).toBe(false);
  loop.close();
});
