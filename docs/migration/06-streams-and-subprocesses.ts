// Chapter 6, streams and subprocesses. The Python twin: 06-streams-and-subprocesses.py
import {
  createSubprocessExec,
  openConnection,
  PIPE,
  runMain,
  type StreamReader,
  type StreamWriter,
  startServer,
} from '@x/runner';

function* handle(reader: StreamReader, writer: StreamWriter) {
  // One task per connection: each line comes back upper-cased, until EOF.
  for (let line = yield* reader.readline(); line.length > 0; line = yield* reader.readline()) {
    writer.write(Buffer.from(line.toString().toUpperCase()));
    yield* writer.drain();
  }
  writer.close();
  yield* writer.waitClosed();
}

function* main() {
  // Port 0: the system picks a free port; server.sockets says which.
  const server = yield* startServer(handle, '127.0.0.1', 0);
  const port = server.sockets[0].port ?? 0; // port is absent only for a Unix socket
  console.log(`listening on 127.0.0.1, port chosen: ${port > 0 ? 'yes' : 'no'}`);

  const [reader, writer] = yield* openConnection('127.0.0.1', port);
  for (const word of ['hello', 'world']) {
    writer.write(Buffer.from(`${word}\n`));
    yield* writer.drain();
    const reply = yield* reader.readline();
    console.log(`sent ${word}, got ${reply.toString().trim()}`);
  }
  writer.writeEof();
  const rest = yield* reader.read();
  console.log(`after our EOF the server closed: ${rest.length} more bytes`);
  writer.close();
  yield* writer.waitClosed();
  server.close();
  yield* server.waitClosed();

  // A child process, its stdout piped; communicate() reads it all and waits for the exit.
  const proc = yield* createSubprocessExec('sh', ['-c', 'echo hello from a child'], {
    stdout: PIPE,
  });
  const [out] = yield* proc.communicate();
  console.log(`child printed '${out?.toString().trim()}', exit code ${proc.returncode}`);
}

runMain(main);
