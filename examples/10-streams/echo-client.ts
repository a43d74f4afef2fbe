// A client of the echo server: connect, send a few lines, read each echo, close. Python:
//
//   async def main(port):
//       reader, writer = await asyncio.open_connection('127.0.0.1', port)
//       for text in ('hello', 'from', 'x-async'):
//           writer.write(f'{text}\n'.encode())
//           await writer.drain()
//           line = await reader.readline()
//           print(f'echo: {line.decode().rstrip()}')
//       writer.close()
//       await writer.wait_closed()
//
//   asyncio.run(main(int(sys.argv[1])))
//
// Usage: node examples/dist/10-streams/echo-client.js PORT [words...]   (Node 22.18+: the .ts file)
import { openConnection, runMain } from '@x/runner';

function* main() {
  const port = Number(process.argv[2]);
  const words = process.argv.length > 3 ? process.argv.slice(3) : ['hello', 'from', 'x-async'];
  const [reader, writer] = yield* openConnection('127.0.0.1', port);
  for (const text of words) {
    writer.write(Buffer.from(`${text}\n`));
    yield* writer.drain();
    const line = yield* reader.readline();
    console.log(`echo: ${line.toString().trimEnd()}`);
  }
  writer.close();
  yield* writer.waitClosed();
}

runMain(main);
