// Exiting the event loop, case 2: the main coroutine returns early.
//
// A `return` anywhere in the main coroutine ends the program the same way as
// reaching its end: run() resolves with the returned value. Python:
//
//   async def main():
//       print('Main is running')
//       task = asyncio.create_task(task_coro())
//       if await task == 'nothing to do':
//           print('Main is returning early')
//           return 'early'
//       print('Main is done')
import { createTask, run, sleep } from '@x/runner';

function* taskCoro() {
  console.log('Task is running');
  yield* sleep(0.2);
  console.log('Task is done');
  return 'nothing to do';
}

function* main() {
  console.log('Main is running');
  const task = createTask(taskCoro());
  if ((yield* task) === 'nothing to do') {
    console.log('Main is returning early');
    return 'early';
  }
  console.log('Main is done');
  return 'finished';
}

const result = await run(main());
console.log(`run() resolved with ${JSON.stringify(result)}`);
