// Scenario 8: signals under runMain() and xrun. The tests send real signals once
// the program has printed that it is ready.
import { createConnection } from 'node:net';
import { describe, expect, test } from 'vitest';
import { out, runExample, startExample, xrunBin } from './helpers.mjs';

const cleanup = out(
  'Working. Press Ctrl-C to stop.',
  'main: cancelled (message: SIGINT)',
  'main: cleaning up...',
  'main: clean',
  'worker: cancelled at shutdown, closing its files',
);

describe('signals', () => {
  test('Ctrl-C under xrun: finally blocks run, then exit status 130 (ended by SIGINT)', async () => {
    const r = await runExample('08-signals/ctrl-c-cleanup.ts', {
      before: [xrunBin()],
      signals: [{ after: 'Press Ctrl-C', signal: 'SIGINT' }],
    });
    expect(r.stdout).toBe(cleanup);
    expect(r.stderr).toBe('');
    expect(r.signal).toBe('SIGINT');
    expect(r.status).toBe(130);
  });

  test('Ctrl-C under runMain(): the same', async () => {
    const r = await runExample('08-signals/ctrl-c-cleanup-node.ts', {
      signals: [{ after: 'Press Ctrl-C', signal: 'SIGINT' }],
    });
    expect(r.stdout).toBe(cleanup);
    expect(r.stderr).toBe('');
    expect(r.signal).toBe('SIGINT');
    expect(r.status).toBe(130);
  });

  test('a second Ctrl-C ends a program whose task refuses to stop', async () => {
    const r = await runExample('08-signals/ctrl-c-twice.ts', {
      signals: [
        { after: 'refuses the first Ctrl-C', signal: 'SIGINT' },
        { after: 'but refusing to stop', signal: 'SIGINT' },
      ],
    });
    expect(r.stdout).toBe(
      out(
        'Working. This task refuses the first Ctrl-C.',
        'main: cancelled (SIGINT), but refusing to stop',
        // The shutdown cancels it once more, with no message; it refuses again.
        'main: cancelled (no message), but refusing to stop',
      ),
    );
    // After shutdownTimeout (0.5 s) the task is reported and abandoned.
    expect(r.stderr).toMatch(
      /^Task still running 0\.5 seconds after it was cancelled at shutdown \(shutdownTimeout\): abandoned, .*\ncall_graph: \* Task\(name='Task-1', id=0x[0-9a-f]+\)\ntask: <Task cancelling name='Task-1' .*>\n$/,
    );
    expect(r.signal).toBe('SIGINT');
    expect(r.status).toBe(130);
  });

  test('SIGTERM on a server: it closes, then exit status 143 (ended by SIGTERM)', async () => {
    const p = startExample('08-signals/sigterm-server.ts');
    const [, port] = await p.waitFor(/^listening on port (\d+)\n/);
    // The server serves while it runs.
    const reply = await new Promise((resolve, reject) => {
      let data = '';
      const socket = createConnection(Number(port), '127.0.0.1');
      socket.setEncoding('utf8');
      socket.on('data', (d) => {
        data += d;
      });
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toBe('hello\n');
    p.kill('SIGTERM');
    const r = await p.done;
    expect(r.stdout).toBe(
      out(`listening on port ${port}`, 'cancelled by SIGTERM: shutting down', 'server closed'),
    );
    expect(r.stderr).toBe('');
    expect(r.signal).toBe('SIGTERM');
    expect(r.status).toBe(143);
  });
});
