/**
 * The transports of a child process's pipes, after CPython's
 * `_UnixReadPipeTransport` and `_UnixWritePipeTransport` (`unix_events.py`).
 * Node gives a child's pipes as `net.Socket`s; every event a socket reports
 * reaches the protocol as a loop callback, in the order Node reported it.
 */
import type { Socket } from 'node:net';
import { type EventLoop, logger, RuntimeError } from '@x/loop';
import { BrokenPipeError, fromNodeError } from './errors.js';
import { reportFatalError } from './fatal-error.js';
import { FlowControl } from './flow-control.js';
import type { BaseProtocol, Protocol } from './protocols.js';
import type { ReadTransport, WriteTransport } from './transports.js';

/** After this many writes to a lost pipe, each one is logged (`LOG_THRESHOLD_FOR_CONNLOST_WRITES`). */
const LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;

/**
 * Checks what `write()` was given, as CPython's transports do: bytes-like
 * only; a string is a TypeError that says how to encode it.
 */
export function checkBytes(data: unknown, what = 'data'): asserts data is Uint8Array {
  if (data instanceof Uint8Array) return;
  if (typeof data === 'string') {
    throw new TypeError(
      `${what} argument must be a bytes-like object, not 'str': encode it first, e.g. Buffer.from(s)`,
    );
  }
  const name =
    data === null
      ? 'None'
      : data === undefined
        ? 'undefined'
        : (data.constructor?.name ?? typeof data);
  throw new TypeError(`${what} argument must be a bytes-like object, not '${name}'`);
}

/** Mirrors `_UnixReadPipeTransport`: reads a child's stdout or stderr. */
export class ReadPipeTransport implements ReadTransport {
  /** @internal */ _loop: EventLoop;
  /** @internal */ _sock: Socket | null;
  /** @internal */ _protocol: Protocol;
  /** @internal */ _closing = false;
  /** @internal */ _paused = false;
  /** @internal Data and EOF (null) that came while reading was paused. */
  _held: Array<Buffer | null> = [];
  /** @internal */ _lost = false;
  /** @internal */ _extra: Record<string, unknown>;
  private readonly _deliverFn = (chunk: Buffer | null): void => this._deliver(chunk);

  constructor(loop: EventLoop, sock: Socket, protocol: Protocol, extra: Record<string, unknown>) {
    this._loop = loop;
    this._sock = sock;
    this._protocol = protocol;
    this._extra = { pipe: sock, ...extra };
    loop.callSoon(() => this._protocol.connectionMade(this));
    // Listening now is safe: Node reports nothing before a later host turn,
    // so connectionMade() always runs first.
    sock.on('data', (chunk: Buffer) => {
      if (!loop.isClosed()) loop.callSoon(this._deliverFn, chunk);
    });
    sock.on('end', () => {
      if (!loop.isClosed()) loop.callSoon(this._deliverFn, null);
    });
    sock.on('error', (err: Error) => {
      if (!loop.isClosed()) loop.callSoon(() => this._fatalError(fromNodeError(err)));
    });
  }

  /** @internal One chunk (or EOF) from the host, as `_read_ready` handles it. */
  _deliver(chunk: Buffer | null): void {
    if (this._lost || (this._closing && this._held.length === 0 && chunk !== null)) return;
    if (this._paused || this._held.length > 0) {
      this._held.push(chunk);
      return;
    }
    if (chunk !== null) {
      this._protocol.dataReceived(chunk);
      return;
    }
    if (this._loop.getDebug()) logger.debug(`${this} was closed by peer`);
    this._closing = true;
    this._loop.callSoon(() => this._protocol.eofReceived());
    this._loop.callSoon(() => this._callConnectionLost(null));
  }

  /** Mirrors `is_reading()`. */
  isReading(): boolean {
    return !this._paused && !this._closing;
  }

  /** Mirrors `pause_reading()`: no `dataReceived()` until `resumeReading()`; the child blocks once the pipe is full. */
  pauseReading(): void {
    if (!this.isReading()) return;
    this._paused = true;
    this._sock?.pause();
    if (this._loop.getDebug()) logger.debug(`${this} pauses reading`);
  }

  /** Mirrors `resume_reading()`. */
  resumeReading(): void {
    if (this._closing || !this._paused) return;
    this._paused = false;
    this._sock?.resume();
    // What arrived while paused goes first, each as its own callback.
    const held = this._held;
    this._held = [];
    for (const chunk of held) this._loop.callSoon(this._deliverFn, chunk);
    if (this._loop.getDebug()) logger.debug(`${this} resumes reading`);
  }

  setProtocol(protocol: BaseProtocol): void {
    this._protocol = protocol as Protocol;
  }

  getProtocol(): BaseProtocol {
    return this._protocol;
  }

  isClosing(): boolean {
    return this._closing;
  }

  /** Mirrors `close()`: stop reading; `connectionLost(null)` follows. What was not read yet is dropped. */
  close(): void {
    if (!this._closing) this._close(null);
  }

  getExtraInfo(name: string, dflt: unknown = null): unknown {
    return Object.hasOwn(this._extra, name) ? this._extra[name] : dflt;
  }

  /**
   * @internal The loop closed: the process may end although the pipe is open.
   * Reading stops, as in CPython (its selector is gone): what the child still
   * writes stays in the pipe (and Node's buffer) instead of being read and dropped.
   */
  _unref(): void {
    this._sock?.pause();
    this._sock?.unref();
  }

  /** @internal */
  _fatalError(exc: unknown, message = 'Fatal read error on pipe transport'): void {
    if (this._lost) return;
    // CPython logs EIO (a pty's end) only in debug mode.
    const eio = (exc as { code?: unknown } | null)?.code === 'EIO';
    reportFatalError(this._loop, this, this._protocol, exc, message, eio);
    this._close(exc);
  }

  /** @internal */
  _close(exc: unknown): void {
    this._closing = true;
    this._held = [];
    this._sock?.pause();
    this._loop.callSoon(() => this._callConnectionLost(exc));
  }

  /** @internal */
  _callConnectionLost(exc: unknown): void {
    if (this._lost) return;
    this._lost = true;
    try {
      this._protocol.connectionLost(exc);
    } finally {
      this._sock?.destroy();
      this._sock = null;
    }
  }

  toString(): string {
    const state =
      this._sock === null
        ? 'closed'
        : this._closing
          ? 'closing'
          : this._paused
            ? 'idle'
            : 'polling';
    return `<ReadPipeTransport ${state}>`;
  }
}

/** Mirrors `_UnixWritePipeTransport`: writes to a child's stdin, with asyncio's flow control. */
export class WritePipeTransport extends FlowControl implements WriteTransport {
  /** @internal */ _sock: Socket | null;
  /** @internal Bytes given to the socket whose write has not completed. */
  _bufferSize = 0;
  /** @internal */ _closing = false;
  /** @internal */ _connLost = 0;
  /** @internal */ _lost = false;
  /** @internal close(), writeEof() or abort() was called: write() is misuse from now on. */
  _closedByUser = false;
  /** @internal Some written bytes never reached the reader. */
  _undelivered = false;
  /** @internal */ _extra: Record<string, unknown>;
  private readonly _flushedFn = (n: number, err: unknown): void => this._flushed(n, err);

  constructor(
    loop: EventLoop,
    sock: Socket,
    protocol: BaseProtocol,
    extra: Record<string, unknown>,
  ) {
    super(loop, protocol);
    this._sock = sock;
    this._extra = { pipe: sock, ...extra };
    loop.callSoon(() => this._protocol.connectionMade(this));
    sock.on('error', (err: NodeJS.ErrnoException) => {
      // A write to a pipe Node already destroyed: the 'close' below reports it.
      if (err.code === 'ERR_STREAM_DESTROYED') return;
      if (!loop.isClosed()) loop.callSoon(() => this._fatalError(fromNodeError(err)));
    });
    // The reader went away (Node destroys a child's stdin when the child
    // exits): CPython's transport learns it from the read event on its fd.
    sock.on('close', () => {
      if (!loop.isClosed()) loop.callSoon(() => this._peerClosed());
    });
  }

  getWriteBufferSize(): number {
    return this._bufferSize;
  }

  /** Mirrors `write(data)`: never blocks; `pauseWriting()` is called here when the buffer goes over the high-water mark. */
  write(data: Uint8Array): void {
    checkBytes(data);
    if (data.byteLength === 0) return;
    if (this._closedByUser && !this._lost) {
      throw new RuntimeError(
        'Cannot call write() after close(): the pipe is closing and the data would be lost',
      );
    }
    if (this._connLost > 0 || this._closing) {
      if (this._connLost >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
        logger.warning('pipe closed by peer or os.write(pipe, data) raised exception.');
      }
      this._connLost++;
      return;
    }
    const sock = this._sock as Socket;
    const n = data.byteLength;
    if (sock.destroyed) {
      // Node destroyed the pipe (the child exited); the 'close' callback is on its way.
      this._undelivered = true;
      return;
    }
    this._bufferSize += n;
    // Node may complete the write later; its callback is a host event, so it
    // reaches the transport as a loop callback.
    // Copy: the caller may reuse its buffer before Node has written it.
    sock.write(Buffer.from(data), (err) => {
      if (!this._loop.isClosed()) this._loop.callSoon(this._flushedFn, n, err ?? null);
    });
    this._maybePauseProtocol();
  }

  /** Mirrors `writelines(list_of_data)`. */
  writelines(data: Iterable<Uint8Array>): void {
    const parts = [...data];
    for (const d of parts) checkBytes(d);
    if (parts.length > 0) this.write(Buffer.concat(parts));
  }

  /** @internal A write completed (or failed: the error also comes as an 'error' event). */
  _flushed(n: number, err: unknown): void {
    if (this._lost) return;
    this._bufferSize -= n;
    if (err !== null) {
      this._undelivered = true;
      return;
    }
    this._maybeResumeProtocol();
    if (this._closing && this._bufferSize === 0) this._finishClose(null);
  }

  /** @internal The socket closed under us: the child (or its stdin) is gone. */
  _peerClosed(): void {
    if (this._lost) return;
    // CPython: a buffer still holding data means the data cannot be delivered
    // (also after close(), which waits for the buffer to drain).
    const lostData = this._bufferSize > 0 || this._undelivered;
    if (this._closing && !lostData) {
      this._finishClose(null);
      return;
    }
    this._close(
      lostData ? new BrokenPipeError('[Errno 32] Broken pipe', { errno: 32, code: 'EPIPE' }) : null,
    );
  }

  canWriteEof(): boolean {
    return true;
  }

  /** Mirrors `write_eof()`: close once the buffer is flushed. */
  writeEof(): void {
    if (this._closing) return;
    this._closing = true;
    this._closedByUser = true;
    if (this._bufferSize === 0) this._finishClose(null);
    else this._sock?.end();
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

  /** Mirrors `close()`: as `writeEof()`. */
  close(): void {
    if (this._sock !== null && !this._closing) this.writeEof();
  }

  /** Mirrors `abort()`: close now, dropping what is buffered. */
  abort(): void {
    this._closedByUser = true;
    this._close(null);
  }

  getExtraInfo(name: string, dflt: unknown = null): unknown {
    return Object.hasOwn(this._extra, name) ? this._extra[name] : dflt;
  }

  /** @internal */
  _unref(): void {
    this._sock?.unref();
  }

  /** @internal */
  _fatalError(exc: unknown, message = 'Fatal write error on pipe transport'): void {
    if (this._lost) return;
    // CPython: an OSError (EPIPE...) is only logged in debug mode; it reaches the protocol.
    const os = exc instanceof Error && (exc as { errno?: unknown }).errno !== undefined;
    reportFatalError(this._loop, this, this._protocol, exc, message, os);
    this._close(exc);
  }

  /** @internal */
  _finishClose(exc: unknown): void {
    this._closing = true;
    this._loop.callSoon(() => this._callConnectionLost(exc));
    this._lost = true;
  }

  /** @internal */
  _close(exc: unknown): void {
    if (this._lost) return;
    this._closing = true;
    this._bufferSize = 0;
    this._connLost++;
    this._finishClose(exc);
  }

  /** @internal */
  _callConnectionLost(exc: unknown): void {
    try {
      this._protocol.connectionLost(exc);
    } finally {
      this._sock?.destroy();
      this._sock = null;
    }
  }

  toString(): string {
    const state = this._sock === null ? 'closed' : this._closing ? 'closing' : 'open';
    return `<WritePipeTransport ${state} bufsize=${this._bufferSize}>`;
  }
}
