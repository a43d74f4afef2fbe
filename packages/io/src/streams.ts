/**
 * asyncio's streams (`streams.py`): `StreamReader`, `StreamWriter`,
 * `StreamReaderProtocol`, `openConnection()`, `startServer()` and their
 * Unix variants, built on the transports and protocols of this package
 * exactly as CPython builds them.
 */
import {
  type Coroutine,
  type EventLoop,
  type Future,
  getEventLoop,
  getRunningLoop,
  isCoroutine,
  logger,
  RuntimeError,
  ValueError,
} from '@x/loop';
import { type AsyncGen, asyncGenerator, sleep, type Task } from '@x/tasks';
import { type ConnectionOptions, createConnection, createUnixConnection } from './connection.js';
import { ConnectionResetError, IncompleteReadError, LimitOverrunError } from './errors.js';
import { checkBytes } from './pipe-transports.js';
import { Protocol } from './protocols.js';
import { createServer, createUnixServer, type Server, type ServerOptions } from './server.js';
import { type SslOption, startTls } from './tls.js';
import type { Transport } from './transports.js';

/** asyncio's `_DEFAULT_LIMIT`: 64 KiB. */
const DEFAULT_LIMIT = 2 ** 16;

const EMPTY = Buffer.alloc(0);

/**
 * `start_server()`'s `client_connected_cb(reader, writer)`: a coroutine
 * function (run as a task of its own) or a plain function.
 *
 * @example
 * ```ts
 * const handle: ClientConnected = function* (reader, writer) {
 *   writer.write(yield* reader.readline());
 *   writer.close();
 * };
 * ```
 */
export type ClientConnected = (
  reader: StreamReader,
  writer: StreamWriter,
) => Coroutine<void> | void;

function checkLimit(limit: unknown): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (typeof limit !== 'number' || Number.isNaN(limit)) {
    throw new TypeError(`limit must be a number of bytes, not ${String(limit)}`);
  }
  if (limit <= 0) throw new ValueError('Limit cannot be <= 0');
  return limit;
}

/** The connecting half of `open_connection()` and `open_unix_connection()`: one reader, its protocol, the writer. */
function* openStreams(
  limit: unknown,
  connect: (factory: () => StreamReaderProtocol) => Coroutine<[Transport, unknown]>,
): Coroutine<[StreamReader, StreamWriter]> {
  const loop = getRunningLoop();
  const reader = new StreamReader({ limit: checkLimit(limit), loop });
  const protocol = new StreamReaderProtocol(reader, null, loop);
  const [transport] = yield* connect(() => protocol);
  return [reader, new StreamWriter(transport, protocol, reader, loop)];
}

/** The protocol factory of `start_server()` and `start_unix_server()`: a fresh reader per connection. */
function serverProtocols(
  clientConnected: ClientConnected,
  limit: unknown,
): () => StreamReaderProtocol {
  const lim = checkLimit(limit);
  const loop = getRunningLoop();
  return () =>
    new StreamReaderProtocol(new StreamReader({ limit: lim, loop }), clientConnected, loop);
}

/**
 * Mirrors `asyncio.open_connection(host, port, *, limit, **kwds)`: a
 * connection as a `[reader, writer]` pair. The options are those of
 * `createConnection`, plus `limit` (the reader's buffer limit, 64 KiB).
 *
 * @example
 * ```ts
 * const [reader, writer] = yield* openConnection('127.0.0.1', 8888);
 * writer.write(Buffer.from('hello\n'));
 * yield* writer.drain();
 * const line = yield* reader.readline();
 * writer.close();
 * yield* writer.waitClosed();
 * ```
 */
export function* openConnection(
  host?: string | null,
  port?: number | null,
  options: ConnectionOptions & { limit?: number } = {},
): Coroutine<[StreamReader, StreamWriter]> {
  const { limit, ...rest } = options;
  return yield* openStreams(limit, (factory) => createConnection(factory, host, port, rest));
}

/**
 * Mirrors `asyncio.start_server(client_connected_cb, host, port, *, limit,
 * **kwds)`: a server that calls `clientConnected(reader, writer)` for each
 * connection; a coroutine function runs as a task of its own. The options
 * are those of `createServer`, plus `limit`.
 *
 * @example
 * ```ts
 * function* handle(reader: StreamReader, writer: StreamWriter) {
 *   const line = yield* reader.readline();
 *   writer.write(line);
 *   yield* writer.drain();
 *   writer.close();
 *   yield* writer.waitClosed();
 * }
 * const server = yield* startServer(handle, '127.0.0.1', 8888);
 * yield* server.serveForever();
 * ```
 */
export function* startServer(
  clientConnected: ClientConnected,
  host?: string | string[] | null,
  port?: number | null,
  options: ServerOptions & { limit?: number } = {},
): Coroutine<Server> {
  checkCallback(clientConnected, 'startServer');
  const { limit, ...rest } = options;
  const factory = serverProtocols(clientConnected, limit);
  return yield* createServer(factory, host, port, rest);
}

/**
 * Mirrors `asyncio.open_unix_connection(path, *, limit, **kwds)`.
 *
 * @example
 * ```ts
 * const [reader, writer] = yield* openUnixConnection('/tmp/app.sock');
 * ```
 */
export function* openUnixConnection(
  path: string,
  options: {
    ssl?: SslOption;
    serverHostname?: string;
    limit?: number;
    sslHandshakeTimeout?: number;
    sslShutdownTimeout?: number;
  } = {},
): Coroutine<[StreamReader, StreamWriter]> {
  const { limit, ...rest } = options;
  return yield* openStreams(limit, (factory) => createUnixConnection(factory, path, rest));
}

/**
 * Mirrors `asyncio.start_unix_server(client_connected_cb, path, *, limit,
 * **kwds)`.
 *
 * @example
 * ```ts
 * const server = yield* startUnixServer(handle, '/tmp/app.sock');
 * ```
 */
export function* startUnixServer(
  clientConnected: ClientConnected,
  path: string,
  options: {
    ssl?: SslOption;
    backlog?: number;
    limit?: number;
    startServing?: boolean;
    cleanupSocket?: boolean;
  } = {},
): Coroutine<Server> {
  checkCallback(clientConnected, 'startUnixServer');
  const { limit, ...rest } = options;
  const factory = serverProtocols(clientConnected, limit);
  return yield* createUnixServer(factory, path, rest);
}

function checkCallback(cb: unknown, name: string): void {
  if (typeof cb !== 'function') {
    throw new TypeError(
      `${name}() needs a client_connected_cb function (reader, writer) => ..., got ${cb === null ? 'null' : typeof cb}`,
    );
  }
}

/**
 * Mirrors `asyncio.StreamReaderProtocol` (with `FlowControlMixin`): the
 * protocol between a transport and a `StreamReader`, which also makes the
 * `StreamWriter.drain()` wait work. Used by `openConnection` and
 * `startServer`; build one yourself to give a stream to another transport.
 *
 * @example
 * ```ts
 * const reader = new StreamReader();
 * const protocol = new StreamReaderProtocol(reader);
 * const [transport] = yield* createConnection(() => protocol, '127.0.0.1', port);
 * const writer = new StreamWriter(transport, protocol, reader, getRunningLoop());
 * ```
 */
export class StreamReaderProtocol extends Protocol {
  readonly #loop: EventLoop;
  #reader: StreamReader | null;
  #writer: StreamWriter | null = null;
  #transport: Transport | null = null;
  readonly #clientConnected: ClientConnected | null;
  #overSsl = false;
  readonly #closed: Future<void>;
  // FlowControlMixin
  #paused = false;
  readonly #drainWaiters = new Set<Future<void>>();
  #connectionLost = false;

  constructor(
    streamReader: StreamReader | null,
    clientConnected: ClientConnected | null = null,
    loop: EventLoop | null = null,
  ) {
    super();
    this.#loop = loop ?? getEventLoop();
    this.#reader = streamReader;
    this.#clientConnected = clientConnected;
    this.#closed = this.#loop.createFuture<void>();
    // Nobody may ever look at a connection's close error: don't report it as never retrieved.
    this.#closed.addDoneCallback((f) => {
      if (!f.cancelled()) f.exception();
    });
  }

  /** @internal StreamWriter.startTls: the writer has a new transport. */
  replaceWriter(writer: StreamWriter): void {
    this.#writer = writer;
    this.#transport = writer.transport;
    this.#overSsl = writer.transport.getExtraInfo('sslcontext') !== null;
  }

  /** @internal Whether this protocol belongs to a server connection (startTls's server side). */
  get isServerSide(): boolean {
    return this.#clientConnected !== null;
  }

  override connectionMade(transport: Transport): void {
    this.#transport = transport;
    const reader = this.#reader;
    if (reader !== null) reader.setTransport(transport);
    this.#overSsl = transport.getExtraInfo('sslcontext') !== null;
    if (this.#clientConnected !== null) {
      this.#writer = new StreamWriter(transport, this, reader, this.#loop);
      const res = this.#clientConnected(reader as StreamReader, this.#writer);
      if (isCoroutine(res)) {
        const task = this.#loop.createTask(res as Coroutine<void>) as Task<void>;
        task.addDoneCallback((t) => {
          if (t.cancelled()) {
            transport.close();
            return;
          }
          const exc = t.exception();
          if (exc !== null) {
            this.#loop.callExceptionHandler({
              message: 'Unhandled exception in client_connected_cb',
              exception: exc,
              transport,
            });
            transport.close();
          }
        });
      }
    }
  }

  override connectionLost(exc: unknown | null): void {
    const reader = this.#reader;
    if (reader !== null) {
      if (exc === null || exc === undefined) reader.feedEof();
      else reader.setException(exc);
    }
    if (!this.#closed.done()) {
      if (exc === null || exc === undefined) this.#closed.setResult(undefined);
      else this.#closed.setException(exc);
    }
    // FlowControlMixin.connection_lost
    this.#connectionLost = true;
    if (this.#paused) {
      for (const w of this.#drainWaiters) {
        if (!w.done()) {
          if (exc === null || exc === undefined) w.setResult(undefined);
          else w.setException(exc);
        }
      }
    }
    this.#reader = null;
    this.#writer = null;
    this.#transport = null;
  }

  override dataReceived(data: Buffer): void {
    // A transport's chunk is ours to keep: no copy.
    this.#reader?.feedChunk(data);
  }

  override eofReceived(): boolean {
    this.#reader?.feedEof();
    // sslproto ignores a true answer (and warns): say false over TLS.
    return !this.#overSsl;
  }

  override pauseWriting(): void {
    if (this.#paused) throw new RuntimeError('pauseWriting() called while already paused');
    this.#paused = true;
  }

  override resumeWriting(): void {
    if (!this.#paused) throw new RuntimeError('resumeWriting() called while not paused');
    this.#paused = false;
    for (const w of this.#drainWaiters) if (!w.done()) w.setResult(undefined);
  }

  /** @internal Whether `drainHelper()` has anything to do (raise or wait): saves a frame when not. */
  mustDrain(): boolean {
    return this.#connectionLost || this.#paused;
  }

  /** @internal FlowControlMixin._drain_helper. */
  *drainHelper(): Coroutine<void> {
    if (this.#connectionLost) throw new ConnectionResetError('Connection lost');
    if (!this.#paused) return;
    const waiter = this.#loop.createFuture<void>();
    this.#drainWaiters.add(waiter);
    try {
      yield* waiter;
    } finally {
      this.#drainWaiters.delete(waiter);
    }
  }

  /** @internal What `StreamWriter.waitClosed()` waits on. */
  closeWaiter(): Future<void> {
    return this.#closed;
  }
}

interface WriterHeld {
  transport: Transport;
  loop: EventLoop;
}

/**
 * CPython's `StreamWriter.__del__`: a writer collected while its transport is open
 * closes it, and warns (a `ResourceWarning`, shown in debug mode here).
 */
const writerFinalizer: FinalizationRegistry<WriterHeld> | null =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<WriterHeld>((held) => {
        const { transport, loop } = held;
        if (transport.isClosing()) return;
        if (loop.isClosed()) {
          if (loop.getDebug())
            logger.warning(`unclosed <StreamWriter transport=${transport}>: loop is closed`);
          return;
        }
        if (loop.getDebug()) logger.warning(`unclosed <StreamWriter transport=${transport}>`);
        transport.close();
      })
    : null;

/**
 * Mirrors `asyncio.StreamWriter`: writes to a transport, with `drain()` for
 * flow control.
 *
 * @example
 * ```ts
 * writer.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
 * yield* writer.drain();
 * writer.close();
 * yield* writer.waitClosed();
 * ```
 */
export class StreamWriter {
  #transport: Transport;
  readonly #protocol: StreamReaderProtocol;
  readonly #reader: StreamReader | null;
  readonly #loop: EventLoop;
  /** What the finalizer needs, without the writer itself. */
  readonly #held: WriterHeld;

  constructor(
    transport: Transport,
    protocol: StreamReaderProtocol,
    reader: StreamReader | null,
    loop: EventLoop,
  ) {
    this.#transport = transport;
    this.#protocol = protocol;
    this.#reader = reader;
    this.#loop = loop;
    this.#held = { transport, loop };
    writerFinalizer?.register(this, this.#held);
  }

  /** Mirrors `StreamWriter.transport`. */
  get transport(): Transport {
    return this.#transport;
  }

  /** Mirrors `write(data)`: buffer `data` on the transport; follow with `drain()`. */
  write(data: Uint8Array): void {
    this.#transport.write(data);
  }

  /** Mirrors `writelines(data)`. */
  writelines(data: Iterable<Uint8Array>): void {
    this.#transport.writelines(data);
  }

  /** Mirrors `write_eof()`: half-close the connection after the buffered data. */
  writeEof(): void {
    this.#transport.writeEof();
  }

  /** Mirrors `can_write_eof()`. */
  canWriteEof(): boolean {
    return this.#transport.canWriteEof();
  }

  /** Mirrors `close()`: close the stream and its transport; then `waitClosed()`. */
  close(): void {
    this.#transport.close();
  }

  /** Mirrors `is_closing()`. */
  isClosing(): boolean {
    return this.#transport.isClosing();
  }

  /** Mirrors `wait_closed()`: until the connection is closed; raises its error if it failed. */
  *waitClosed(): Coroutine<void> {
    yield* this.#protocol.closeWaiter();
  }

  /** Mirrors `get_extra_info(name, default=None)`. */
  getExtraInfo(name: string, dflt: unknown = null): unknown {
    return this.#transport.getExtraInfo(name, dflt);
  }

  /**
   * Mirrors `drain()`: wait until the write buffer is below its low-water
   * mark; raises the connection's error (or `ConnectionResetError('Connection
   * lost')`) if it was lost.
   */
  *drain(): Coroutine<void> {
    if (this.#reader !== null) {
      const exc = this.#reader.exception();
      if (exc !== null) throw exc;
    }
    if (this.#transport.isClosing()) {
      // Give connectionLost() a chance to run first, as CPython does.
      yield* sleep(0);
    }
    if (this.#protocol.mustDrain()) yield* this.#protocol.drainHelper();
  }

  /**
   * Mirrors `start_tls(sslcontext, *, server_hostname, ssl_handshake_timeout,
   * ssl_shutdown_timeout)`: upgrade the connection to TLS in place.
   */
  *startTls(
    ssl: SslOption,
    options: {
      serverHostname?: string;
      sslHandshakeTimeout?: number;
      sslShutdownTimeout?: number;
    } = {},
  ): Coroutine<void> {
    const serverSide = this.#protocol.isServerSide;
    yield* this.drain();
    const next = yield* startTls(this.#transport, this.#protocol, ssl, { ...options, serverSide });
    this.#transport = next;
    this.#held.transport = next;
    this.#protocol.replaceWriter(this);
  }

  /** Mirrors `repr(writer)`. */
  toString(): string {
    return `<StreamWriter transport=${String(this.#transport)}${this.#reader ? ` reader=${this.#reader}` : ''}>`;
  }

  /** @internal The loop this writer belongs to. */
  get loop(): EventLoop {
    return this.#loop;
  }
}

/**
 * Mirrors `asyncio.StreamReader`: the receiving end of a stream, with
 * asyncio's buffer limit (a line longer than `limit` is an error; reading
 * pauses above 2 × `limit`).
 *
 * @example
 * ```ts
 * const header = yield* reader.readuntil(Buffer.from('\r\n\r\n'));
 * const body = yield* reader.readexactly(length);
 * const rest = yield* reader.read();        // until EOF
 * ```
 */
export class StreamReader {
  readonly #limit: number;
  readonly #loop: EventLoop;
  /** The buffered bytes are #buf[#start, #end). Memory before #end is never written again. */
  #buf: Buffer = EMPTY;
  #start = 0;
  #end = 0;
  /** Whether #buf is ours to append to (not a Buffer someone handed us). */
  #owned = false;
  #eof = false;
  #waiter: Future<void> | null = null;
  #exception: unknown = null;
  #transport: Transport | null = null;
  #paused = false;

  constructor(options: { limit?: number; loop?: EventLoop } = {}) {
    this.#limit = checkLimit(options.limit);
    this.#loop = options.loop ?? getEventLoop();
  }

  get #length(): number {
    return this.#end - this.#start;
  }

  /** Mirrors `exception()`: the error set by `setException()`, or null. */
  exception(): unknown {
    return this.#exception;
  }

  /** Mirrors `set_exception(exc)`: the next (and any waiting) read raises `exc`. */
  setException(exc: unknown): void {
    this.#exception = exc;
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      if (!waiter.cancelled()) waiter.setException(exc);
    }
  }

  #wakeupWaiter(): void {
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      if (!waiter.cancelled()) waiter.setResult(undefined);
    }
  }

  /** Mirrors `set_transport(transport)`: the transport to pause when the buffer is full. */
  setTransport(transport: Transport): void {
    if (this.#transport !== null) throw new RuntimeError('Transport already set');
    this.#transport = transport;
  }

  #maybeResumeTransport(): void {
    if (this.#paused && this.#length <= this.#limit) {
      this.#paused = false;
      this.#transport?.resumeReading();
    }
  }

  /** Mirrors `feed_eof()`: no more data will come. */
  feedEof(): void {
    this.#eof = true;
    this.#wakeupWaiter();
  }

  /** Mirrors `at_eof()`: true when the buffer is empty and `feedEof()` was called. */
  atEof(): boolean {
    return this.#eof && this.#length === 0;
  }

  /**
   * Mirrors `feed_data(data)`: append bytes to the buffer (pausing the transport
   * above 2 × limit). The bytes are copied, as CPython's `bytearray.extend`: the
   * caller may reuse `data`.
   */
  feedData(data: Uint8Array): void {
    this.#feedData(data, false);
  }

  /**
   * @internal `feedData` of a chunk nobody else will write to (a transport's
   * `dataReceived`): adopted without a copy.
   */
  feedChunk(data: Buffer): void {
    this.#feedData(data, true);
  }

  #feedData(data: Uint8Array, owned: boolean): void {
    checkBytes(data);
    if (this.#eof) throw new RuntimeError('feed_data after feed_eof');
    if (data.length === 0) return;
    this.#append(data, owned);
    this.#wakeupWaiter();
    if (this.#transport !== null && !this.#paused && this.#length > 2 * this.#limit) {
      this.#transport.pauseReading();
      this.#paused = true;
    }
  }

  #append(data: Uint8Array, adopt: boolean): void {
    const n = data.length;
    if (this.#length === 0) {
      // Adopt a chunk nobody else writes to (it is never written to here either:
      // appends copy first); copy anything else.
      this.#buf = adopt ? (data as Buffer) : Buffer.from(data);
      this.#start = 0;
      this.#end = n;
      this.#owned = false;
      return;
    }
    if (!this.#owned || this.#end + n > this.#buf.length) {
      const len = this.#length;
      const cap = Math.max(2 * (len + n), 4096);
      const next = Buffer.allocUnsafe(cap);
      this.#buf.copy(next, 0, this.#start, this.#end);
      this.#buf = next;
      this.#start = 0;
      this.#end = len;
      this.#owned = true;
    }
    this.#buf.set(data, this.#end);
    this.#end += n;
  }

  /** Removes and returns the first `n` buffered bytes (a view: that memory is never reused). */
  #take(n: number): Buffer {
    const out = this.#buf.subarray(this.#start, this.#start + n);
    this.#start += n;
    if (this.#start === this.#end) {
      this.#buf = EMPTY;
      this.#start = 0;
      this.#end = 0;
      this.#owned = false;
    }
    return out;
  }

  #clear(): Buffer {
    return this.#take(this.#length);
  }

  /** Waits until feedData() or feedEof() is called; resumes a paused transport first. */
  *#waitForData(funcName: string): Coroutine<void> {
    if (this.#waiter !== null) {
      throw new RuntimeError(
        `${funcName}() called while another coroutine is already waiting for incoming data`,
      );
    }
    if (this.#eof) throw new RuntimeError('_wait_for_data after EOF');
    if (this.#paused) {
      this.#paused = false;
      this.#transport?.resumeReading();
    }
    const waiter = this.#loop.createFuture<void>();
    this.#waiter = waiter;
    try {
      yield* waiter;
    } finally {
      if (this.#waiter === waiter) this.#waiter = null;
    }
  }

  /**
   * Mirrors `readline()`: one line, ending with "\n" unless EOF came first
   * (an empty Buffer at EOF). A line longer than the limit is a
   * `ValueError`, and is discarded.
   */
  *readline(): Coroutine<Buffer> {
    try {
      return yield* this.readuntil(NEWLINE);
    } catch (e) {
      if (e instanceof IncompleteReadError) return e.partial;
      if (e instanceof LimitOverrunError) {
        if (this.#length > e.consumed && this.#buf[this.#start + e.consumed] === 0x0a) {
          this.#take(e.consumed + 1);
        } else {
          this.#clear();
        }
        this.#maybeResumeTransport();
        throw new ValueError(e.message);
      }
      throw e;
    }
  }

  /**
   * Mirrors `readuntil(separator=b'\n')` (3.13: or any of several
   * separators; the earliest-ending match wins): the data up to and
   * including the separator. `IncompleteReadError` at EOF (the buffer is
   * consumed), `LimitOverrunError` past the limit (nothing consumed).
   */
  *readuntil(separator: Uint8Array | Uint8Array[] = NEWLINE): Coroutine<Buffer> {
    let seps: Buffer[];
    if (separator instanceof Uint8Array) {
      seps = [toBuffer(separator)];
    } else if (Array.isArray(separator)) {
      seps = separator.map((s) => {
        checkBytes(s, 'separator');
        return toBuffer(s);
      });
      seps.sort((a, b) => a.length - b.length);
      if (seps.length === 0) throw new ValueError('Separator should contain at least one element');
    } else {
      checkBytes(separator, 'separator');
      seps = [];
    }
    const minSeplen = seps[0].length;
    const maxSeplen = seps[seps.length - 1].length;
    if (minSeplen === 0) throw new ValueError('Separator should be at least one-byte string');
    if (this.#exception !== null) throw this.#exception;

    let offset = 0;
    let matchStart = -1;
    let matchEnd = -1;
    for (;;) {
      const buflen = this.#length;
      if (buflen - offset >= minSeplen) {
        const base = this.#start;
        for (const sep of seps) {
          // Search the backing Buffer in place; a hit past #end is in unused capacity: none.
          const at = this.#buf.indexOf(sep, base + offset);
          const isep = at === -1 || at + sep.length > this.#end ? -1 : at - base;
          if (isep !== -1) {
            const end = isep + sep.length;
            if (matchEnd === -1 || end < matchEnd) {
              matchEnd = end;
              matchStart = isep;
            }
          }
        }
        if (matchEnd !== -1) break;
        offset = Math.max(0, buflen + 1 - maxSeplen);
        if (offset > this.#limit) {
          throw new LimitOverrunError('Separator is not found, and chunk exceed the limit', offset);
        }
      }
      if (this.#eof) {
        const chunk = this.#clear();
        throw new IncompleteReadError(chunk, null);
      }
      yield* this.#waitForData('readuntil');
    }
    if (matchStart > this.#limit) {
      throw new LimitOverrunError('Separator is found, but chunk is longer than limit', matchStart);
    }
    const chunk = this.#take(matchEnd);
    this.#maybeResumeTransport();
    return chunk;
  }

  /**
   * Mirrors `read(n=-1)`: up to `n` bytes as soon as any are there; with
   * -1 (the default), everything until EOF. An empty Buffer at EOF.
   */
  *read(n = -1): Coroutine<Buffer> {
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      throw new TypeError(`read() needs an integer number of bytes, not ${String(n)}`);
    }
    if (this.#exception !== null) throw this.#exception;
    if (n === 0) return EMPTY;
    if (n < 0) {
      // Read the limit at a time until EOF: a whole-stream wait would deadlock a paused transport.
      const blocks: Buffer[] = [];
      for (;;) {
        const block = yield* this.read(this.#limit);
        if (block.length === 0) break;
        blocks.push(block);
      }
      return blocks.length === 1 ? blocks[0] : Buffer.concat(blocks);
    }
    if (this.#length === 0 && !this.#eof) yield* this.#waitForData('read');
    const data = this.#take(Math.min(n, this.#length));
    this.#maybeResumeTransport();
    return data;
  }

  /**
   * Mirrors `readexactly(n)`: exactly `n` bytes, or `IncompleteReadError`
   * (with the bytes read so far as `.partial`) if EOF comes first.
   */
  *readexactly(n: number): Coroutine<Buffer> {
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      throw new TypeError(`readexactly() needs an integer number of bytes, not ${String(n)}`);
    }
    if (n < 0) throw new ValueError('readexactly size can not be less than zero');
    if (this.#exception !== null) throw this.#exception;
    if (n === 0) return EMPTY;
    while (this.#length < n) {
      if (this.#eof) {
        const incomplete = this.#clear();
        throw new IncompleteReadError(incomplete, n);
      }
      yield* this.#waitForData('readexactly');
    }
    const data = this.#take(n);
    this.#maybeResumeTransport();
    return data;
  }

  /**
   * Mirrors `async for line in reader`: an async generator of lines, until
   * EOF. Iterate it with `each()` in a coroutine, or `for await` in async
   * code on a running loop.
   *
   * @example
   * ```ts
   * for (const line of yield* each(reader.lines())) {   // async for line in reader:
   *   handle(line);
   *   yield* each.next();
   * }
   * ```
   */
  lines(): AsyncGen<Buffer> {
    return readLines(this);
  }

  /** Mirrors `repr(reader)`: `<StreamReader 5 bytes eof limit=3 ...>`. */
  toString(): string {
    const info = ['StreamReader'];
    if (this.#length > 0) info.push(`${this.#length} bytes`);
    if (this.#eof) info.push('eof');
    if (this.#limit !== DEFAULT_LIMIT) info.push(`limit=${this.#limit}`);
    if (this.#waiter !== null) info.push(`waiter=${String(this.#waiter)}`);
    if (this.#exception !== null) info.push(`exception=${String(this.#exception)}`);
    if (this.#transport !== null) info.push(`transport=${String(this.#transport)}`);
    if (this.#paused) info.push('paused');
    return `<${info.join(' ')}>`;
  }
}

const NEWLINE = Buffer.from('\n');

function toBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

const readLines = asyncGenerator<[StreamReader], Buffer>(function* lines(emit, reader) {
  for (;;) {
    const line = yield* reader.readline();
    if (line.length === 0) return;
    yield* emit(line);
  }
});
