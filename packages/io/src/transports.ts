/**
 * asyncio's transport interfaces (`transports.py`): what a protocol is given
 * to act on its connection. The implementations are the socket, pipe,
 * datagram and subprocess transports of this package.
 */
import type { BaseProtocol } from './protocols.js';

/**
 * Mirrors `asyncio.BaseTransport`: what every transport can do.
 *
 * @example
 * ```ts
 * const [transport] = yield* createConnection(() => new Protocol(), '127.0.0.1', port);
 * console.log(transport.getExtraInfo('peername')); // ['127.0.0.1', port]
 * transport.close();
 * ```
 */
export interface BaseTransport {
  /**
   * Mirrors `get_extra_info(name, default=None)`: 'peername', 'sockname',
   * 'socket', 'sslcontext', 'peercert', 'cipher', 'compression',
   * 'ssl_object', and for pipes 'pipe', for subprocesses 'subprocess'.
   */
  getExtraInfo(name: string, dflt?: unknown): unknown;
  /** Mirrors `is_closing()`: true once `close()` or `abort()` was called or the connection was lost. */
  isClosing(): boolean;
  /**
   * Mirrors `close()`: flushes the write buffer, then closes; the protocol's
   * `connectionLost(null)` follows. Calling it again does nothing.
   */
  close(): void;
  /** Mirrors `set_protocol(protocol)`: switch to another protocol. */
  setProtocol(protocol: BaseProtocol): void;
  /** Mirrors `get_protocol()`. */
  getProtocol(): BaseProtocol;
}

/**
 * Mirrors `asyncio.ReadTransport`: the reading half of a stream transport.
 *
 * @example
 * ```ts
 * transport.pauseReading();   // no dataReceived() until resumeReading()
 * transport.resumeReading();
 * ```
 */
export interface ReadTransport extends BaseTransport {
  /** Mirrors `is_reading()`. */
  isReading(): boolean;
  /** Mirrors `pause_reading()`: the socket stops reading until `resumeReading()`. */
  pauseReading(): void;
  /** Mirrors `resume_reading()`. */
  resumeReading(): void;
}

/**
 * Mirrors `asyncio.WriteTransport`: the writing half of a stream transport,
 * with asyncio's flow control.
 *
 * @example
 * ```ts
 * transport.setWriteBufferLimits(128 * 1024);   // high; low defaults to high / 4
 * transport.write(Buffer.from('hello\n'));
 * console.log(transport.getWriteBufferLimits()); // [32768, 131072]
 * ```
 */
export interface WriteTransport extends BaseTransport {
  /**
   * Mirrors `set_write_buffer_limits(high=None, low=None)`: the protocol's
   * `pauseWriting()` is called when the buffer goes over `high` (64 KiB by
   * default), `resumeWriting()` when it falls to `low` (high / 4).
   */
  setWriteBufferLimits(high?: number, low?: number): void;
  /** Mirrors `get_write_buffer_size()`: bytes written but not yet handed to the OS. */
  getWriteBufferSize(): number;
  /** Mirrors `get_write_buffer_limits()`: `[low, high]`. */
  getWriteBufferLimits(): [number, number];
  /** Mirrors `write(data)`: queue bytes; never blocks. A `string` is a TypeError. */
  write(data: Uint8Array): void;
  /** Mirrors `writelines(list_of_data)`. */
  writelines(data: Iterable<Uint8Array>): void;
  /** Mirrors `write_eof()`: half-close after the buffered data is flushed. */
  writeEof(): void;
  /** Mirrors `can_write_eof()`. */
  canWriteEof(): boolean;
  /**
   * Mirrors `abort()`: close now, discarding buffered data;
   * `connectionLost(null)` follows.
   */
  abort(): void;
}

/**
 * Mirrors `asyncio.Transport`: a bidirectional stream transport (a TCP, TLS
 * or Unix socket).
 *
 * @example
 * ```ts
 * const [transport, protocol] = yield* createConnection(() => new MyProtocol(), '127.0.0.1', port);
 * transport.write(Buffer.from('ping\n'));
 * ```
 */
export interface Transport extends ReadTransport, WriteTransport {}

/**
 * Mirrors `asyncio.DatagramTransport`: a UDP endpoint.
 *
 * @example
 * ```ts
 * const [transport] = yield* createDatagramEndpoint(() => new DatagramProtocol(), { remoteAddr: ['127.0.0.1', port] });
 * transport.sendto(Buffer.from('ping'));
 * ```
 */
export interface DatagramTransport extends BaseTransport {
  /** Mirrors `sendto(data, addr=None)`: `addr` is required unless the endpoint has a remote address. */
  sendto(data: Uint8Array, addr?: [string, number]): void;
  /** Mirrors `abort()`. */
  abort(): void;
  /** Mirrors `get_write_buffer_size()`. */
  getWriteBufferSize(): number;
}

/**
 * Mirrors `asyncio.SubprocessTransport`: a child process and its pipes.
 *
 * @example
 * ```ts
 * const [transport] = yield* subprocessExec(() => new SubprocessProtocol(), 'sleep', ['10']);
 * transport.terminate();
 * ```
 */
export interface SubprocessTransport extends BaseTransport {
  /** Mirrors `get_pid()`. */
  getPid(): number;
  /** Mirrors `get_returncode()`: null while running, -N when killed by signal N. */
  getReturncode(): number | null;
  /** Mirrors `get_pipe_transport(fd)`: the transport of the child's stdin (0), stdout (1) or stderr (2), or null. */
  getPipeTransport(fd: 0 | 1 | 2): BaseTransport | null;
  /** Mirrors `send_signal(signal)`. */
  sendSignal(signal: NodeJS.Signals | number): void;
  /** Mirrors `terminate()`: SIGTERM. */
  terminate(): void;
  /** Mirrors `kill()`: SIGKILL. */
  kill(): void;
}
