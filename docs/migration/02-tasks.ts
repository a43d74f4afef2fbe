// Chapter 2, tasks. The Python twin: 02-tasks.py
import { asCompleted, createTask, gather, runMain, sleep, taskGroup } from '@x/runner';

function* job(name: string, delay: number) {
  yield* sleep(delay);
  return name.toUpperCase();
}

function* main() {
  // createTask() starts the coroutine at once; it runs while main goes on.
  const task = createTask(job('a', 0.01), { name: 'job-a' });
  console.log(`started ${task.getName()}, done yet: ${task.done() ? 'yes' : 'no'}`);
  console.log(`the task returned ${yield* task}`);

  // gather(): results in the order given, whatever the order they finish in.
  const results = yield* gather([job('slow', 0.03), job('fast', 0.01)]);
  console.log(`gather: ${results.join(', ')}`);

  // taskGroup(): the block ends when every task in it has ended.
  const [x, y] = yield* taskGroup(function* (tg) {
    return [tg.createTask(job('x', 0.02)), tg.createTask(job('y', 0.01))] as const;
  });
  console.log(`task group: ${x.result()}, ${y.result()}`);

  // asCompleted(): the results in the order the tasks finish.
  for (const nextDone of asCompleted([
    job('third', 0.03),
    job('first', 0.01),
    job('second', 0.02),
  ])) {
    console.log(`as completed: ${yield* nextDone}`);
  }

  // A task is a Future: callbacks, result(), cancelled().
  const t = createTask(job('callback', 0));
  t.addDoneCallback((done) => console.log(`done callback: ${done.result()}`));
  yield* t; // the callback ran first: callbacks run in the order they were added
}

runMain(main);
