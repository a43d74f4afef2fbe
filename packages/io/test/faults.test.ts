// Faults over real sockets on 127.0.0.1: a peer reset mid-read, a slow reader (memory stays
// flat: measured), 1,000 connections opened and closed (no leaked handle), cancellation at
// every await point, and what a closing loop leaves behind (a child Node process must end).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConnectionResetError,
  createServer,
  openConnection,
  Protocol,
  type StreamReader,
  type StreamWriter,
  startServer,
  type Transport,
} from '@x/io';
import { CancelledError, type Coroutine, type Future, getRunningLoop, logger } from '@x/loop';
import { createTask, gather, sleep, type Task } from '@x/tasks';
import { describe, expect, test, vi } from 'vitest';
import { activeResources, runLoop, until } from './net-helpers.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Lets handles closed by earlier tests finish closing (libuv closes them on a later turn). */
async function settle(): Promise<number> {
  let last = tcpHandles();
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const now = tcpHandles();
    if (now === last && i > 2) break;
    last = now;
  }
  return last;
}

/** The ref'd TCP handles of this process (what would keep it alive). */
function tcpHandles(): number {
  const r = activeResources();
  return (r.TCPSocketWrap ?? 0) + (r.TCPServerWrap ?? 0) + (r.TCPWRAP ?? 0);
}

function* hold(reader: StreamReader, writer: StreamWriter): Coroutine<void> {
  try {
    yield* reader.read();
  } finally {
    writer.close();
  }
}

describe('faults', { timeout: 60_000 }, () => {
  test('the peer resets the connection mid-read: ConnectionResetError from read()', async () => {
    await runLoop(function* () {
      let got: unknown = null;
      const done: Future<void> = getRunningLoop().createFuture();
      const srv = yield* startServer(
        function* (reader, writer) {
          try {
            yield* reader.readexactly(1000);
          } catch (e) {
            got = e;
          } finally {
            writer.close();
            done.setResult(undefined);
          }
        },
        '127.0.0.1',
        0,
      );
      const [, w] = yield* openConnection('127.0.0.1', srv.sockets[0].port);
      w.write(Buffer.from('partial'));
      yield* w.drain();
      yield* sleep(0.05);
      (w.getExtraInfo('socket') as import('node:net').Socket).resetAndDestroy();
      yield* done;
      expect(got).toBeInstanceOf(ConnectionResetError);
      expect((got as ConnectionResetError).errno).toBe(104);
      expect((got as Error).message).toBe('[Errno 104] Connection reset by peer');
      // drain() on the reset side raises too.
      srv.close();
      yield* srv.waitClosed();
    });
  });

  test('drain() after the peer reset raises the connection error', async () => {
    await runLoop(function* () {
      let sw: StreamWriter | null = null;
      const srv = yield* startServer(
        function* (reader, writer) {
          sw = writer;
          try {
            yield* reader.read();
          } catch (e) {
            // The reset reaches the reader too.
            expect(e).toBeInstanceOf(ConnectionResetError);
          }
        },
        '127.0.0.1',
        0,
      );
      const [, w] = yield* openConnection('127.0.0.1', srv.sockets[0].port);
      yield* until(() => sw !== null, 'server side');
      (w.getExtraInfo('socket') as import('node:net').Socket).resetAndDestroy();
      const writer = sw as unknown as StreamWriter;
      let err: unknown = null;
      for (let i = 0; i < 200 && err === null; i++) {
        try {
          writer.write(Buffer.alloc(65536));
          yield* writer.drain();
          yield* sleep(0.005);
        } catch (e) {
          err = e;
        }
      }
      expect(err).toBeInstanceOf(ConnectionResetError);
      srv.close();
      yield* srv.waitClosed();
    });
  });

  test('a slow reader: backpressure holds memory flat (measured)', async () => {
    const stats = await runLoop(function* () {
      const TOTAL = 64 * 1024 * 1024;
      const CHUNK = Buffer.alloc(64 * 1024, 7);
      let maxWriteBuffer = 0;
      const srv = yield* startServer(
        function* (_reader, writer) {
          for (let sent = 0; sent < TOTAL; sent += CHUNK.length) {
            writer.write(CHUNK);
            maxWriteBuffer = Math.max(maxWriteBuffer, writer.transport.getWriteBufferSize());
            yield* writer.drain();
          }
          writer.close();
        },
        '127.0.0.1',
        0,
      );
      const [r, w] = yield* openConnection('127.0.0.1', srv.sockets[0].port, { limit: 64 * 1024 });
      globalThis.gc?.();
      const base = process.memoryUsage();
      let peakExternal = 0;
      let received = 0;
      let reads = 0;
      let maxReaderBuffer = 0;
      for (;;) {
        const d = yield* r.read(16 * 1024);
        if (d.length === 0) break;
        received += d.length;
        const m = /(\d+) bytes/.exec(String(r));
        maxReaderBuffer = Math.max(maxReaderBuffer, m ? Number(m[1]) : 0);
        if (++reads % 64 === 0) {
          // Slow: a pause every 1 MiB read.
          yield* sleep(0.002);
          // Live memory only: what the GC cannot free is what backpressure must bound.
          globalThis.gc?.();
          const u = process.memoryUsage();
          peakExternal = Math.max(peakExternal, u.arrayBuffers - base.arrayBuffers);
        }
      }
      w.close();
      srv.close();
      yield* srv.waitClosed();
      return { received, maxWriteBuffer, maxReaderBuffer, peakExternal, TOTAL };
    });
    console.log(
      `slow reader: ${stats.received} bytes; server write buffer max ${stats.maxWriteBuffer} B; ` +
        `reader buffer max ${stats.maxReaderBuffer} B; ArrayBuffer memory peak +${(stats.peakExternal / 1048576).toFixed(1)} MiB for a ${stats.TOTAL / 1048576} MiB transfer`,
    );
    expect(stats.received).toBe(stats.TOTAL);
    // The writer waits in drain(): at most high-water mark + one chunk is buffered.
    expect(stats.maxWriteBuffer).toBeLessThanOrEqual(64 * 1024 + 64 * 1024);
    // The reader pauses the transport above 2 × limit (a read's worth of slack per chunk).
    expect(stats.maxReaderBuffer).toBeLessThanOrEqual(2 * 64 * 1024 + 256 * 1024);
    // Flat: a small multiple of the buffers, nowhere near the 64 MiB sent.
    expect(stats.peakExternal).toBeLessThan(16 * 1024 * 1024);
  });

  test('1,000 connections opened and closed leave no handle behind', async () => {
    const before = await settle();
    const counts = await runLoop(function* () {
      let served = 0;
      const srv = yield* startServer(
        function* (reader, writer) {
          const line = yield* reader.readline();
          writer.write(line);
          yield* writer.drain();
          writer.close();
          yield* writer.waitClosed();
          served++;
        },
        '127.0.0.1',
        0,
      );
      const port = srv.sockets[0].port as number;
      const during = tcpHandles();
      function* one(i: number): Coroutine<void> {
        const [r, w] = yield* openConnection('127.0.0.1', port);
        w.write(Buffer.from(`${i}\n`));
        expect((yield* r.readline()).toString()).toBe(`${i}\n`);
        w.close();
        yield* w.waitClosed();
      }
      for (let batch = 0; batch < 20; batch++) {
        yield* gather(Array.from({ length: 50 }, (_, j) => one(batch * 50 + j)));
      }
      yield* until(() => served === 1000, 'all 1000 served');
      srv.close();
      yield* srv.waitClosed();
      yield* until(
        () => tcpHandles() <= before,
        `handles released (${JSON.stringify(activeResources())})`,
        20,
      );
      return { during, served };
    });
    expect(counts.served).toBe(1000);
    expect(counts.during).toBe(before + 1);
    expect(tcpHandles()).toBe(before);
  });

  test('cancellation at every await point leaves no socket, listener or callback', async () => {
    const before = await settle();
    await runLoop(function* () {
      const srv = yield* startServer(hold, '127.0.0.1', 0);
      const port = srv.sockets[0].port as number;

      // 1. openConnection, cancelled mid-connect (before the host's 'connect' when the
      // cancellation wins the race; a connection that won it is closed).
      let cancelledMidConnect = 0;
      // After 0 to 4 turns: the cancellation lands before the connect, between the
      // connect and the task's resumption, or later.
      for (let i = 0; i < 40; i++) {
        const t = createTask(openConnection('127.0.0.1', port));
        for (let k = 0; k < i % 5; k++) yield* sleep(0);
        if (t.cancel()) {
          yield* expectCancelled(t, 'step 1');
          cancelledMidConnect++;
        } else {
          const [, w] = yield* t;
          w.close();
        }
      }
      expect(cancelledMidConnect).toBeGreaterThan(0);
      // 2. A TLS handshake that never completes, cancelled.
      const silent = yield* createServer(() => new Protocol(), '127.0.0.1', 0);
      const tlsTask = createTask(
        openConnection('127.0.0.1', silent.sockets[0].port, {
          ssl: true,
          serverHostname: 'localhost',
        }),
      );
      yield* sleep(0.05);
      tlsTask.cancel();
      yield* expectCancelled(tlsTask, 'step 2');
      // 3. read / readline / readexactly / readuntil, cancelled while waiting: the stream still works.
      const [r, w] = yield* openConnection('127.0.0.1', port);
      for (const make of [
        () => r.read(10),
        () => r.readline(),
        () => r.readexactly(5),
        () => r.readuntil(Buffer.from('!')),
      ]) {
        const t = createTask(make());
        yield* sleep(0.01);
        t.cancel();
        yield* expectCancelled(t, 'step 3');
      }
      w.close();
      yield* w.waitClosed();
      // 4. drain(), cancelled while the writer is paused (the peer does not read).
      class NoRead extends Protocol {
        override connectionMade(t: Transport): void {
          t.pauseReading();
        }
      }
      const noRead = yield* createServer(() => new NoRead(), '127.0.0.1', 0);
      const [, w4] = yield* openConnection('127.0.0.1', noRead.sockets[0].port);
      while (w4.transport.getWriteBufferSize() === 0) {
        w4.write(Buffer.alloc(1 << 20));
        yield* sleep(0.001);
      }
      const dt = createTask(w4.drain());
      yield* sleep(0);
      dt.cancel();
      yield* expectCancelled(dt, 'step 4');
      w4.transport.abort();
      noRead.close();
      noRead.abortClients();
      yield* noRead.waitClosed();
      // 5. waitClosed / serveForever, cancelled: serveForever closes the server.
      const s2 = yield* startServer(hold, '127.0.0.1', 0);
      const wc = createTask(s2.waitClosed());
      yield* sleep(0);
      wc.cancel();
      yield* expectCancelled(wc, 'step 5');
      const sf = createTask(s2.serveForever());
      yield* sleep(0);
      sf.cancel();
      yield* expectCancelled(sf, 'step 6');
      expect(s2.sockets).toEqual([]);
      // 6. startServer with a name to resolve, cancelled during the lookup.
      const ss = createTask(startServer(hold, 'localhost', 0));
      ss.cancel();
      yield* expectCancelled(ss, 'step 7');
      // 7. startServer cancelled while Node binds (between listen() and 'listening'), or
      // after, when the listening won the race (then the server is closed by hand).
      for (let i = 0; i < 20; i++) {
        const sb = createTask(startServer(hold, '127.0.0.1', 0));
        for (let k = 0; k < i % 4; k++) yield* sleep(0);
        if (sb.cancel()) {
          yield* expectCancelled(sb, 'step 8');
        } else {
          const s = yield* sb;
          s.close();
          yield* s.waitClosed();
        }
      }

      silent.close();
      silent.abortClients();
      yield* silent.waitClosed();
      srv.close();
      srv.abortClients();
      yield* srv.waitClosed();
      yield* until(
        () => tcpHandles() <= before,
        `every socket released (before: ${before}, now: ${JSON.stringify(activeResources())})`,
        20,
      );
    });
    expect(tcpHandles()).toBe(before);
  });

  test('a closing loop un-refs what was left open, and reports it in debug mode', async () => {
    const before = await settle();
    const warnings: string[] = [];
    const spy = vi.spyOn(logger, 'warning').mockImplementation((m: string) => {
      warnings.push(m);
    });
    let leftSock: import('node:net').Socket | null = null;
    try {
      await runLoop(
        function* () {
          const srv = yield* startServer(hold, '127.0.0.1', 0);
          const [, w] = yield* openConnection('127.0.0.1', srv.sockets[0].port);
          leftSock = w.getExtraInfo('socket') as import('node:net').Socket;
          yield* sleep(0.05);
          expect(tcpHandles()).toBeGreaterThan(before);
        },
        { debug: true },
      );
    } finally {
      spy.mockRestore();
    }
    // Left open (as asyncio leaves them) but no longer keeping the process alive.
    expect(tcpHandles()).toBe(before);
    expect((leftSock as unknown as import('node:net').Socket).destroyed).toBe(false);
    expect(warnings.some((m) => /^unclosed <SocketTransport .*peername/.test(m))).toBe(true);
    expect(warnings.some((m) => /^unclosed <Server sockets=\(127\.0\.0\.1:\d+\)>/.test(m))).toBe(
      true,
    );
    (leftSock as unknown as import('node:net').Socket).destroy();
  });

  const fixture = join(here, 'fixtures', 'leave-open.mjs');
  const built = existsSync(join(here, '..', 'dist', 'index.js'));
  test.skipIf(!built)(
    'a program that leaves connections open ends when CPython would (a real child)',
    async () => {
      for (const mode of ['quiet', 'debug']) {
        const child = spawn(process.execPath, [fixture, mode], { cwd: here });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => {
          out += d;
        });
        child.stderr.on('data', (d) => {
          err += d;
        });
        const code = await new Promise<number | null>((resolve) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
          child.on('exit', (c) => {
            clearTimeout(timer);
            resolve(c);
          });
        });
        expect(out).toBe('open\nclosed\n');
        expect(code).toBe(0);
        // The handler task still waiting in read() is reported as CPython reports it.
        expect(err).toMatch(/Task was destroyed but it is pending!/);
        if (mode === 'debug') {
          expect(err).toMatch(/unclosed <SocketTransport/);
          expect(err).toMatch(/unclosed <Server sockets=\(127\.0\.0\.1:\d+\)>/);
        } else {
          expect(err).not.toMatch(/unclosed/);
        }
      }
    },
  );
  if (!built)
    console.warn(
      'the child-process test of faults.test.ts needs packages/io/dist: run pnpm build first',
    );
});

function* expectCancelled(t: Task<unknown>, what = ''): Coroutine<void> {
  try {
    yield* t;
  } catch (e) {
    expect(e).toBeInstanceOf(CancelledError);
    return;
  }
  throw new Error(`the task was not cancelled ${what}`);
}
