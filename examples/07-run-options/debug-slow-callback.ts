// run() in debug mode: a step that blocks the loop is reported.
//
// A coroutine that computes for a long time between two waits holds up every
// other task. In debug mode the loop times each callback and task step, and logs
// (to stderr) each one slower than loop.slowCallbackDuration (0.1 s by default).
// The environment variable XASYNC_DEBUG=1 turns debug mode on without code
// changes, as PYTHONASYNCIODEBUG=1 does. Python:
//
//   async def main():
//       loop = asyncio.get_running_loop()
//       print(f'debug: {loop.get_debug()}, slow_callback_duration: {loop.slow_callback_duration}')
//       time.sleep(0.15)           # blocks the loop
//       await asyncio.sleep(0)
//
//   asyncio.run(main(), debug=True)
//   # Executing <Task ... coro=<main() ...>> took 0.150 seconds
import { getRunningLoop, run, sleep } from '@x/runner';

function blockFor(seconds: number) {
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    // busy: nothing else can run
  }
}

function* main() {
  const loop = getRunningLoop();
  console.log(`debug: ${loop.getDebug()}, slowCallbackDuration: ${loop.slowCallbackDuration}`);
  blockFor(0.15);
  yield* sleep(0);
  console.log('main is done');
}

await run(main(), { debug: true });
