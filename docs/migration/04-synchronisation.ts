// Chapter 4, synchronisation. The Python twin: 04-synchronisation.py
import {
  Condition,
  createTask,
  Event,
  gather,
  Lock,
  runMain,
  Semaphore,
  sleep,
  withLock,
} from '@x/runner';

const lock = new Lock();
let counter = 0;

function* increment() {
  yield* withLock(lock, function* () {
    const seen = counter;
    yield* sleep(0); // without the lock, the other tasks would read the same value here
    counter = seen + 1;
  });
}

const ready = new Event();

function* waiter(name: string) {
  yield* ready.wait();
  console.log(`${name} saw the event`);
}

const limit = new Semaphore(2);
let active = 0;
let peak = 0;

function* limited() {
  yield* withLock(limit, function* () {
    active += 1;
    peak = Math.max(peak, active);
    yield* sleep(0.01);
    active -= 1;
  });
}

function* main() {
  yield* gather(Array.from({ length: 5 }, () => increment()));
  console.log(`counter: ${counter}`);

  const waiters = ['first', 'second'].map((name) => createTask(waiter(name)));
  yield* sleep(0);
  console.log('setting the event');
  ready.set();
  yield* gather(waiters);

  yield* gather(Array.from({ length: 6 }, () => limited()));
  console.log(`semaphore: at most ${peak} at once`);

  // Condition: wait until a predicate holds, woken by notify().
  const cond = new Condition();
  const items: string[] = [];

  function* consumer() {
    yield* withLock(cond, function* () {
      yield* cond.waitFor(() => items.length >= 2);
      console.log(`consumer: ${items.join(', ')}`);
    });
  }

  const task = createTask(consumer());
  for (const item of ['one', 'two']) {
    yield* sleep(0);
    yield* withLock(cond, function* () {
      items.push(item);
      cond.notify();
    });
  }
  yield* task;
}

runMain(main);
