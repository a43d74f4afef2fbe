// Ported from CPython 3.14's Lib/test/test_asyncio/test_streams.py (StreamTests), over real
// sockets on 127.0.0.1, plus the faults and bad input of the @x/io issue.

import {
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  gaierror,
  IncompleteReadError,
  LimitOverrunError,
  openConnection,
  StreamReader as Reader,
  type StreamReader,
  type StreamWriter,
  startServer,
} from '@x/io';
import { type Coroutine, getRunningLoop, RuntimeError, ValueError } from '@x/loop';
import { createTask, Event, gather, sleep } from '@x/tasks';
import { describe, expect, test } from 'vitest';
import { runLoop } from './net-helpers.js';

const DATA = Buffer.from('line1\nline2\nline3\n');

function* echoHandler(reader: StreamReader, writer: StreamWriter): Coroutine<void> {
  for (;;) {
    const data = yield* reader.read(65536);
    if (data.length === 0) break;
    writer.write(data);
    yield* writer.drain();
  }
  writer.close();
  yield* writer.waitClosed();
}

describe('StreamTests (test_streams.py)', () => {
  test('test_open_connection', async () => {
    await runLoop(function* () {
      const server = yield* startServer(echoHandler, '127.0.0.1', 0);
      const port = server.sockets[0].port as number;
      const [reader, writer] = yield* openConnection('127.0.0.1', port);
      writer.write(Buffer.from('GET / HTTP/1.0\r\n\r\n'));
      const f = yield* reader.readline();
      expect(f.toString()).toBe('GET / HTTP/1.0\r\n');
      writer.writeEof();
      const rest = yield* reader.read();
      expect(rest.toString()).toBe('\r\n');
      writer.close();
      yield* writer.waitClosed();
      server.close();
      yield* server.waitClosed();
    });
  });

  test('test_feed_empty_data / test_feed_nonempty_data', async () => {
    await runLoop(function* () {
      const stream = new Reader();
      stream.feedData(Buffer.alloc(0));
      expect(stream.toString()).toBe('<StreamReader>');
      stream.feedData(DATA);
      expect(yield* stream.read(DATA.length)).toEqual(DATA);
    });
  });

  test('test_read_zero / test_read / test_read_line_breaks / test_read_eof / test_read_until_eof', async () => {
    await runLoop(function* (loop) {
      const stream = new Reader();
      stream.feedData(DATA);
      expect((yield* stream.read(0)).length).toBe(0);
      expect(yield* stream.read(5)).toEqual(Buffer.from('line1'));
      const s2 = new Reader();
      const t = createTask(s2.read(30));
      yield* sleep(0);
      s2.feedData(DATA);
      expect(yield* t).toEqual(DATA);
      const s3 = new Reader();
      const t3 = createTask(s3.read(1024));
      yield* sleep(0);
      s3.feedEof();
      expect((yield* t3).length).toBe(0);
      expect(s3.atEof()).toBe(true);
      const s4 = new Reader();
      const t4 = createTask(s4.read(-1));
      yield* sleep(0);
      s4.feedData(Buffer.from('chunk1\n'));
      s4.feedData(Buffer.from('chunk2'));
      s4.feedEof();
      expect((yield* t4).toString()).toBe('chunk1\nchunk2');
      expect(loop.isRunning()).toBe(true);
    });
  });

  test('test_read_exception', async () => {
    await runLoop(function* () {
      const stream = new Reader();
      stream.feedData(Buffer.from('line\n'));
      expect((yield* stream.read(2)).toString()).toBe('li');
      stream.setException(new ValueError('boom'));
      yield* expectThrows(stream.read(2), ValueError);
    });
  });

  test('test_invalid_limit', () => {
    expect(() => new Reader({ limit: 0 })).toThrow(new ValueError('Limit cannot be <= 0'));
    expect(() => new Reader({ limit: -1 })).toThrow(ValueError);
  });

  test('test_read_limit / test_readline_limit_with_existing_data', async () => {
    await runLoop(function* () {
      const stream = new Reader({ limit: 3 });
      stream.feedData(Buffer.from('chunk'));
      expect((yield* stream.read(5)).toString()).toBe('chunk');
      const s2 = new Reader({ limit: 3 });
      s2.feedData(Buffer.from('li'));
      s2.feedData(Buffer.from('ne1\nline2\n'));
      yield* expectThrows(s2.readline(), ValueError);
      // The (whole) line was removed: the buffer holds the next one (b'line2\n').
      expect(s2.toString()).toBe('<StreamReader 6 bytes limit=3>');
      expect((yield* s2.read(6)).toString()).toBe('line2\n');
      const s3 = new Reader({ limit: 3 });
      s3.feedData(Buffer.from('li'));
      s3.feedData(Buffer.from('ne1'));
      s3.feedData(Buffer.from('li'));
      yield* expectThrows(s3.readline(), ValueError);
      // No "\n" found: the buffer was cleared.
      expect(s3.toString()).toBe('<StreamReader limit=3>');
    });
  });

  test('test_readline / test_readline_eof / test_readline_empty_eof / test_readline_read_byte_count', async () => {
    await runLoop(function* () {
      const stream = new Reader();
      stream.feedData(Buffer.from('chunk1 '));
      const t = createTask(stream.readline());
      yield* sleep(0);
      stream.feedData(Buffer.from('chunk2 '));
      stream.feedData(Buffer.from('chunk3 '));
      stream.feedData(Buffer.from('\n chunk4'));
      expect((yield* t).toString()).toBe('chunk1 chunk2 chunk3 \n');
      expect((yield* stream.read(-1 + 8)).toString()).toBe(' chunk4');
      const s2 = new Reader();
      s2.feedData(Buffer.from('some data'));
      s2.feedEof();
      expect((yield* s2.readline()).toString()).toBe('some data');
      const s3 = new Reader();
      s3.feedEof();
      expect((yield* s3.readline()).length).toBe(0);
      const s4 = new Reader();
      s4.feedData(DATA);
      yield* s4.readline();
      const data = yield* s4.read(7);
      expect(data.toString()).toBe('line2\nl');
      expect(s4.toString()).toBe('<StreamReader 5 bytes>');
    });
  });

  test('test_readuntil_separator / multi-chunks / eof / limit_found_sep / multiple_separators', async () => {
    await runLoop(function* () {
      const stream = new Reader();
      yield* expectThrows(
        stream.readuntil(Buffer.alloc(0)),
        ValueError,
        'Separator should be at least one-byte string',
      );
      yield* expectThrows(
        stream.readuntil([]),
        ValueError,
        'Separator should contain at least one element',
      );
      stream.feedData(Buffer.from('lineAAA'));
      expect((yield* stream.readuntil(Buffer.from('AAA'))).toString()).toBe('lineAAA');
      stream.feedData(Buffer.from('lineAAAxxx'));
      expect((yield* stream.readuntil(Buffer.from('AAA'))).toString()).toBe('lineAAA');
      expect(stream.toString()).toBe('<StreamReader 3 bytes>');
      const s2 = new Reader();
      s2.feedData(Buffer.from('some dataAA'));
      s2.feedEof();
      try {
        yield* s2.readuntil(Buffer.from('AAA'));
        throw new Error('no IncompleteReadError');
      } catch (e) {
        expect(e).toBeInstanceOf(IncompleteReadError);
        expect((e as IncompleteReadError).partial.toString()).toBe('some dataAA');
        expect((e as IncompleteReadError).expected).toBeNull();
      }
      const s3 = new Reader({ limit: 3 });
      s3.feedData(Buffer.from('some dataAA'));
      try {
        yield* s3.readuntil(Buffer.from('AAA'));
        throw new Error('no LimitOverrunError');
      } catch (e) {
        expect(e).toBeInstanceOf(LimitOverrunError);
        expect((e as Error).message).toBe('Separator is not found, and chunk exceed the limit');
      }
      expect(s3.toString()).toBe('<StreamReader 11 bytes limit=3>');
      s3.feedData(Buffer.from('A'));
      try {
        yield* s3.readuntil(Buffer.from('AAA'));
        throw new Error('no LimitOverrunError');
      } catch (e) {
        expect((e as Error).message).toBe('Separator is found, but chunk is longer than limit');
      }
      const s4 = new Reader();
      s4.feedData(Buffer.from('line 1\nline 2\r'));
      const seps = [Buffer.from('\n'), Buffer.from('\r\n'), Buffer.from('\r')];
      expect((yield* s4.readuntil(seps)).toString()).toBe('line 1\n');
      expect((yield* s4.readuntil(seps)).toString()).toBe('line 2\r');
    });
  });

  test('test_readuntil_multi_chunks / test_readuntil_multi_chunks_1: separators split across feeds', async () => {
    await runLoop(function* () {
      const stream = new Reader();
      stream.feedData(Buffer.from('lineAA'));
      const t = createTask(stream.readuntil(Buffer.from('AAA')));
      yield* sleep(0);
      stream.feedData(Buffer.from('A'));
      expect((yield* t).toString()).toBe('lineAAA');
      // CPython's multi_chunks_1, step by step.
      const steps: Array<[string[], string, string]> = [
        [['QWEaa', 'XYaa', 'a'], 'aaa', 'QWEaaXYaaa'],
        [['QWEaa', 'XYa', 'aa'], 'aaa', 'QWEaaXYaaa'],
        [['aaa'], 'aaa', 'aaa'],
        [['Xaaa'], 'aaa', 'Xaaa'],
        [['XXX', 'a', 'a', 'a'], 'aaa', 'XXXaaa'],
        [['XXX', 'a', 'a', 'a', 'YYY'], 'aaa', 'XXXaaa'],
      ];
      for (const [chunks, sep, want] of steps) {
        const r = new Reader();
        const task = createTask(r.readuntil(Buffer.from(sep)));
        for (const c of chunks) {
          yield* sleep(0);
          r.feedData(Buffer.from(c));
        }
        expect((yield* task).toString()).toBe(want);
      }
      // A separator longer than what is buffered, then the rest of it; an unrelated tail stays.
      const r2 = new Reader();
      r2.feedData(Buffer.from('ab'));
      r2.feedData(Buffer.from('c\r'));
      r2.feedData(Buffer.from('\nrest'));
      expect((yield* r2.readuntil(Buffer.from('\r\n'))).toString()).toBe('abc\r\n');
      expect(String(r2)).toBe('<StreamReader 4 bytes>');
    });
  });

  test('test_readexactly_zero_or_less / test_readexactly / test_readexactly_eof', async () => {
    await runLoop(function* () {
      const stream = new Reader();
      stream.feedData(DATA);
      expect((yield* stream.readexactly(0)).length).toBe(0);
      yield* expectThrows(
        stream.readexactly(-1),
        ValueError,
        'readexactly size can not be less than zero',
      );
      const s2 = new Reader();
      const n = 2 * DATA.length;
      const t = createTask(s2.readexactly(n));
      yield* sleep(0);
      s2.feedData(DATA);
      s2.feedData(DATA);
      s2.feedData(DATA);
      expect(yield* t).toEqual(Buffer.concat([DATA, DATA]));
      const s3 = new Reader();
      const t3 = createTask(s3.readexactly(n));
      yield* sleep(0);
      s3.feedData(DATA);
      s3.feedEof();
      try {
        yield* t3;
        throw new Error('no IncompleteReadError');
      } catch (e) {
        expect(e).toBeInstanceOf(IncompleteReadError);
        expect((e as IncompleteReadError).partial).toEqual(DATA);
        expect((e as IncompleteReadError).expected).toBe(n);
        expect((e as Error).message).toBe(`18 bytes read on a total of 36 expected bytes`);
      }
    });
  });

  test('test_exception_waiter / test_exception_cancel', async () => {
    await runLoop(function* () {
      const stream = new Reader();
      const t1 = createTask(stream.readline());
      yield* sleep(0);
      stream.setException(new ValueError('x'));
      yield* expectThrows(t1, ValueError);
      const s2 = new Reader();
      const t2 = createTask(s2.readline());
      yield* sleep(0);
      t2.cancel();
      yield* sleep(0);
      // The waiter is gone: a new read may wait; setException on a cancelled waiter is fine.
      s2.setException(new RuntimeError('message'));
      yield* expectThrows(s2.read(1), RuntimeError);
    });
  });

  test('two concurrent reads: RuntimeError, as CPython', async () => {
    await runLoop(function* () {
      const stream = new Reader();
      const t1 = createTask(stream.read(1));
      yield* sleep(0);
      yield* expectThrows(
        stream.read(1),
        RuntimeError,
        'read() called while another coroutine is already waiting for incoming data',
      );
      stream.feedData(Buffer.from('x'));
      expect((yield* t1).toString()).toBe('x');
    });
  });

  test('test_async_iteration (lines())', async () => {
    await runLoop(function* () {
      const stream = new Reader();
      stream.feedData(Buffer.from('line1\nline2\nline3'));
      stream.feedEof();
      const lines = stream.lines();
      const got: string[] = [];
      for (let r = yield* lines.next(); !r.done; r = yield* lines.next())
        got.push(r.value.toString());
      expect(got).toEqual(['line1\n', 'line2\n', 'line3']);
    });
  });

  test('feedData copies: the caller may reuse its buffer (bytearray.extend)', async () => {
    await runLoop(function* () {
      const stream = new Reader();
      const buf = Buffer.from('abc\n');
      stream.feedData(buf);
      buf.fill(0x78); // the caller reuses its buffer
      expect((yield* stream.readline()).toString()).toBe('abc\n');
      const u8 = new Uint8Array([0x31, 0x32]);
      stream.feedData(u8);
      u8[0] = 0x39;
      expect((yield* stream.read(2)).toString()).toBe('12');
    });
  });

  test('test_feed_data_after_eof, bad input: string where bytes are required', async () => {
    await runLoop(function* () {
      const stream = new Reader();
      expect(() => stream.feedData('abc' as unknown as Buffer)).toThrow(TypeError);
      stream.feedEof();
      expect(() => stream.feedData(Buffer.from('x'))).toThrow(RuntimeError);
    });
  });

  test('test_start_server / test_start_server_callback (a plain function)', async () => {
    await runLoop(function* () {
      const seen: string[] = [];
      const server = yield* startServer(
        (reader, writer) => {
          // A plain callback: the stream is driven by a task it starts itself.
          createTask(
            (function* () {
              const line = yield* reader.readline();
              seen.push(line.toString());
              writer.write(line);
              yield* writer.drain();
              writer.close();
            })(),
          );
        },
        '127.0.0.1',
        0,
      );
      const port = server.sockets[0].port as number;
      const [r, w] = yield* openConnection('127.0.0.1', port);
      w.write(Buffer.from('hello world!\n'));
      expect((yield* r.readline()).toString()).toBe('hello world!\n');
      expect((yield* r.read()).length).toBe(0);
      w.close();
      yield* w.waitClosed();
      server.close();
      yield* server.waitClosed();
      expect(seen).toEqual(['hello world!\n']);
    });
  });

  test('connection refused is ConnectionRefusedError with errno 111, as CPython', async () => {
    await runLoop(function* () {
      const server = yield* startServer(echoHandler, '127.0.0.1', 0);
      const port = server.sockets[0].port as number;
      server.close();
      yield* server.waitClosed();
      try {
        yield* openConnection('127.0.0.1', port);
        throw new Error('connected');
      } catch (e) {
        expect(e).toBeInstanceOf(ConnectionRefusedError);
        expect((e as ConnectionRefusedError).errno).toBe(111);
        expect((e as ConnectionRefusedError).code).toBe('ECONNREFUSED');
        expect((e as Error).message).toBe(`[Errno 111] Connect call failed ('127.0.0.1', ${port})`);
      }
    });
  });

  test('DNS failure is gaierror', async () => {
    await runLoop(function* () {
      try {
        yield* openConnection('nowhere.invalid', 80);
        throw new Error('resolved');
      } catch (e) {
        expect(e).toBeInstanceOf(gaierror);
        expect((e as gaierror).errno).toBeLessThan(0);
      }
    });
  });

  test('bad input: wrong types, port out of range, no host and port', async () => {
    await runLoop(function* () {
      yield* expectThrows(
        openConnection('127.0.0.1', 70000),
        RangeError,
        'connect(): port must be 0-65535.',
      );
      yield* expectThrows(openConnection('127.0.0.1', -1), RangeError);
      yield* expectThrows(openConnection(123 as unknown as string, 80), TypeError);
      yield* expectThrows(openConnection('127.0.0.1', '80' as unknown as number), TypeError);
      yield* expectThrows(
        openConnection(null, null),
        ValueError,
        'host and port was not specified and no sock specified',
      );
      yield* expectThrows(
        openConnection('127.0.0.1', 1, { serverHostname: 'x' }),
        ValueError,
        'server_hostname is only meaningful with ssl',
      );
      yield* expectThrows(
        openConnection('127.0.0.1', 1, { limit: 0 }),
        ValueError,
        'Limit cannot be <= 0',
      );
      yield* expectThrows(
        startServer(echoHandler, '127.0.0.1', 70000),
        RangeError,
        'bind(): port must be 0-65535.',
      );
      // The loop is still usable.
      yield* sleep(0);
      expect(getRunningLoop().isRunning()).toBe(true);
    });
  });
});

describe('StreamTests (test_streams.py): writers', () => {
  test('test_wait_closed_on_close / test_eof_feed_when_closing_writer', async () => {
    await runLoop(function* () {
      const server = yield* startServer(echoHandler, '127.0.0.1', 0);
      const [rd, wr] = yield* openConnection('127.0.0.1', server.sockets[0].port);
      wr.write(Buffer.from('GET / HTTP/1.0\r\n\r\n'));
      expect((yield* rd.readline()).toString()).toBe('GET / HTTP/1.0\r\n');
      expect(wr.isClosing()).toBe(false);
      wr.close();
      expect(wr.isClosing()).toBe(true);
      yield* wr.waitClosed();
      // connectionLost fed the reader its EOF.
      expect(rd.atEof()).toBe(false); // the echo of "\r\n" may still be buffered
      yield* rd.read();
      expect(rd.atEof()).toBe(true);
      server.close();
      yield* server.waitClosed();
    });
  });

  test('test_async_writer_api_exception_after_close: drain() raises ConnectionResetError', async () => {
    await runLoop(function* () {
      const server = yield* startServer(echoHandler, '127.0.0.1', 0);
      const [rd, wr] = yield* openConnection('127.0.0.1', server.sockets[0].port);
      wr.write(Buffer.from('x\n'));
      yield* rd.readline();
      wr.close();
      // A difference: CPython drops this write silently; here it is an error at the call.
      expect(() => wr.write(Buffer.from('data'))).toThrow(RuntimeError);
      yield* expectThrows(wr.drain(), ConnectionResetError, 'Connection lost');
      server.close();
      yield* server.waitClosed();
    });
  });

  test('test_drain_raises: the peer went away while we write', async () => {
    await runLoop(function* () {
      const server = yield* startServer(
        (_r, w) => {
          w.close(); // a plain callback, as CPython allows
        },
        '127.0.0.1',
        0,
      );
      const [rd, wr] = yield* openConnection('127.0.0.1', server.sockets[0].port);
      expect((yield* rd.read()).length).toBe(0); // the server closed
      let err: unknown = null;
      for (let i = 0; i < 1000 && err === null; i++) {
        try {
          wr.write(Buffer.alloc(64 * 1024));
          yield* wr.drain();
          yield* sleep(0.001);
        } catch (e) {
          err = e;
        }
      }
      expect(err).toBeInstanceOf(ConnectionError);
      wr.close();
      server.close();
      yield* server.waitClosed();
    });
  });

  test('test_multiple_drain: concurrent drains all wake', async () => {
    await runLoop(function* () {
      let serverReader: StreamReader | null = null;
      const go = new Event();
      const server = yield* startServer(
        function* (r, w) {
          serverReader = r;
          yield* go.wait(); // do not read until the drains wait
          yield* r.read();
          w.close();
        },
        '127.0.0.1',
        0,
      );
      const [, wr] = yield* openConnection('127.0.0.1', server.sockets[0].port);
      wr.transport.setWriteBufferLimits(1);
      while (wr.transport.getWriteBufferSize() === 0) {
        wr.write(Buffer.alloc(1 << 20));
        yield* sleep(0.001);
      }
      const drains = [createTask(wr.drain()), createTask(wr.drain()), createTask(wr.drain())];
      yield* sleep(0);
      expect(drains.every((d) => !d.done())).toBe(true);
      go.set();
      yield* gather(drains);
      expect(serverReader).not.toBeNull();
      wr.close();
      yield* wr.waitClosed();
      server.close();
      yield* server.waitClosed();
    });
  });

  test('test_del_stream_before_connection_lost: a writer collected while open closes its connection (StreamWriter.__del__)', async () => {
    await runLoop(function* () {
      let serverSawEof = false;
      const server = yield* startServer(
        function* (reader, writer) {
          yield* reader.read();
          serverSawEof = true;
          writer.close();
        },
        '127.0.0.1',
        0,
      );
      const port = server.sockets[0].port as number;
      yield* (function* () {
        // The writer is dropped at the end of this frame, never closed.
        const [, w] = yield* openConnection('127.0.0.1', port);
        w.write(Buffer.from('bye'));
      })();
      const deadline = getRunningLoop().time() + 20;
      while (!serverSawEof && getRunningLoop().time() < deadline) {
        globalThis.gc?.();
        yield* sleep(0.01);
      }
      expect(serverSawEof).toBe(true);
      server.close();
      yield* server.waitClosed();
    });
  });

  test('the reader pauses the transport above 2 × limit and resumes it once read below the limit', async () => {
    await runLoop(function* () {
      const server = yield* startServer(
        function* (_r, w) {
          w.write(Buffer.alloc(100 * 1024, 0x61));
          yield* w.drain();
          w.close();
        },
        '127.0.0.1',
        0,
      );
      const [r, w] = yield* openConnection('127.0.0.1', server.sockets[0].port, { limit: 1024 });
      // Let the data arrive without reading it.
      for (let i = 0; i < 400 && w.transport.isReading(); i++) yield* sleep(0.005);
      expect(w.transport.isReading()).toBe(false);
      expect(String(r)).toMatch(/ paused>$/);
      const held = Number(/(\d+) bytes/.exec(String(r))?.[1]);
      expect(held).toBeGreaterThan(2 * 1024);
      // Reading down to the limit resumes it.
      yield* r.readexactly(held - 1000);
      expect(w.transport.isReading()).toBe(true);
      const rest = yield* r.read();
      expect(held - 1000 + rest.length).toBe(100 * 1024);
      w.close();
      server.close();
      yield* server.waitClosed();
    });
  });

  test('test___repr__ variants', async () => {
    await runLoop(function* () {
      const stream = new Reader({ limit: 123 });
      expect(String(stream)).toBe('<StreamReader limit=123>');
      stream.feedEof();
      expect(String(stream)).toBe('<StreamReader eof limit=123>');
      const s2 = new Reader();
      s2.setException(new RuntimeError('x'));
      expect(String(s2)).toBe('<StreamReader exception=RuntimeError: x>');
      const s3 = new Reader();
      const t = createTask(s3.read(1));
      yield* sleep(0);
      expect(String(s3)).toMatch(/^<StreamReader waiter=<Future pending/);
      s3.feedEof();
      yield* t;
    });
  });

  test('StreamReader() outside a loop uses the current event loop, as CPython', async () => {
    await runLoop(function* (loop) {
      const r = new Reader();
      r.feedData(Buffer.from('abc'));
      expect((yield* r.read(3)).toString()).toBe('abc');
      expect(loop.isRunning()).toBe(true);
    });
  });
});

/** Runs `coro` (or awaits a task) and checks it raised `cls` (with `message`). */
export function* expectThrows(
  coro: Coroutine<unknown> | PromiseLike<unknown> | Iterable<unknown>,
  cls: abstract new (...a: never[]) => unknown,
  message?: string,
): Coroutine<void> {
  try {
    yield* coro as Coroutine<unknown>;
  } catch (e) {
    expect(e).toBeInstanceOf(cls);
    if (message !== undefined) expect((e as Error).message).toBe(message);
    return;
  }
  throw new Error(`expected ${cls.name} to be raised`);
}
