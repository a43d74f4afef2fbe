// Runner: several coroutines, one after the other, on one loop and in one context.
//
// run() makes a new loop each time. A Runner keeps its loop (and its context)
// between runs: a context variable set by one run is seen by the next, and a
// task started in one run goes on in the next. close() cancels what is left.
// Python:
//
//   request_id = contextvars.ContextVar('request_id', default='none')
//
//   with asyncio.Runner() as runner:
//       runner.run(start())                      # sets request_id, starts a task
//       runner.run(report('second run'))         # sees request_id == 'req-42'
//       runner.run(report('own context'), context=contextvars.Context())
//       print(runner.get_loop() is first_loop)   # True
import {
  CancelledError,
  Context,
  ContextVar,
  createTask,
  type Future,
  getRunningLoop,
  Runner,
  sleep,
} from '@x/runner';

const requestId = new ContextVar('requestId', { default: 'none' });
let mailbox: Future<string>;

function* listener() {
  try {
    const message = yield* mailbox;
    console.log(`listener (started in the first run) got ${JSON.stringify(message)}`);
    yield* sleep(3600);
  } catch (e) {
    if (e instanceof CancelledError) console.log('listener cancelled by runner.close()');
    throw e;
  }
}

function* start() {
  requestId.set('req-42');
  console.log(`first run: set requestId = ${requestId.get()}`);
  mailbox = getRunningLoop().createFuture();
  createTask(listener());
  return getRunningLoop();
}

function* report(label: string) {
  console.log(`${label}: requestId = ${requestId.get()}`);
  return getRunningLoop();
}

function* send(message: string) {
  mailbox.setResult(message);
  yield* sleep(0.01);
}

const runner = new Runner();
const loop = runner.getLoop(); // the runner starts lazily; getLoop() starts it
try {
  const firstLoop = await runner.run(start());
  const secondLoop = await runner.run(report('second run'));
  await runner.run(send('hello'));
  await runner.run(report('third run, in a context of its own'), { context: new Context() });
  console.log(
    `one loop for every run: ${firstLoop === secondLoop && secondLoop === runner.getLoop()}`,
  );
} finally {
  await runner.close();
}
console.log(`after close(): the loop is closed: ${loop.isClosed()}`);
try {
  await runner.run(report('after close'));
} catch (e) {
  console.log(`runner.run() after close(): ${(e as Error).name}: ${(e as Error).message}`);
}
