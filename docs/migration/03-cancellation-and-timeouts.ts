// Chapter 3, cancellation and timeouts. The Python twin: 03-cancellation-and-timeouts.py
import {
  CancelledError,
  createTask,
  currentTask,
  runMain,
  shield,
  sleep,
  TimeoutError,
  timeout,
  waitFor,
} from '@x/runner';

function* worker() {
  try {
    yield* sleep(3600);
  } catch (e) {
    if (e instanceof CancelledError) console.log(`worker: cancelled (${e.message})`);
    throw e;
  } finally {
    console.log('worker: cleaning up');
    yield* sleep(0.01); // a finally block may wait
    console.log('worker: clean');
  }
}

function* stubborn() {
  try {
    yield* sleep(3600);
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    const task = currentTask();
    if (task === null) throw e; // never: a coroutine runs in a task
    console.log(`stubborn: cancelled, ${task.cancelling()} request(s) pending; refusing`);
    task.uncancel();
  }
  return 'finished anyway';
}

function* main() {
  const task = createTask(worker());
  yield* sleep(0.01);
  task.cancel('enough');
  try {
    yield* task;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    console.log(`main: the task is cancelled: ${task.cancelled() ? 'yes' : 'no'}`);
  }

  // A coroutine may refuse a cancellation (rarely a good idea): uncancel() takes it back.
  const refuser = createTask(stubborn());
  yield* sleep(0);
  refuser.cancel();
  console.log(`main: ${yield* refuser}`);

  // timeout(): the block is cancelled at the deadline, and TimeoutError comes out.
  try {
    yield* timeout(0.01, function* () {
      yield* sleep(3600);
    });
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    console.log('timeout: the block was cancelled where it waited');
  }

  // waitFor(): the same for one awaitable.
  try {
    yield* waitFor(sleep(3600), 0.01);
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    console.log('wait for: TimeoutError');
  }

  // shield(): cancelling the wait does not cancel what is shielded.
  const inner = createTask(sleep(0.03, 'inner result'));
  try {
    yield* waitFor(shield(inner), 0.01);
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    console.log('shield: the wait timed out');
  }
  console.log(`shield: the inner task finished anyway with ${yield* inner}`);
}

runMain(main);
