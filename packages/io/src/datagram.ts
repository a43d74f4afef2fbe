/**
 * UDP endpoints: asyncio's `loop.create_datagram_endpoint()` and its
 * `_SelectorDatagramTransport` (`base_events.py`, `selector_events.py`), on
 * Node's `dgram`. Received datagrams and errors reach the protocol as loop
 * callbacks in the order Node reported them; sends are counted in the write
 * buffer (plus 8 bytes of header each, as CPython counts) until Node has
 * handed them to the OS, with asyncio's flow control.
 */
import * as dgram from 'node:dgram';
import {
  type Coroutine,
  type EventLoop,
  type Future,
  getRunningLoop,
  logger,
  OSError,
  RuntimeError,
  ValueError,
} from '@x/loop';
import { shortRepr } from '@x/loop/internal';
import {
  type AddrInfo,
  checkFamily,
  checkPort,
  describeType,
  type Family,
  lookupAll,
} from './dns.js';
import { fromNodeError } from './errors.js';
import { reportFatalError } from './fatal-error.js';
import { FlowControl } from './flow-control.js';
import { type HostResource, trackResource, untrackResource } from './host-resources.js';
import { checkBytes } from './pipe-transports.js';
import type { BaseProtocol, DatagramProtocol } from './protocols.js';
import type { DatagramTransport } from './transports.js';

/** CPython counts each queued datagram with this much header (`_header_size`). */
const HEADER_SIZE = 8;
const LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;

// dgram's reusePort option exists from Node 22.12 / 23.1 on.
const [MAJOR, MINOR] = process.versions.node.split('.').map(Number);
const HAS_REUSEPORT = MAJOR > 23 || (MAJOR === 23 && MINOR >= 1) || (MAJOR === 22 && MINOR >= 12);

/**
 * Mirrors the keyword arguments of `loop.create_datagram_endpoint()`:
 * `local_addr`, `remote_addr`, `family`, `reuse_address` (only false),
 * `reuse_port`, `allow_broadcast`.
 *
 * @example
 * ```ts
 * const options: DatagramEndpointOptions = { localAddr: ['127.0.0.1', 0], allowBroadcast: true };
 * ```
 */
export interface DatagramEndpointOptions {
  /** Mirrors `local_addr`: bind to this `[host, port]` (port 0: any free port). */
  localAddr?: [string, number];
  /** Mirrors `remote_addr`: connect to this `[host, port]`; `sendto()` then needs no address. */
  remoteAddr?: [string, number];
  /** Mirrors `family`: required when neither address is given. */
  family?: 'IPv4' | 'IPv6';
  /** Mirrors `reuse_address`: `true` is refused, as in CPython. */
  reuseAddress?: boolean;
  /** Mirrors `reuse_port`: SO_REUSEPORT (Node >= 22.12). */
  reusePort?: boolean;
  /** Mirrors `allow_broadcast`: SO_BROADCAST; the socket is not connected to `remoteAddr`. */
  allowBroadcast?: boolean;
}

function pyAddr(addr: readonly [string, number]): string {
  return `('${addr[0]}', ${addr[1]})`;
}

/** Mirrors `_SelectorDatagramTransport`. */
export class DatagramEndpointTransport
  extends FlowControl
  implements DatagramTransport, HostResource
{
  /** @internal */ _sock: dgram.Socket;
  /** @internal The remote address given (resolved), or null. */
  _address: [string, number] | null;
  /** @internal The socket is connected to `_address` (not so with allowBroadcast). */
  _connected: boolean;
  /** @internal */ _bufferSize = 0;
  /** @internal */ _closing = false;
  /** @internal close() or abort() was called. */
  _closedByUser = false;
  /** @internal */ _connLost = 0;
  /** @internal */ _lostCalled = false;
  /** @internal */ _extra: Record<string, unknown>;
  private readonly _receivedFn = (data: Buffer, addr: [string, number]): void =>
    this._received(data, addr);
  private readonly _sentFn = (n: number, err: unknown): void => this._sent(n, err);

  /** @internal */
  constructor(
    loop: EventLoop,
    sock: dgram.Socket,
    protocol: DatagramProtocol,
    address: [string, number] | null,
    connected: boolean,
    family: 'IPv4' | 'IPv6',
    waiter: Future<void>,
  ) {
    super(loop, protocol);
    this._sock = sock;
    this._address = address;
    this._connected = connected;
    this._extra = {
      socket: sock,
      sockname: sockname(sock, family),
      peername: connected ? address : null,
    };
    loop.callSoon(() => this._protocol.connectionMade(this));
    // Only start delivering once connectionMade() has run: these listeners'
    // callbacks are queued after it.
    sock.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      if (!loop.isClosed()) loop.callSoon(this._receivedFn, msg, [rinfo.address, rinfo.port]);
    });
    sock.on('error', (err: Error) => {
      if (!loop.isClosed()) loop.callSoon(() => this._errorReceived(fromNodeError(err)));
    });
    loop.callSoon(() => {
      if (!waiter.done()) waiter.setResult(undefined);
    });
    trackResource(loop, this);
  }

  /** @internal Mirrors `_read_ready`'s delivery. */
  _received(data: Buffer, addr: [string, number]): void {
    if (this._connLost > 0 || this._closing) return;
    (this._protocol as DatagramProtocol).datagramReceived(data, addr);
  }

  /** @internal An OSError on a send or receive reaches the protocol, as in CPython. */
  _errorReceived(exc: unknown): void {
    if (this._lostCalled) return;
    if (exc instanceof OSError) {
      (this._protocol as DatagramProtocol).errorReceived(exc);
      return;
    }
    this._fatalError(exc, 'Fatal error on datagram transport');
  }

  getWriteBufferSize(): number {
    return this._bufferSize;
  }

  /**
   * Mirrors `sendto(data, addr=None)`: sends one datagram (an empty one
   * too). With a remote address, `addr` must be omitted or equal to it.
   */
  sendto(data: Uint8Array, addr?: [string, number] | null): void {
    checkBytes(data);
    if (this._address !== null) {
      if (addr !== undefined && addr !== null && !sameAddr(addr, this._address)) {
        throw new ValueError(`Invalid address: must be None or ${pyAddr(this._address)}`);
      }
      addr = this._address;
    } else if (addr === undefined || addr === null) {
      throw new ValueError(
        'sendto() needs an address [host, port]: this endpoint was created without remoteAddr',
      );
    } else checkAddr(addr, 'addr');
    if (this._closedByUser && !this._lostCalled) {
      throw new RuntimeError(
        'Cannot call sendto() after close(): the transport is closing and the datagram would be lost',
      );
    }
    if (this._connLost > 0) {
      if (this._connLost >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
        logger.warning('socket.send() raised exception.');
      }
      this._connLost++;
      return;
    }
    const n = data.byteLength + HEADER_SIZE;
    this._bufferSize += n;
    // Copy: the caller may reuse its buffer before Node has sent it.
    const buf = Buffer.from(data);
    const done = (err: Error | null): void => {
      if (!this._loop.isClosed()) this._loop.callSoon(this._sentFn, n, err);
    };
    if (this._connected) this._sock.send(buf, done);
    else this._sock.send(buf, addr[1], addr[0], done);
    this._maybePauseProtocol();
  }

  /** @internal A send completed or failed. */
  _sent(n: number, err: unknown): void {
    if (this._lostCalled) return;
    this._bufferSize = Math.max(0, this._bufferSize - n);
    if (err !== null && err !== undefined) this._errorReceived(fromNodeError(err));
    this._maybeResumeProtocol();
    if (this._closing && this._bufferSize === 0 && this._connLost === 0) {
      this._connLost++;
      this._callConnectionLost(null);
    }
  }

  setProtocol(protocol: BaseProtocol): void {
    this._protocol = protocol;
  }

  getProtocol(): BaseProtocol {
    return this._protocol;
  }

  isClosing(): boolean {
    return this._closing;
  }

  /** Mirrors `close()`: no more datagrams are delivered; `connectionLost(null)` follows once the queued sends are out. */
  close(): void {
    if (this._closing) return;
    this._closing = true;
    this._closedByUser = true;
    if (this._bufferSize === 0) {
      this._connLost++;
      this._loop.callSoon(() => this._callConnectionLost(null));
    }
  }

  /** Mirrors `abort()`: close now; what is still queued is not waited for. */
  abort(): void {
    this._closedByUser = true;
    this._forceClose(null);
  }

  getExtraInfo(name: string, dflt: unknown = null): unknown {
    return Object.hasOwn(this._extra, name) ? this._extra[name] : dflt;
  }

  /** @internal The loop closed with this endpoint open: it no longer keeps the process alive. */
  loopClosed(): void {
    this._sock.unref();
  }

  /** @internal */
  _fatalError(exc: unknown, message: string): void {
    reportFatalError(this._loop, this, this._protocol, exc, message, exc instanceof OSError);
    this._forceClose(exc);
  }

  /** @internal Mirrors `_force_close`. */
  _forceClose(exc: unknown): void {
    if (this._connLost > 0) return;
    this._bufferSize = 0;
    this._closing = true;
    this._connLost++;
    this._loop.callSoon(() => this._callConnectionLost(exc));
  }

  /** @internal */
  _callConnectionLost(exc: unknown): void {
    if (this._lostCalled) return;
    this._lostCalled = true;
    try {
      this._protocol.connectionLost(exc);
    } finally {
      try {
        this._sock.close();
      } catch {
        // Already closed.
      }
      untrackResource(this._loop, this);
    }
  }

  toString(): string {
    const info = ['DatagramTransport'];
    if (this._lostCalled) info.push('closed');
    else if (this._closing) info.push('closing');
    const name = this._extra.sockname as [string, number];
    info.push(`sockname=${pyAddr(name)}`);
    if (this._address !== null) info.push(`peername=${pyAddr(this._address)}`);
    info.push(`bufsize=${this._bufferSize}`);
    return `<${info.join(' ')}>`;
  }
}

function sockname(sock: dgram.Socket, family: 'IPv4' | 'IPv6'): [string, number] {
  try {
    const a = sock.address();
    return [a.address, a.port];
  } catch {
    // Not bound yet: what getsockname() says of an unbound socket.
    return [family === 'IPv6' ? '::' : '0.0.0.0', 0];
  }
}

function sameAddr(a: readonly unknown[], b: readonly [string, number]): boolean {
  return Array.isArray(a) && a.length === 2 && a[0] === b[0] && a[1] === b[1];
}

function checkAddr(addr: unknown, name: string): asserts addr is [string, number] {
  if (!Array.isArray(addr) || addr.length !== 2 || typeof addr[0] !== 'string') {
    throw new TypeError(
      `${name} must be a [host, port] pair (2-tuple is expected), not ${shortRepr(addr)}`,
    );
  }
  checkPort(addr[1], name);
}

/** Node calls done(err) once: binding, then connecting. */
function* openSocket(
  loop: EventLoop,
  family: 'IPv4' | 'IPv6',
  local: AddrInfo | null,
  remote: AddrInfo | null,
  options: DatagramEndpointOptions,
): Coroutine<dgram.Socket> {
  const sock = dgram.createSocket({
    type: family === 'IPv6' ? 'udp6' : 'udp4',
    ...(options.reusePort ? { reusePort: true } : {}),
  } as dgram.SocketOptions);
  let ok = false;
  try {
    const bind = local !== null || (options.allowBroadcast && remote !== null);
    if (bind) {
      const fut = loop.createFuture<void>();
      const onError = (err: Error): void => {
        if (!fut.done() && !loop.isClosed()) fut.setException(fromNodeError(err));
      };
      sock.once('error', onError);
      sock.bind({ port: local?.port ?? 0, address: local?.address, exclusive: true }, () => {
        sock.removeListener('error', onError);
        if (!fut.done() && !loop.isClosed()) fut.setResult(undefined);
      });
      yield* fut;
    }
    if (options.allowBroadcast && bind) sock.setBroadcast(true);
    if (remote !== null && !options.allowBroadcast) {
      const fut = loop.createFuture<void>();
      const onError = (err: Error): void => {
        if (!fut.done() && !loop.isClosed()) fut.setException(fromNodeError(err));
      };
      sock.once('error', onError);
      sock.connect(remote.port, remote.address, () => {
        sock.removeListener('error', onError);
        if (!fut.done() && !loop.isClosed()) fut.setResult(undefined);
      });
      yield* fut;
    }
    ok = true;
    return sock;
  } finally {
    if (!ok) {
      try {
        sock.close();
      } catch {
        // never bound
      }
    }
  }
}

function checkOptions(options: unknown): DatagramEndpointOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object') {
    throw new TypeError(`options must be an object, not ${describeType(options)}`);
  }
  const known = [
    'localAddr',
    'remoteAddr',
    'family',
    'reuseAddress',
    'reusePort',
    'allowBroadcast',
  ];
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) {
      throw new TypeError(
        `unexpected option '${k}' of createDatagramEndpoint(): the options are ${known.join(', ')}`,
      );
    }
  }
  return options as DatagramEndpointOptions;
}

/**
 * Mirrors `loop.create_datagram_endpoint(protocol_factory, local_addr=None,
 * remote_addr=None, *, family=0, reuse_port=None, allow_broadcast=None)`: a
 * UDP socket bound to `localAddr` and/or connected to `remoteAddr`, whose
 * datagrams reach the protocol's `datagramReceived(data, [host, port])`.
 * With neither address, `family` is required. `reuseAddress: true` is
 * refused as in CPython (SO_REUSEADDR on UDP lets another process steal the
 * port); `reusePort` needs Node >= 22.12.
 *
 * @example
 * ```ts
 * class Echo extends DatagramProtocol {
 *   transport!: DatagramTransport;
 *   override connectionMade(t: DatagramTransport) { this.transport = t; }
 *   override datagramReceived(data: Buffer, addr: [string, number]) { this.transport.sendto(data, addr); }
 * }
 * const [transport] = yield* createDatagramEndpoint(() => new Echo(), { localAddr: ['127.0.0.1', 9999] });
 * ```
 */
export function* createDatagramEndpoint<P extends DatagramProtocol>(
  protocolFactory: () => P,
  options?: DatagramEndpointOptions,
): Coroutine<[DatagramTransport, P]> {
  const loop = getRunningLoop();
  if (typeof protocolFactory !== 'function') {
    throw new TypeError(
      `protocolFactory must be a function returning a DatagramProtocol, not ${shortRepr(protocolFactory)}`,
    );
  }
  const o = checkOptions(options);
  if (o.reuseAddress) {
    throw new ValueError(
      'Passing `reuse_address=True` is no longer supported, as the usage of SO_REUSEPORT in UDP poses a significant security concern.',
    );
  }
  if (o.reusePort && !HAS_REUSEPORT) {
    throw new ValueError(
      `reuse_port not supported by socket module: Node ${process.versions.node}'s dgram cannot set SO_REUSEPORT (Node >= 22.12 can)`,
    );
  }
  const familyOpt: Family = o.family === undefined ? 0 : checkFamily(o.family);
  const local = o.localAddr ?? null;
  const remote = o.remoteAddr ?? null;
  if (local !== null) checkAddr(local, 'localAddr');
  if (remote !== null) checkAddr(remote, 'remoteAddr');

  // Which (family, local, remote) combinations to try, in resolver order.
  let pairs: Array<['IPv4' | 'IPv6', AddrInfo | null, AddrInfo | null]>;
  if (local === null && remote === null) {
    if (familyOpt === 0) throw new ValueError('unexpected address family');
    pairs = [[familyOpt, null, null]];
  } else {
    const byFamily = new Map<'IPv4' | 'IPv6', [AddrInfo | null, AddrInfo | null]>();
    for (const [idx, addr] of [
      [0, local],
      [1, remote],
    ] as const) {
      if (addr === null) continue;
      const infos = yield* lookupAll(loop, addr[0], addr[1], familyOpt);
      if (infos.length === 0) throw new OSError('getaddrinfo() returned empty list');
      for (const info of infos) {
        let pair = byFamily.get(info.family);
        if (pair === undefined) {
          pair = [null, null];
          byFamily.set(info.family, pair);
        }
        if (pair[idx] === null) pair[idx] = info;
      }
    }
    pairs = [];
    for (const [fam, [l, r]] of byFamily) {
      if ((local !== null && l === null) || (remote !== null && r === null)) continue;
      pairs.push([fam, l, r]);
    }
    if (pairs.length === 0) throw new ValueError('can not get address information');
  }

  const exceptions: unknown[] = [];
  let sock: dgram.Socket | null = null;
  let rAddr: [string, number] | null = null;
  let family: 'IPv4' | 'IPv6' = 'IPv4';
  for (const [fam, l, r] of pairs) {
    try {
      sock = yield* openSocket(loop, fam, l, r, o);
      rAddr = r === null ? null : [r.address, r.port];
      family = fam;
      break;
    } catch (exc) {
      if (!(exc instanceof OSError)) throw exc;
      exceptions.push(exc);
    }
  }
  if (sock === null) throw exceptions[0];

  const protocol = protocolFactory();
  const waiter = loop.createFuture<void>();
  const transport = new DatagramEndpointTransport(
    loop,
    sock,
    protocol,
    rAddr,
    rAddr !== null && !o.allowBroadcast,
    family,
    waiter,
  );
  if (loop.getDebug()) {
    logger.debug(
      `Datagram endpoint local_addr=${local ? pyAddr(local) : 'None'} remote_addr=${remote ? pyAddr(remote) : 'None'} created: (${transport}, ${String(protocol)})`,
    );
  }
  try {
    yield* waiter;
  } catch (exc) {
    transport.close();
    throw exc;
  }
  return [transport, protocol];
}
