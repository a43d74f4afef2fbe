// Ctrl-C on a program that cleans up in `finally`.
//
// Written for the xrun command, which imports the module and runs its exported
// main with runMain(); ctrl-c-cleanup-node.ts runs the same main with plain node.
// After `pnpm build` (which compiles the examples to examples/dist/):
//
//   xrun examples/dist/08-signals/ctrl-c-cleanup.js
//   node examples/dist/08-signals/ctrl-c-cleanup-node.js
//
// On Node 22.18 and later, which strip the types themselves, the .ts files run as they are.
//
// Ctrl-C cancels the main task where it waits: CancelledError (message 'SIGINT')
// comes out of `yield* sleep(...)`, the finally blocks run (and may wait
// themselves), the worker task is cancelled at shutdown, and then the process
// ends by SIGINT, as an uncaught KeyboardInterrupt ends a Python program: a
// shell sees status 130. Python:
//
//   async def main():
//       worker = asyncio.create_task(work())
//       print('Working. Press Ctrl-C to stop.', flush=True)
//       try:
//           await asyncio.sleep(3600)
//       finally:
//           print('main: cleaning up...')
//           await asyncio.sleep(0.05)
//           print('main: clean')
//
//   asyncio.run(main())
import { CancelledError, createTask, sleep } from '@x/runner';

function* work() {
  try {
    yield* sleep(3600);
  } finally {
    console.log('worker: cancelled at shutdown, closing its files');
  }
}

export function* main() {
  createTask(work());
  console.log('Working. Press Ctrl-C to stop.');
  try {
    yield* sleep(3600);
  } catch (e) {
    if (e instanceof CancelledError) console.log(`main: cancelled (message: ${e.message})`);
    throw e;
  } finally {
    console.log('main: cleaning up...');
    yield* sleep(0.05);
    console.log('main: clean');
  }
}
