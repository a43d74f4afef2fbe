// Interoperability with programs nobody here wrote: CPython's asyncio (client and server),
// curl and Node's fetch against an HTTP/1.1 server written on streams, and openssl s_client /
// Python's ssl against the TLS server. Only 127.0.0.1. A case whose tool is missing is skipped
// with a message saying so.
import { execFileSync } from 'node:child_process';
import { openConnection, type StreamReader, type StreamWriter, startServer } from '@x/io';
import { type Coroutine, type Future, getRunningLoop } from '@x/loop';
import { describe, expect, test } from 'vitest';
import { runLoop, runProgram, startProgram } from './net-helpers.js';
import { CERT, type TestCert } from './tls-cert.js';

function has(tool: string, args: string[]): boolean {
  try {
    execFileSync(tool, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const PYTHON = has('python3', ['-c', 'import asyncio, ssl']);
const CURL = has('curl', ['--version']);
const OPENSSL = typeof CERT !== 'string' && has('openssl', ['version']);
for (const [ok, what] of [
  [PYTHON, 'python3 (with asyncio and ssl)'],
  [CURL, 'curl'],
  [OPENSSL, 'openssl with a test certificate'],
] as const) {
  if (!ok) console.warn(`interop tests skipped: ${what} is not available`);
}

function* echoLines(reader: StreamReader, writer: StreamWriter): Coroutine<void> {
  try {
    for (let line = yield* reader.readline(); line.length > 0; line = yield* reader.readline()) {
      writer.write(line);
      yield* writer.drain();
    }
  } finally {
    writer.close();
  }
}

/** A minimal HTTP/1.1 server on streams: "hello" for GET /, keep-alive, Content-Length. */
function* httpHello(reader: StreamReader, writer: StreamWriter): Coroutine<void> {
  try {
    for (;;) {
      let head: Buffer;
      try {
        head = yield* reader.readuntil(Buffer.from('\r\n\r\n'));
      } catch {
        return; // EOF between requests
      }
      const [requestLine, ...headers] = head.toString('latin1').split('\r\n');
      const [method, path] = requestLine.split(' ');
      const close = headers.some((h) => /^connection:\s*close/i.test(h));
      const body = method === 'GET' && path === '/' ? 'hello\n' : 'not found\n';
      const status = body === 'hello\n' ? '200 OK' : '404 Not Found';
      writer.write(
        Buffer.from(
          `HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n${close ? 'Connection: close\r\n' : ''}\r\n${body}`,
        ),
      );
      yield* writer.drain();
      if (close) return;
    }
  } finally {
    writer.close();
  }
}

const PY_CLIENT = `
import asyncio, sys
async def main(port):
    r, w = await asyncio.open_connection('127.0.0.1', port)
    got = []
    for i in range(100):
        w.write(b'line %d\\n' % i)
        await w.drain()
        got.append(await r.readline())
    w.write_eof()
    rest = await r.read()
    w.close()
    await w.wait_closed()
    ok = got == [b'line %d\\n' % i for i in range(100)] and rest == b''
    print('OK' if ok else 'BAD %r' % got[:3])
asyncio.run(main(int(sys.argv[1])))
`;

const PY_SERVER = `
import asyncio
async def handle(r, w):
    while line := await r.readline():
        w.write(line.upper())
        await w.drain()
    w.close()
    await w.wait_closed()
async def main():
    srv = await asyncio.start_server(handle, '127.0.0.1', 0)
    print(srv.sockets[0].getsockname()[1], flush=True)
    async with srv:
        await srv.serve_forever()
asyncio.run(main())
`;

const PY_TLS_CLIENT = `
import asyncio, ssl, sys
async def main(port, ca):
    ctx = ssl.create_default_context(cafile=ca)
    r, w = await asyncio.open_connection('127.0.0.1', port, ssl=ctx, server_hostname='localhost')
    w.write(b'over tls\\n')
    await w.drain()
    line = await r.readline()
    cert = w.get_extra_info('peercert')
    w.close()
    try:
        await w.wait_closed()
    except (ssl.SSLError, ConnectionResetError):
        pass
    print(line.decode().strip(), dict(x[0] for x in cert['subject'])['commonName'])
asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
`;

describe.skipIf(!PYTHON)('CPython asyncio interoperability', { timeout: 60_000 }, () => {
  test('a CPython asyncio client talks to an x-async streams server', async () => {
    await runLoop(function* () {
      const srv = yield* startServer(echoLines, '127.0.0.1', 0);
      const res = yield* runProgram('python3', ['-c', PY_CLIENT, String(srv.sockets[0].port)]);
      expect(res.stderr).toBe('');
      expect(res.stdout.trim()).toBe('OK');
      srv.close();
      yield* srv.waitClosed();
    });
  });

  test('an x-async client talks to a CPython asyncio server', async () => {
    await runLoop(function* () {
      const { line, child, exited } = yield* startProgram('python3', ['-c', PY_SERVER]);
      try {
        const [r, w] = yield* openConnection('127.0.0.1', Number(line));
        for (let i = 0; i < 50; i++) {
          w.write(Buffer.from(`msg ${i}\n`));
          yield* w.drain();
          expect((yield* r.readline()).toString()).toBe(`MSG ${i}\n`);
        }
        w.writeEof();
        expect((yield* r.read()).length).toBe(0);
        w.close();
        yield* w.waitClosed();
      } finally {
        child.kill('SIGTERM');
        yield* exited;
      }
    });
  });
});

describe.skipIf(!PYTHON || !OPENSSL)('TLS interoperability', { timeout: 60_000 }, () => {
  const cert = CERT as TestCert;

  test("CPython's ssl client verifies and talks to the x-async TLS server", async () => {
    await runLoop(function* () {
      const srv = yield* startServer(echoLines, '127.0.0.1', 0, {
        ssl: { key: cert.key, cert: cert.cert },
      });
      const res = yield* runProgram('python3', [
        '-c',
        PY_TLS_CLIENT,
        String(srv.sockets[0].port),
        cert.certPath,
      ]);
      expect(res.stderr).toBe('');
      expect(res.stdout.trim()).toBe('over tls localhost');
      srv.close();
      yield* srv.waitClosed();
    });
  });

  test('openssl s_client verifies and talks to the x-async TLS server', async () => {
    await runLoop(function* () {
      // One line, then close: s_client (quiet, so it ignores its stdin's EOF) ends at the server's close.
      const srv = yield* startServer(
        function* (reader, writer) {
          writer.write(yield* reader.readline());
          yield* writer.drain();
          writer.close();
        },
        '127.0.0.1',
        0,
        { ssl: { key: cert.key, cert: cert.cert } },
      );
      const res = yield* runProgram(
        'openssl',
        [
          's_client',
          '-connect',
          `127.0.0.1:${srv.sockets[0].port}`,
          '-CAfile',
          cert.certPath,
          '-verify_hostname',
          'localhost',
          '-verify_return_error',
          '-quiet',
        ],
        { input: 'from openssl\n' },
      );
      expect(res.stdout).toContain('from openssl\n');
      expect(res.code).toBe(0);
      srv.close();
      yield* srv.waitClosed();
    });
  });
});

describe('HTTP/1.1 on streams', { timeout: 60_000 }, () => {
  test.skipIf(!CURL)(
    'curl gets "hello" from a server written on streams (keep-alive, 2 requests)',
    async () => {
      await runLoop(function* () {
        const srv = yield* startServer(httpHello, '127.0.0.1', 0);
        const url = `http://127.0.0.1:${srv.sockets[0].port}/`;
        const res = yield* runProgram('curl', ['-sS', '--http1.1', url, url]);
        expect(res.stderr).toBe('');
        expect(res.stdout).toBe('hello\nhello\n');
        const miss = yield* runProgram('curl', [
          '-s',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          `${url}nope`,
        ]);
        expect(miss.stdout).toBe('404');
        srv.close();
        srv.closeClients();
        yield* srv.waitClosed();
      });
    },
  );

  test('Node\'s fetch gets "hello"', async () => {
    await runLoop(function* () {
      const srv = yield* startServer(httpHello, '127.0.0.1', 0);
      const loop = getRunningLoop();
      const fut: Future<[number, string]> = loop.createFuture();
      fetch(`http://127.0.0.1:${srv.sockets[0].port}/`, { headers: { connection: 'close' } })
        .then(async (r) => fut.setResult([r.status, await r.text()]))
        .catch((e) => fut.setException(e));
      const [status, text] = yield* fut;
      expect(status).toBe(200);
      expect(text).toBe('hello\n');
      srv.close();
      srv.closeClients();
      yield* srv.waitClosed();
    });
  });
});
