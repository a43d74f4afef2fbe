// The same program as low-level.ts, written with run(). Python 3.7+:
//
//   async def amain():
//       await asyncio.gather(shleepy_time(5), shleepy_time(10), watch_the_clock())
//
//   try:
//       asyncio.run(amain())
//   except KeyboardInterrupt:
//       print('Caught keyboard interrupt: the tasks, the async generators and the loop are closed')
//
// run() installs its own SIGINT handler. Ctrl-C cancels the main task where it
// waits (CancelledError, with the message 'SIGINT'); cancelling the gather cancels
// its children; then run() cancels whatever else is left, closes the async
// generators and the loop, and only then rejects with KeyboardInterrupt.
import { asyncGenerator, CancelledError, gather, KeyboardInterrupt, run, sleep } from '@x/runner';

function* shleepyTime(seconds: number) {
  console.log(`Shleeping for ${seconds} seconds...`);
  try {
    yield* sleep(seconds);
  } catch (e) {
    if (e instanceof CancelledError) console.log(`The ${seconds} second nap was cancelled`);
    throw e;
  }
}

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

function* amain() {
  try {
    yield* gather([shleepyTime(5), shleepyTime(10), watchTheClock()]);
  } catch (e) {
    if (e instanceof CancelledError) console.log(`amain() was cancelled by ${e.message}`);
    throw e;
  }
}

try {
  await run(amain());
} catch (e) {
  if (!(e instanceof KeyboardInterrupt)) throw e;
  console.log('Caught keyboard interrupt: the tasks, the async generators and the loop are closed');
}
