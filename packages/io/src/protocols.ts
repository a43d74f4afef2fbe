/**
 * asyncio's protocol classes (`protocols.py`): what a transport calls when
 * something happens on its connection. Subclass one and override what you
 * need; every method here is a no-op by default, as in CPython. A transport
 * calls these as loop callbacks, in the order the host delivered the events.
 */
import type { BaseTransport } from './transports.js';

/**
 * Mirrors `asyncio.BaseProtocol`: connection and flow-control callbacks
 * shared by every protocol.
 *
 * @example
 * ```ts
 * class Logger extends BaseProtocol {
 *   override connectionMade(t: BaseTransport) { console.log('up', t.getExtraInfo('peername')); }
 *   override connectionLost(exc: unknown) { console.log('down', exc); }
 * }
 * ```
 */
export class BaseProtocol {
  /**
   * Mirrors `connection_made(transport)`: the connection is up; keep the
   * transport to write to it.
   */
  connectionMade(_transport: BaseTransport): void {}
  /**
   * Mirrors `connection_lost(exc)`: the connection is gone; `exc` is null for
   * a regular EOF or close, else the error.
   */
  connectionLost(_exc: unknown | null): void {}
  /**
   * Mirrors `pause_writing()`: the transport's write buffer went over the
   * high-water mark; stop writing until `resumeWriting()`.
   */
  pauseWriting(): void {}
  /** Mirrors `resume_writing()`: the write buffer drained below the low-water mark. */
  resumeWriting(): void {}
}

/**
 * Mirrors `asyncio.Protocol`: a stream protocol that receives data as
 * Buffers.
 *
 * @example
 * ```ts
 * class Echo extends Protocol {
 *   transport!: Transport;
 *   override connectionMade(t: Transport) { this.transport = t; }
 *   override dataReceived(data: Buffer) { this.transport.write(data); }
 * }
 * const server = yield* createServer(() => new Echo(), '127.0.0.1', 8888);
 * ```
 */
export class Protocol extends BaseProtocol {
  /** Mirrors `data_received(data)`: some bytes arrived. */
  dataReceived(_data: Buffer): void {}
  /**
   * Mirrors `eof_received()`: the peer sent EOF (half-closed). Return a
   * truthy value to keep the connection open for writing; otherwise the
   * transport closes itself.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: the contract's signature: an override may return nothing
  eofReceived(): boolean | void {}
}

/**
 * Mirrors `asyncio.BufferedProtocol`: the transport reads straight into a
 * buffer the protocol provides, with no copy and no allocation per read.
 *
 * @example
 * ```ts
 * class Counter extends BufferedProtocol {
 *   buf = new Uint8Array(65536); total = 0;
 *   override getBuffer(_hint: number) { return this.buf; }
 *   override bufferUpdated(n: number) { this.total += n; }
 * }
 * ```
 */
export class BufferedProtocol extends BaseProtocol {
  /**
   * Mirrors `get_buffer(sizehint)`: a buffer for the next read (at least one
   * byte long). Must be overridden.
   */
  getBuffer(_sizehint: number): Uint8Array {
    throw new TypeError(
      `${this.constructor.name}.getBuffer() is not implemented: a BufferedProtocol must override getBuffer(sizehint) to return a non-empty Uint8Array`,
    );
  }
  /** Mirrors `buffer_updated(nbytes)`: `nbytes` bytes were written at the start of the last buffer. */
  bufferUpdated(_nbytes: number): void {}
  /** Mirrors `eof_received()`, as `Protocol.eofReceived`. */
  // biome-ignore lint/suspicious/noConfusingVoidType: the contract's signature: an override may return nothing
  eofReceived(): boolean | void {}
}

/**
 * Mirrors `asyncio.DatagramProtocol`: callbacks of a UDP endpoint.
 *
 * @example
 * ```ts
 * class EchoUdp extends DatagramProtocol {
 *   transport!: DatagramTransport;
 *   override connectionMade(t: DatagramTransport) { this.transport = t; }
 *   override datagramReceived(data: Buffer, addr: [string, number]) { this.transport.sendto(data, addr); }
 * }
 * ```
 */
export class DatagramProtocol extends BaseProtocol {
  /** Mirrors `datagram_received(data, addr)`. */
  datagramReceived(_data: Buffer, _addr: [string, number]): void {}
  /** Mirrors `error_received(exc)`: a send or receive failed (e.g. ICMP port unreachable). */
  errorReceived(_exc: unknown): void {}
}

/**
 * Mirrors `asyncio.SubprocessProtocol`: callbacks of a child process's
 * transport.
 *
 * @example
 * ```ts
 * class Collect extends SubprocessProtocol {
 *   out: Buffer[] = [];
 *   override pipeDataReceived(fd: 1 | 2, data: Buffer) { if (fd === 1) this.out.push(data); }
 *   override processExited() { console.log('exited'); }
 * }
 * ```
 */
export class SubprocessProtocol extends BaseProtocol {
  /** Mirrors `pipe_data_received(fd, data)`: the child wrote to its stdout (1) or stderr (2). */
  pipeDataReceived(_fd: 1 | 2, _data: Buffer): void {}
  /** Mirrors `pipe_connection_lost(fd, exc)`: one of the child's pipes closed. */
  pipeConnectionLost(_fd: 0 | 1 | 2, _exc: unknown | null): void {}
  /** Mirrors `process_exited()`: the child exited. */
  processExited(): void {}
}
