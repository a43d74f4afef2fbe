// TLS over real sockets on 127.0.0.1: ported where they apply from CPython 3.14's
// Lib/test/test_asyncio/test_sslproto.py (BaseStartTLS) and test_ssl.py's asyncio parts.

import {
  createConnection,
  createServer,
  openConnection,
  Protocol,
  SSLError,
  type StreamReader,
  type StreamWriter,
  startServer,
  startTls,
  type Transport,
} from '@x/io';
import { type Coroutine, RuntimeError, TimeoutError, ValueError } from '@x/loop';
import { sleep } from '@x/tasks';
import { describe, expect, test } from 'vitest';
import { runLoop } from './net-helpers.js';
import { CERT, make, type TestCert } from './tls-cert.js';

const skip = typeof CERT === 'string';
const cert = CERT as TestCert;
if (skip) console.warn(`TLS tests skipped: ${CERT}`);

function* echoLine(reader: StreamReader, writer: StreamWriter): Coroutine<void> {
  try {
    for (;;) {
      const line = yield* reader.readline();
      if (line.length === 0) break;
      writer.write(line);
      yield* writer.drain();
    }
  } finally {
    writer.close();
  }
}

describe.skipIf(skip)('TLS (test_sslproto.py, test_ssl.py)', () => {
  test('a TLS echo: client verifies the server with its CA; peercert and cipher', async () => {
    await runLoop(function* () {
      const srv = yield* startServer(echoLine, '127.0.0.1', 0, {
        ssl: { key: cert.key, cert: cert.cert },
      });
      const [r, w] = yield* openConnection('127.0.0.1', srv.sockets[0].port, {
        ssl: { ca: cert.cert },
        serverHostname: 'localhost',
      });
      w.write(Buffer.from('secret\n'));
      expect((yield* r.readline()).toString()).toBe('secret\n');
      const peercert = w.getExtraInfo('peercert') as { subject: { CN: string } };
      expect(peercert.subject.CN).toBe('localhost');
      const cipher = w.getExtraInfo('cipher') as [string, string, null];
      expect(cipher[1]).toMatch(/^TLSv1\.[23]$/);
      expect(w.getExtraInfo('sslcontext')).not.toBeNull();
      expect(w.canWriteEof()).toBe(false);
      w.close();
      yield* w.waitClosed();
      srv.close();
      yield* srv.waitClosed();
    });
  });

  test('an untrusted (self-signed) certificate is SSLError', async () => {
    await runLoop(function* () {
      const srv = yield* startServer(echoLine, '127.0.0.1', 0, {
        ssl: { key: cert.key, cert: cert.cert },
      });
      try {
        yield* openConnection('127.0.0.1', srv.sockets[0].port, {
          ssl: true,
          serverHostname: 'localhost',
        });
        throw new Error('connected');
      } catch (e) {
        expect(e).toBeInstanceOf(SSLError);
        expect((e as SSLError).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
      }
      srv.close();
      yield* srv.waitClosed();
    });
  });

  test('a hostname mismatch is SSLError; serverHostname "" turns the check off', async () => {
    await runLoop(function* () {
      const srv = yield* startServer(echoLine, '127.0.0.1', 0, {
        ssl: { key: cert.key, cert: cert.cert },
      });
      const port = srv.sockets[0].port as number;
      try {
        yield* openConnection('127.0.0.1', port, {
          ssl: { ca: cert.cert },
          serverHostname: 'other.test',
        });
        throw new Error('connected');
      } catch (e) {
        expect(e).toBeInstanceOf(SSLError);
        expect((e as SSLError).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
      }
      const [r, w] = yield* openConnection('127.0.0.1', port, {
        ssl: { ca: cert.cert },
        serverHostname: '',
      });
      w.write(Buffer.from('ok\n'));
      expect((yield* r.readline()).toString()).toBe('ok\n');
      w.close();
      const [r2, w2] = yield* openConnection('127.0.0.1', port, {
        ssl: { rejectUnauthorized: false },
      });
      w2.write(Buffer.from('unverified\n'));
      expect((yield* r2.readline()).toString()).toBe('unverified\n');
      w2.close();
      srv.close();
      yield* srv.waitClosed();
    });
  });

  test('test_handshake_timeout: a server that never answers the ClientHello is TimeoutError', async () => {
    await runLoop(function* (loop) {
      const srv = yield* createServer(() => new Protocol(), '127.0.0.1', 0);
      const t0 = loop.time();
      try {
        yield* createConnection(() => new Protocol(), '127.0.0.1', srv.sockets[0].port, {
          ssl: { ca: cert.cert },
          serverHostname: 'localhost',
          sslHandshakeTimeout: 0.3,
        });
        throw new Error('connected');
      } catch (e) {
        expect(e).toBeInstanceOf(TimeoutError);
        expect((e as Error).message).toBe(
          'SSL handshake is taking longer than 0.3 seconds: aborting the connection',
        );
      }
      expect(loop.time() - t0).toBeGreaterThanOrEqual(0.25);
      srv.close();
      srv.closeClients();
      yield* srv.waitClosed();
    });
  });

  test('test_start_tls_client_reg_proto / server: STARTTLS on a plain stream', async () => {
    await runLoop(function* () {
      const srv = yield* startServer(
        function* (reader, writer) {
          expect((yield* reader.readline()).toString()).toBe('STARTTLS\n');
          writer.write(Buffer.from('OK\n'));
          yield* writer.drain();
          yield* writer.startTls({ key: cert.key, cert: cert.cert });
          expect(writer.getExtraInfo('sslcontext')).not.toBeNull();
          const line = yield* reader.readline();
          writer.write(Buffer.concat([Buffer.from('tls:'), line]));
          yield* writer.drain();
          writer.close();
        },
        '127.0.0.1',
        0,
      );
      const [r, w] = yield* openConnection('127.0.0.1', srv.sockets[0].port);
      w.write(Buffer.from('STARTTLS\n'));
      expect((yield* r.readline()).toString()).toBe('OK\n');
      expect(w.getExtraInfo('sslcontext')).toBeNull();
      yield* w.startTls({ ca: cert.cert }, { serverHostname: 'localhost' });
      expect(w.getExtraInfo('sslcontext')).not.toBeNull();
      w.write(Buffer.from('hello\n'));
      expect((yield* r.readline()).toString()).toBe('tls:hello\n');
      expect((yield* r.read()).length).toBe(0);
      w.close();
      yield* w.waitClosed();
      srv.close();
      yield* srv.waitClosed();
    });
  });

  test('a server that verifies clients (rejectUnauthorized: true): with and without a client certificate', async () => {
    await runLoop(function* () {
      let clientCN: string | null = null;
      const srv = yield* startServer(
        function* (reader, writer) {
          const pc = writer.getExtraInfo('peercert') as { subject?: { CN?: string } } | null;
          clientCN = pc?.subject?.CN ?? null;
          yield* echoLine(reader, writer);
        },
        '127.0.0.1',
        0,
        { ssl: { key: cert.key, cert: cert.cert, ca: cert.cert, rejectUnauthorized: true } },
      );
      const port = srv.sockets[0].port as number;
      // With a certificate the server trusts.
      const [r, w] = yield* openConnection('127.0.0.1', port, {
        ssl: { ca: cert.cert, key: cert.key, cert: cert.cert },
        serverHostname: 'localhost',
      });
      w.write(Buffer.from('with cert\n'));
      expect((yield* r.readline()).toString()).toBe('with cert\n');
      expect(clientCN).toBe('localhost');
      w.close();
      yield* w.waitClosed();
      // Without one: the server refuses the connection (TLS 1.3 tells the client after its handshake).
      let refused: unknown = null;
      try {
        const [r2, w2] = yield* openConnection('127.0.0.1', port, {
          ssl: { ca: cert.cert },
          serverHostname: 'localhost',
        });
        w2.write(Buffer.from('no cert\n'));
        const got = yield* r2.read();
        expect(got.length).toBe(0);
        refused = 'eof';
        w2.close();
      } catch (e) {
        refused = e;
      }
      expect(refused === 'eof' || refused instanceof SSLError).toBe(true);
      // With a certificate the server does not trust: refused too.
      const stranger = make('stranger') as TestCert;
      let refused2: unknown = null;
      try {
        const [r3, w3] = yield* openConnection('127.0.0.1', port, {
          ssl: { ca: cert.cert, key: stranger.key, cert: stranger.cert },
          serverHostname: 'localhost',
        });
        w3.write(Buffer.from('stranger\n'));
        expect((yield* r3.read()).length).toBe(0);
        refused2 = 'eof';
        w3.close();
      } catch (e) {
        refused2 = e;
      }
      expect(refused2 === 'eof' || refused2 instanceof SSLError).toBe(true);
      expect(clientCN).toBe('localhost');
      srv.close();
      yield* srv.waitClosed();
    });
  });

  test('test_start_tls_wrong_args: startTls refuses what it cannot upgrade', async () => {
    await runLoop(function* () {
      const srv = yield* startServer(echoLine, '127.0.0.1', 0);
      const [tr, pr] = yield* createConnection(
        () => new Protocol(),
        '127.0.0.1',
        srv.sockets[0].port,
      );
      for (const [make, cls, re] of [
        [
          () => startTls({} as Transport, pr, { ca: cert.cert }),
          TypeError,
          /is not supported by start_tls\(\)/,
        ],
        [() => startTls(tr, pr, false), TypeError, /sslcontext is expected/],
      ] as const) {
        try {
          yield* make();
          throw new Error('accepted');
        } catch (e) {
          expect(e).toBeInstanceOf(cls);
          expect((e as Error).message).toMatch(re);
        }
      }
      tr.close();
      try {
        yield* startTls(tr, pr, { ca: cert.cert });
        throw new Error('accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(RuntimeError);
      }
      srv.close();
      yield* srv.waitClosed();
    });
  });

  test('bad TLS options are the errors CPython raises', async () => {
    await runLoop(function* () {
      const bad: Array<[Coroutine<unknown>, abstract new (...a: never[]) => unknown, string]> = [
        [
          openConnection('127.0.0.1', 1, { sslHandshakeTimeout: 1 }),
          ValueError,
          'ssl_handshake_timeout is only meaningful with ssl',
        ],
        [
          openConnection('127.0.0.1', 1, { sslShutdownTimeout: 1 }),
          ValueError,
          'ssl_shutdown_timeout is only meaningful with ssl',
        ],
        [
          openConnection('127.0.0.1', 1, { ssl: true, sslHandshakeTimeout: -1 }),
          ValueError,
          'ssl_handshake_timeout should be a positive number, got -1',
        ],
        [
          openConnection(null, 1, { ssl: true }),
          ValueError,
          'You must set server_hostname when using ssl without a host',
        ],
        [
          startServer(echoLine, '127.0.0.1', 0, { ssl: true }),
          TypeError,
          'ssl argument must be an SSLContext or None: pass { key, cert }',
        ],
        [
          startServer(echoLine, '127.0.0.1', 0, { ssl: {} }),
          ValueError,
          'a TLS server needs ssl: { key, cert } (or pfx)',
        ],
      ];
      for (const [coro, cls, message] of bad) {
        try {
          yield* coro;
          throw new Error(`no ${cls.name}`);
        } catch (e) {
          expect(e).toBeInstanceOf(cls);
          expect((e as Error).message).toBe(message);
        }
      }
      yield* sleep(0);
    });
  });
});
