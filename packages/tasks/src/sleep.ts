/**
 * `sleep`, after CPython's `asyncio.sleep`.
 *
 * `sleep()` returns a hand-written coroutine object rather than a generator:
 * it does nothing until a task steps it (like any coroutine), costs one small
 * object instead of a generator frame, and a sleeping task is what a server
 * holds by the hundred thousand.
 */
import {
  type Coroutine,
  type EventLoop,
  type Future,
  getRunningLoop,
  type TimerHandle,
  ValueError,
} from '@x/loop';

const BARE_YIELD: IteratorResult<undefined, never> = Object.freeze({
  value: undefined,
  done: false,
}) as never;

function setResultUnlessCancelled(fut: Future<unknown>, result: unknown): void {
  if (!fut.cancelled()) fut.setResult(result);
}

class SleepCoroutine<T> {
  private step = 0;
  private fut: Future<T> | null = null;
  private handle: TimerHandle | null = null;

  constructor(
    private readonly delay: number,
    private readonly result: T,
  ) {}

  next(): IteratorResult<Future<unknown> | undefined, T> {
    if (this.step === 0) {
      this.step = 1;
      const delay = this.delay;
      if (typeof delay !== 'number') {
        this.step = 2;
        throw new TypeError(
          `sleep() needs a number of seconds, got ${delay === null ? 'null' : typeof delay}`,
        );
      }
      // `!(delay > 0)` would also catch NaN; test it first for CPython's error.
      if (Number.isNaN(delay)) {
        this.step = 2;
        throw new ValueError('Invalid delay: NaN (not a number)');
      }
      if (delay <= 0) return BARE_YIELD;
      const loop: EventLoop = getRunningLoop();
      const fut = loop.createFuture<T>();
      this.fut = fut;
      this.handle = loop.callLater(
        delay,
        setResultUnlessCancelled,
        fut as Future<unknown>,
        this.result as unknown,
      );
      fut._blocking = true;
      return { value: fut as Future<unknown>, done: false };
    }
    if (this.step === 1) {
      this.step = 2;
      const fut = this.fut;
      if (fut === null) return { value: this.result, done: true };
      this.fut = null;
      (this.handle as TimerHandle).cancel();
      return { value: fut.result(), done: true };
    }
    return { value: undefined as T, done: true };
  }

  throw(e: unknown): IteratorResult<Future<unknown> | undefined, T> {
    this.cleanup();
    throw e;
  }

  return(value: T): IteratorResult<Future<unknown> | undefined, T> {
    this.cleanup();
    return { value, done: true };
  }

  [Symbol.iterator](): this {
    return this;
  }

  get [Symbol.toStringTag](): string {
    return 'Generator';
  }

  private cleanup(): void {
    this.step = 2;
    this.fut = null;
    if (this.handle !== null) {
      this.handle.cancel();
      this.handle = null;
    }
  }
}

/**
 * Mirrors `asyncio.sleep()`: suspends the task for `delay` seconds and
 * returns `result`. `sleep(0)` is one bare yield: it gives every other ready
 * task one turn. A negative delay is `sleep(0)`; NaN is a `ValueError`.
 *
 * ```ts
 * yield* sleep(0.5);
 * const v = yield* sleep(1, 'done');
 * ```
 */
export function sleep<T = void>(delay: number, result?: T): Coroutine<T> {
  return new SleepCoroutine(delay, result as T) as unknown as Coroutine<T>;
}
