/**
 * Test helpers, after CPython's Lib/test/test_asyncio/utils.py.
 */
import { EventLoop, type ExceptionContext, getRunningLoopOrNull, newEventLoop } from '@x/loop';

/** A clock that only moves when the test moves it (seconds). */
export class FakeClock {
  t = 0;
  now(): number {
    return this.t;
  }
  advance(dt: number): void {
    this.t += dt;
  }
}

/** `test_utils.run_once`: `loop.call_soon(loop.stop); loop.run_forever()`. */
export async function runOnce(loop: EventLoop): Promise<void> {
  loop.callSoon(() => loop.stop());
  await loop.runForever();
}

/**
 * `test_utils.run_briefly`: runs the callbacks that are ready now (one
 * iteration of a pre-stopped loop).
 */
export async function runBriefly(loop: EventLoop): Promise<void> {
  loop.stop();
  await loop.runForever();
}

/** A loop whose exception handler records every context it gets. */
export function loopWithHandler(options?: ConstructorParameters<typeof EventLoop>[0]): {
  loop: EventLoop;
  calls: ExceptionContext[];
} {
  const loop = options === undefined ? newEventLoop() : new EventLoop(options);
  const calls: ExceptionContext[] = [];
  loop.setExceptionHandler((_l, ctx) => {
    calls.push(ctx);
  });
  return { loop, calls };
}

/** Lets the host run `n` macrotask turns (timers, immediates, finalizers). */
export async function hostTurns(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Collects garbage and gives FinalizationRegistry callbacks a chance to run. */
export async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') throw new Error('tests must run with --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await hostTurns(2);
  }
}

/** Fails if a test left a loop running: the next test could not run its own. */
export function assertNoRunningLoop(): void {
  const loop = getRunningLoopOrNull();
  if (loop !== null) throw new Error(`a loop is still running: ${String(loop)}`);
}

/** A function that does nothing, named like CPython's `noop` helper. */
export function noop(..._args: unknown[]): void {}
