/**
 * The await site: in debug mode, `yield* fut` on a pending Future records the
 * stack of the coroutine chain at that moment (what the call graph of
 * `@x/tasks` shows for a suspended task); outside debug mode, nothing.
 */
import { type Coroutine, EventLoop, type Future } from '@x/loop';
import { takeAwaitSite } from '@x/loop/internal';
import { describe, expect, it } from 'vitest';
import { drive } from './drive.js';

function* waitsOn(fut: Future<number>): Coroutine<number> {
  return yield* fut;
}
function* outerCoro(fut: Future<number>): Coroutine<number> {
  return yield* waitsOn(fut);
}

describe('await site', () => {
  it.each([true, false])('is recorded in debug mode only (debug %s)', async (debug) => {
    const loop = new EventLoop({ debug });
    const fut = loop.createFuture<number>();
    takeAwaitSite();
    const done = drive(loop, outerCoro(fut));
    loop.callSoon(() => {
      const site = takeAwaitSite();
      if (debug) {
        expect(site).toMatch(
          /at waitsOn \(.*await-site\.test\.ts:\d+:\d+\)\n(.*\n)*.*at outerCoro/,
        );
        // Taken once.
        expect(takeAwaitSite()).toBeNull();
      } else {
        expect(site).toBeNull();
      }
      fut.setResult(7);
    });
    expect(await loop.runUntilComplete(done)).toBe(7);
    loop.close();
  });

  it('keeps the stack trace limit it found, even for deep chains', async () => {
    const loop = new EventLoop({ debug: true });
    const fut = loop.createFuture<number>();
    const before = Error.stackTraceLimit;
    const done = drive(loop, outerCoro(fut));
    loop.callSoon(() => fut.setResult(1));
    await loop.runUntilComplete(done);
    expect(Error.stackTraceLimit).toBe(before);
    loop.close();
  });
});
