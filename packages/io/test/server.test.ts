// Ported from CPython 3.14's Lib/test/test_asyncio/test_server.py (BaseStartServer,
// SelectorStartServerTests, TestServer2), over real sockets on 127.0.0.1 and Unix sockets.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createServer,
  openConnection,
  openUnixConnection,
  Protocol,
  type StreamReader,
  type StreamWriter,
  startServer,
  startUnixServer,
} from '@x/io';
import { CancelledError, type Coroutine, RuntimeError, ValueError } from '@x/loop';
import { createTask, sleep } from '@x/tasks';
import { describe, expect, test } from 'vitest';
import { runLoop, until } from './net-helpers.js';

describe('BaseStartServer (test_server.py)', () => {
  test('test_start_server_1: serveForever, cancelled: the server is closed', async () => {
    await runLoop(function* () {
      const HELLO_MSG = Buffer.from('1'.repeat(1024));
      function* serve(reader: StreamReader, writer: StreamWriter): Coroutine<void> {
        yield* reader.readline();
        writer.write(HELLO_MSG);
        yield* writer.drain();
        writer.close();
        yield* writer.waitClosed();
      }
      const srv = yield* startServer(serve, '127.0.0.1', 0, { startServing: false });
      expect(srv.isServing()).toBe(false);
      const port = srv.sockets[0].port as number;
      const main = createTask(srv.serveForever());
      yield* sleep(0);
      expect(srv.isServing()).toBe(true);
      yield* expectRaises(
        srv.serveForever(),
        RuntimeError,
        /is already being awaited on serve_forever\(\)/,
      );
      const [r, w] = yield* openConnection('127.0.0.1', port);
      w.write(Buffer.from('hi\n'));
      expect(yield* r.readexactly(1024)).toEqual(HELLO_MSG);
      w.close();
      yield* w.waitClosed();
      main.cancel();
      yield* expectRaises(main, CancelledError);
      expect(srv.isServing()).toBe(false);
      expect(srv.sockets).toEqual([]);
      yield* expectRaises(srv.serveForever(), RuntimeError, /is closed/);
    });
  });

  test('test_start_unix_server_1', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'x-io-')), 'sock');
    await runLoop(function* () {
      const srv = yield* startUnixServer(function* (reader, writer) {
        writer.write(yield* reader.readline());
        yield* writer.drain();
        writer.close();
      }, path);
      const [r, w] = yield* openUnixConnection(path);
      w.write(Buffer.from('unix\n'));
      expect((yield* r.readline()).toString()).toBe('unix\n');
      w.close();
      yield* w.waitClosed();
      srv.close();
      yield* srv.waitClosed();
    });
  });

  test('connections accepted before startServing() wait in the backlog, then are served', async () => {
    await runLoop(function* () {
      const srv = yield* startServer(
        function* (reader, writer) {
          writer.write(yield* reader.readline());
          writer.close();
        },
        '127.0.0.1',
        0,
        { startServing: false },
      );
      const [r, w] = yield* openConnection('127.0.0.1', srv.sockets[0].port);
      w.write(Buffer.from('early\n'));
      const t = createTask(r.readline());
      yield* sleep(0.05);
      expect(t.done()).toBe(false);
      yield* srv.startServing();
      expect((yield* t).toString()).toBe('early\n');
      w.close();
      srv.close();
      yield* srv.waitClosed();
    });
  });
});

describe('TestServer2 (test_server.py)', () => {
  test('test_wait_closed_basic: waits for the server and every connection', async () => {
    await runLoop(function* () {
      const srv = yield* startServer(
        function* (reader, writer) {
          try {
            yield* reader.read();
          } finally {
            writer.close();
            yield* writer.waitClosed();
          }
        },
        '127.0.0.1',
        0,
      );
      // A waiter made before close() waits too.
      const task1 = createTask(srv.waitClosed());
      yield* sleep(0);
      expect(task1.done()).toBe(false);
      const [, w] = yield* openConnection('127.0.0.1', srv.sockets[0].port);
      yield* sleep(0.05);
      srv.close();
      const task2 = createTask(srv.waitClosed());
      yield* sleep(0.05);
      expect(task1.done()).toBe(false);
      expect(task2.done()).toBe(false);
      w.close();
      yield* w.waitClosed();
      yield* task1;
      yield* task2;
      // Once closed, waitClosed() returns at once.
      yield* srv.waitClosed();
    });
  });

  test('test_close_clients', async () => {
    await runLoop(function* () {
      const srv = yield* startServer(
        function* (reader, writer) {
          try {
            yield* reader.read();
          } finally {
            writer.close();
            yield* writer.waitClosed();
          }
        },
        '127.0.0.1',
        0,
      );
      const [r] = yield* openConnection('127.0.0.1', srv.sockets[0].port);
      yield* sleep(0.05);
      srv.close();
      srv.closeClients();
      expect((yield* r.read()).length).toBe(0);
      yield* srv.waitClosed();
    });
  });

  test('test_abort_clients: connections are aborted even with unsent data', async () => {
    await runLoop(function* () {
      let sw: StreamWriter | null = null;
      const srv = yield* startServer(
        function* (reader, writer) {
          sw = writer;
          yield* reader.read();
        },
        '127.0.0.1',
        0,
      );
      const [r] = yield* openConnection('127.0.0.1', srv.sockets[0].port);
      yield* until(() => sw !== null, 'the connection');
      const writer = sw as unknown as StreamWriter;
      writer.transport.setWriteBufferLimits(0);
      // Fill the send buffer: the client does not read.
      const big = Buffer.alloc(1024 * 1024);
      while (writer.transport.getWriteBufferSize() === 0) {
        writer.write(big);
        yield* sleep(0.001);
      }
      srv.close();
      srv.abortClients();
      yield* srv.waitClosed();
      // The client sees the end of the stream (or the reset), never a hang.
      try {
        for (let d = yield* r.read(1 << 20); d.length > 0; d = yield* r.read(1 << 20)) {
          /* drain what was sent before the abort */
        }
      } catch (e) {
        expect((e as Error).name).toBe('ConnectionResetError');
      }
      expect(r.atEof() || r.exception() !== null).toBe(true);
    });
  });

  test('Server as an async context manager: aexit closes and waits', async () => {
    await runLoop(function* () {
      const srv = yield* createServer(() => new Protocol(), '127.0.0.1', 0);
      expect(yield* srv.aenter()).toBe(srv);
      yield* srv.aexit(undefined);
      expect(srv.isServing()).toBe(false);
      expect(srv.sockets).toEqual([]);
      expect(String(srv)).toBe('<Server sockets=()>');
    });
  });

  test('Symbol.asyncDispose: `await using` in async code', async () => {
    await runLoop(function* (loop) {
      const srv = yield* createServer(() => new Protocol(), '127.0.0.1', 0);
      const p = srv[Symbol.asyncDispose]();
      yield* loop.createTask(
        (function* () {
          yield* sleep(0);
        })(),
      );
      yield* (function* () {
        const f = loop.createFuture<void>();
        p.then(() => f.setResult(undefined));
        yield* f;
      })();
      expect(srv.sockets).toEqual([]);
      expect(srv.getLoop()).toBe(loop);
    });
  });

  test('the handler is a task; an exception in it is reported and the connection closed', async () => {
    const errors: Array<Record<string, unknown>> = [];
    await runLoop(
      function* () {
        const srv = yield* startServer(
          function* () {
            yield* sleep(0);
            throw new TypeError('handler failed');
          },
          '127.0.0.1',
          0,
        );
        const [r] = yield* openConnection('127.0.0.1', srv.sockets[0].port);
        expect((yield* r.read()).length).toBe(0);
        expect(errors[0].message).toBe('Unhandled exception in client_connected_cb');
        expect(errors[0].exception).toBeInstanceOf(TypeError);
        srv.close();
        yield* srv.waitClosed();
      },
      { errors: errors as never },
    );
  });

  test('a host list, and "localhost" binding both families when available', async () => {
    await runLoop(function* () {
      const srv = yield* createServer(() => new Protocol(), ['127.0.0.1'], 0);
      expect(srv.sockets).toHaveLength(1);
      srv.close();
      yield* srv.waitClosed();
    });
  });

  test('bind error: address in use is OSError EADDRINUSE with CPython message', async () => {
    await runLoop(function* () {
      const a = yield* createServer(() => new Protocol(), '127.0.0.1', 0);
      const port = a.sockets[0].port as number;
      try {
        yield* createServer(() => new Protocol(), '127.0.0.1', port);
        throw new Error('bound twice');
      } catch (e) {
        expect((e as { code: string }).code).toBe('EADDRINUSE');
        expect((e as { errno: number }).errno).toBe(98);
        expect((e as Error).message).toBe(
          `[Errno 98] error while attempting to bind on address ('127.0.0.1', ${port})`,
        );
      }
      a.close();
      yield* a.waitClosed();
    });
  });
});

function* expectRaises(
  coro: Iterable<unknown>,
  cls: abstract new (...a: never[]) => unknown,
  message?: RegExp,
): Coroutine<void> {
  try {
    yield* coro as Coroutine<unknown>;
  } catch (e) {
    expect(e).toBeInstanceOf(cls);
    if (message) expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error(`expected ${cls.name}`);
}

describe('create_server options', () => {
  test("reusePort: SO_REUSEPORT where Node can set it, else CPython's ValueError", async () => {
    await runLoop(function* () {
      const [maj, min] = process.versions.node.split('.').map(Number);
      const supported = maj > 23 || (maj === 23 && min >= 1) || (maj === 22 && min >= 12);
      if (supported) {
        const a = yield* createServer(() => new Protocol(), '127.0.0.1', 0, { reusePort: true });
        const b = yield* createServer(() => new Protocol(), '127.0.0.1', a.sockets[0].port, {
          reusePort: true,
        });
        expect(b.sockets[0].port).toBe(a.sockets[0].port);
        for (const s of [a, b]) {
          s.close();
          yield* s.waitClosed();
        }
      } else {
        try {
          yield* createServer(() => new Protocol(), '127.0.0.1', 0, { reusePort: true });
          throw new Error('accepted');
        } catch (e) {
          expect(e).toBeInstanceOf(ValueError);
          expect((e as Error).message).toMatch(/^reuse_port not supported by socket module/);
        }
      }
    });
  });

  test('bad input: backlog, host and factory types', async () => {
    await runLoop(function* () {
      for (const make of [
        () =>
          createServer(() => new Protocol(), '127.0.0.1', 0, { backlog: 'x' as unknown as number }),
        () => createServer(() => new Protocol(), [42 as unknown as string], 0),
        () => createServer(null as unknown as () => Protocol, '127.0.0.1', 0),
        () => createServer(() => new Protocol(), '127.0.0.1', 1.5),
      ]) {
        try {
          yield* make();
          throw new Error('accepted');
        } catch (e) {
          expect(e).toBeInstanceOf(TypeError);
        }
      }
    });
  });
});
