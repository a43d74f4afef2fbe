/**
 * @x/tasks on a host without FinalizationRegistry: the package looks for it
 * when it loads, so each test hides it and loads fresh copies of @x/loop and
 * @x/tasks.
 */
import type { Coroutine } from '@x/loop';
import { expect, test, vi } from 'vitest';
import { collectGarbage } from './task-helpers.js';

async function loadWithoutFinalizationRegistry(): Promise<{
  loop: typeof import('@x/loop');
  tasks: typeof import('@x/tasks');
}> {
  const g = globalThis as Record<string, unknown>;
  const saved = Object.getOwnPropertyDescriptor(g, 'FinalizationRegistry') as PropertyDescriptor;
  try {
    delete g.FinalizationRegistry;
    vi.resetModules();
    const loop = await import('@x/loop');
    const tasks = await import('@x/tasks');
    return { loop, tasks };
  } finally {
    Object.defineProperty(g, 'FinalizationRegistry', saved);
  }
}

test('without FinalizationRegistry an abandoned async generator is closed by shutdownAsyncgens()', async () => {
  const { loop: x, tasks } = await loadWithoutFinalizationRegistry();
  const loop = x.newEventLoop();
  const log: string[] = [];
  const gen = tasks.asyncGenerator(function* (emit: (v: number) => Coroutine<void>) {
    try {
      yield* emit(1);
      yield* emit(2);
    } finally {
      log.push('finally');
    }
  });
  // One generator runs to its end: it is forgotten by the loop as usual.
  const done = gen();
  expect(await loop.runUntilComplete(done.next())).toEqual({ done: false, value: 1 });
  expect(await loop.runUntilComplete(done.next())).toEqual({ done: false, value: 2 });
  expect(await loop.runUntilComplete(done.next())).toEqual({ done: true, value: undefined });
  expect(log).toEqual(['finally']);
  // Another is dropped while suspended: nothing can see it collected...
  await (async () => {
    const g = gen();
    expect(await loop.runUntilComplete(g.next())).toEqual({ done: false, value: 1 });
  })();
  await collectGarbage();
  loop.stop();
  await loop.runForever();
  expect(log).toEqual(['finally']);
  // ...and the loop still holds it: shutdownAsyncgens() closes it.
  await loop.runUntilComplete(loop.shutdownAsyncgens());
  expect(log).toEqual(['finally', 'finally']);
  loop.close();
});
