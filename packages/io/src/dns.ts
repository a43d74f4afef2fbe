/**
 * Name resolution: asyncio's `loop.getaddrinfo()` and `loop.getnameinfo()`,
 * on Node's `dns.lookup` (the system resolver, as Python's `socket` module)
 * and `dns.lookupService`.
 */
import * as dns from 'node:dns';
import * as net from 'node:net';
import { type Coroutine, type EventLoop, type Future, getRunningLoop } from '@x/loop';
import { fromNodeError, gaierror } from './errors.js';
import { hostCall } from './host-call.js';

/**
 * One resolved address: the family and sockaddr of a `socket.getaddrinfo()` 5-tuple.
 *
 * @example
 * ```ts
 * const [first]: AddrInfo[] = yield* getaddrinfo('localhost', 80);
 * console.log(first.family, first.address, first.port); // IPv4 127.0.0.1 80
 * ```
 */
export interface AddrInfo {
  /** AF_INET or AF_INET6. */
  family: 'IPv4' | 'IPv6';
  /** The numeric address. */
  address: string;
  /** The port asked for. */
  port: number;
}

/**
 * The address family option, Python's `family=`: 'IPv4' (`AF_INET`), 'IPv6'
 * (`AF_INET6`) or 0 (`AF_UNSPEC`, any).
 *
 * @example
 * ```ts
 * const family: Family = 'IPv4';
 * const [reader, writer] = yield* openConnection('localhost', 8888, { family });
 * ```
 */
export type Family = 'IPv4' | 'IPv6' | 0;

/** Validates a port as CPython does (OverflowError becomes RangeError). */
export function checkPort(port: unknown, what: string): number | null {
  if (port === null || port === undefined) return null;
  if (typeof port !== 'number' || !Number.isInteger(port)) {
    throw new TypeError(`port must be an integer or null, not ${describeType(port)}`);
  }
  if (port < 0 || port > 65535) throw new RangeError(`${what}(): port must be 0-65535.`);
  return port;
}

/** Validates a host argument: a string or null. */
export function checkHost(host: unknown, name = 'host'): string | null {
  if (host === null || host === undefined) return null;
  if (typeof host !== 'string') {
    throw new TypeError(`${name} must be a string or null, not ${describeType(host)}`);
  }
  return host;
}

/** Validates the family option. */
export function checkFamily(family: unknown): Family {
  if (family === undefined || family === 0) return 0;
  if (family === 'IPv4' || family === 'IPv6') return family;
  throw new TypeError(`family must be 'IPv4', 'IPv6' or 0, not ${describeType(family)}`);
}

export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object')
    return (Object.getPrototypeOf(v)?.constructor?.name as string) ?? 'object';
  return `${typeof v} ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`;
}

function parsePort(port: number | string | null): number {
  if (port === null) return 0;
  if (typeof port === 'number') return checkPort(port, 'getaddrinfo') ?? 0;
  if (typeof port === 'string') {
    if (/^\d+$/.test(port)) {
      const n = Number(port);
      if (n <= 65535) return n;
    }
    // Service names ('http') are not looked up: Node has no getservbyname.
    throw new gaierror('[Errno -8] Servname not supported for ai_socktype', {
      errno: -8,
      code: 'EAI_SERVICE',
    });
  }
  throw new TypeError(`port must be an integer, a string or null, not ${describeType(port)}`);
}

/**
 * Mirrors `loop.getaddrinfo(host, port, family=0)` for stream sockets: the
 * addresses `host` resolves to, in the resolver's order. An IP literal is
 * returned without a lookup, as asyncio's `_ipaddr_info` does; `null` means
 * the loopback addresses. A failed lookup raises `gaierror`.
 *
 * @example
 * ```ts
 * const infos = yield* getaddrinfo('localhost', 8080);
 * // [{ family: 'IPv6', address: '::1', port: 8080 }, { family: 'IPv4', address: '127.0.0.1', port: 8080 }]
 * ```
 */
export function* getaddrinfo(
  host: string | null,
  port: number | string | null,
  options?: { family?: Family },
): Coroutine<AddrInfo[]> {
  const h = checkHost(host);
  const p = parsePort(port);
  const family = checkFamily(options?.family);
  const loop = getRunningLoop();
  return yield* lookupAll(loop, h, p, family);
}

/** The resolution step shared by getaddrinfo, createConnection and createServer. */
export function lookupAll(
  loop: EventLoop,
  host: string | null,
  port: number,
  family: Family,
): Future<AddrInfo[]> {
  const kind = host === null ? 0 : net.isIP(host);
  if (host === null || kind !== 0) {
    const fut = loop.createFuture<AddrInfo[]>();
    const list: AddrInfo[] = [];
    if (host === null) {
      if (family !== 'IPv4') list.push({ family: 'IPv6', address: '::1', port });
      if (family !== 'IPv6') list.push({ family: 'IPv4', address: '127.0.0.1', port });
    } else if (family === 0 || (family === 'IPv4') === (kind === 4)) {
      list.push({ family: kind === 4 ? 'IPv4' : 'IPv6', address: host, port });
    }
    if (list.length === 0) {
      fut.setException(
        new gaierror('[Errno -9] Address family for hostname not supported', {
          errno: -9,
          code: 'EAI_ADDRFAMILY',
        }),
      );
    } else {
      fut.setResult(list);
    }
    return fut;
  }
  return hostCall<AddrInfo[]>(
    loop,
    (done) =>
      dns.lookup(
        host,
        { all: true, family: family === 'IPv4' ? 4 : family === 'IPv6' ? 6 : 0, verbatim: true },
        (err, addrs) =>
          done(
            err,
            addrs?.map((a) => ({
              family: a.family === 6 ? ('IPv6' as const) : ('IPv4' as const),
              address: a.address,
              port,
            })),
          ),
      ),
    (err) => fromNodeError(err, undefined, true),
  );
}

/**
 * Mirrors `loop.getnameinfo(sockaddr)`: the host name and service of an
 * address, as `[host, service]`. A failed lookup raises `gaierror`.
 *
 * @example
 * ```ts
 * const [host, service] = yield* getnameinfo(['127.0.0.1', 22]);   // ['localhost', 'ssh']
 * ```
 */
export function* getnameinfo(sockaddr: [string, number]): Coroutine<[string, string]> {
  if (!Array.isArray(sockaddr) || sockaddr.length < 2) {
    throw new TypeError(
      `getnameinfo() argument 1 must be a [host, port] array, not ${describeType(sockaddr)}`,
    );
  }
  const host = checkHost(sockaddr[0], 'sockaddr[0]');
  const port = checkPort(sockaddr[1], 'getnameinfo') ?? 0;
  if (host === null || net.isIP(host) === 0) {
    throw new gaierror('[Errno -2] Name or service not known', { errno: -2, code: 'EAI_NONAME' });
  }
  const loop = getRunningLoop();
  return yield* hostCall<[string, string]>(
    loop,
    (done) =>
      dns.lookupService(host, port, (err, hostname, service) => done(err, [hostname, service])),
    (err) => fromNodeError(err, undefined, true),
  );
}
