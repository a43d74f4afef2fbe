// Chapter 7, signals. The Python twin: 07-signals.py
import {
  addSignalHandler,
  CancelledError,
  getRunningLoop,
  KeyboardInterrupt,
  removeSignalHandler,
  run,
  sleep,
} from '@x/runner';

function* handled() {
  const loop = getRunningLoop();
  const got = loop.createFuture<string>();

  const onSignal = (name: string) => {
    console.log(`handler: ${name}, run as a loop callback`);
    got.setResult(name);
  };

  addSignalHandler(loop, 'SIGUSR1', onSignal, 'SIGUSR1');
  process.kill(process.pid, 'SIGUSR1');
  console.log(`main: the handler ran with ${yield* got}`);
  const removed = removeSignalHandler(loop, 'SIGUSR1');
  console.log(`removed: ${removed ? 'yes' : 'no'}`);
}

function* interrupted() {
  // What Ctrl-C does under run(): the main task is cancelled where it waits.
  process.kill(process.pid, 'SIGINT');
  try {
    yield* sleep(3600);
  } catch (e) {
    if (e instanceof CancelledError) console.log('interrupted: cancelled by Ctrl-C, cleaning up');
    throw e;
  }
}

await run(handled());
try {
  await run(interrupted());
} catch (e) {
  if (!(e instanceof KeyboardInterrupt)) throw e;
  console.log('run() raised KeyboardInterrupt once the cleanup was done');
}
