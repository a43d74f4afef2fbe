import { test, expect } from 'vitest';
import { newEventLoop, CancelledError, type Coroutine } from '@x/loop';
import { createTask, sleep, currentTask, Task } from '@x/tasks';

test('task smoke', async () => {
  const loop = newEventLoop();
  const log: string[] = [];
  function* child(): Coroutine<number> {
    try {
      log.push('child start');
      yield* sleep(10);
      return 1;
    } catch (e) {
      log.push(`child caught ${(e as Error).name} ${(e as Error).message}`);
      throw e;
    } finally {
      log.push('child finally');
      yield* sleep(0.001);
      log.push('child finally done');
    }
  }
  function* main(): Coroutine<string> {
    const t = createTask(child());
    yield* sleep(0.01);
    t.cancel('stop it');
    try {
      yield* t;
    } catch (e) {
      log.push(`main saw ${(e as Error).name} ${t.cancelled()}`);
    }
    expect(currentTask()).toBeInstanceOf(Task);
    let n = 0;
    for (let i = 0; i < 1000; i++) { yield* sleep(0); n++; }
    return `done ${n}`;
  }
  const r = await loop.runUntilComplete(main());
  expect(r).toBe('done 1000');
  expect(log).toEqual(['child start', 'child caught CancelledError stop it', 'child finally', 'child finally done', 'main saw CancelledError true']);
  // bad yield
  function* bad(): Coroutine<void> { yield Promise.resolve(1) as never; }
  await expect(loop.runUntilComplete(bad())).rejects.toThrow(/ensureFuture/);
  // await task from plain async
  const t2 = loop.createTask((function* () { yield* sleep(0.001); return 5; })());
  const p = (async () => (await t2) * 2)();
  await loop.runUntilComplete(t2);
  expect(await p).toBe(10);
  loop.close();
});
