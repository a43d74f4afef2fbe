// Cleaning up after an interrupted event loop, the low-level way.
//
// The Stack Overflow question "What's the correct way to clean up after an
// interrupted event loop?" and its answer, translated. Python:
//
//   loop = asyncio.new_event_loop()
//   tasks = asyncio.gather(loop.create_task(shleepy_time(5)),
//                          loop.create_task(shleepy_time(10)),
//                          loop.create_task(watch_the_clock()))
//   try:
//       loop.run_until_complete(tasks)
//   except KeyboardInterrupt:
//       print('Caught keyboard interrupt. Canceling tasks...')
//       tasks.cancel()
//       tasks.add_done_callback(lambda _: loop.stop())
//       loop.run_forever()
//       print(f'tasks.exception() is a {type(tasks.exception()).__name__}; '
//             f'tasks.cancelled() is {tasks.cancelled()}')
//   finally:
//       loop.run_until_complete(loop.shutdown_asyncgens())
//       loop.close()
//
// Two things need translating:
//
// - Where KeyboardInterrupt comes from. Python's default SIGINT handler raises it
//   in whatever the main thread runs, which is the loop's wait inside
//   run_until_complete(), so it propagates out of that call. JavaScript cannot
//   raise into running code from a signal, so we do the next thing: a signal
//   handler on the loop (addSignalHandler) whose callback throws
//   KeyboardInterrupt. The loop never swallows a KeyboardInterrupt thrown by a
//   callback: it stops and runUntilComplete() rejects with it, as in Python.
//
// - Why the loop stops again. The answer says run_forever() returns because the
//   interrupted run_until_complete() left a done callback on `tasks` that stops
//   the loop. Modern CPython removes that callback when run_until_complete()
//   ends, however it ends (a `finally`), and so does runUntilComplete(): without
//   a callback of our own, runForever() would never return.
//
// The second answer's generalisation (cancel every task, not just the ones you
// know of) is what run() does for you: see with-run.ts.
import { CancelledError, KeyboardInterrupt, newEventLoop } from '@x/loop';
import { addSignalHandler } from '@x/signals';
import { asyncGenerator, gather, sleep } from '@x/tasks';

function* shleepyTime(seconds: number) {
  console.log(`Shleeping for ${seconds} seconds...`);
  try {
    yield* sleep(seconds);
  } catch (e) {
    if (e instanceof CancelledError) console.log(`The ${seconds} second nap was cancelled`);
    throw e;
  }
}

// An async generator left suspended at a value: only shutdownAsyncgens() runs its finally.
const ticker = asyncGenerator(function* (emit, every: number) {
  try {
    for (let tick = 0; ; tick++) {
      yield* emit(tick);
      yield* sleep(every);
    }
  } finally {
    console.log('The ticker was closed: its finally ran');
  }
});

function* watchTheClock() {
  const ticks = ticker(60);
  const first = yield* ticks.next();
  console.log(`Watching the clock: tick ${first.value}`);
  yield* sleep(3600);
}

const loop = newEventLoop();
addSignalHandler(loop, 'SIGINT', () => {
  throw new KeyboardInterrupt();
});
const tasks = gather([
  loop.createTask(shleepyTime(5)),
  loop.createTask(shleepyTime(10)),
  loop.createTask(watchTheClock()),
]);
try {
  await loop.runUntilComplete(tasks);
} catch (e) {
  if (!(e instanceof KeyboardInterrupt)) throw e;
  console.log('Caught keyboard interrupt. Canceling tasks...');
  tasks.cancel();
  tasks.addDoneCallback(() => loop.stop());
  await loop.runForever();
  // A cancelled gather ends with its children's CancelledError as its exception
  // (it is not itself "cancelled"): retrieve it, or it is reported as never retrieved.
  const exc = tasks.exception() as Error;
  console.log(`tasks.exception() is a ${exc.name}; tasks.cancelled() is ${tasks.cancelled()}`);
} finally {
  await loop.runUntilComplete(loop.shutdownAsyncgens());
  loop.close();
  console.log('The loop is closed');
}
