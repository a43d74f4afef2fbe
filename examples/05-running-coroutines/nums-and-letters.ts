// Two coroutines run concurrently under run(): their output interleaves,
// because each gives way to the other at every sleep. Python:
//
//   async def display_nums():
//       for n in range(1, 6):
//           print(n)
//           await asyncio.sleep(0.05)
//
//   async def display_letters():
//       for c in 'abcde':
//           print(c)
//           await asyncio.sleep(0.05)
//
//   async def main():
//       await asyncio.gather(display_nums(), display_letters())
//
//   asyncio.run(main())
import { gather, run, sleep } from '@x/runner';

function* displayNums() {
  for (let n = 1; n <= 5; n++) {
    console.log(n);
    yield* sleep(0.05);
  }
}

function* displayLetters() {
  for (const c of 'abcde') {
    console.log(c);
    yield* sleep(0.05);
  }
}

function* main() {
  yield* gather([displayNums(), displayLetters()]);
}

await run(main());
