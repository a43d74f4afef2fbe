// Chapter 8, testing. The Python twin: 08-testing.py
import { type Coroutine, getRunningLoop, sleep } from '@x/runner';
import { runWithVirtualClock } from '@x/runner/testing';

class ConnectionError extends Error {}

function* retry<T>(op: () => Coroutine<T>, delays: number[]) {
  // The code under test: calls op(), and after each failure waits the next delay.
  for (const delay of delays) {
    try {
      return yield* op();
    } catch (e) {
      if (!(e instanceof ConnectionError)) throw e;
      console.log(`attempt failed (${e.message}), retrying in ${delay} s`);
      yield* sleep(delay);
    }
  }
  return yield* op();
}

function* main() {
  const loop = getRunningLoop();
  const start = loop.time();
  let calls = 0;

  function* flaky() {
    calls += 1;
    if (calls < 3) throw new ConnectionError('not yet');
    return 'ok';
  }

  // Timers fire in the order of their deadlines, whatever the order they were set in.
  for (const delay of [0.03, 0.01, 0.02]) {
    loop.callLater(delay, console.log, `timer set for ${delay} s fired`);
  }

  const result = yield* retry(flaky, [0.05, 0.1, 0.2]);
  console.log(`retry returned ${result} after ${calls} calls`);
  // On the virtual clock these 0.15 s took no real time: the loop's time jumped.
  const waited = loop.time() - start;
  console.log(`waited 0.15 s or more: ${waited >= 0.149 ? 'yes' : 'no'}`);
}

// As run(main), on a loop whose clock jumps to the next timer when nothing is ready.
// A failure rejects the Promise, which ends the process with the error.
runWithVirtualClock(main);
