/**
 * "Future exception was never retrieved": reported when the future is
 * collected, and at the latest when its loop closes, exactly once.
 */
import { expect, test } from 'vitest';
import { collectGarbage, loopWithHandler } from './utils.js';

test('closing the loop reports every exception nobody retrieved, once', async () => {
  const { loop, calls } = loopWithHandler();
  const kept = loop.createFuture();
  kept.setException(new RangeError('kept but never looked at'));
  (() => {
    const f = loop.createFuture();
    f.setException(new TypeError('dropped'));
  })();
  const seen = loop.createFuture();
  seen.setException(new Error('seen'));
  expect(seen.exception()).toBeInstanceOf(Error);
  loop.close();
  expect(calls.map((c) => [c.message, String(c.exception)])).toEqual([
    ['Future exception was never retrieved', 'RangeError: kept but never looked at'],
    ['Future exception was never retrieved', 'TypeError: dropped'],
  ]);
  expect(calls[0]?.future_repr).toBe(
    "<Future finished exception=RangeError('kept but never looked at')>",
  );
  // Neither closing again nor the garbage collector reports them a second time.
  loop.close();
  await collectGarbage();
  expect(calls).toHaveLength(2);
  // Retrieving it afterwards is still possible, and reports nothing.
  expect(() => kept.result()).toThrow('kept but never looked at');
  expect(calls).toHaveLength(2);
});

test('a failure the garbage collector reported is not reported again at close', async () => {
  const { loop, calls } = loopWithHandler();
  (() => {
    const f = loop.createFuture();
    f.setException(new RangeError('collected'));
  })();
  await collectGarbage();
  expect(calls).toHaveLength(1);
  loop.close();
  expect(calls).toHaveLength(1);
});

test('a failure retrieved before the loop closes is never reported', async () => {
  const { loop, calls } = loopWithHandler();
  const f = loop.createFuture();
  f.setException(new Error('handled'));
  f.cancel(); // already done: no-op, but it marks the exception as looked at, as CPython
  loop.close();
  expect(calls).toEqual([]);
});
