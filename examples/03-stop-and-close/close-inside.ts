// loop.close() (and running the loop again) from inside the running loop.
//
// A running loop cannot be closed: close() throws RuntimeError, and the program
// goes on. Nor can it be run a second time, nor can run() start another loop
// while this one runs: those refusals come as rejected Promises. Python:
//
//   async def main():
//       loop = asyncio.get_running_loop()
//       try:
//           loop.close()
//       except RuntimeError as e:
//           print(f'loop.close(): {e}')                   # Cannot close a running event loop
//       try:
//           loop.run_forever()
//       except RuntimeError as e:
//           print(f'loop.run_forever(): {e}')             # This event loop is already running
//       coro = other()
//       try:
//           asyncio.run(coro)
//       except RuntimeError as e:
//           print(f'asyncio.run(): {e}')                  # asyncio.run() cannot be called from a running event loop
//       print(f'the loop is still running: {loop.is_running()}')
//
//   asyncio.run(main())
import { ensureFuture, getRunningLoop, run } from '@x/runner';

function* other() {
  console.log('never printed: this coroutine is never run');
}

function* main() {
  const loop = getRunningLoop();
  try {
    loop.close();
  } catch (e) {
    console.log(`loop.close(): ${(e as Error).name}: ${(e as Error).message}`);
  }
  // Promises refuse by rejecting: wait for them to see the error.
  try {
    yield* ensureFuture(loop.runForever());
  } catch (e) {
    console.log(`loop.runForever(): ${(e as Error).name}: ${(e as Error).message}`);
  }
  try {
    yield* ensureFuture(run(other()));
  } catch (e) {
    console.log(`run(): ${(e as Error).name}: ${(e as Error).message}`);
  }
  console.log(`the loop is still running: ${loop.isRunning()}, closed: ${loop.isClosed()}`);
}

await run(main());
console.log('run() resolved');
