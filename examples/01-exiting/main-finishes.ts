// Exiting the event loop, case 1: the main coroutine runs to its end.
//
// The loop run() creates lives exactly as long as the main coroutine: when it
// returns, run() cancels what is left, closes the loop and resolves with the
// coroutine's return value. Python:
//
//   async def task_coro():
//       print('Task is running')
//       await asyncio.sleep(2)
//       print('Task is done')
//
//   async def main():
//       print('Main is running')
//       task = asyncio.create_task(task_coro())
//       await task
//       print('Main is done')
//       return 'finished'
//
//   result = asyncio.run(main())
import { createTask, run, sleep } from '@x/runner';

function* taskCoro() {
  console.log('Task is running');
  yield* sleep(0.2);
  console.log('Task is done');
}

function* main() {
  console.log('Main is running');
  const task = createTask(taskCoro());
  yield* task;
  console.log('Main is done');
  return 'finished';
}

const result = await run(main());
console.log(`run() resolved with ${JSON.stringify(result)}`);
