import { test, expect } from 'vitest';
import { EventLoop, Future, newEventLoop, CancelledError } from '@x/loop';

test('smoke', async () => {
  const loop = newEventLoop();
  const out: string[] = [];
  loop.callSoon((a: string) => out.push(a), 'a');
  loop.callLater(0.01, () => { out.push('t'); loop.stop(); });
  loop.callSoon(() => out.push('b'));
  await loop.runForever();
  expect(out).toEqual(['a', 'b', 't']);
  const f = loop.createFuture<number>();
  loop.callLater(0.005, () => f.setResult(7));
  expect(await loop.runUntilComplete(f)).toBe(7);
  const g = loop.createFuture<number>();
  setTimeout(() => g.cancel('x'), 5);
  await expect(loop.runUntilComplete(g)).rejects.toBeInstanceOf(CancelledError);
  // host timer while busy
  let fired = -1; let count = 0;
  for (let i = 0; i < 1_000_000; i++) loop.callSoon(() => { count++; });
  setTimeout(() => { fired = count; }, 0);
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  expect(count).toBe(1_000_000);
  console.log('fired at', fired);
  expect(fired).toBeGreaterThan(-1);
  expect(fired).toBeLessThan(1_000_000);
  loop.close();
});
