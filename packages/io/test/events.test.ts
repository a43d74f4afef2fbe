// The transport and protocol parts of CPython 3.14's Lib/test/test_asyncio/test_events.py
// (EventLoopTestsMixin: create_connection/create_server, MyProto, MyBaseProto) and of
// test_buffered_proto.py, over real sockets on 127.0.0.1 and Unix sockets.
import { mkdtempSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BaseTransport,
  BufferedProtocol,
  createConnection,
  createServer,
  createUnixConnection,
  createUnixServer,
  Protocol,
  type Server,
  type Transport,
} from '@x/io';
import {
  type ExceptionContext,
  type Future,
  getRunningLoop,
  RuntimeError,
  ValueError,
} from '@x/loop';
import { currentTask, sleep } from '@x/tasks';
import { describe, expect, test } from 'vitest';
import { runLoop, until } from './net-helpers.js';

/** CPython's MyProto: a state machine checked at every callback. */
class MyProto extends Protocol {
  transport: Transport | null = null;
  state = 'INITIAL';
  nbytes = 0;
  data: Buffer[] = [];
  done: Future<void>;
  events: string[] = [];
  constructor(private readonly greeting: Buffer | null = null) {
    super();
    this.done = getRunningLoop().createFuture<void>();
  }
  override connectionMade(transport: Transport): void {
    this.events.push('made');
    this.transport = transport;
    expect(this.state).toBe('INITIAL');
    this.state = 'CONNECTED';
    if (this.greeting) transport.write(this.greeting);
  }
  override dataReceived(data: Buffer): void {
    this.events.push('data');
    expect(this.state).toBe('CONNECTED');
    this.nbytes += data.length;
    this.data.push(data);
  }
  override eofReceived(): void {
    this.events.push('eof');
    expect(this.state).toBe('CONNECTED');
    this.state = 'EOF';
  }
  override connectionLost(exc: unknown): void {
    this.events.push(`lost:${exc === null ? 'null' : (exc as Error).name}`);
    expect(['CONNECTED', 'EOF']).toContain(this.state);
    this.state = 'CLOSED';
    if (!this.done.done()) this.done.setResult(undefined);
  }
}

/** The server side of most tests: echo, and close on EOF (eofReceived returns nothing). */
class EchoProto extends Protocol {
  transport!: Transport;
  override connectionMade(t: Transport): void {
    this.transport = t;
  }
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

describe('EventLoopTestsMixin (test_events.py): connections and servers', () => {
  test('test_create_connection / test_create_server: callbacks in order, extra info', async () => {
    await runLoop(function* () {
      let serverProto: MyProto | null = null;
      const server = yield* createServer(
        () => {
          serverProto = new MyProto();
          return serverProto;
        },
        '127.0.0.1',
        0,
      );
      const port = server.sockets[0].port as number;
      expect(server.sockets).toEqual([{ family: 'IPv4', address: '127.0.0.1', port }]);
      const [tr, pr] = yield* createConnection(
        () => new MyProto(Buffer.from('GET / HTTP/1.0\r\n\r\n')),
        '127.0.0.1',
        port,
      );
      expect(pr.state).toBe('CONNECTED');
      expect(tr.getExtraInfo('peername')).toEqual(['127.0.0.1', port]);
      const sockname = tr.getExtraInfo('sockname') as [string, number];
      expect(sockname[0]).toBe('127.0.0.1');
      expect(tr.getExtraInfo('nonexistent', 'dflt')).toBe('dflt');
      yield* until(() => serverProto !== null && serverProto.nbytes === 18, 'server data');
      const sp = serverProto as unknown as MyProto;
      expect(Buffer.concat(sp.data).toString()).toBe('GET / HTTP/1.0\r\n\r\n');
      expect((sp.transport as Transport).getExtraInfo('peername')).toEqual(sockname);
      tr.close();
      yield* pr.done;
      yield* sp.done;
      expect(pr.events).toEqual(['made', 'lost:null']);
      expect(sp.events).toEqual(['made', 'data', 'eof', 'lost:null']);
      expect(pr.state).toBe('CLOSED');
      // Kept from the start, as CPython's extra info: still there once closed.
      expect(tr.getExtraInfo('peername')).toEqual(['127.0.0.1', port]);
      expect(tr.getExtraInfo('sockname')).toEqual(sockname);
      server.close();
      yield* server.waitClosed();
      expect(server.sockets).toEqual([]);
    });
  });

  test('test_create_connection_local_addr', async () => {
    await runLoop(function* () {
      const server = yield* createServer(() => new EchoProto(), '127.0.0.1', 0);
      const port = server.sockets[0].port as number;
      const local = yield* createServer(() => new EchoProto(), '127.0.0.1', 0);
      const freePort = local.sockets[0].port as number;
      local.close();
      yield* local.waitClosed();
      const [tr] = yield* createConnection(() => new MyProto(), '127.0.0.1', port, {
        localAddr: ['127.0.0.1', freePort],
      });
      expect(tr.getExtraInfo('sockname')).toEqual(['127.0.0.1', freePort]);
      tr.close();
      server.close();
      yield* server.waitClosed();
    });
  });

  test('test_create_unix_connection / test_create_unix_server', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'x-io-')), 'sock');
    await runLoop(function* () {
      const server = yield* createUnixServer(() => new EchoProto(), path);
      expect(server.sockets).toEqual([{ family: 'unix', address: path }]);
      let serverSide: Transport | null = null;
      class Remember extends EchoProto {
        override connectionMade(t: Transport): void {
          super.connectionMade(t);
          serverSide = t;
        }
      }
      server.close();
      yield* server.waitClosed();
      const server2 = yield* createUnixServer(() => new Remember(), path);
      const [tr, pr] = yield* createUnixConnection(() => new MyProto(Buffer.from('ping')), path);
      expect(tr.getExtraInfo('peername')).toBe(path);
      expect(tr.getExtraInfo('sockname')).toBe('');
      yield* until(() => serverSide !== null, 'the server side');
      expect((serverSide as unknown as Transport).getExtraInfo('sockname')).toBe(path);
      expect((serverSide as unknown as Transport).getExtraInfo('peername')).toBe('');
      yield* until(() => pr.nbytes === 4, 'echo over the unix socket');
      tr.close();
      yield* pr.done;
      server2.close();
      yield* server2.waitClosed();
    });
  });

  test('protocol callbacks run as loop callbacks (running loop, no current task)', async () => {
    await runLoop(function* (loop) {
      const seen: unknown[] = [];
      class Probe extends Protocol {
        override connectionMade(): void {
          seen.push(getRunningLoop() === loop, currentTask());
        }
      }
      const server = yield* createServer(() => new EchoProto(), '127.0.0.1', 0);
      const [tr] = yield* createConnection(() => new Probe(), '127.0.0.1', server.sockets[0].port);
      expect(seen).toEqual([true, null]);
      tr.close();
      server.close();
      yield* server.waitClosed();
    });
  });

  test('an exception in dataReceived goes to the handler with transport and protocol; the transport closes', async () => {
    const errors: ExceptionContext[] = [];
    await runLoop(
      function* () {
        class Bad extends MyProto {
          override dataReceived(): void {
            throw new ValueError('bad data');
          }
        }
        const server = yield* createServer(() => new EchoProto(), '127.0.0.1', 0);
        const [tr, pr] = yield* createConnection(
          () => new Bad(Buffer.from('x')),
          '127.0.0.1',
          server.sockets[0].port,
        );
        yield* pr.done;
        expect(tr.isClosing()).toBe(true);
        expect(errors).toHaveLength(1);
        expect(errors[0].message).toBe('Fatal error: protocol.data_received() call failed.');
        expect(errors[0].exception).toBeInstanceOf(ValueError);
        expect(errors[0].transport).toBe(tr);
        expect(errors[0].protocol).toBe(pr);
        expect(pr.events.at(-1)).toBe('lost:ValueError');
        server.close();
        yield* server.waitClosed();
      },
      { errors },
    );
  });

  test('half-close: writeEof, the peer answers after eofReceived returns true', async () => {
    await runLoop(function* () {
      class Answer extends Protocol {
        t!: Transport;
        got: Buffer[] = [];
        override connectionMade(t: Transport): void {
          this.t = t;
        }
        override dataReceived(d: Buffer): void {
          this.got.push(d);
        }
        override eofReceived(): boolean {
          this.t.write(Buffer.from(`got ${Buffer.concat(this.got).length} bytes`));
          this.t.close();
          return true;
        }
      }
      const server = yield* createServer(() => new Answer(), '127.0.0.1', 0);
      const [tr, pr] = yield* createConnection(
        () => new MyProto(),
        '127.0.0.1',
        server.sockets[0].port,
      );
      expect(tr.canWriteEof()).toBe(true);
      tr.write(Buffer.from('hello'));
      tr.writeEof();
      expect(() => tr.write(Buffer.from('more'))).toThrow(
        new RuntimeError('Cannot call write() after write_eof()'),
      );
      yield* pr.done;
      expect(Buffer.concat(pr.data).toString()).toBe('got 5 bytes');
      expect(pr.events).toEqual(['made', 'data', 'eof', 'lost:null']);
      server.close();
      yield* server.waitClosed();
    });
  });

  test('write: bad input and write after close are specific errors; nothing is sent', async () => {
    await runLoop(function* () {
      const server = yield* createServer(() => new EchoProto(), '127.0.0.1', 0);
      const [tr, pr] = yield* createConnection(
        () => new MyProto(),
        '127.0.0.1',
        server.sockets[0].port,
      );
      expect(() => tr.write('str' as unknown as Buffer)).toThrow(TypeError);
      expect(() => tr.write('str' as unknown as Buffer)).toThrow(/bytes-like object, not 'str'/);
      expect(() => tr.write(null as unknown as Buffer)).toThrow(TypeError);
      expect(() => tr.writelines(['a' as unknown as Buffer])).toThrow(TypeError);
      tr.write(Buffer.alloc(0)); // a no-op, as CPython
      tr.close();
      expect(tr.isClosing()).toBe(true);
      expect(() => tr.write(Buffer.from('late'))).toThrow(RuntimeError);
      tr.close(); // a second close is a no-op
      yield* pr.done;
      expect(pr.nbytes).toBe(0);
      server.close();
      yield* server.waitClosed();
    });
  });

  test('getWriteBufferLimits / setWriteBufferLimits (CPython defaults and checks)', async () => {
    await runLoop(function* () {
      const server = yield* createServer(() => new EchoProto(), '127.0.0.1', 0);
      const [tr] = yield* createConnection(
        () => new MyProto(),
        '127.0.0.1',
        server.sockets[0].port,
      );
      expect(tr.getWriteBufferLimits()).toEqual([16384, 65536]);
      tr.setWriteBufferLimits(128);
      expect(tr.getWriteBufferLimits()).toEqual([32, 128]);
      tr.setWriteBufferLimits(undefined, 100);
      expect(tr.getWriteBufferLimits()).toEqual([100, 400]);
      expect(() => tr.setWriteBufferLimits(10, 20)).toThrow(
        new ValueError('high (10) must be >= low (20) must be >= 0'),
      );
      expect(tr.getWriteBufferSize()).toBe(0);
      tr.close();
      server.close();
      yield* server.waitClosed();
    });
  });

  test('flow control: pauseWriting inside the write that crosses the high-water mark, resumeWriting once drained', async () => {
    await runLoop(function* () {
      const events: string[] = [];
      class Writer extends Protocol {
        t!: Transport;
        override connectionMade(t: Transport): void {
          this.t = t;
        }
        override pauseWriting(): void {
          events.push(`pause@${this.t.getWriteBufferSize() > 65536}`);
        }
        override resumeWriting(): void {
          events.push(`resume@${this.t.getWriteBufferSize() <= 16384}`);
        }
      }
      // A server that does not read until told to.
      let serverT: Transport | null = null;
      class Slow extends Protocol {
        n = 0;
        override connectionMade(t: Transport): void {
          serverT = t;
          t.pauseReading();
        }
        override dataReceived(d: Buffer): void {
          this.n += d.length;
        }
      }
      const server = yield* createServer(() => new Slow(), '127.0.0.1', 0);
      const [tr] = yield* createConnection(() => new Writer(), '127.0.0.1', server.sockets[0].port);
      const chunk = Buffer.alloc(64 * 1024, 1);
      let writes = 0;
      while (events.length === 0 && writes < 1000) {
        tr.write(chunk);
        writes++;
        if (events.length === 0) yield* sleep(0.001);
      }
      // Called synchronously by the write() that crossed the mark.
      expect(events).toEqual(['pause@true']);
      yield* until(() => serverT !== null, 'server connection');
      (serverT as unknown as Transport).resumeReading();
      yield* until(() => events.length === 2, 'resumeWriting');
      expect(events).toEqual(['pause@true', 'resume@true']);
      tr.close();
      server.close();
      server.closeClients();
      yield* server.waitClosed();
    });
  });

  test('pauseReading stops dataReceived; resumeReading delivers what came, in order', async () => {
    await runLoop(function* () {
      const server = yield* createServer(() => new EchoProto(), '127.0.0.1', 0);
      const [tr, pr] = yield* createConnection(
        () => new MyProto(),
        '127.0.0.1',
        server.sockets[0].port,
      );
      tr.write(Buffer.from('a'));
      yield* until(() => pr.nbytes === 1, 'first echo');
      tr.pauseReading();
      expect(tr.isReading()).toBe(false);
      tr.write(Buffer.from('bc'));
      tr.write(Buffer.from('def'));
      yield* sleep(0.1);
      expect(pr.nbytes).toBe(1);
      tr.resumeReading();
      expect(tr.isReading()).toBe(true);
      yield* until(() => pr.nbytes === 6, 'the rest');
      expect(Buffer.concat(pr.data).toString()).toBe('abcdef');
      tr.close();
      yield* pr.done;
      server.close();
      yield* server.waitClosed();
    });
  });

  test('abort(): connectionLost(null) at once, buffered data dropped', async () => {
    await runLoop(function* () {
      const server = yield* createServer(() => new EchoProto(), '127.0.0.1', 0);
      const [tr, pr] = yield* createConnection(
        () => new MyProto(),
        '127.0.0.1',
        server.sockets[0].port,
      );
      tr.abort();
      yield* pr.done;
      expect(pr.events).toEqual(['made', 'lost:null']);
      server.close();
      yield* server.waitClosed();
    });
  });

  test('setProtocol switches the protocol that gets the data', async () => {
    await runLoop(function* () {
      const server = yield* createServer(() => new EchoProto(), '127.0.0.1', 0);
      const [tr, first] = yield* createConnection(
        () => new MyProto(),
        '127.0.0.1',
        server.sockets[0].port,
      );
      const second = new MyProto();
      second.state = 'CONNECTED';
      tr.setProtocol(second);
      expect(tr.getProtocol()).toBe(second);
      tr.write(Buffer.from('xyz'));
      yield* until(() => second.nbytes === 3, 'data to the new protocol');
      expect(first.nbytes).toBe(0);
      tr.close();
      yield* second.done;
      server.close();
      yield* server.waitClosed();
    });
  });
});

describe('BufferedProtocol (test_buffered_proto.py)', () => {
  test('test_buffered_proto_create_connection', async () => {
    await runLoop(function* () {
      const NOISE = Buffer.alloc(1024 * 1024, 0x61);
      class Sender extends Protocol {
        override connectionMade(t: Transport): void {
          t.write(NOISE);
          t.close();
        }
      }
      class ReceiveStuffProto extends BufferedProtocol {
        buf = new Uint8Array(100);
        data: Buffer[] = [];
        done: Future<void> = getRunningLoop().createFuture<void>();
        override getBuffer(_sizehint: number): Uint8Array {
          return this.buf;
        }
        override bufferUpdated(nbytes: number): void {
          this.data.push(Buffer.from(this.buf.subarray(0, nbytes)));
        }
        override connectionLost(): void {
          this.done.setResult(undefined);
        }
      }
      const server = yield* createServer(() => new Sender(), '127.0.0.1', 0);
      const [, pr] = yield* createConnection(
        () => new ReceiveStuffProto(),
        '127.0.0.1',
        server.sockets[0].port,
      );
      yield* pr.done;
      const got = Buffer.concat(pr.data);
      expect(got.length).toBe(NOISE.length);
      expect(got.equals(NOISE)).toBe(true);
      expect(Math.max(...pr.data.map((d) => d.length))).toBeLessThanOrEqual(100);
      server.close();
      yield* server.waitClosed();
    });
  });

  test('getBuffer returning an empty buffer is a fatal error, reported', async () => {
    const errors: ExceptionContext[] = [];
    await runLoop(
      function* () {
        class Empty extends BufferedProtocol {
          lost: Future<unknown> = getRunningLoop().createFuture();
          override getBuffer(): Uint8Array {
            return new Uint8Array(0);
          }
          override connectionLost(exc: unknown): void {
            this.lost.setResult(exc);
          }
        }
        class Hello extends Protocol {
          override connectionMade(t: BaseTransport): void {
            (t as Transport).write(Buffer.from('hi'));
          }
        }
        const server = yield* createServer(() => new Hello(), '127.0.0.1', 0);
        const [, pr] = yield* createConnection(
          () => new Empty(),
          '127.0.0.1',
          server.sockets[0].port,
        );
        const exc = yield* pr.lost;
        expect(exc).toBeInstanceOf(RuntimeError);
        expect(errors[0].message).toBe('Fatal error: protocol.get_buffer() call failed.');
        server.close();
        yield* server.waitClosed();
      },
      { errors },
    );
  });
});

describe('what applies of test_sock_lowlevel.py and test_unix_events.py', () => {
  test('test_huge_content / test_huge_content_recvinto: 16 MiB each way, intact', async () => {
    await runLoop(function* () {
      const DATA = Buffer.alloc(16 * 1024 * 1024);
      for (let i = 0; i < DATA.length; i += 4) DATA.writeUInt32LE(i, i);
      let serverGot = 0;
      const echoed: Buffer[] = [];
      class Collector extends Protocol {
        t!: Transport;
        override connectionMade(t: Transport): void {
          this.t = t;
        }
        override dataReceived(d: Buffer): void {
          serverGot += d.length;
          this.t.write(d);
        }
      }
      const server = yield* createServer(() => new Collector(), '127.0.0.1', 0);
      class Sink extends MyProto {
        override dataReceived(d: Buffer): void {
          echoed.push(d);
          this.nbytes += d.length;
        }
      }
      const [tr, pr] = yield* createConnection(
        () => new Sink(),
        '127.0.0.1',
        server.sockets[0].port,
      );
      tr.write(DATA);
      yield* until(() => pr.nbytes === DATA.length, 'the echo of 16 MiB', 60);
      expect(serverGot).toBe(DATA.length);
      expect(Buffer.concat(echoed).equals(DATA)).toBe(true);
      tr.close();
      yield* pr.done;
      server.close();
      server.closeClients();
      yield* server.waitClosed();
    });
  }, 60_000);

  test('test_create_unix_server_existing_path_sock: a stale socket file is replaced', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'x-io-')), 'sock');
    await runLoop(function* () {
      const first = yield* createUnixServer(() => new EchoProto(), path);
      // Leave it bound (as a crashed process would leave the file), then bind again.
      const second = yield* createUnixServer(() => new EchoProto(), path);
      const [tr, pr] = yield* createUnixConnection(() => new MyProto(Buffer.from('x')), path);
      yield* until(() => pr.nbytes === 1, 'echo from the new server');
      tr.close();
      first.close();
      second.close();
      yield* first.waitClosed();
      yield* second.waitClosed();
    });
  });

  test('test_create_unix_connection_nopath_nosock and bad paths', async () => {
    await runLoop(function* () {
      for (const [make, cls] of [
        [() => createUnixConnection(() => new MyProto(), ''), ValueError],
        [() => createUnixConnection(() => new MyProto(), 42 as unknown as string), TypeError],
        [() => createUnixServer(() => new MyProto(), ''), ValueError],
      ] as const) {
        try {
          yield* make();
          throw new Error('accepted');
        } catch (e) {
          expect(e).toBeInstanceOf(cls);
        }
      }
    });
  });
});

describe('Happy Eyeballs (test_staggered.py, create_connection with happy_eyeballs_delay)', () => {
  test("'localhost' with happyEyeballsDelay: the address that accepts wins; the others are released", async () => {
    await runLoop(function* () {
      const server = yield* createServer(() => new EchoProto(), '127.0.0.1', 0);
      const port = server.sockets[0].port as number;
      for (const interleave of [1, 2]) {
        const [tr, pr] = yield* createConnection(
          () => new MyProto(Buffer.from('hi')),
          'localhost',
          port,
          {
            happyEyeballsDelay: 0.05,
            interleave,
          },
        );
        expect(tr.getExtraInfo('peername')).toEqual(['127.0.0.1', port]);
        yield* until(() => pr.nbytes === 2, 'the echo');
        tr.close();
        yield* pr.done;
      }
      server.close();
      yield* server.waitClosed();
      // Nothing listens any more: every address's error, as an ExceptionGroup with allErrors.
      try {
        yield* createConnection(() => new MyProto(), '127.0.0.1', port, {
          happyEyeballsDelay: 0.05,
          allErrors: true,
        });
        throw new Error('connected');
      } catch (e) {
        expect((e as Error).name).toBe('ExceptionGroup');
      }
    });
  });
  test('two addresses (a resolver answering ::1 then 127.0.0.1): the refused one loses, errors kept in order', async () => {
    const require = createRequire(import.meta.url);
    const dnsCjs = require('node:dns') as typeof import('node:dns');
    const real = dnsCjs.lookup;
    // A resolver for one test name only; syncBuiltinESMExports makes `import * as dns` see it.
    (dnsCjs as { lookup: unknown }).lookup = (
      host: string,
      opts: unknown,
      cb: (...a: unknown[]) => void,
    ) => {
      if (host !== 'dual.test') return (real as (...a: unknown[]) => void)(host, opts, cb);
      cb(null, [
        { address: '::1', family: 6 },
        { address: '127.0.0.1', family: 4 },
      ]);
    };
    syncBuiltinESMExports();
    try {
      await runLoop(function* () {
        const server = yield* createServer(() => new EchoProto(), '127.0.0.1', 0);
        const port = server.sockets[0].port as number;
        const [tr, pr] = yield* createConnection(() => new MyProto(), 'dual.test', port, {
          happyEyeballsDelay: 0.25,
        });
        expect(tr.getExtraInfo('peername')).toEqual(['127.0.0.1', port]);
        tr.close();
        yield* pr.done;
        server.close();
        yield* server.waitClosed();
        try {
          yield* createConnection(() => new MyProto(), 'dual.test', port, {
            happyEyeballsDelay: 0.25,
            allErrors: true,
          });
          throw new Error('connected');
        } catch (e) {
          expect((e as Error).name).toBe('ExceptionGroup');
          const errs = (e as unknown as { exceptions: Error[] }).exceptions;
          expect(errs).toHaveLength(2);
          expect(errs[0].message).toMatch(/\('::1', \d+, 0, 0\)/);
          expect(errs[1].message).toBe(`[Errno 111] Connect call failed ('127.0.0.1', ${port})`);
        }
      });
    } finally {
      (dnsCjs as { lookup: unknown }).lookup = real;
      syncBuiltinESMExports();
    }
  });
});

describe('test_events.py: local addresses and host lists', () => {
  test('test_create_connection_local_addr_in_use: CPython message', async () => {
    await runLoop(function* () {
      const server = yield* createServer(() => new EchoProto(), '127.0.0.1', 0);
      const port = server.sockets[0].port as number;
      try {
        yield* createConnection(() => new MyProto(), '127.0.0.1', port, {
          localAddr: ['127.0.0.1', port],
        });
        throw new Error('connected');
      } catch (e) {
        expect((e as { errno: number }).errno).toBe(98);
        expect((e as Error).message).toBe(
          `[Errno 98] error while attempting to bind on address ('127.0.0.1', ${port}): address already in use`,
        );
      }
      server.close();
      yield* server.waitClosed();
    });
  });

  test('test_create_server_multiple_hosts: one listener per host', async () => {
    await runLoop(function* () {
      let hosts = ['127.0.0.1', '::1'];
      let server: Server;
      try {
        server = yield* createServer(() => new EchoProto(), hosts, 0);
      } catch (e) {
        // No IPv6 loopback on this machine: one host only.
        expect((e as { code: string }).code).toMatch(/EADDRNOTAVAIL|EAFNOSUPPORT/);
        hosts = ['127.0.0.1'];
        server = yield* createServer(() => new EchoProto(), hosts, 0);
      }
      expect(server.sockets.map((s) => s.address).sort()).toEqual([...hosts].sort());
      for (const s of server.sockets) {
        const [tr, pr] = yield* createConnection(
          () => new MyProto(Buffer.from('x')),
          s.address,
          s.port,
        );
        yield* until(() => pr.nbytes === 1, `echo from ${s.address}`);
        tr.close();
        yield* pr.done;
      }
      server.close();
      yield* server.waitClosed();
    });
  });
});
