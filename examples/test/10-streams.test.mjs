// Scenario 10: a TCP echo server and its client on streams (127.0.0.1 only). The server is
// shut down gracefully by a real SIGTERM while a client is still connected.
import { createConnection } from 'node:net';
import { describe, expect, test } from 'vitest';
import { out, runExample, startExample } from './helpers.mjs';

describe('streams', () => {
  test('echo client and server; SIGTERM closes the open connections, then status 143', async () => {
    const server = startExample('10-streams/echo-server.ts');
    const [, port] = await server.waitFor(/^serving on 127\.0\.0\.1:(\d+)\n/);

    const client = await runExample('10-streams/echo-client.ts', { args: [port] });
    expect(client.stdout).toBe(out('echo: hello', 'echo: from', 'echo: x-async'));
    expect(client.stderr).toBe('');
    expect(client.status).toBe(0);

    // A client that stays connected: the shutdown must close it (it sees the end of the stream).
    const lingering = createConnection(Number(port), '127.0.0.1');
    let echoed = '';
    lingering.setEncoding('utf8');
    lingering.on('data', (d) => {
      echoed += d;
    });
    const ended = new Promise((resolve, reject) => {
      lingering.on('end', resolve);
      lingering.on('error', reject);
    });
    lingering.write('still here\n');
    await server.waitFor(/connected\n.*connected\n/s);
    await new Promise((resolve) => {
      const check = () => (echoed === 'still here\n' ? resolve() : setTimeout(check, 10));
      check();
    });

    server.kill('SIGTERM');
    await ended;
    lingering.destroy();
    const r = await server.done;
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`serving on 127.0.0.1:${port}`);
    // The first client came and went; the second was closed by the shutdown.
    expect(lines[1]).toMatch(/^127\.0\.0\.1:\d+ connected$/);
    expect(lines[2]).toMatch(/^127\.0\.0\.1:\d+ gone$/);
    expect(lines[3]).toMatch(/^127\.0\.0\.1:\d+ connected$/);
    expect(lines.slice(4)).toEqual([
      'SIGTERM: closing the connections',
      expect.stringMatching(/^127\.0\.0\.1:\d+ gone$/),
      'server closed',
      '',
    ]);
    expect(r.stderr).toBe('');
    expect(r.signal).toBe('SIGTERM');
    expect(r.status).toBe(143);
  });
});
