// loop.stop() called from inside the loop, while run() runs the main coroutine.
//
// stop() does not end anything at once: the loop finishes the iteration it is in
// and then stops. run() was waiting for the main task, which is not done, so it
// rejects with "Event loop stopped before Future completed." and then, as always,
// cancels what is left (the main task included: its finally runs) and closes the
// loop. The way to end a program from inside is to return from main. Python:
//
//   async def main():
//       print('Main is running')
//       try:
//           asyncio.get_running_loop().stop()
//           print('Main called loop.stop() and carries on until its next await')
//           await asyncio.sleep(0.1)
//           print('Main is done')       # never printed
//       finally:
//           print('Main cleans up: it was cancelled by the shutdown')
//
//   try:
//       asyncio.run(main())
//   except RuntimeError as e:
//       print(f'asyncio.run() raised RuntimeError: {e}')
import { getRunningLoop, RuntimeError, run, sleep } from '@x/runner';

function* main() {
  console.log('Main is running');
  try {
    getRunningLoop().stop();
    console.log('Main called loop.stop() and carries on until its next wait');
    yield* sleep(0.1);
    console.log('Main is done');
  } finally {
    console.log('Main cleans up: it was cancelled by the shutdown');
  }
}

try {
  await run(main());
} catch (e) {
  if (!(e instanceof RuntimeError)) throw e;
  console.log(`run() rejected with RuntimeError: ${e.message}`);
}
