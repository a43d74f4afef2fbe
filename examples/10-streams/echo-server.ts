// A TCP echo server on asyncio's streams, with a graceful shutdown on SIGTERM (or Ctrl-C):
// stop accepting, close every connection, wait until they are gone, then end by the
// signal (a shell sees status 143 for SIGTERM), as a service manager expects. Python:
//
//   async def handle(reader, writer):
//       peer = writer.get_extra_info('peername')
//       print(f'{peer[0]}:{peer[1]} connected', flush=True)
//       try:
//           async for line in reader:
//               writer.write(line)
//               await writer.drain()
//       finally:
//           print(f'{peer[0]}:{peer[1]} gone', flush=True)
//           writer.close()
//           await writer.wait_closed()
//
//   async def main():
//       server = await asyncio.start_server(handle, '127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 0)
//       host, port = server.sockets[0].getsockname()[:2]
//       print(f'serving on {host}:{port}', flush=True)
//       try:
//           await asyncio.get_running_loop().create_future()   # serve until cancelled
//       except asyncio.CancelledError as e:
//           print(f'{e.args[0]}: closing the connections', flush=True)
//           raise
//       finally:
//           server.close()            # stop listening
//           server.close_clients()    # 3.13: close every connection (their handlers see EOF)
//           await server.wait_closed()
//           print('server closed', flush=True)
//
//   asyncio.run(main())   # plus loop.add_signal_handler(SIGTERM, main_task.cancel): runMain() does it
//
// Why not `await server.serve_forever()`? Cancelled, it closes the server and then waits
// for every connection to end (CPython 3.12+, and here): a client that stays connected
// would hold the shutdown. Waiting for the cancellation and then closing the clients ends
// them first.
//
// Usage: node examples/dist/10-streams/echo-server.js [port]   (Node 22.18+: node examples/10-streams/echo-server.ts)
import {
  CancelledError,
  each,
  getRunningLoop,
  runMain,
  type StreamReader,
  type StreamWriter,
  startServer,
} from '@x/runner';

function* handle(reader: StreamReader, writer: StreamWriter) {
  const [host, port] = writer.getExtraInfo('peername') as [string, number];
  console.log(`${host}:${port} connected`);
  try {
    for (const line of yield* each(reader.lines())) {
      writer.write(line);
      yield* writer.drain();
      yield* each.next();
    }
  } finally {
    console.log(`${host}:${port} gone`);
    writer.close();
    yield* writer.waitClosed();
  }
}

function* main() {
  const server = yield* startServer(handle, '127.0.0.1', Number(process.argv[2] ?? 0));
  const { address, port } = server.sockets[0];
  console.log(`serving on ${address}:${port}`);
  try {
    yield* getRunningLoop().createFuture(); // serve until cancelled (by SIGTERM or Ctrl-C)
  } catch (e) {
    if (e instanceof CancelledError) console.log(`${e.message}: closing the connections`);
    throw e;
  } finally {
    server.close(); // stop listening
    server.closeClients(); // close every connection: their handlers see the end of the stream
    yield* server.waitClosed();
    console.log('server closed');
  }
}

runMain(main);
