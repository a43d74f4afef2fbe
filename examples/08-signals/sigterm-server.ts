// SIGTERM on a server-like program: it stops accepting, closes its connections,
// and then ends by SIGTERM (a shell sees status 143), as a service manager expects.
//
// runMain() handles SIGINT and SIGTERM: either cancels the main task, with the
// signal's name as the cancel message. The server waits in `yield* serveForever()`;
// the CancelledError comes out there and the finally block shuts down. Python:
//
//   async def handle(reader, writer):
//       writer.write(b'hello\n')
//       await writer.drain()
//       writer.close()
//
//   async def main():
//       server = await asyncio.start_server(handle, '127.0.0.1', 0)
//       print(f'listening on port {server.sockets[0].getsockname()[1]}', flush=True)
//       try:
//           await server.serve_forever()
//       finally:
//           print('shutting down')
//           server.close()
//           await server.wait_closed()
//           print('server closed')
//
//   loop.add_signal_handler(signal.SIGTERM, main_task.cancel)   # what runMain() does for you
import { type AddressInfo, createServer } from 'node:net';
import { CancelledError, ensureFuture, getRunningLoop, runMain } from '@x/runner';

function* serveForever() {
  // A Future that nothing completes: the server runs until it is cancelled.
  yield* getRunningLoop().createFuture();
}

function* main() {
  const server = createServer((socket) => socket.end('hello\n'));
  yield* ensureFuture(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  console.log(`listening on port ${(server.address() as AddressInfo).port}`);
  try {
    yield* serveForever();
  } catch (e) {
    if (e instanceof CancelledError) console.log(`cancelled by ${e.message}: shutting down`);
    throw e;
  } finally {
    yield* ensureFuture(new Promise((resolve) => server.close(resolve)));
    console.log('server closed');
  }
}

runMain(main);
