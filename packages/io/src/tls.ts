/**
 * TLS: the `ssl` option of connections and servers, and `startTls()` (asyncio's
 * `loop.start_tls()`), on Node's `tls.TLSSocket`. Node's OpenSSL does the
 * protocol; this file only translates asyncio's options and errors.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { type Coroutine, getRunningLoop, RuntimeError, ValueError } from '@x/loop';
import type { BaseProtocol } from './protocols.js';
import { SocketTransport } from './socket-transport.js';
import type { Transport } from './transports.js';

/**
 * The `ssl` option: `true` for a client with the default CA store, or Node's
 * secure-context options (`key`, `cert`, `ca`, `minVersion`, ...) plus
 * `rejectUnauthorized` (false: do not verify the peer, as
 * `ssl.CERT_NONE`). A server needs an object with at least `key` and `cert`.
 *
 * @example
 * ```ts
 * const ssl: SslOption = { ca: readFileSync('ca.pem') };           // trust one CA
 * const [r, w] = yield* openConnection('localhost', 8443, { ssl });
 * ```
 */
export type SslOption =
  | boolean
  | (tls.SecureContextOptions & {
      /** false: do not verify the peer's certificate (`ssl.CERT_NONE`). Default true. */
      rejectUnauthorized?: boolean;
    });

/** The TLS part of the options, validated. */
export interface TlsSettings {
  options: tls.SecureContextOptions & { rejectUnauthorized?: boolean };
  context: tls.SecureContext;
  serverHostname: string | null;
  handshakeTimeout: number;
  shutdownTimeout: number;
}

function checkTimeout(v: unknown, name: string, pyName: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new TypeError(`${name} must be a number of seconds, not ${String(v)}`);
  }
  if (v <= 0) throw new ValueError(`${pyName} should be a positive number, got ${v}`);
  return v;
}

/** CPython's checks that the TLS-only options come with `ssl`. */
function checkTlsOnlyOptions(
  ssl: unknown,
  options: {
    serverHostname?: unknown;
    sslHandshakeTimeout?: unknown;
    sslShutdownTimeout?: unknown;
  },
  client: boolean,
): void {
  if (ssl) return;
  if (client && options.serverHostname !== undefined && options.serverHostname !== null) {
    throw new ValueError('server_hostname is only meaningful with ssl');
  }
  if (options.sslHandshakeTimeout !== undefined && options.sslHandshakeTimeout !== null) {
    throw new ValueError('ssl_handshake_timeout is only meaningful with ssl');
  }
  if (options.sslShutdownTimeout !== undefined && options.sslShutdownTimeout !== null) {
    throw new ValueError('ssl_shutdown_timeout is only meaningful with ssl');
  }
}

/** Validates `ssl` and its companions; null when there is no TLS. */
export function tlsSettings(
  ssl: unknown,
  options: {
    serverHostname?: string | null;
    sslHandshakeTimeout?: number;
    sslShutdownTimeout?: number;
  },
  side: 'client' | 'server',
  host?: string | null,
): TlsSettings | null {
  checkTlsOnlyOptions(ssl, options, side === 'client');
  if (ssl === undefined || ssl === null || ssl === false) return null;
  let opts: tls.SecureContextOptions & { rejectUnauthorized?: boolean };
  if (ssl === true) {
    if (side === 'server') {
      throw new TypeError(
        'ssl argument must be an object with the server certificate ({ key, cert }), not true: a server has no default context',
      );
    }
    opts = {};
  } else if (typeof ssl === 'object') {
    opts = ssl as tls.SecureContextOptions;
  } else {
    throw new TypeError(
      `ssl argument must be true, false, null or an object of tls.SecureContextOptions, not ${typeof ssl}`,
    );
  }
  if (
    side === 'server' &&
    (opts.key === undefined || opts.cert === undefined) &&
    opts.pfx === undefined
  ) {
    throw new ValueError('a TLS server needs ssl: { key, cert } (or pfx)');
  }
  let serverHostname: string | null = null;
  if (side === 'client') {
    const sh = options.serverHostname;
    if (sh !== undefined && sh !== null) {
      if (typeof sh !== 'string') throw new TypeError('serverHostname must be a string');
      serverHostname = sh;
    } else {
      if (!host) {
        throw new ValueError('You must set server_hostname when using ssl without a host');
      }
      serverHostname = host;
    }
  }
  let context: tls.SecureContext;
  try {
    context = tls.createSecureContext(opts);
  } catch (e) {
    throw new ValueError(`invalid ssl options: ${(e as Error).message}`, { cause: e });
  }
  return {
    options: opts,
    context,
    serverHostname,
    handshakeTimeout:
      checkTimeout(options.sslHandshakeTimeout, 'sslHandshakeTimeout', 'ssl_handshake_timeout') ??
      60,
    shutdownTimeout:
      checkTimeout(options.sslShutdownTimeout, 'sslShutdownTimeout', 'ssl_shutdown_timeout') ?? 30,
  };
}

/** Wraps a connected socket in a TLS socket; the handshake starts at once. */
export function wrapTls(
  sock: net.Socket,
  s: TlsSettings,
  side: 'client' | 'server',
): tls.TLSSocket {
  if (side === 'server') {
    // A server verifies clients only when asked to (Python's verify_mode=CERT_REQUIRED on
    // a server context): rejectUnauthorized: true, with the clients' CA in `ca`.
    const verifyClients = s.options.rejectUnauthorized === true;
    return new tls.TLSSocket(sock, {
      isServer: true,
      secureContext: s.context,
      requestCert: verifyClients,
      rejectUnauthorized: verifyClients,
    });
  }
  const name = s.serverHostname ?? '';
  return tls.connect({
    socket: sock,
    secureContext: s.context,
    rejectUnauthorized: s.options.rejectUnauthorized !== false,
    // SNI takes a name, not an address; '' turns hostname checking off, as in CPython.
    servername: name !== '' && net.isIP(name) === 0 ? name : undefined,
    host: name !== '' ? name : undefined,
    checkServerIdentity: name === '' ? () => undefined : tls.checkServerIdentity,
  });
}

/**
 * Mirrors `loop.start_tls(transport, protocol, sslcontext, *, server_side,
 * server_hostname, ssl_handshake_timeout, ssl_shutdown_timeout)`: upgrades a
 * connection to TLS and returns the new transport, which `protocol` uses from
 * then on (its `connectionMade` is not called again). On failure the
 * connection is closed and the error (`SSLError`, or `TimeoutError` after
 * the handshake timeout) raised.
 *
 * @example
 * ```ts
 * // after "STARTTLS" was agreed on a plain connection:
 * const tlsTransport = yield* startTls(transport, protocol, { ca }, { serverHostname: 'localhost' });
 * ```
 */
export function* startTls(
  transport: Transport,
  protocol: BaseProtocol,
  ssl: SslOption,
  options: {
    serverSide?: boolean;
    serverHostname?: string;
    sslHandshakeTimeout?: number;
    sslShutdownTimeout?: number;
  } = {},
): Coroutine<Transport> {
  const loop = getRunningLoop();
  if (!(transport instanceof SocketTransport)) {
    throw new TypeError(`transport ${String(transport)} is not supported by start_tls()`);
  }
  if (transport.getExtraInfo('sslcontext') !== null) {
    throw new TypeError(`transport ${String(transport)} is already a TLS transport`);
  }
  if (transport.isClosing()) throw new RuntimeError('startTls(): the transport is closing');
  if (!ssl) {
    throw new TypeError(
      `sslcontext is expected to be an ssl option (true or an object), got ${String(ssl)}`,
    );
  }
  const side = options.serverSide ? 'server' : 'client';
  const peer = transport.getExtraInfo('peername') as [string, number] | null;
  const settings = tlsSettings(
    ssl,
    options,
    side,
    options.serverHostname ?? (Array.isArray(peer) ? peer[0] : null),
  ) as TlsSettings;
  transport.pauseReading();
  const waiter = loop.createFuture<void>();
  const raw = transport.detachForUpgrade();
  const tlsSock = wrapTls(raw, settings, side);
  const next = new SocketTransport(loop, tlsSock, protocol, {
    waiter,
    server: transport.owner,
    handshaking: true,
    sslContext: settings.context,
    tlsServer: side === 'server',
    verifyPeer: side === 'server' && settings.options.rejectUnauthorized === true,
    sslHandshakeTimeout: settings.handshakeTimeout,
    sslShutdownTimeout: settings.shutdownTimeout,
    connectionMadeAlready: true,
  });
  transport.upgradedTo(next);
  try {
    yield* waiter;
  } catch (e) {
    next.abort();
    throw e;
  }
  return next;
}
