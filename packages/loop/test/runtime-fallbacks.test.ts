/**
 * @x/loop on hosts that lack what Node has: each test hides a global, loads
 * a fresh copy of the package (the module looks for it when it loads), and
 * checks what still works. (A host without setImmediate or
 * Error.captureStackTrace: host-integration.test.ts. `Symbol.dispose` cannot
 * be hidden in Node: it is a non-configurable property of Symbol.)
 */
import { type EventLoop, newEventLoop } from '@x/loop';
import { expect, test, vi } from 'vitest';
import { collectGarbage } from './utils.js';

/** A fresh @x/loop, loaded while `name` is missing from globalThis. */
async function loadWithout(name: string): Promise<typeof import('@x/loop')> {
  const g = globalThis as Record<string, unknown>;
  const saved = Object.getOwnPropertyDescriptor(g, name) as PropertyDescriptor;
  try {
    delete g[name];
    expect(name in g).toBe(false);
    vi.resetModules();
    return await import('@x/loop');
  } finally {
    Object.defineProperty(g, name, saved);
  }
}

test('without FinalizationRegistry futures work; a lost exception is reported when the loop closes', async () => {
  /** Loses a Future with an exception; the exception-handler calls after GC. */
  async function loseOne(loop: EventLoop): Promise<unknown[]> {
    const calls: unknown[] = [];
    loop.setExceptionHandler((_l, ctx) => calls.push(ctx.message));
    (() => {
      const f = loop.createFuture();
      f.setException(new TypeError('lost'));
    })();
    await collectGarbage();
    loop.close();
    return calls;
  }
  // The control: where there is a registry, this is reported.
  expect(await loseOne(newEventLoop())).toEqual(['Future exception was never retrieved']);

  const fresh = await loadWithout('FinalizationRegistry');
  const loop = fresh.newEventLoop();
  const kept = loop.createFuture();
  kept.setException(new TypeError('kept'));
  await expect(loop.runUntilComplete(kept)).rejects.toThrow('kept');
  expect(await loseOne(loop)).toEqual(['Future exception was never retrieved']);
});

test('without performance the clock is Date', async () => {
  const { newEventLoop } = await loadWithout('performance');
  const loop = newEventLoop();
  // performance.now() counts from the start of the process, Date.now() from 1970.
  expect(Math.abs(loop.time() - Date.now() / 1000)).toBeLessThan(1);
  const t0 = loop.time();
  const ran = loop.createFuture<number>();
  loop.callLater(0.005, () => ran.setResult(loop.time()));
  expect(await loop.runUntilComplete(ran)).toBeGreaterThanOrEqual(t0 + 0.004);
  loop.close();
});
