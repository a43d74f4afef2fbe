// Exiting the event loop, case 3 again: nobody catches the exception.
//
// runMain() is what a program's last line calls: like `python prog.py` with an
// uncaught exception, it prints the stack on stderr and exits with status 1.
// Python:
//
//   async def main():
//       print('Main is running')
//       await asyncio.create_task(task_coro())
//       raise Exception('Something bad happened')
//
//   asyncio.run(main())    # Traceback ... Exception: Something bad happened
import { createTask, runMain, sleep } from '@x/runner';

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

runMain(main);
