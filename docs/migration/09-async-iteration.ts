// Chapter 9, async iteration. The Python twin: 09-async-iteration.py
import {
  asCompleted,
  asyncGenerator,
  type Coroutine,
  createTask,
  each,
  runMain,
  sleep,
  TimeoutError,
} from '@x/runner';

const ticker = asyncGenerator(function* (
  emit: (i: number) => Coroutine<void>,
  n: number,
  delay: number,
) {
  try {
    for (let i = 0; i < n; i++) {
      yield* sleep(delay);
      yield* emit(i);
    }
  } finally {
    console.log(`ticker(${n}) closed`);
  }
});

function* job(name: string, delay: number) {
  yield* sleep(delay);
  return name.toUpperCase();
}

function* main() {
  // each() over an async generator; each.next() ends the body, and comes before a continue.
  for (const i of yield* each(ticker(4, 0.01))) {
    if (i === 2) {
      yield* each.next();
      continue;
    }
    console.log(`tick ${i}`);
    yield* each.next();
  }

  // break leaves the generator open: a later loop resumes it; aclose() closes it.
  const ticks = ticker(10, 0.01);
  for (const i of yield* each(ticks)) {
    if (i === 1) break;
    yield* each.next();
  }
  console.log('after break: still open');
  for (const i of yield* each(ticks)) {
    console.log(`resumed at ${i}`);
    break;
  }
  yield* ticks.aclose();

  // each() over asCompleted(): the tasks themselves, in the order they finish.
  const tasks = (
    [
      ['third', 0.3],
      ['first', 0.1],
      ['second', 0.2],
    ] as const
  ).map(([name, delay]) => createTask(job(name, delay)));
  for (const task of yield* each(asCompleted(tasks))) {
    console.log(`task ${tasks.findIndex((t) => t === task)} finished: ${yield* task}`);
    yield* each.next();
  }

  // After the timeout, the loop throws TimeoutError; nothing is cancelled.
  const slow = createTask(job('slow', 1));
  try {
    for (const _ of yield* each(asCompleted([slow], { timeout: 0.01 }))) {
      console.log('never printed');
      yield* each.next();
    }
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    console.log(`timed out, the task still running: ${slow.done() ? 'False' : 'True'}`);
  }
  slow.cancel();
}

runMain(main);
