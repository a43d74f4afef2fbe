/**
 * Methods that asyncio code passes as callbacks (`task.cancel`,
 * `queue.putNowait`, `event.set`, ...) are refused at registration when
 * passed without their object, with the way to bind them: never later.
 */
import { Condition, Event, Lock, Queue, Semaphore, sleep, Task } from '@x/tasks';
import { expect, test } from 'vitest';
import { makeLoop } from './task-helpers.js';

test('unbound methods of tasks, queues and locks are refused by callSoon and addDoneCallback', async () => {
  const { loop } = makeLoop();
  const task = new Task(sleep(3600), { loop });
  const queue = new Queue<number>();
  const event = new Event();
  const fut = loop.createFuture<void>();
  const cases: Array<[string, () => unknown]> = [
    ['Task.cancel', () => loop.callSoon(task.cancel as never)],
    ['Queue.putNowait', () => loop.callSoon(queue.putNowait as never, 1)],
    ['Event.set', () => fut.addDoneCallback(event.set as never)],
    ['Lock.release', () => loop.callSoon(new Lock().release as never)],
    ['Semaphore.release', () => loop.callLater(0, new Semaphore().release as never)],
    ['Condition.notifyAll', () => loop.callSoon(new Condition().notifyAll as never)],
    ['Queue.shutdown', () => loop.callSoon(queue.shutdown as never)],
  ];
  for (const [name, call] of cases) {
    expect(call).toThrow(TypeError);
    expect(call).toThrow(
      new RegExp(`^${name.replace('.', '\\.')} was passed to \\w+\\(\\) without its`),
    );
  }
  // Bound, they work, and the loop was left usable.
  loop.callSoon(queue.putNowait.bind(queue), 5);
  loop.callSoon(event.set.bind(event));
  loop.callSoon(task.cancel.bind(task));
  await loop.runUntilComplete(task).catch(() => {});
  expect(task.cancelled()).toBe(true);
  expect(queue.getNowait()).toBe(5);
  expect(event.isSet()).toBe(true);
});
