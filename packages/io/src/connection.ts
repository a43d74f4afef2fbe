/**
 * Opening stream connections: asyncio's `loop.create_connection()` and
 * `loop.create_unix_connection()` (`base_events.py`, `unix_events.py`).
 */
import * as net from 'node:net';
import {
  type Coroutine,
  type EventLoop,
  type Future,
  getRunningLoop,
  OSError,
  ValueError,
} from '@x/loop';
import { ExceptionGroup } from '@x/tasks';
import {
  type AddrInfo,
  checkFamily,
  checkHost,
  checkPort,
  describeType,
  lookupAll,
} from './dns.js';
import { fromNodeError } from './errors.js';
import { awaitResource } from './host-call.js';
import type { BaseProtocol } from './protocols.js';
import { SocketTransport } from './socket-transport.js';
import { type SslOption, type TlsSettings, tlsSettings, wrapTls } from './tls.js';
import type { Transport } from './transports.js';

/**
 * The keyword arguments of `create_connection()` / `open_connection()`.
 *
 * @example
 * ```ts
 * const options: ConnectionOptions = { ssl: true, serverHostname: 'example.test', localAddr: ['127.0.0.1', 0] };
 * ```
 */
export interface ConnectionOptions {
  /** TLS: `true` or secure-context options. */
  ssl?: SslOption;
  /** The name the server's certificate is checked against (default: `host`); '' turns the check off. */
  serverHostname?: string;
  /** Bind the socket to this local address first. */
  localAddr?: [string, number];
  /** Restrict the lookup to one address family. */
  family?: 'IPv4' | 'IPv6' | 0;
  /** Happy Eyeballs (RFC 8305): start the next address's attempt after this many seconds (0.25 recommended). */
  happyEyeballsDelay?: number | null;
  /** With Happy Eyeballs: how many addresses of the first family go first (default 1). */
  interleave?: number;
  /** Seconds the TLS handshake may take (default 60). */
  sslHandshakeTimeout?: number;
  /** Seconds the TLS shutdown may take (default 30). */
  sslShutdownTimeout?: number;
  /** 3.12: raise an `ExceptionGroup` of every address's error instead of one error. */
  allErrors?: boolean;
}

/** Connects one socket; the Future settles on 'connect' or the error. Cancelling it destroys the socket. */
function connectSocket(
  loop: EventLoop,
  opts: net.NetConnectOpts & { localAddress?: string; localPort?: number },
  what: string,
): { fut: Future<net.Socket>; sock: net.Socket } {
  const fut = loop.createFuture<net.Socket>();
  const sock = new net.Socket({ allowHalfOpen: true });
  const onError = (err: Error): void => {
    sock.off('connect', onConnect);
    sock.destroy();
    if (fut.done() || loop.isClosed()) return;
    const e = err as NodeJS.ErrnoException;
    if (e.syscall === 'bind' && opts.localAddress !== undefined) {
      // CPython: OSError(errno, f'error while attempting to bind on address {laddr!r}: {strerror.lower()}')
      const laddr = `('${opts.localAddress}', ${opts.localPort ?? 0})`;
      const base = fromNodeError(err) as Error;
      const detail = base.message.replace(/^\[Errno \d+\] /, '').toLowerCase();
      fut.setException(
        fromNodeError(err, `error while attempting to bind on address ${laddr}: ${detail}`),
      );
      return;
    }
    fut.setException(fromNodeError(err, what));
  };
  const onConnect = (): void => {
    sock.off('error', onError);
    if (fut.done() || loop.isClosed()) {
      sock.destroy();
      return;
    }
    fut.setResult(sock);
  };
  sock.once('error', onError);
  sock.once('connect', onConnect);
  fut.addDoneCallback((f) => {
    if (f.cancelled()) {
      sock.off('error', onError);
      sock.off('connect', onConnect);
      sock.destroy();
    }
  });
  sock.connect(opts);
  return { fut, sock };
}

function whatOf(a: AddrInfo): string {
  return `Connect call failed ${formatAddr(a)}`;
}

/** CPython's `_interleave_addrinfos`: the first family's first `first` addresses, then alternate. */
function interleaveAddrInfos(infos: AddrInfo[], first: number): AddrInfo[] {
  const byFamily = new Map<string, AddrInfo[]>();
  for (const i of infos) {
    const list = byFamily.get(i.family);
    if (list) list.push(i);
    else byFamily.set(i.family, [i]);
  }
  const lists = [...byFamily.values()];
  const out: AddrInfo[] = [];
  if (first > 1) out.push(...lists[0].splice(0, first - 1));
  for (let k = 0; lists.some((l) => k < l.length); k++) {
    for (const l of lists) if (k < l.length) out.push(l[k]);
  }
  return out;
}

/**
 * CPython's `staggered.staggered_race` over connection attempts: start the next attempt
 * when the previous one failed or after `delay` seconds; the first to connect wins and
 * the others are cancelled (their sockets destroyed). Errors are collected in `errors`.
 */
function* staggeredConnect(
  loop: EventLoop,
  targets: net.NetConnectOpts[],
  whats: string[],
  delay: number,
  errors: unknown[],
): Coroutine<net.Socket | null> {
  const winner = loop.createFuture<net.Socket | null>();
  const attempts: Array<Future<net.Socket>> = [];
  const failed: unknown[] = new Array(targets.length);
  let next = 0;
  let running = 0;
  // In an object: TypeScript does not see the closures assign a plain `let`.
  const pending: { timer: { cancel(): void } | null } = { timer: null };
  const startNext = (): void => {
    pending.timer?.cancel();
    pending.timer = null;
    if (winner.done() || next >= targets.length) return;
    const index = next++;
    const { fut } = connectSocket(loop, targets[index], whats[index]);
    attempts.push(fut);
    running++;
    fut.addDoneCallback((f) => {
      running--;
      if (f.cancelled()) return;
      const exc = f.exception();
      if (winner.done()) {
        if (exc === null) f.result().destroy();
        return;
      }
      if (exc === null) {
        winner.setResult(f.result());
        return;
      }
      failed[index] = exc;
      if (next < targets.length) startNext();
      else if (running === 0) winner.setResult(null);
    });
    if (next < targets.length) pending.timer = loop.callLater(delay, startNext);
  };
  startNext();
  try {
    return yield* awaitResource(winner, (sock) => sock?.destroy());
  } finally {
    pending.timer?.cancel();
    for (const a of attempts) if (!a.done()) a.cancel();
    for (const e of failed) if (e !== undefined) errors.push(e);
  }
}

function formatAddr(a: AddrInfo): string {
  return a.family === 'IPv6' ? `('${a.address}', ${a.port}, 0, 0)` : `('${a.address}', ${a.port})`;
}

/** Makes the transport over a connected socket (TLS-wrapped if asked) and waits until it is up. */
function* makeConnectedTransport<P extends BaseProtocol>(
  loop: EventLoop,
  sock: net.Socket,
  protocol: P,
  tlsS: TlsSettings | null,
  extra?: Record<string, unknown>,
): Coroutine<[Transport, P]> {
  const waiter = loop.createFuture<void>();
  const s = tlsS === null ? sock : wrapTls(sock, tlsS, 'client');
  const transport = new SocketTransport(loop, s, protocol, {
    waiter,
    handshaking: tlsS !== null,
    sslContext: tlsS?.context,
    sslHandshakeTimeout: tlsS?.handshakeTimeout,
    sslShutdownTimeout: tlsS?.shutdownTimeout,
    extra,
  });
  try {
    yield* waiter;
  } catch (e) {
    transport.close();
    throw e;
  }
  return [transport, protocol];
}

function checkFactory(f: unknown, name: string): void {
  if (typeof f !== 'function') {
    throw new TypeError(
      `${name}() needs a protocol factory (a function returning a protocol), got ${describeType(f)}`,
    );
  }
}

function makeProtocol<P>(factory: () => P): P {
  const p = factory();
  if (p === null || typeof p !== 'object') {
    throw new TypeError(`the protocol factory returned ${describeType(p)}, not a protocol object`);
  }
  return p;
}

/**
 * Mirrors `loop.create_connection(protocol_factory, host, port, ...)`: opens a
 * TCP (or, with `ssl`, TLS) connection and returns `[transport, protocol]`
 * once the protocol's `connectionMade` has run. Each resolved address is
 * tried in turn; a refused connection raises `ConnectionRefusedError`, a
 * failed lookup `gaierror`, a TLS failure `SSLError`. Cancelling it destroys
 * the half-open socket.
 *
 * @example
 * ```ts
 * const [transport, protocol] = yield* createConnection(() => new MyProtocol(), '127.0.0.1', 8888);
 * transport.write(Buffer.from('hello\n'));
 * ```
 */
export function* createConnection<P extends BaseProtocol>(
  protocolFactory: () => P,
  host?: string | null,
  port?: number | null,
  options: ConnectionOptions = {},
): Coroutine<[Transport, P]> {
  const loop = getRunningLoop();
  checkFactory(protocolFactory, 'createConnection');
  const h = checkHost(host);
  const p = checkPort(port, 'connect');
  if (h === null && p === null) {
    throw new ValueError('host and port was not specified and no sock specified');
  }
  const family = checkFamily(options.family);
  const tlsS = tlsSettings(options.ssl, options, 'client', h);
  if (options.happyEyeballsDelay !== undefined && options.happyEyeballsDelay !== null) {
    if (typeof options.happyEyeballsDelay !== 'number' || options.happyEyeballsDelay < 0) {
      throw new ValueError('happyEyeballsDelay must be a non-negative number of seconds or null');
    }
  }
  let local: { localAddress?: string; localPort?: number } = {};
  if (options.localAddr !== undefined && options.localAddr !== null) {
    const [lh, lp] = options.localAddr;
    local = {
      localAddress: checkHost(lh, 'localAddr[0]') ?? undefined,
      localPort: checkPort(lp, 'bind') ?? undefined,
    };
  }
  const infos = yield* lookupAll(loop, h, p ?? 0, family);
  if (infos.length === 0) throw new OSError('getaddrinfo() returned empty list');
  const errors: unknown[] = [];
  const opts = (info: AddrInfo): net.NetConnectOpts => ({
    host: info.address,
    port: info.port,
    family: info.family === 'IPv6' ? 6 : 4,
    ...local,
  });
  let sock: net.Socket | null = null;
  const delay = options.happyEyeballsDelay;
  if (delay !== undefined && delay !== null && infos.length > 1) {
    // RFC 8305, as CPython: interleave the families, then stagger the attempts.
    const ordered = interleaveAddrInfos(infos, options.interleave ?? 1);
    sock = yield* staggeredConnect(loop, ordered.map(opts), ordered.map(whatOf), delay, errors);
  } else {
    for (const info of infos) {
      const attempt = connectSocket(loop, opts(info), whatOf(info));
      try {
        sock = yield* awaitResource(attempt.fut, (sk) => sk.destroy());
        break;
      } catch (e) {
        if (!(e instanceof OSError) || attempt.fut.cancelled()) throw e;
        errors.push(e);
      }
    }
  }
  if (sock === null) {
    if (options.allErrors) throw new ExceptionGroup('create_connection failed', errors as Error[]);
    if (errors.length === 1) throw errors[0];
    const first = String(errors[0]);
    if (errors.every((e) => String(e) === first)) throw errors[0];
    throw new OSError(`Multiple exceptions: ${errors.map((e) => (e as Error).message).join(', ')}`);
  }
  const protocol = makeProtocolOrDestroy(protocolFactory, sock);
  return yield* makeConnectedTransport(loop, sock, protocol, tlsS);
}

function makeProtocolOrDestroy<P>(factory: () => P, sock: net.Socket): P {
  try {
    return makeProtocol(factory);
  } catch (e) {
    sock.destroy();
    throw e;
  }
}

/**
 * Mirrors `loop.create_unix_connection(protocol_factory, path, ...)`: as
 * `createConnection`, to a Unix domain socket.
 *
 * @example
 * ```ts
 * const [transport, protocol] = yield* createUnixConnection(() => new MyProtocol(), '/tmp/app.sock');
 * ```
 */
export function* createUnixConnection<P extends BaseProtocol>(
  protocolFactory: () => P,
  path: string,
  options: {
    ssl?: SslOption;
    serverHostname?: string;
    sslHandshakeTimeout?: number;
    sslShutdownTimeout?: number;
  } = {},
): Coroutine<[Transport, P]> {
  const loop = getRunningLoop();
  checkFactory(protocolFactory, 'createUnixConnection');
  if (typeof path !== 'string') {
    throw new TypeError(`path must be a string, not ${describeType(path)}`);
  }
  if (path === '') throw new ValueError('no path was specified');
  const tlsS = tlsSettings(options.ssl, options, 'client', null);
  const attempt = connectSocket(loop, { path }, `Connect call failed '${path}'`);
  const sock = yield* awaitResource(attempt.fut, (sk) => sk.destroy());
  const protocol = makeProtocolOrDestroy(protocolFactory, sock);
  return yield* makeConnectedTransport(loop, sock, protocol, tlsS, {
    unixPeer: path,
    unixSock: '',
  });
}
