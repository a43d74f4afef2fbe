/**
 * Helpers for the Task, sleep and ensureFuture tests, after CPython's
 * Lib/test/test_asyncio/utils.py.
 */
import {
  type Coroutine,
  type EventLoop,
  type ExceptionContext,
  type Future,
  getRunningLoopOrNull,
  EventLoop as Loop,
  setEventLoop,
} from '@x/loop';
import { afterEach } from 'vitest';

const opened: EventLoop[] = [];

/** A new loop whose exception handler records every context; closed after the test. */
export function makeLoop(options?: ConstructorParameters<typeof Loop>[0]): {
  loop: EventLoop;
  calls: ExceptionContext[];
} {
  const loop = new Loop(options);
  const calls: ExceptionContext[] = [];
  loop.setExceptionHandler((_l, ctx) => {
    calls.push(ctx);
  });
  opened.push(loop);
  return { loop, calls };
}

afterEach(() => {
  setEventLoop(null);
  const running = getRunningLoopOrNull();
  for (const loop of opened.splice(0)) if (loop !== running && !loop.isClosed()) loop.close();
  if (running !== null) throw new Error(`a test left a loop running: ${String(running)}`);
});

/** `test_utils.run_briefly`: one iteration of the loop (the callbacks ready now). */
export async function runBriefly(loop: EventLoop): Promise<void> {
  loop.stop();
  await loop.runForever();
}

/** Lets the host run `n` macrotask turns (timers, immediates, finalizers). */
export async function hostTurns(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Collects garbage and gives FinalizationRegistry callbacks a chance to run. */
export async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') throw new Error('tests must run with --expose-gc');
  for (let i = 0; i < 4; i++) {
    gc();
    await hostTurns(2);
  }
}

/**
 * Waits until `fut` is done without retrieving its outcome: the
 * `await asyncio.wait([fut])` of CPython's tests, which this package's own
 * `wait` must not be needed for.
 */
export function* waitDone(fut: Future<unknown>): Coroutine<void> {
  if (fut.done()) return;
  const w = fut.getLoop().createFuture<void>();
  fut.addDoneCallback(() => {
    if (!w.done()) w.setResult();
  });
  yield* w;
}

/** What a coroutine throws, or `undefined` if it does not. */
export function* caught(coro: Coroutine<unknown> | Future<unknown>): Coroutine<unknown> {
  try {
    yield* coro;
  } catch (e) {
    return e;
  }
  return undefined;
}
