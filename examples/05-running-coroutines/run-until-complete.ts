// Running one coroutine on a loop of your own with runUntilComplete(), the
// low-level way: create the loop, run the coroutine to its end, close the loop.
// Python:
//
//   async def display_nums():
//       for n in range(1, 6):
//           print(n)
//           await asyncio.sleep(0.05)
//       return 'done'
//
//   loop = asyncio.new_event_loop()
//   try:
//       print(loop.run_until_complete(display_nums()))
//   finally:
//       loop.close()
import { newEventLoop } from '@x/loop';
import { sleep } from '@x/tasks';

function* displayNums() {
  for (let n = 1; n <= 5; n++) {
    console.log(n);
    yield* sleep(0.05);
  }
  return 'done';
}

const loop = newEventLoop();
try {
  const result = await loop.runUntilComplete(displayNums());
  console.log(`runUntilComplete() resolved with ${JSON.stringify(result)}`);
} finally {
  loop.close();
}
