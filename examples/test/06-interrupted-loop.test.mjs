// Scenario 6: cleaning up after an interrupted loop (the Stack Overflow Q&A), the
// low-level way and with run(). The test presses Ctrl-C: a real SIGINT, sent once
// every task has printed that it is waiting.
import { describe, expect, test } from 'vitest';
import { out, runExample } from './helpers.mjs';

const ready = 'Watching the clock: tick 0\n';

describe('cleaning up after an interrupted loop', () => {
  test('low level: catch KeyboardInterrupt, cancel, runForever, shutdownAsyncgens, close', async () => {
    const r = await runExample('06-interrupted-loop/low-level.ts', {
      signals: [{ after: ready, signal: 'SIGINT' }],
    });
    expect(r.stdout).toBe(
      out(
        'Shleeping for 5 seconds...',
        'Shleeping for 10 seconds...',
        'Watching the clock: tick 0',
        'Caught keyboard interrupt. Canceling tasks...',
        'The 5 second nap was cancelled',
        'The 10 second nap was cancelled',
        'tasks.exception() is a CancelledError; tasks.cancelled() is false',
        'The ticker was closed: its finally ran',
        'The loop is closed',
      ),
    );
    expect(r.stderr).toBe('');
    // The program caught the KeyboardInterrupt and ended normally.
    expect(r.status).toBe(0);
  });

  test('with run(): the same cleanup, then run() rejects with KeyboardInterrupt', async () => {
    const r = await runExample('06-interrupted-loop/with-run.ts', {
      signals: [{ after: ready, signal: 'SIGINT' }],
    });
    expect(r.stdout).toBe(
      out(
        'Shleeping for 5 seconds...',
        'Shleeping for 10 seconds...',
        'Watching the clock: tick 0',
        'The 5 second nap was cancelled',
        'The 10 second nap was cancelled',
        'amain() was cancelled by SIGINT',
        'The ticker was closed: its finally ran',
        'Caught keyboard interrupt: the tasks, the async generators and the loop are closed',
      ),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
