// Running several coroutines with runUntilComplete(), the low-level way:
//   1. create the loop;
//   2. schedule each coroutine with loop.createTask();
//   3. combine the tasks into one Future with gather();
//   4. runUntilComplete() that Future.
// The tasks interleave: each gives way to the other at every sleep. Python:
//
//   loop = asyncio.new_event_loop()
//   t1 = loop.create_task(display_nums())
//   t2 = loop.create_task(display_letters())
//   both = asyncio.gather(t1, t2)
//   print(loop.run_until_complete(both))       # ['numbers done', 'letters done']
//   loop.close()
import { newEventLoop } from '@x/loop';
import { gather, sleep } from '@x/tasks';

function* displayNums() {
  for (let n = 1; n <= 5; n++) {
    console.log(n);
    yield* sleep(0.05);
  }
  return 'numbers done';
}

function* displayLetters() {
  for (const c of 'abcde') {
    console.log(c);
    yield* sleep(0.05);
  }
  return 'letters done';
}

const loop = newEventLoop();
try {
  const t1 = loop.createTask(displayNums());
  const t2 = loop.createTask(displayLetters());
  // gather() of Futures needs no running loop: it uses theirs.
  const both = gather([t1, t2]);
  const results = await loop.runUntilComplete(both);
  console.log(`runUntilComplete() resolved with ${JSON.stringify(results)}`);
} finally {
  loop.close();
}
