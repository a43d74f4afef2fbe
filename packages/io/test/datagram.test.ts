// UDP endpoints on 127.0.0.1, with real sockets. Ported where they apply from CPython
// 3.14's test_events.py (test_create_datagram_endpoint*), test_base_events.py
// (BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_*) and
// test_selector_events.py (SelectorDatagramTransportTests), and a UDP exchange with
// a real CPython process.
// Child processes and Python start slowly on a loaded 2-core machine: each describe has a
// generous timeout (60 s); nothing here waits for a fixed time to pass.
import { spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import {
  ConnectionRefusedError,
  createDatagramEndpoint,
  DatagramProtocol,
  type DatagramTransport,
} from '@x/io';
import {
  CancelledError,
  type Coroutine,
  type EventLoop,
  type ExceptionContext,
  type Future,
  getRunningLoop,
  logger,
  OSError,
  RuntimeError,
  ValueError,
} from '@x/loop';
import { createTask, sleep } from '@x/tasks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { closeLoop, recordingLoop } from './net-helpers.js';

let loop: EventLoop;
let errors: ExceptionContext[];

beforeEach(() => {
  ({ loop, errors } = recordingLoop());
});

afterEach(() => closeLoop(loop));

/** test_events.MyDatagramProto: states, byte count, and a future at connectionLost. */
class MyDatagramProto extends DatagramProtocol {
  state = 'INITIAL';
  nbytes = 0;
  transport: DatagramTransport | null = null;
  received: Array<[string, [string, number]]> = [];
  errors: unknown[] = [];
  done: Future<void>;
  constructor() {
    super();
    this.done = getRunningLoop().createFuture<void>();
  }
  override connectionMade(t: DatagramTransport): void {
    this.transport = t;
    expect(this.state).toBe('INITIAL');
    this.state = 'INITIALIZED';
  }
  override datagramReceived(data: Buffer, addr: [string, number]): void {
    expect(this.state).toBe('INITIALIZED');
    this.nbytes += data.length;
    this.received.push([data.toString(), addr]);
  }
  override errorReceived(exc: unknown): void {
    expect(this.state).toBe('INITIALIZED');
    this.errors.push(exc);
  }
  override connectionLost(exc: unknown): void {
    expect(this.state).toBe('INITIALIZED');
    this.state = 'CLOSED';
    this.done.setResult(undefined);
    void exc;
  }
}

function* until(cond: () => boolean, what: string): Coroutine<void> {
  const deadline = getRunningLoop().time() + 10;
  while (!cond()) {
    if (getRunningLoop().time() > deadline) throw new Error(`timed out waiting for ${what}`);
    yield* sleep(0.002);
  }
}

function* raises(f: () => Coroutine<unknown>): Coroutine<unknown> {
  try {
    yield* f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an exception');
}

describe('EventLoopTestsMixin', { timeout: 60_000 }, () => {
  test('test_create_datagram_endpoint', async () => {
    class TestMyDatagramProto extends MyDatagramProto {
      override datagramReceived(data: Buffer, addr: [string, number]): void {
        super.datagramReceived(data, addr);
        this.transport?.sendto(Buffer.concat([Buffer.from('resp:'), data]), addr);
      }
    }
    function* main(): Coroutine<void> {
      const [s_transport, server] = yield* createDatagramEndpoint(() => new TestMyDatagramProto(), {
        localAddr: ['127.0.0.1', 0],
      });
      expect(server.state).toBe('INITIALIZED');
      const host_port = s_transport.getExtraInfo('sockname') as [string, number];
      expect(host_port[0]).toBe('127.0.0.1');
      expect(s_transport.getExtraInfo('peername')).toBeNull();

      const [transport, client] = yield* createDatagramEndpoint(() => new MyDatagramProto(), {
        remoteAddr: host_port,
      });
      expect(client.state).toBe('INITIALIZED');
      expect(transport.getExtraInfo('peername')).toEqual(host_port);
      transport.sendto(Buffer.from('xxx'));
      yield* until(() => server.nbytes > 0, 'server bytes');
      expect(server.nbytes).toBe(3);
      yield* until(() => client.nbytes > 0, 'client bytes');
      // received
      expect(client.nbytes).toBe(8);
      expect(client.received[0]).toEqual(['resp:xxx', host_port]);
      // extra info is available
      expect(transport.getExtraInfo('sockname')).not.toBeNull();
      expect(transport.getExtraInfo('socket')).toBeInstanceOf(dgram.Socket);
      // close connection
      transport.close();
      yield* client.done;
      expect(client.state).toBe('CLOSED');
      server.transport?.close();
      yield* server.done;
    }
    await loop.runUntilComplete(main());
    expect(errors).toEqual([]);
  });

  test('test_create_datagram_endpoint_ipv6 (::1)', async (ctx) => {
    function* main(): Coroutine<boolean> {
      let s: DatagramTransport;
      try {
        [s] = yield* createDatagramEndpoint(() => new MyDatagramProto(), { localAddr: ['::1', 0] });
      } catch (e) {
        if (e instanceof OSError) return false;
        throw e;
      }
      const addr = s.getExtraInfo('sockname') as [string, number];
      expect(addr[0]).toBe('::1');
      const [c, client] = yield* createDatagramEndpoint(() => new MyDatagramProto(), {
        family: 'IPv6',
      });
      expect(c.getExtraInfo('sockname')).toEqual(['::', 0]); // not bound until the first send
      c.sendto(Buffer.from('six'), addr);
      const server = s.getProtocol() as MyDatagramProto;
      yield* until(() => server.nbytes === 3, 'ipv6 datagram');
      c.close();
      s.close();
      yield* client.done;
      return true;
    }
    if (!(await loop.runUntilComplete(main()))) ctx.skip('no IPv6 loopback (::1) on this machine');
  });
});

describe('BaseEventLoopWithSelectorTests (real sockets)', { timeout: 60_000 }, () => {
  test('test_create_datagram_endpoint_noaddr_nofamily', async () => {
    const e = await loop.runUntilComplete(
      raises(() => createDatagramEndpoint(() => new DatagramProtocol())),
    );
    expect(e).toBeInstanceOf(ValueError);
    expect((e as Error).message).toBe('unexpected address family');
  });

  test('test_create_datagram_endpoint_no_matching_family', async () => {
    const e = await loop.runUntilComplete(
      raises(() =>
        createDatagramEndpoint(() => new DatagramProtocol(), {
          localAddr: ['::1', 0],
          remoteAddr: ['127.0.0.1', 0],
        }),
      ),
    );
    expect(e).toBeInstanceOf(ValueError);
    expect((e as Error).message).toBe('can not get address information');
  });

  test('test_create_datagram_endpoint_cant_bind', async () => {
    function* main(): Coroutine<unknown> {
      const [t] = yield* createDatagramEndpoint(() => new DatagramProtocol(), {
        localAddr: ['127.0.0.1', 0],
      });
      const port = (t.getExtraInfo('sockname') as [string, number])[1];
      const e = yield* raises(() =>
        createDatagramEndpoint(() => new DatagramProtocol(), { localAddr: ['127.0.0.1', port] }),
      );
      t.close();
      return e;
    }
    const e = (await loop.runUntilComplete(main())) as OSError;
    expect(e).toBeInstanceOf(OSError);
    expect(e.errno).toBe(98);
    expect(e.code).toBe('EADDRINUSE');
  });

  test('test_create_datagram_endpoint_reuse_address_error / nosoreuseport', async () => {
    const e = await loop.runUntilComplete(
      raises(() =>
        createDatagramEndpoint(() => new DatagramProtocol(), {
          localAddr: ['127.0.0.1', 0],
          reuseAddress: true,
        }),
      ),
    );
    expect(e).toBeInstanceOf(ValueError);
    expect((e as Error).message).toContain('Passing `reuse_address=True` is no longer supported');
    const [maj, min] = process.versions.node.split('.').map(Number);
    if (maj < 22 || (maj === 22 && min < 12) || (maj === 23 && min < 1)) {
      const e2 = await loop.runUntilComplete(
        raises(() =>
          createDatagramEndpoint(() => new DatagramProtocol(), {
            localAddr: ['127.0.0.1', 0],
            reusePort: true,
          }),
        ),
      );
      expect(e2).toBeInstanceOf(ValueError);
      expect((e2 as Error).message).toContain('reuse_port not supported by socket module');
    }
    // reuseAddress: false is accepted.
    function* ok(): Coroutine<void> {
      const [t, p] = yield* createDatagramEndpoint(() => new MyDatagramProto(), {
        localAddr: ['127.0.0.1', 0],
        reuseAddress: false,
      });
      t.close();
      yield* p.done;
    }
    await loop.runUntilComplete(ok());
  });

  test('test_create_datagram_endpoint_allow_broadcast: not connected, sendto goes to the remote address', async () => {
    function* main(): Coroutine<void> {
      const [s, server] = yield* createDatagramEndpoint(() => new MyDatagramProto(), {
        localAddr: ['127.0.0.1', 0],
      });
      const addr = s.getExtraInfo('sockname') as [string, number];
      const [c, client] = yield* createDatagramEndpoint(() => new MyDatagramProto(), {
        remoteAddr: addr,
        allowBroadcast: true,
      });
      expect(c.getExtraInfo('peername')).toBeNull();
      c.sendto(Buffer.from('b'));
      yield* until(() => server.nbytes === 1, 'broadcast-enabled datagram');
      c.close();
      s.close();
      yield* client.done;
      yield* server.done;
    }
    await loop.runUntilComplete(main());
  });

  test('bad input: wrong types, ports out of range, unknown options', async () => {
    const mk = () => new DatagramProtocol();
    const cases: Array<[() => Coroutine<unknown>, unknown, string]> = [
      [
        () => createDatagramEndpoint(mk, { localAddr: '127.0.0.1' as unknown as [string, number] }),
        TypeError,
        '2-tuple is expected',
      ],
      [
        () => createDatagramEndpoint(mk, { localAddr: ['127.0.0.1', 70000] }),
        RangeError,
        'port must be 0-65535',
      ],
      [
        () => createDatagramEndpoint(mk, { localAddr: ['127.0.0.1', '80' as unknown as number] }),
        TypeError,
        'port must be an integer',
      ],
      [
        () => createDatagramEndpoint(mk, { family: 'AF_INET' as 'IPv4' }),
        TypeError,
        "family must be 'IPv4', 'IPv6' or 0",
      ],
      [
        () => createDatagramEndpoint(mk, { sock: 1 } as object),
        TypeError,
        "unexpected option 'sock'",
      ],
      [
        () => createDatagramEndpoint(null as unknown as () => DatagramProtocol, { family: 'IPv4' }),
        TypeError,
        'protocolFactory must be a function',
      ],
    ];
    for (const [f, cls, msg] of cases) {
      const e = (await loop.runUntilComplete(raises(f))) as Error;
      expect(e, msg).toBeInstanceOf(cls as new () => Error);
      expect(e.message).toContain(msg);
    }
  });
});

describe('SelectorDatagramTransportTests (real sockets)', { timeout: 60_000 }, () => {
  function* pair(): Coroutine<
    [DatagramTransport, MyDatagramProto, DatagramTransport, MyDatagramProto]
  > {
    const [s, server] = yield* createDatagramEndpoint(() => new MyDatagramProto(), {
      localAddr: ['127.0.0.1', 0],
    });
    const [c, client] = yield* createDatagramEndpoint(() => new MyDatagramProto(), {
      remoteAddr: s.getExtraInfo('sockname') as [string, number],
    });
    return [s, server, c, client];
  }

  test('test_sendto_bytearray / memoryview / no_data: any Uint8Array; empty datagrams are sent (3.13+)', async () => {
    function* main(): Coroutine<void> {
      const [s, server, c, client] = yield* pair();
      c.sendto(new Uint8Array([100, 97, 116, 97])); // "data"
      const big = Buffer.from('xxdataxx');
      c.sendto(big.subarray(2, 6));
      c.sendto(Buffer.alloc(0));
      yield* until(() => server.received.length === 3, 'three datagrams');
      expect(server.received.map((r) => r[0])).toEqual(['data', 'data', '']);
      c.close();
      s.close();
      yield* client.done;
      yield* server.done;
    }
    await loop.runUntilComplete(main());
  });

  test('test_sendto_str / test_sendto_connected_addr / unconnected without addr: errors at the call', async () => {
    function* main(): Coroutine<unknown[]> {
      const [s, server, c, client] = yield* pair();
      const out: unknown[] = [];
      for (const f of [
        () => c.sendto('str' as unknown as Uint8Array),
        () => c.sendto(Buffer.from('x'), ['127.0.0.1', 1]),
        () => s.sendto(Buffer.from('x')),
        () => s.sendto(Buffer.from('x'), ['127.0.0.1', 70000]),
      ]) {
        try {
          f();
          out.push(null);
        } catch (e) {
          out.push(e);
        }
      }
      // Nothing was lost, the endpoints still work.
      c.sendto(Buffer.from('ok'));
      yield* until(() => server.received.length === 1, 'a datagram');
      c.close();
      s.close();
      yield* client.done;
      yield* server.done;
      return out;
    }
    const [a, b, c, d] = (await loop.runUntilComplete(main())) as Error[];
    expect(a).toBeInstanceOf(TypeError);
    expect(a.message).toBe(
      "data argument must be a bytes-like object, not 'str': encode it first, e.g. Buffer.from(s)",
    );
    expect(b).toBeInstanceOf(ValueError);
    expect(b.message).toMatch(/^Invalid address: must be None or \('127\.0\.0\.1', \d+\)$/);
    expect(c).toBeInstanceOf(ValueError);
    expect(d).toBeInstanceOf(RangeError);
  });

  test('sendto after close() is a RuntimeError; abort() loses nothing silently', async () => {
    function* main(): Coroutine<unknown> {
      const [s, server, c, client] = yield* pair();
      c.close();
      expect(c.isClosing()).toBe(true);
      let err: unknown = null;
      try {
        c.sendto(Buffer.from('late'));
      } catch (e) {
        err = e;
      }
      yield* client.done;
      s.abort();
      yield* server.done;
      return err;
    }
    const e = await loop.runUntilComplete(main());
    expect(e).toBeInstanceOf(RuntimeError);
    expect((e as Error).message).toContain('Cannot call sendto() after close()');
  });

  test('test_read_ready_err / errorReceived: ICMP port unreachable is ConnectionRefusedError', async () => {
    function* main(): Coroutine<unknown[]> {
      // A port nobody listens on: bind one, note it, close it.
      const [tmp, tp] = yield* createDatagramEndpoint(() => new MyDatagramProto(), {
        localAddr: ['127.0.0.1', 0],
      });
      const addr = tmp.getExtraInfo('sockname') as [string, number];
      tmp.close();
      yield* tp.done;
      const [c, client] = yield* createDatagramEndpoint(() => new MyDatagramProto(), {
        remoteAddr: addr,
      });
      c.sendto(Buffer.from('anyone?'));
      yield* until(() => client.errors.length > 0, 'errorReceived');
      // The endpoint stays open after errorReceived, as in CPython.
      expect(c.isClosing()).toBe(false);
      c.close();
      yield* client.done;
      return client.errors;
    }
    const errs = await loop.runUntilComplete(main());
    expect(errs[0]).toBeInstanceOf(ConnectionRefusedError);
    expect((errs[0] as OSError).errno).toBe(111);
  });

  test('flow control: the buffer counts each datagram + 8 bytes until Node has sent it', async () => {
    const calls: string[] = [];
    class P extends MyDatagramProto {
      override pauseWriting(): void {
        calls.push('pause');
      }
      override resumeWriting(): void {
        calls.push('resume');
      }
    }
    function* main(): Coroutine<void> {
      const [s, server] = yield* createDatagramEndpoint(() => new MyDatagramProto(), {
        localAddr: ['127.0.0.1', 0],
      });
      const [c, client] = yield* createDatagramEndpoint(() => new P(), {
        remoteAddr: s.getExtraInfo('sockname') as [string, number],
      });
      (c as unknown as { setWriteBufferLimits(h: number): void }).setWriteBufferLimits(100);
      c.sendto(Buffer.alloc(50));
      expect(c.getWriteBufferSize()).toBe(58);
      expect(calls).toEqual([]);
      c.sendto(Buffer.alloc(50));
      expect(c.getWriteBufferSize()).toBe(116);
      expect(calls).toEqual(['pause']); // synchronously, inside sendto()
      yield* until(() => c.getWriteBufferSize() === 0, 'sends done');
      expect(calls).toEqual(['pause', 'resume']);
      yield* until(() => server.received.length === 2, 'two datagrams');
      c.close();
      s.close();
      yield* client.done;
      yield* server.done;
    }
    await loop.runUntilComplete(main());
  });

  test('close() sends what is queued first, then connectionLost(null); abort() does not wait', async () => {
    function* main(): Coroutine<[number, number, boolean]> {
      const [s, server, c, client] = yield* pair();
      for (let i = 0; i < 20; i++) c.sendto(Buffer.from(`m${i}`));
      const queued = c.getWriteBufferSize();
      c.close();
      yield* client.done;
      yield* until(() => server.received.length === 20, 'twenty datagrams');
      const [c2, client2] = yield* createDatagramEndpoint(() => new MyDatagramProto(), {
        remoteAddr: s.getExtraInfo('sockname') as [string, number],
      });
      c2.sendto(Buffer.from('x'));
      c2.abort();
      yield* client2.done;
      s.close();
      yield* server.done;
      return [queued, server.received.length, c2.getWriteBufferSize() === 0];
    }
    const [queued, n, emptied] = await loop.runUntilComplete(main());
    expect(queued).toBeGreaterThan(0);
    expect(n).toBeGreaterThanOrEqual(20);
    expect(emptied).toBe(true);
  });
});

describe('interoperability and faults', { timeout: 60_000 }, () => {
  test('a UDP exchange with CPython socket module', async () => {
    const script = [
      'import socket, sys',
      's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
      "s.bind(('127.0.0.1', 0))",
      'print(s.getsockname()[1], flush=True)',
      'for _ in range(3):',
      '    data, addr = s.recvfrom(65536)',
      "    s.sendto(b'py:' + data, addr)",
    ].join('\n');
    const py = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve, reject) => {
      py.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      py.once('error', reject);
    });
    function* main(): Coroutine<string[]> {
      const [c, client] = yield* createDatagramEndpoint(() => new MyDatagramProto(), {
        remoteAddr: ['127.0.0.1', port],
      });
      for (const m of ['one', 'two', 'three']) {
        c.sendto(Buffer.from(m));
        const n = client.received.length;
        yield* until(() => client.received.length > n, `reply to ${m}`);
      }
      c.close();
      yield* client.done;
      return client.received.map((r) => r[0]);
    }
    expect(await loop.runUntilComplete(main())).toEqual(['py:one', 'py:two', 'py:three']);
    await new Promise((r) => py.once('exit', r));
  });

  test('cancelled while creating: no socket left behind', async () => {
    // Sockets closed by the tests before this one may still be closing on a
    // busy machine: wait (up to 2 s) until they are gone, and at the end until
    // this test's are, so that the count compares this test's sockets only.
    const udpSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
    const settle = async (target: number) => {
      for (let i = 0; i < 100 && udpSockets() > target; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await settle(0);
    const before = udpSockets();
    function* main(): Coroutine<void> {
      for (let i = 0; i < 3; i++) {
        const task = createTask(
          createDatagramEndpoint(() => new DatagramProtocol(), { localAddr: ['127.0.0.1', 0] }),
        );
        for (let k = 0; k < i; k++) yield undefined;
        task.cancel();
        try {
          const [t] = yield* task;
          t.close(); // finished before the cancel landed
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
        }
      }
      yield* sleep(0.05);
    }
    await loop.runUntilComplete(main());
    await settle(before);
    expect(udpSockets()).toBe(before);
  });

  test('an open endpoint at loop close is un-refed and reported in debug mode', async () => {
    const warnings: string[] = [];
    const saved = logger.warning;
    logger.warning = (m: string) => warnings.push(m);
    loop.setDebug(true);
    try {
      function* main(): Coroutine<void> {
        yield* createDatagramEndpoint(() => new DatagramProtocol(), {
          localAddr: ['127.0.0.1', 0],
        });
      }
      await loop.runUntilComplete(main());
      loop.close();
    } finally {
      logger.warning = saved;
    }
    expect(warnings.some((w) => w.startsWith('unclosed <DatagramTransport'))).toBe(true);
    expect(process.getActiveResourcesInfo()).not.toContain('UDPWrap');
  });
});
