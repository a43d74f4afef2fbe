// Exiting the event loop, case 3: the main coroutine throws.
//
// The exception ends the main task; run() closes the loop and rejects with that
// same exception, so the caller can catch it. Python:
//
//   async def main():
//       print('Main is running')
//       await asyncio.create_task(task_coro())
//       raise Exception('Something bad happened')
//
//   try:
//       asyncio.run(main())
//   except Exception as e:
//       print(f'asyncio.run() raised {e!r}')
//       sys.exit(1)
//
// main-raises-uncaught.ts shows what happens when nobody catches it.
import { createTask, run, sleep } from '@x/runner';

function* taskCoro() {
  console.log('Task is running');
  yield* sleep(0.2);
  console.log('Task is done');
}

function* main() {
  console.log('Main is running');
  yield* createTask(taskCoro());
  throw new Error('Something bad happened');
}

try {
  await run(main());
} catch (e) {
  console.log(`run() rejected with ${(e as Error).name}: ${(e as Error).message}`);
  process.exitCode = 1;
}
