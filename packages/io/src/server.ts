/**
 * Listening: asyncio's `Server` and `loop.create_server()` /
 * `loop.create_unix_server()` (`base_events.py`, `unix_events.py`), on
 * Node's `net.Server`.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import {
  type Coroutine,
  type EventLoop,
  type Future,
  getRunningLoop,
  isInterrupt,
  OSError,
  RuntimeError,
  ValueError,
} from '@x/loop';
import { sleep } from '@x/tasks';
import { type AddrInfo, checkFamily, checkPort, describeType, lookupAll } from './dns.js';
import { fromNodeError } from './errors.js';
import { awaitResource } from './host-call.js';
import { trackResource, untrackResource } from './host-resources.js';
import type { BaseProtocol } from './protocols.js';
import { SocketTransport } from './socket-transport.js';
import { type SslOption, type TlsSettings, tlsSettings, wrapTls } from './tls.js';

/**
 * The keyword arguments of `create_server()` / `start_server()`.
 *
 * @example
 * ```ts
 * const options: ServerOptions = { backlog: 512, startServing: false };
 * ```
 */
export interface ServerOptions {
  /** TLS: secure-context options with the server's `key` and `cert`. */
  ssl?: SslOption;
  /** The listen backlog (default 100). */
  backlog?: number;
  /** Accepted for compatibility: Node always sets SO_REUSEADDR on POSIX, as asyncio's default. */
  reuseAddress?: boolean;
  /** SO_REUSEPORT (Node >= 22.12 only). */
  reusePort?: boolean;
  /** Restrict the lookup of `host` to one address family. */
  family?: 'IPv4' | 'IPv6' | 0;
  /** SO_KEEPALIVE on accepted connections. */
  keepAlive?: boolean;
  /** Start accepting at once (default true); otherwise at `startServing()` / `serveForever()`. */
  startServing?: boolean;
  /** Seconds the TLS handshake of a connection may take (default 60). */
  sslHandshakeTimeout?: number;
  /** Seconds the TLS shutdown may take (default 30). */
  sslShutdownTimeout?: number;
}

/**
 * One listening socket, as `Server.sockets` shows it: `sock.getsockname()` of
 * asyncio's `server.sockets[i]`.
 *
 * @example
 * ```ts
 * const { family, address, port }: ServerSocket = server.sockets[0];   // 'IPv4', '127.0.0.1', 8888
 * ```
 */
export interface ServerSocket {
  /** The address family; 'unix' for a Unix domain socket. */
  family: 'IPv4' | 'IPv6' | 'unix';
  /** The bound address (a path for 'unix'). */
  address: string;
  /** The bound port (absent for 'unix'). */
  port?: number;
}

interface Listener {
  server: net.Server;
  info: ServerSocket;
}

/**
 * Mirrors `asyncio.Server`: the listening sockets made by `createServer` /
 * `startServer`, and the connections they accepted.
 *
 * @example
 * ```ts
 * const server = yield* startServer(handle, '127.0.0.1', 8888);
 * console.log(server.sockets[0].port);
 * yield* server.serveForever();          // until cancelled: then closed and waited for
 * ```
 */
export class Server {
  readonly #loop: EventLoop;
  #listeners: Listener[] | null;
  readonly #factory: () => BaseProtocol;
  readonly #tls: TlsSettings | null;
  readonly #keepAlive: boolean;
  readonly #clients = new Set<SocketTransport>();
  #waiters: Future<void>[] | null = [];
  #serving = false;
  #servingForever: Future<never> | null = null;
  /** Connections the host accepted before startServing(): CPython leaves them in the backlog. */
  #held: net.Socket[] = [];
  #loopGone = false;
  readonly #unixPath: string | null;

  /** @internal Made by createServer / createUnixServer. */
  constructor(
    loop: EventLoop,
    listeners: Listener[],
    factory: () => BaseProtocol,
    tlsS: TlsSettings | null,
    keepAlive: boolean,
    unixPath: string | null,
  ) {
    this.#loop = loop;
    this.#listeners = listeners;
    this.#factory = factory;
    this.#tls = tlsS;
    this.#keepAlive = keepAlive;
    this.#unixPath = unixPath;
    for (const l of listeners) {
      l.server.on('connection', this.#onHostConnection);
      l.server.on('error', this.#onHostError);
    }
    trackResource(loop, this);
  }

  #onHostConnection = (sock: net.Socket): void => {
    if (this.#loopGone) {
      sock.destroy();
      return;
    }
    if (!this.#serving) {
      sock.pause();
      this.#held.push(sock);
      return;
    }
    this.#loop.callSoon(this.#accept, sock);
  };

  #onHostError = (err: Error): void => {
    if (this.#loopGone) return;
    // CPython: "socket.accept() out of system resource" and the like go to the handler.
    this.#loop.callSoon(() =>
      this.#loop.callExceptionHandler({
        message: 'socket.accept() out of system resource',
        exception: fromNodeError(err),
        socket: this.sockets[0],
      }),
    );
  };

  /** CPython's `_accept_connection2`: protocol, transport, (TLS handshake), connectionMade. */
  #accept = (sock: net.Socket): void => {
    if (this.#listeners === null) {
      sock.destroy();
      return;
    }
    if (this.#keepAlive) sock.setKeepAlive(true);
    let protocol: BaseProtocol;
    try {
      protocol = this.#factory();
      if (protocol === null || typeof protocol !== 'object') {
        throw new TypeError(
          `the protocol factory returned ${describeType(protocol)}, not a protocol object`,
        );
      }
    } catch (exc) {
      if (isInterrupt(exc)) throw exc;
      sock.destroy();
      this.#loop.callExceptionHandler({
        message: 'Error on transport creation for incoming connection',
        exception: exc,
      });
      return;
    }
    const waiter = this.#loop.createFuture<void>();
    const s = this.#tls === null ? sock : wrapTls(sock, this.#tls, 'server');
    if (this.#tls !== null) {
      // A failed handshake is reported only in debug mode, as CPython does.
      waiter.addDoneCallback((f) => {
        if (!f.cancelled() && f.exception() !== null && this.#loop.getDebug()) {
          this.#loop.callExceptionHandler({
            message: 'Error on transport creation for incoming connection',
            exception: f.exception(),
            protocol,
          });
        }
      });
    } else {
      waiter.addDoneCallback((f) => {
        if (!f.cancelled()) f.exception();
      });
    }
    new SocketTransport(this.#loop, s, protocol, {
      waiter,
      server: this,
      handshaking: this.#tls !== null,
      sslContext: this.#tls?.context,
      // A Unix connection's names, as CPython's getpeername()/getsockname() give them.
      extra: this.#unixPath === null ? undefined : { unixPeer: '', unixSock: this.#unixPath },
      tlsServer: true,
      verifyPeer: this.#tls?.options.rejectUnauthorized === true,
      sslHandshakeTimeout: this.#tls?.handshakeTimeout,
      sslShutdownTimeout: this.#tls?.shutdownTimeout,
    });
  };

  /** @internal CPython's `_attach`. */
  attach(t: SocketTransport): void {
    this.#clients.add(t);
  }

  /** @internal CPython's `_detach`. */
  detach(t: SocketTransport): void {
    this.#clients.delete(t);
    if (this.#clients.size === 0 && this.#listeners === null) this.#wakeup();
  }

  #wakeup(): void {
    const waiters = this.#waiters;
    this.#waiters = null;
    untrackResource(this.#loop, this);
    if (waiters === null) return;
    for (const w of waiters) if (!w.done()) w.setResult(undefined);
  }

  /**
   * Mirrors `Server.sockets`: the address of each listening socket
   * (getsockname()); empty once the server is closed.
   */
  get sockets(): readonly ServerSocket[] {
    return this.#listeners === null ? [] : this.#listeners.map((l) => ({ ...l.info }));
  }

  /** Mirrors `get_loop()`. */
  getLoop(): EventLoop {
    return this.#loop;
  }

  /** Mirrors `is_serving()`: accepting connections. */
  isServing(): boolean {
    return this.#serving;
  }

  #startServing(): void {
    if (this.#serving || this.#listeners === null) return;
    this.#serving = true;
    const held = this.#held;
    this.#held = [];
    for (const sock of held) this.#loop.callSoon(this.#accept, sock);
  }

  /**
   * Mirrors `start_serving()`: start accepting connections (a no-op when
   * already serving).
   */
  *startServing(): Coroutine<void> {
    this.#startServing();
    yield* sleep(0);
  }

  /**
   * Mirrors `serve_forever()`: accept connections until cancelled; then the
   * server is closed and waited for, and the cancellation propagates.
   */
  *serveForever(): Coroutine<never> {
    if (this.#servingForever !== null) {
      throw new RuntimeError(`server ${this} is already being awaited on serve_forever()`);
    }
    if (this.#listeners === null) throw new RuntimeError(`server ${this} is closed`);
    this.#startServing();
    const fut = this.#loop.createFuture<never>();
    this.#servingForever = fut;
    try {
      return yield* fut;
    } catch (e) {
      if (fut.cancelled()) {
        try {
          this.close();
          yield* this.waitClosed();
        } finally {
          // biome-ignore lint/correctness/noUnsafeFinally: as CPython's `finally: raise`
          throw e;
        }
      }
      throw e;
    } finally {
      this.#servingForever = null;
    }
  }

  /**
   * Mirrors `close()`: stop listening. The connections already accepted stay
   * open (see `closeClients()`); `waitClosed()` waits for them.
   */
  close(): void {
    const listeners = this.#listeners;
    if (listeners === null) return;
    this.#listeners = null;
    for (const l of listeners) {
      l.server.off('connection', this.#onHostConnection);
      l.server.close();
      l.server.unref();
    }
    for (const sock of this.#held) sock.destroy();
    this.#held = [];
    this.#serving = false;
    const f = this.#servingForever;
    if (f !== null && !f.done()) {
      f.cancel();
      this.#servingForever = null;
    }
    if (this.#clients.size === 0) this.#wakeup();
  }

  /** Mirrors `close_clients()` (3.13): close every accepted connection (after flushing). */
  closeClients(): void {
    for (const t of [...this.#clients]) t.close();
  }

  /** Mirrors `abort_clients()` (3.13): abort every accepted connection. */
  abortClients(): void {
    for (const t of [...this.#clients]) t.abort();
  }

  /**
   * Mirrors `wait_closed()`: wait until the server is closed and every
   * connection it accepted is gone.
   */
  *waitClosed(): Coroutine<void> {
    if (this.#waiters === null) return;
    const w = this.#loop.createFuture<void>();
    this.#waiters.push(w);
    yield* w;
  }

  /** Mirrors `async with server:`: the server itself. */
  // biome-ignore lint/correctness/useYield: a coroutine by contract (asyncio's __aenter__ is async); nothing to wait for
  *aenter(): Coroutine<Server> {
    return this;
  }

  /** Mirrors `__aexit__`: close and wait until closed. */
  *aexit(_error: unknown | undefined): Coroutine<boolean | undefined> {
    this.close();
    yield* this.waitClosed();
    return undefined;
  }

  /** `await using server = ...` in async code: close and wait until closed. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    const loop = this.#loop;
    const fut = loop.createFuture<void>();
    if (this.#waiters === null) fut.setResult(undefined);
    else this.#waiters.push(fut);
    return Promise.resolve(fut);
  }

  /** @internal HostResource. */
  loopClosed(): void {
    this.#loopGone = true;
    for (const l of this.#listeners ?? []) l.server.unref();
    for (const s of this.#held) s.unref();
  }

  /** Mirrors `repr(server)`: `<Server sockets=(127.0.0.1:8888)>`. */
  toString(): string {
    const socks = this.sockets.map((s) =>
      s.family === 'unix' ? s.address : `${s.address}:${s.port}`,
    );
    return `<Server sockets=(${socks.join(', ')})>`;
  }

  /** @internal The path of a Unix server, for its cleanup. */
  get unixPath(): string | null {
    return this.#unixPath;
  }
}

function checkBacklog(backlog: unknown): number {
  if (backlog === undefined) return 100;
  if (typeof backlog !== 'number' || !Number.isInteger(backlog)) {
    throw new TypeError(`backlog must be an integer, not ${describeType(backlog)}`);
  }
  return backlog;
}

/** Listens on one address; the Future settles once listening or with the bind error. */
function listen(loop: EventLoop, opts: net.ListenOptions, what: string): Future<Listener> {
  const fut = loop.createFuture<Listener>();
  const server = net.createServer({ allowHalfOpen: true });
  const onError = (err: Error): void => {
    server.off('listening', onListening);
    server.close();
    if (!fut.done() && !loop.isClosed()) fut.setException(fromNodeError(err, what));
  };
  const onListening = (): void => {
    server.off('error', onError);
    if (fut.done() || loop.isClosed()) {
      server.close();
      return;
    }
    const a = server.address();
    const info: ServerSocket =
      typeof a === 'string' || a === null
        ? { family: 'unix', address: String(opts.path ?? a) }
        : { family: a.family === 'IPv6' ? 'IPv6' : 'IPv4', address: a.address, port: a.port };
    fut.setResult({ server, info });
  };
  server.once('error', onError);
  server.once('listening', onListening);
  fut.addDoneCallback((f) => {
    if (f.cancelled()) {
      server.off('error', onError);
      server.off('listening', onListening);
      server.close();
    }
  });
  server.listen(opts);
  return fut;
}

function checkFactory(f: unknown, name: string): void {
  if (typeof f !== 'function') {
    throw new TypeError(
      `${name}() needs a protocol factory (a function returning a protocol), got ${describeType(f)}`,
    );
  }
}

function* finish(
  loop: EventLoop,
  listeners: Listener[],
  factory: () => BaseProtocol,
  tlsS: TlsSettings | null,
  keepAlive: boolean,
  startServing: boolean,
  unixPath: string | null,
): Coroutine<Server> {
  const server = new Server(loop, listeners, factory, tlsS, keepAlive, unixPath);
  if (startServing) {
    try {
      yield* server.startServing();
    } catch (e) {
      // Cancelled in the turn startServing() gives: nobody will get this server.
      server.close();
      throw e;
    }
  }
  return server;
}

/**
 * Mirrors `loop.create_server(protocol_factory, host, port, ...)`: listens on
 * every address `host` resolves to (all interfaces for null or ''; each of
 * an array) and returns the `Server`. Each accepted connection gets a
 * protocol from `protocolFactory` and a transport.
 *
 * @example
 * ```ts
 * const server = yield* createServer(() => new EchoProtocol(), '127.0.0.1', 0);
 * const port = server.sockets[0].port;
 * ```
 */
export function* createServer(
  protocolFactory: () => BaseProtocol,
  host?: string | string[] | null,
  port?: number | null,
  options: ServerOptions = {},
): Coroutine<Server> {
  const loop = getRunningLoop();
  checkFactory(protocolFactory, 'createServer');
  const hosts: Array<string | null> =
    host === undefined || host === null || host === ''
      ? [null]
      : Array.isArray(host)
        ? host
        : [host];
  for (const h of hosts) {
    if (h !== null && typeof h !== 'string') {
      throw new TypeError(
        `host must be a string, an array of strings or null, not ${describeType(h)}`,
      );
    }
  }
  const p = checkPort(port, 'bind') ?? 0;
  const family = checkFamily(options.family);
  const backlog = checkBacklog(options.backlog);
  if (options.ssl === true) {
    throw new TypeError('ssl argument must be an SSLContext or None: pass { key, cert }');
  }
  const tlsS = tlsSettings(options.ssl, options, 'server');
  if (options.reusePort) {
    // server.listen({ reusePort }) exists from Node 22.12 / 23.1 on.
    const [maj, min] = process.versions.node.split('.').map(Number);
    if (!(maj > 23 || (maj === 23 && min >= 1) || (maj === 22 && min >= 12))) {
      throw new ValueError(
        `reuse_port not supported by socket module: Node ${process.versions.node}'s net cannot set SO_REUSEPORT (Node >= 22.12 can)`,
      );
    }
  }
  const addrs: AddrInfo[] = [];
  for (const h of hosts) {
    if (h === null) {
      // All interfaces: CPython binds one socket per family (IPV6_V6ONLY on the IPv6 one).
      if (family !== 'IPv6') addrs.push({ family: 'IPv4', address: '0.0.0.0', port: p });
      if (family !== 'IPv4') addrs.push({ family: 'IPv6', address: '::', port: p });
      continue;
    }
    const infos = yield* lookupAll(loop, h, p, family);
    for (const i of infos) {
      if (!addrs.some((a) => a.address === i.address && a.family === i.family)) addrs.push(i);
    }
  }
  if (addrs.length === 0) throw new OSError('getaddrinfo() returned empty list');
  const listeners: Listener[] = [];
  let completed = false;
  try {
    for (const a of addrs) {
      const what = `error while attempting to bind on address ${a.family === 'IPv6' ? `('${a.address}', ${a.port}, 0, 0)` : `('${a.address}', ${a.port})`}`;
      const opts: net.ListenOptions & { reusePort?: boolean } = {
        host: a.address,
        port: a.port,
        backlog,
        ipv6Only: a.family === 'IPv6',
        exclusive: true,
      };
      if (options.reusePort) opts.reusePort = true;
      try {
        listeners.push(yield* awaitResource(listen(loop, opts, what), (l) => l.server.close()));
      } catch (e) {
        if (e instanceof OSError && e.code === 'EAFNOSUPPORT' && host == null) continue;
        throw e;
      }
    }
    completed = true;
  } finally {
    if (!completed) for (const l of listeners) l.server.close();
  }
  return yield* finish(
    loop,
    listeners,
    protocolFactory,
    tlsS,
    options.keepAlive === true,
    options.startServing !== false,
    null,
  );
}

/**
 * Mirrors `loop.create_unix_server(protocol_factory, path, ...)`: as
 * `createServer`, on a Unix domain socket. A stale socket file at `path` is
 * removed first, as CPython does.
 *
 * @example
 * ```ts
 * const server = yield* createUnixServer(() => new EchoProtocol(), '/tmp/echo.sock');
 * ```
 */
export function* createUnixServer(
  protocolFactory: () => BaseProtocol,
  path: string,
  options: {
    ssl?: SslOption;
    backlog?: number;
    startServing?: boolean;
    cleanupSocket?: boolean;
    sslHandshakeTimeout?: number;
    sslShutdownTimeout?: number;
  } = {},
): Coroutine<Server> {
  const loop = getRunningLoop();
  checkFactory(protocolFactory, 'createUnixServer');
  if (typeof path !== 'string')
    throw new TypeError(`path must be a string, not ${describeType(path)}`);
  if (path === '') throw new ValueError('path was not specified, and no sock specified');
  const backlog = checkBacklog(options.backlog);
  if (options.ssl === true) {
    throw new TypeError('ssl argument must be an SSLContext or None: pass { key, cert }');
  }
  const tlsS = tlsSettings(options.ssl, options, 'server');
  if (!path.startsWith('\0')) {
    // Remove a stale socket file (CPython's create_unix_server does the same).
    try {
      if (fs.statSync(path).isSocket()) fs.unlinkSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw fromNodeError(e);
      }
    }
  }
  const l = yield* awaitResource(
    listen(loop, { path, backlog }, `error while attempting to bind on address '${path}'`),
    (x) => x.server.close(),
  );
  return yield* finish(
    loop,
    [l],
    protocolFactory,
    tlsS,
    false,
    options.startServing !== false,
    path,
  );
}
