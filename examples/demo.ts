// The x-async demo: `pnpm demo` at the repository root builds the packages and runs this.
//
// In a few seconds it shows concurrent tasks, a timeout, a TaskGroup failure and a
// graceful Ctrl-C. Every coroutine is a generator function: `yield*` is `await`,
// and a cancellation is a CancelledError thrown in at the `yield*` where the task
// waits, so `finally` blocks run.
import {
  CancelledError,
  ExceptionGroup,
  gather,
  getRunningLoop,
  KeyboardInterrupt,
  run,
  sleep,
  TimeoutError,
  taskGroup,
  timeout,
} from '@x/runner';

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

function* fetchPage(name: string, seconds: number) {
  yield* sleep(seconds);
  console.log(`  fetched ${name} (${seconds} s)`);
  return `${name}: ${seconds * 1000} bytes`;
}

function* concurrentTasks() {
  console.log(
    '\n1. Concurrent tasks: three fetches of 0.3, 0.2 and 0.1 s, run at once with gather()',
  );
  const t0 = getRunningLoop().time();
  const pages = yield* gather([fetchPage('a', 0.3), fetchPage('b', 0.2), fetchPage('c', 0.1)]);
  const took = getRunningLoop().time() - t0;
  console.log(`  results in call order: ${JSON.stringify(pages)}`);
  console.log(`  all three took ${took.toFixed(1)} s: as long as the longest, not the sum (0.6 s)`);
}

function* slowQuery() {
  try {
    yield* sleep(10);
  } finally {
    console.log('  the slow query was cancelled where it waited; its finally ran');
  }
}

function* aTimeout() {
  console.log('\n2. A timeout: a 10 s query inside timeout(0.2, ...)');
  try {
    yield* timeout(0.2, () => slowQuery());
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    console.log(`  TimeoutError after 0.2 s: the query's CancelledError became a TimeoutError`);
  }
}

function* child(name: string, seconds: number, fail: boolean) {
  try {
    yield* sleep(seconds);
    if (fail) throw new Error(`${name} failed`);
    console.log(`  ${name} finished`);
  } catch (e) {
    if (e instanceof CancelledError) console.log(`  ${name} was cancelled by the group`);
    throw e;
  }
}

function* aTaskGroupFailure() {
  console.log('\n3. A TaskGroup failure: one child fails, the group cancels its siblings');
  try {
    yield* taskGroup(function* (tg) {
      tg.createTask(child('quick', 0.05, false));
      tg.createTask(child('broken', 0.1, true));
      tg.createTask(child('slow', 5, false));
    });
  } catch (e) {
    if (!(e instanceof ExceptionGroup)) throw e;
    const inner = e.errors.map((x) => `${x.name}: ${x.message}`).join(', ');
    console.log(
      `  the group raised ${e.name}("${e.message}") holding ${e.errors.length}: ${inner}`,
    );
  }
}

function* gracefulCtrlC() {
  console.log('\n4. Ctrl-C: run() cancels the main task where it waits; finally blocks run');
  if (process.stdin.isTTY) {
    console.log('  Press Ctrl-C (or wait 10 s and the demo presses it for you)...');
    setTimeout(() => process.kill(process.pid, 'SIGINT'), 10_000).unref();
  } else {
    console.log('  stdin is not a terminal: the demo sends itself SIGINT, as Ctrl-C would');
    setTimeout(() => process.kill(process.pid, 'SIGINT'), 200).unref();
  }
  try {
    yield* sleep(3600);
  } catch (e) {
    if (e instanceof CancelledError) console.log(`  CancelledError("${e.message}") at the wait`);
    throw e;
  } finally {
    console.log('  cleaning up in finally (a cleanup may wait, too)...');
    yield* sleep(0.05);
    console.log('  cleaned up');
  }
}

function* main() {
  console.log('x-async demo: Python asyncio in TypeScript');
  yield* concurrentTasks();
  yield* aTimeout();
  yield* aTaskGroupFailure();
  yield* gracefulCtrlC();
}

try {
  await run(main());
} catch (e) {
  if (!(e instanceof KeyboardInterrupt)) throw e;
  // A program that lets run() reject would end here with status 130, as Python does
  // on an uncaught KeyboardInterrupt; the demo catches it to finish cleanly.
  console.log(
    `\nrun() rejected with KeyboardInterrupt once cleanup was over. Done in ${elapsed()}.`,
  );
  console.log('More: examples/README.md, and the README of each package.');
}
