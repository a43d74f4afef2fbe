// Scenario 3: loop.stop() and loop.close() called from inside and from outside the
// loop, and the errors they give.
import { describe, expect, test } from 'vitest';
import { out, runExample } from './helpers.mjs';

describe('stop() and close()', () => {
  test('stop() inside run(): "Event loop stopped before Future completed."', async () => {
    const r = await runExample('03-stop-and-close/stop-inside.ts');
    expect(r.stdout).toBe(
      out(
        'Main is running',
        'Main called loop.stop() and carries on until its next wait',
        'Main cleans up: it was cancelled by the shutdown',
        'run() rejected with RuntimeError: Event loop stopped before Future completed.',
      ),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('close() and running again inside the loop are refused; the loop runs on', async () => {
    const r = await runExample('03-stop-and-close/close-inside.ts');
    expect(r.stdout).toBe(
      out(
        'loop.close(): RuntimeError: Cannot close a running event loop',
        'loop.runForever(): RuntimeError: This event loop is already running',
        'run(): RuntimeError: asyncio.run() cannot be called from a running event loop',
        'the loop is still running: true, closed: false',
        'run() resolved',
      ),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('stop() and close() from outside the loop, and what a closed loop refuses', async () => {
    const r = await runExample('03-stop-and-close/outside-the-loop.ts');
    expect(r.stdout).toBe(
      out(
        'a callback runs inside the loop',
        'outside the loop: isRunning() = true',
        'close() while running: RuntimeError: Cannot close a running event loop',
        'stop() called from outside',
        'runForever() resolved; isRunning() = false',
        'a timer calls stop()',
        'runForever() resolved again: a stopped loop can be run again',
        'one iteration ran',
        'runForever() rejected with KeyboardInterrupt; isRunning() = false',
        'exception handler: Task was destroyed but it is pending!',
        'closed: isClosed() = true',
        'a second close() does nothing',
        'runForever() on a closed loop: RuntimeError: Event loop is closed',
        'callSoon() on a closed loop: RuntimeError: Event loop is closed',
      ),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
