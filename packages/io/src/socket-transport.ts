/**
 * The stream transport over a Node `net.Socket` (TCP, Unix) or `tls.TLSSocket`:
 * CPython's `_SelectorSocketTransport` (and the app transport of
 * `sslproto.py`). Every host event is turned into a loop callback, in the
 * order Node delivered it; flow control is asyncio's.
 */
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import {
  type EventLoop,
  type Future,
  isInterrupt,
  logger,
  OSError,
  RuntimeError,
  TimeoutError,
} from '@x/loop';
import { ConnectionResetError, fromNodeError } from './errors.js';
import { reportFatalError } from './fatal-error.js';
import { FlowControl } from './flow-control.js';
import { type HostResource, trackResource, untrackResource } from './host-resources.js';
import { checkBytes } from './pipe-transports.js';
import { type BaseProtocol, BufferedProtocol, type Protocol } from './protocols.js';
import type { Transport } from './transports.js';

/** What a server does with the transports of its connections (CPython's `_attach`/`_detach`). */
export interface ConnectionOwner {
  attach(t: SocketTransport): void;
  detach(t: SocketTransport): void;
}

/** How a transport starts: its waiter, its server, its TLS handshake. */
export interface SocketTransportOptions {
  /** Resolved once `connectionMade` was scheduled (after the TLS handshake), rejected if it failed. */
  waiter?: Future<void> | null;
  server?: ConnectionOwner | null;
  /** The socket is a TLS socket whose handshake is still under way. */
  handshaking?: boolean;
  /** The TLS side: a client is up at 'secureConnect' (after verifying the peer), a server at 'secure'. */
  tlsServer?: boolean;
  /** A TLS server that requires and verifies a client certificate. */
  verifyPeer?: boolean;
  /** The TLS connection's secure context, for getExtraInfo('sslcontext'). */
  sslContext?: tls.SecureContext;
  sslHandshakeTimeout?: number;
  sslShutdownTimeout?: number;
  /** Extra info of the connection (CPython's `extra`). */
  extra?: Record<string, unknown>;
  /** startTls: the protocol already had its connectionMade; only resolve the waiter. */
  connectionMadeAlready?: boolean;
}

/** CPython warns after this many writes to a lost connection (`constants.LOG_THRESHOLD_FOR_CONNLOST_WRITES`). */
const LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;

let nextId = 1;

/** A stream transport over one Node socket. */
export class SocketTransport extends FlowControl implements Transport, HostResource {
  #sock: net.Socket;
  #buffered = false;
  readonly #server: ConnectionOwner | null;
  readonly #extra: Record<string, unknown>;
  readonly #tls: boolean;
  readonly #id = nextId++;
  #waiter: Future<void> | null;
  /** close() or abort() was called, or the connection was lost: no more reading. */
  #closing = false;
  /** The user called close()/abort(): write() is misuse from now on. */
  #closedByUser = false;
  #eof = false;
  #paused = false;
  #connLost = 0;
  #protocolConnected = false;
  #lostCalled = false;
  /** Host events that arrived while reading was paused, kept in order. */
  #backlog: Buffer[] = [];
  #eofPending = false;
  #error: unknown = null;
  #resumeScheduled = false;
  #lostScheduled = false;
  #loopGone = false;
  #handshakeTimer: ReturnType<typeof setTimeout> | null = null;
  #shutdownTimeout: number;
  /** Replaced by a TLS transport (startTls): this one only forwards close(). */
  #upgradedTo: SocketTransport | null = null;
  readonly #connectionMadeAlready: boolean;
  readonly #verifyPeer: boolean;
  readonly #sslContext: tls.SecureContext | null;
  readonly #peername: [string, number] | null;
  readonly #sockname: [string, number] | null;

  constructor(
    loop: EventLoop,
    sock: net.Socket,
    protocol: BaseProtocol,
    options: SocketTransportOptions = {},
  ) {
    super(loop, protocol);
    this.#sock = sock;
    this.#buffered = protocol instanceof BufferedProtocol;
    this.#server = options.server ?? null;
    this.#extra = options.extra ?? {};
    this.#tls = (sock as tls.TLSSocket).encrypted === true;
    this.#waiter = options.waiter ?? null;
    this.#shutdownTimeout = options.sslShutdownTimeout ?? 30;
    this.#connectionMadeAlready = options.connectionMadeAlready === true;
    this.#verifyPeer = options.verifyPeer === true;
    this.#sslContext = options.sslContext ?? null;
    // Read once, as CPython's transport keeps getpeername()/getsockname() in its extra
    // info: they stay known after the socket is closed.
    const raw = sock as net.Socket;
    this.#peername =
      raw.remoteAddress !== undefined ? [raw.remoteAddress, raw.remotePort as number] : null;
    this.#sockname =
      raw.localAddress !== undefined ? [raw.localAddress, raw.localPort as number] : null;
    this.#server?.attach(this);
    trackResource(loop, this);
    sock.on('data', this.#onHostData);
    sock.on('end', this.#onHostEnd);
    sock.on('error', this.#onHostError);
    sock.on('close', this.#onHostClose);
    sock.on('drain', this.#afterWrite);
    // A connection held paused before startServing() (or by startTls) reads from now on.
    if (sock.isPaused()) sock.resume();
    if (options.handshaking) {
      const timeout = options.sslHandshakeTimeout ?? 60;
      this.#handshakeTimer = setTimeout(() => {
        this.#handshakeTimer = null;
        this.#error = new TimeoutError(
          `SSL handshake is taking longer than ${timeout} seconds: aborting the connection`,
        );
        sock.destroy();
      }, timeout * 1000);
      sock.once(options.tlsServer ? 'secure' : 'secureConnect', this.#onHostSecure);
    } else {
      this.#start();
    }
  }

  // ---- host events: each becomes a loop callback ---------------------------

  #onHostSecure = (): void => {
    if (this.#handshakeTimer !== null) clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = null;
    if (this.#loopGone) return;
    if (this.#verifyPeer) {
      const err = clientCertificateError(this.#sock as tls.TLSSocket);
      if (err !== null) {
        this.#error = err;
        this.#sock.destroy();
        return;
      }
    }
    // Scheduled now, so that connectionMade comes before the events that follow.
    this.#start();
  };

  #onHostData = (chunk: Buffer): void => {
    if (this.#loopGone) return;
    this._loop.callSoon(this.#deliverData, chunk);
  };

  #onHostEnd = (): void => {
    if (this.#loopGone) return;
    this._loop.callSoon(this.#deliverEof);
  };

  #onHostError = (err: Error): void => {
    // 'close' follows; connectionLost gets the (mapped) error then.
    if (this.#error === null) this.#error = err;
  };

  #onHostClose = (): void => {
    if (this.#handshakeTimer !== null) clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = null;
    untrackResource(this._loop, this);
    if (this.#loopGone) return;
    this._loop.callSoon(this.#deliverClose);
  };

  #afterWrite = (): void => {
    if (this.#loopGone || this.#resumeScheduled || !this._protocolPaused) return;
    if (this.getWriteBufferSize() <= this._lowWater) {
      this.#resumeScheduled = true;
      this._loop.callSoon(this.#resumeWriting);
    }
  };

  #resumeWriting = (): void => {
    this.#resumeScheduled = false;
    if (!this.#lostCalled) this._maybeResumeProtocol();
  };

  // ---- loop callbacks -------------------------------------------------------

  /** connectionMade, then the waiter: CPython's call_soon order in `__init__`. */
  #start(): void {
    if (this.#closing) return;
    this.#protocolConnected = true;
    if (!this.#connectionMadeAlready) this._loop.callSoon(this.#connectionMade);
    const waiter = this.#waiter;
    this.#waiter = null;
    if (waiter !== null) {
      this._loop.callSoon(() => {
        if (!waiter.cancelled()) waiter.setResult(undefined);
      });
    }
  }

  #connectionMade = (): void => {
    try {
      this._protocol.connectionMade(this);
    } catch (exc) {
      if (isInterrupt(exc)) throw exc;
      this.#fatalError(exc, 'Fatal error: protocol.connection_made() call failed.');
    }
  };

  #deliverData = (chunk: Buffer): void => {
    // Before connectionMade (a TLS handshake that never completed) there is no one to tell.
    if (this.#closing || this.#upgradedTo !== null || !this.#protocolConnected) return;
    if (this.#paused || this.#backlog.length > 0) {
      this.#backlog.push(chunk);
      return;
    }
    this.#feed(chunk);
  };

  #feed(chunk: Buffer): void {
    const protocol = this._protocol;
    if (!this.#buffered) {
      try {
        (protocol as Protocol).dataReceived(chunk);
      } catch (exc) {
        if (isInterrupt(exc)) throw exc;
        this.#fatalError(exc, 'Fatal error: protocol.data_received() call failed.');
      }
      return;
    }
    const bp = protocol as BufferedProtocol;
    let offset = 0;
    while (offset < chunk.length && !this.#closing) {
      let buf: Uint8Array;
      try {
        buf = bp.getBuffer(-1);
        if (!(buf instanceof Uint8Array) || buf.length === 0) {
          throw new RuntimeError('get_buffer() returned an empty buffer');
        }
      } catch (exc) {
        if (isInterrupt(exc)) throw exc;
        this.#fatalError(exc, 'Fatal error: protocol.get_buffer() call failed.');
        return;
      }
      const n = Math.min(buf.length, chunk.length - offset);
      buf.set(chunk.subarray(offset, offset + n));
      offset += n;
      try {
        bp.bufferUpdated(n);
      } catch (exc) {
        if (isInterrupt(exc)) throw exc;
        this.#fatalError(exc, 'Fatal error: protocol.buffer_updated() call failed.');
        return;
      }
    }
  }

  #deliverEof = (): void => {
    if (this.#closing || this.#upgradedTo !== null) return;
    if (!this.#protocolConnected) {
      // EOF in the middle of a TLS handshake: the connection failed.
      this.#forceClose(null);
      return;
    }
    if (this.#paused || this.#backlog.length > 0) {
      this.#eofPending = true;
      return;
    }
    let keepOpen: unknown;
    try {
      keepOpen = (this._protocol as Protocol).eofReceived?.();
    } catch (exc) {
      if (isInterrupt(exc)) throw exc;
      this.#fatalError(exc, 'Fatal error: protocol.eof_received() call failed.');
      return;
    }
    if (this.#tls && keepOpen) {
      // sslproto.py: "returning true from eof_received() has no effect when using ssl"
      logger.warning('returning true from eof_received() has no effect when using ssl');
      keepOpen = false;
    }
    if (!keepOpen) this.close();
  };

  #flushBacklog = (): void => {
    while (this.#backlog.length > 0 && !this.#paused && !this.#closing) {
      this.#feed(this.#backlog.shift() as Buffer);
    }
    if (this.#backlog.length === 0 && this.#eofPending && !this.#paused) {
      this.#eofPending = false;
      this.#deliverEof();
    }
  };

  #deliverClose = (): void => {
    if (this.#upgradedTo !== null || this.#lostCalled) return;
    this.#closing = true;
    this.#backlog.length = 0;
    const waiter = this.#waiter;
    this.#waiter = null;
    const err = this.#error === null ? null : fromNodeError(this.#error);
    if (waiter !== null && !waiter.done()) {
      // The handshake (or the connection) failed before connectionMade.
      waiter.setException(
        err ?? new ConnectionResetError('Connection lost before the connection was made'),
      );
    }
    this.#callConnectionLost(err);
  };

  #callConnectionLost(exc: unknown): void {
    if (this.#lostCalled) return;
    this.#lostCalled = true;
    this.#connLost++;
    try {
      if (this.#protocolConnected) this._protocol.connectionLost(exc);
    } catch (e) {
      if (isInterrupt(e)) throw e;
      this._loop.callExceptionHandler({
        message: 'Exception in callback protocol.connection_lost()',
        exception: e,
        transport: this,
        protocol: this._protocol,
      });
    } finally {
      this.#server?.detach(this);
    }
  }

  /** Mirrors `_fatal_error()`: report (unless an OSError), then force-close. */
  #fatalError(exc: unknown, message: string): void {
    reportFatalError(this._loop, this, this._protocol, exc, message, exc instanceof OSError);
    this.#forceClose(exc);
  }

  #forceClose(exc: unknown): void {
    if (this.#lostCalled) return;
    this.#closing = true;
    this.#backlog.length = 0;
    if (exc !== null && this.#error === null) this.#error = exc;
    this.#destroyNow();
  }

  /**
   * Closes the socket now; connectionLost follows on the next loop iteration,
   * as CPython's `call_soon(self._call_connection_lost, exc)`, not when Node
   * has released the handle.
   */
  #destroyNow(): void {
    this.#sock.destroy();
    if (this.#loopGone || this._loop.isClosed() || this.#lostScheduled) return;
    this.#lostScheduled = true;
    this._loop.callSoon(this.#deliverClose);
  }

  // ---- BaseTransport ---------------------------------------------------------

  getExtraInfo(name: string, dflt: unknown = null): unknown {
    if (Object.hasOwn(this.#extra, name)) return this.#extra[name];
    const sock = this.#sock;
    switch (name) {
      case 'peername':
        return this.#peername ?? this.#pathName('peer') ?? dflt;
      case 'sockname':
        return this.#sockname ?? this.#pathName('sock') ?? dflt;
      case 'socket':
        return sock;
    }
    if (this.#tls) {
      const t = sock as tls.TLSSocket;
      switch (name) {
        case 'sslcontext':
          return this.#sslContext ?? dflt;
        case 'peercert': {
          const cert = t.getPeerCertificate();
          return cert && Object.keys(cert).length > 0 ? cert : dflt;
        }
        case 'cipher': {
          const c = t.getCipher();
          return c ? [c.name, c.version, null] : dflt;
        }
        case 'compression':
          return null;
        case 'ssl_object':
          return t;
      }
    }
    return dflt;
  }

  #pathName(which: 'peer' | 'sock'): string | null {
    const v = this.#extra[which === 'peer' ? 'unixPeer' : 'unixSock'];
    return typeof v === 'string' ? v : null;
  }

  isClosing(): boolean {
    return this.#closing;
  }

  close(): void {
    if (this.#upgradedTo !== null) {
      this.#upgradedTo.close();
      return;
    }
    if (this.#closing) return;
    this.#closing = true;
    this.#closedByUser = true;
    this.#backlog.length = 0;
    const sock = this.#sock;
    // TLS goes through end(): its close_notify must be sent before the socket closes.
    if (this.getWriteBufferSize() === 0 && !sock.connecting && !this.#tls) {
      this.#destroyNow();
      return;
    }
    // Flush what is buffered, then close, as CPython's close() does.
    if (!sock.writableEnded) sock.end();
    sock.once('finish', () => sock.destroy());
    if (this.#tls) {
      const t = setTimeout(() => sock.destroy(), this.#shutdownTimeout * 1000);
      sock.once('close', () => clearTimeout(t));
    }
  }

  setProtocol(protocol: BaseProtocol): void {
    this._protocol = protocol;
    this.#buffered = protocol instanceof BufferedProtocol;
    this.#protocolConnected = true;
  }

  getProtocol(): BaseProtocol {
    return this._protocol;
  }

  // ---- ReadTransport ---------------------------------------------------------

  isReading(): boolean {
    return !this.#paused && !this.#closing;
  }

  pauseReading(): void {
    if (!this.isReading()) return;
    this.#paused = true;
    this.#sock.pause();
    if (this._loop.getDebug()) logger.debug(`${this} pauses reading`);
  }

  resumeReading(): void {
    if (this.#closing || !this.#paused) return;
    this.#paused = false;
    this.#sock.resume();
    if (this.#backlog.length > 0 || this.#eofPending) this._loop.callSoon(this.#flushBacklog);
    if (this._loop.getDebug()) logger.debug(`${this} resumes reading`);
  }

  // ---- WriteTransport --------------------------------------------------------

  getWriteBufferSize(): number {
    return this.#sock.writableLength;
  }

  write(data: Uint8Array): void {
    checkBytes(data);
    if (this.#upgradedTo !== null) {
      throw new RuntimeError(
        'this transport was upgraded to TLS by startTls(): write to the transport startTls() returned',
      );
    }
    if (this.#eof) throw new RuntimeError('Cannot call write() after write_eof()');
    if (data.length === 0) return;
    if (this.#closedByUser && !this.#lostCalled && this.#connLost === 0) {
      throw new RuntimeError(
        'Cannot call write() after close(): the transport is closing and the data would be lost',
      );
    }
    if (this.#lostCalled || this.#sock.destroyed) {
      if (this.#connLost >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
        logger.warning('socket.send() raised exception.');
      }
      this.#connLost++;
      return;
    }
    // Copy: the caller may reuse its buffer (a BufferedProtocol echo does), and
    // Node keeps a reference to what it could not send at once. A write queued
    // behind others reports its completion (the buffer shrinks: maybe resume the
    // protocol); one into an empty buffer is covered by Node's 'drain'.
    const sock = this.#sock;
    sock.write(Buffer.from(data), sock.writableLength > 0 ? this.#afterWrite : undefined);
    this._maybePauseProtocol();
  }

  writelines(list: Iterable<Uint8Array>): void {
    const chunks: Uint8Array[] = [];
    for (const d of list) {
      checkBytes(d);
      chunks.push(d);
    }
    this.write(Buffer.concat(chunks));
  }

  writeEof(): void {
    if (this.#closing || this.#eof) return;
    if (this.#tls) {
      throw new RuntimeError(
        'writeEof() is not supported by TLS transports (canWriteEof() is false)',
      );
    }
    this.#eof = true;
    this.#sock.end();
  }

  canWriteEof(): boolean {
    return !this.#tls;
  }

  abort(): void {
    if (this.#upgradedTo !== null) {
      this.#upgradedTo.abort();
      return;
    }
    this.#closedByUser = true;
    this.#forceClose(null);
  }

  // ---- startTls --------------------------------------------------------------

  /**
   * Hands the socket over for a TLS upgrade: this transport stops reading and
   * delivering, and forwards close()/abort() to `next` from then on.
   */
  detachForUpgrade(): net.Socket {
    const sock = this.#sock;
    sock.off('data', this.#onHostData);
    sock.off('end', this.#onHostEnd);
    sock.off('error', this.#onHostError);
    sock.off('close', this.#onHostClose);
    sock.off('drain', this.#afterWrite);
    untrackResource(this._loop, this);
    this.#server?.detach(this);
    return sock;
  }

  /** The upgrade succeeded: `next` is the transport now. */
  upgradedTo(next: SocketTransport): void {
    this.#upgradedTo = next;
    this.#closing = true;
  }

  /** The upgrade failed: take the socket back (startTls then closes it, as CPython). */
  reattach(sock: net.Socket): void {
    this.#sock = sock;
    sock.on('data', this.#onHostData);
    sock.on('end', this.#onHostEnd);
    sock.on('error', this.#onHostError);
    sock.on('close', this.#onHostClose);
    sock.on('drain', this.#afterWrite);
    trackResource(this._loop, this);
    this.#server?.attach(this);
  }

  /** The server this transport's connection came from, carried over by startTls. */
  get owner(): ConnectionOwner | null {
    return this.#server;
  }

  // ---- HostResource ----------------------------------------------------------

  loopClosed(): void {
    this.#loopGone = true;
    this.#sock.unref();
    if (this.#handshakeTimer !== null) this.#handshakeTimer.unref();
  }

  toString(): string {
    const info = [this.#tls ? 'SSLTransport' : 'SocketTransport'];
    if (this.#lostCalled) info.push('closed');
    else if (this.#closing) info.push('closing');
    info.push(`id=${this.#id}`);
    const peer = this.getExtraInfo('peername');
    if (peer !== null) info.push(`peername=${JSON.stringify(peer)}`);
    info.push(`read=${this.#paused ? 'paused' : this.#closing ? 'idle' : 'polling'}`);
    const size = this.getWriteBufferSize();
    info.push(`write=<${size > 0 ? 'polling' : 'idle'}, bufsize=${size}>`);
    return `<${info.join(' ')}>`;
  }
}

/**
 * The verdict on a client's certificate, for a server that requires one. OpenSSL accepts
 * any certificate during the handshake and Node decides afterwards: `tls.Server` does it
 * in its 'secure' handler with the handle's `verifyError()`, which a server-side
 * `TLSSocket` made from a `net.Socket` does not run; this is the same check. Without that
 * method the connection is refused (fail closed).
 */
function clientCertificateError(t: tls.TLSSocket): Error | null {
  const handle = (t as unknown as { _handle?: { verifyError?: () => Error | null } })._handle;
  const verify = handle?.verifyError;
  if (typeof verify !== 'function') {
    return Object.assign(new Error('cannot verify the client certificate on this Node.js'), {
      code: 'ERR_SSL_CLIENT_VERIFICATION_UNAVAILABLE',
    });
  }
  const err = verify.call(handle);
  if (err) return err;
  if (!t.getPeerCertificate() || Object.keys(t.getPeerCertificate()).length === 0) {
    return Object.assign(new Error('the client sent no certificate'), {
      code: 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE',
    });
  }
  return null;
}
