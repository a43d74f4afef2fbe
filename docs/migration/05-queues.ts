// Chapter 5, queues. The Python twin: 05-queues.py
import {
  createTask,
  gather,
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  runMain,
  sleep,
} from '@x/runner';

function* worker(name: string, queue: Queue<number>, done: string[]) {
  for (;;) {
    const n = yield* queue.get();
    try {
      yield* sleep(0.001 * n);
      done.push(`${name}:${n * n}`);
    } finally {
      queue.taskDone();
    }
  }
}

function* main() {
  // A bounded queue: put() waits while it is full, get() while it is empty.
  const queue = new Queue<number>(2);
  const done: string[] = [];
  const workers = [1, 2].map((i) => createTask(worker(`w${i}`, queue, done)));
  for (let n = 1; n <= 6; n++) {
    yield* queue.put(n);
  }
  yield* queue.join(); // every item got its taskDone()
  for (const w of workers) w.cancel();
  yield* gather(workers, { returnExceptions: true });
  const squares = done.map((entry) => Number(entry.split(':')[1])).sort((a, b) => a - b);
  console.log(`squares: ${squares.join(', ')}`);
  const names = new Set(done.map((entry) => entry.split(':')[0]));
  console.log(`both workers took part: ${names.has('w1') && names.has('w2') ? 'yes' : 'no'}`);

  // getNowait() and putNowait() throw instead of waiting.
  try {
    queue.getNowait();
  } catch (e) {
    if (!(e instanceof QueueEmpty)) throw e;
    console.log('nothing to get without waiting: QueueEmpty');
  }

  // PriorityQueue: the smallest first; [priority, data] entries compare as tuples.
  const jobs = new PriorityQueue<[number, string]>();
  for (const entry of [
    [3, 'low'],
    [1, 'urgent'],
    [2, 'normal'],
  ] as [number, string][]) {
    jobs.putNowait(entry);
  }
  const order = Array.from({ length: jobs.qsize() }, () => jobs.getNowait()[1]);
  console.log(`priority order: ${order.join(', ')}`);

  // LifoQueue: the last one put comes out first.
  const stack = new LifoQueue<string>();
  for (const item of ['a', 'b', 'c']) stack.putNowait(item);
  console.log(`lifo order: ${Array.from({ length: 3 }, () => stack.getNowait()).join(', ')}`);
}

runMain(main);
