/**
 * How the loop yields to the host where there is no `setImmediate` (a
 * browser): never with a clamped `setTimeout(fn, 0)` (4 ms in browsers once
 * nested), but with a `MessageChannel` message; and a host timer whose
 * callback sets the next one runs that callback in a task of its own, so
 * that a chain of short sleeps is not clamped either. Each test loads a fresh
 * copy of the package with the host's globals changed (the module picks its
 * way to yield when it loads).
 */
import { afterEach, expect, test, vi } from 'vitest';

const g = globalThis as Record<string, unknown>;

/** A fresh @x/loop, loaded with `globals` set (undefined: hidden) on globalThis. */
async function loadWith(globals: Record<string, unknown>): Promise<typeof import('@x/loop')> {
  const saved = new Map<string, PropertyDescriptor | undefined>();
  for (const name of Object.keys(globals)) {
    saved.set(name, Object.getOwnPropertyDescriptor(g, name));
    Object.defineProperty(g, name, {
      value: globals[name],
      configurable: true,
      writable: true,
    });
  }
  try {
    vi.resetModules();
    return await import('@x/loop');
  } finally {
    for (const [name, d] of saved) {
      if (d === undefined) delete g[name];
      else Object.defineProperty(g, name, d);
    }
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

test('without setImmediate the loop yields with MessageChannel, never with setTimeout(fn, 0)', async () => {
  const x = await loadWith({ setImmediate: undefined });
  const timeouts = vi.spyOn(globalThis, 'setTimeout');
  const posts = vi.spyOn(MessagePort.prototype, 'postMessage');
  const loop = x.newEventLoop();
  try {
    // 100,000 callbacks take several time slices: the loop yields between them.
    let count = 0;
    const cb = () => {
      count++;
    };
    for (let i = 0; i < 100_000; i++) loop.callSoon(cb);
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(count).toBe(100_000);
    // It yielded (the run took more than one time slice) by posting messages.
    expect(posts.mock.calls.length).toBeGreaterThan(0);
    expect(timeouts.mock.calls.filter((c) => c[1] === 0 || c[1] === undefined)).toEqual([]);
  } finally {
    loop.close();
  }
}, 30_000);

test('where nested timers are clamped, a timer callback runs the loop in a task of its own', async () => {
  // A host that follows HTML's timer nesting rule (a browser, Deno): no setImmediate.
  const x = await loadWith({ setImmediate: undefined, Deno: {} });
  const timeouts = vi.spyOn(globalThis, 'setTimeout');
  const loop = x.newEventLoop();
  try {
    // A chain of 20 short timers, each set by the previous one's callback.
    let fired = 0;
    const done = loop.createFuture<number>();
    const next = () => {
      if (++fired === 20) done.setResult(fired);
      else loop.callLater(0.001, next);
    };
    loop.callLater(0.001, next);
    expect(await loop.runUntilComplete(done)).toBe(20);
    // Each host timer's callback only posts a message; the loop runs (and sets
    // the next timer) from the message's task, at nesting level 0.
    const hostTimers = timeouts.mock.calls.filter((c) => typeof c[1] === 'number' && c[1] > 0);
    expect(hostTimers.length).toBeGreaterThanOrEqual(1);
    // A timer cancelled by a wake-up does not run the loop a second time.
    let ran = 0;
    loop.callLater(0.05, () => {
      ran++;
    });
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    await new Promise((r) => setTimeout(r, 80));
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(ran).toBe(1);
  } finally {
    loop.close();
  }
}, 30_000);

test('with a coarse clock (a browser), a timer due within its resolution runs now', async () => {
  // Browsers coarsen performance.now() to 100 µs steps: a host timer that
  // fired on time can read a step early, and must not cost another whole
  // host timer (CPython adds the clock's resolution the same way).
  const real = performance;
  const coarse = { now: () => Math.floor(real.now() * 10) / 10 };
  const x = await loadWith({ performance: coarse });
  let t = 100;
  const loop = new x.EventLoop({ clock: { now: () => t } });
  try {
    const ran: string[] = [];
    loop.callAt(t + 0.00005, () => ran.push('within the resolution'));
    loop.callAt(t + 0.01, () => ran.push('later'));
    // One iteration: only what is due runs.
    loop.stop();
    await loop.runForever();
    expect(ran).toEqual(['within the resolution']);
    t += 0.01;
    loop.stop();
    await loop.runForever();
    expect(ran).toEqual(['within the resolution', 'later']);
  } finally {
    loop.close();
  }
});
