// Scenario 4: creating and getting loops.
import { expect, test } from 'vitest';
import { out, runExample } from './helpers.mjs';

test('newEventLoop, setEventLoop, getEventLoop, getRunningLoop, isRunning, isClosed', async () => {
  const r = await runExample('04-getting-loops/create-and-get.ts');
  expect(r.stdout).toBe(
    out(
      'getRunningLoop() outside a coroutine: RuntimeError: no running event loop',
      'getEventLoop() before setEventLoop(): RuntimeError: There is no current event loop: create one with newEventLoop() and setEventLoop(loop), or use run()',
      'new loop: <EventLoop running=false closed=false debug=false>',
      'isRunning() = false, isClosed() = false',
      'after setEventLoop(loop): getEventLoop() === loop is true',
      'getEventLoop() returns the same loop each time: true',
      'getRunningLoopOrNull() = null',
      'inside a coroutine: getRunningLoop() === loop is true',
      'inside a coroutine: isRunning() = true',
      'the coroutine returned the loop: true',
      'after the run: isRunning() = false',
      'after close(): isClosed() = true, <EventLoop running=false closed=true debug=false>',
      'after setEventLoop(null): getEventLoop(): RuntimeError',
    ),
  );
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});
