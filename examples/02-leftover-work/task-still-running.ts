// A task that is still running does not keep the program alive.
//
// When the main coroutine returns, run() cancels every task that is left and
// waits for them: CancelledError is thrown into the task where it waits (its
// sleep), so its `finally` block runs before run() resolves. Python:
//
//   async def task_coro():
//       print('Task is running')
//       try:
//           await asyncio.sleep(2)
//           print('Task is done')
//       except asyncio.CancelledError:
//           print('Task was cancelled while sleeping')
//           raise
//       finally:
//           print('Task cleans up in finally')
//
//   async def main():
//       print('Main is running')
//       asyncio.create_task(task_coro())
//       await asyncio.sleep(0.1)
//       print('Main is done')
//
//   asyncio.run(main())
import { CancelledError, createTask, run, sleep } from '@x/runner';

function* taskCoro() {
  console.log('Task is running');
  try {
    yield* sleep(2);
    console.log('Task is done');
  } catch (e) {
    if (e instanceof CancelledError) console.log('Task was cancelled while sleeping');
    throw e;
  } finally {
    console.log('Task cleans up in finally');
  }
}

function* main() {
  console.log('Main is running');
  // No need to keep a reference: unlike CPython, the loop holds pending tasks
  // strongly, so a fire-and-forget task is never garbage collected mid-flight.
  createTask(taskCoro());
  yield* sleep(0.1);
  console.log('Main is done');
}

await run(main());
console.log('run() resolved: the leftover task was cancelled and has finished');
