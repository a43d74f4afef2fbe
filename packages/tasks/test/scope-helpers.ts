/**
 * Helpers for the timeout, waitFor, taskGroup and abortable tests, after
 * CPython's `unittest.IsolatedAsyncioTestCase` (each test runs in a task of
 * a fresh loop) and `assertRaises`.
 */
import {
  type Coroutine,
  type EventLoop,
  type ExceptionContext,
  getRunningLoopOrNull,
  EventLoop as Loop,
  setEventLoop,
} from '@x/loop';
import { eagerTaskFactory } from '@x/tasks';
import { afterEach } from 'vitest';

const opened: EventLoop[] = [];

afterEach(() => {
  setEventLoop(null);
  const running = getRunningLoopOrNull();
  for (const loop of opened.splice(0)) if (loop !== running && !loop.isClosed()) loop.close();
  if (running !== null) throw new Error(`a test left a loop running: ${String(running)}`);
});

/** A new loop whose exception handler records every context; closed after the test. */
export function makeLoop(options?: { eager?: boolean }): {
  loop: EventLoop;
  calls: ExceptionContext[];
} {
  const loop = new Loop();
  if (options?.eager === true) loop.setTaskFactory(eagerTaskFactory);
  const calls: ExceptionContext[] = [];
  loop.setExceptionHandler((_l, ctx) => {
    calls.push(ctx);
  });
  opened.push(loop);
  return { loop, calls };
}

/**
 * Runs `main` as the task of a new loop, as an `IsolatedAsyncioTestCase`
 * test method, and checks that nothing reached the exception handler.
 */
export async function runTest<T>(
  main: (loop: EventLoop, calls: ExceptionContext[]) => Coroutine<T>,
  options?: { eager?: boolean; allowHandlerCalls?: boolean },
): Promise<T> {
  const { loop, calls } = makeLoop(options);
  const result = await loop.runUntilComplete(main(loop, calls));
  if (options?.allowHandlerCalls !== true && calls.length > 0) {
    throw new Error(
      `unexpected exception handler calls: ${calls.map((c) => c.message).join('; ')}`,
    );
  }
  return result;
}

type Class<E> = abstract new (...args: any[]) => E;

/**
 * `with self.assertRaises(cls):` — returns what `body` threw if it is a
 * `cls`; any other error goes on unchanged (as in Python); no error at all
 * is an assertion failure.
 */
export function* raises<E>(cls: Class<E>, body: () => Coroutine<unknown>): Coroutine<E> {
  try {
    yield* body();
  } catch (e) {
    if (e instanceof cls) return e;
    throw e;
  }
  throw new Error(`${cls.name} was not raised`);
}

/** `time.sleep(seconds)`: blocks the thread, and so the loop. */
export function busyWait(seconds: number): void {
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    // spin
  }
}

/** `1 / 0` in the CPython tests. */
export class ZeroDivisionError extends Error {
  override name = 'ZeroDivisionError';
}

/** `MyExc` in the CPython tests. */
export class MyExc extends Error {
  override name = 'MyExc';
}
