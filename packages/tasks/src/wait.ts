/** `wait`, after CPython's `asyncio.wait` (3.14). */
import {
  type Coroutine,
  type EventLoop,
  type Future,
  getRunningLoop,
  isCoroutine,
  isFuture,
  type TimerHandle,
  ValueError,
} from '@x/loop';
import { refuseAwait, watchCoroutine } from '@x/loop/internal';
import { secondsOrNull } from './arguments.js';
import { typeName } from './awaitable.js';
import { standFor } from './graph.js';
import { releaseWaiter } from './waiter-queue.js';

/** asyncio's `FIRST_COMPLETED`, `FIRST_EXCEPTION` and `ALL_COMPLETED`, as strings. @inline */
type ReturnWhen = 'FIRST_COMPLETED' | 'FIRST_EXCEPTION' | 'ALL_COMPLETED';

/** @internal Checks a timeout in seconds as `wait`, `waitFor` and `asCompleted` take it. */
export function checkTimeout(timeout: unknown, fn: string): number | null {
  return secondsOrNull(
    timeout,
    (got) => `${fn}() timeout must be a number of seconds or null, got ${got}`,
    typeName,
  );
}

/**
 * Mirrors `asyncio.wait()`: waits until the Futures and Tasks of `aws` are
 * done as `returnWhen` says (`'ALL_COMPLETED'` by default, or
 * `'FIRST_COMPLETED'`, `'FIRST_EXCEPTION'`) or `timeout` seconds have passed,
 * and returns the sets `[done, pending]`. It neither raises on timeout nor
 * cancels anything. As in Python 3.11+, coroutines are refused: wrap them in
 * tasks (and promises with `ensureFuture`) first.
 *
 * @example
 * ```ts
 * // Python: done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
 * const [done, pending] = yield* wait(tasks, { returnWhen: 'FIRST_COMPLETED' });
 * ```
 */
export function wait(
  aws: Iterable<Future<unknown>>,
  options?: { timeout?: number | null; returnWhen?: ReturnWhen },
): Coroutine<[Set<Future<unknown>>, Set<Future<unknown>>]> {
  return watchCoroutine(waitCoroutine(aws, options), 'wait');
}

// Named `wait` too, so that a stack (and the call graph in debug mode) shows
// the frame as asyncio's does.
const waitCoroutine = function* wait(
  aws: Iterable<Future<unknown>>,
  options?: { timeout?: number | null; returnWhen?: ReturnWhen },
): Coroutine<[Set<Future<unknown>>, Set<Future<unknown>>]> {
  if (isFuture(aws)) {
    throw new TypeError(
      `expect a list of futures, not ${typeName(aws)}: pass an iterable, as in wait([fut])`,
    );
  }
  if (isCoroutine(aws)) {
    // A generator object of tasks looks exactly like a coroutine here.
    throw new TypeError(
      'expect a list of futures, not coroutine: pass an iterable of tasks, as in wait([task]) or wait([...generator])',
    );
  }
  if (
    aws === null ||
    aws === undefined ||
    typeof (aws as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function'
  ) {
    throw new TypeError(`expect a list of futures, not ${typeName(aws)}`);
  }
  const fs = new Set(aws);
  if (fs.size === 0) throw new ValueError('Set of Tasks/Futures is empty.');
  const returnWhen = options?.returnWhen ?? 'ALL_COMPLETED';
  if (
    returnWhen !== 'FIRST_COMPLETED' &&
    returnWhen !== 'FIRST_EXCEPTION' &&
    returnWhen !== 'ALL_COMPLETED'
  ) {
    throw new ValueError(`Invalid return_when value: ${String(returnWhen)}`);
  }
  const timeout = checkTimeout(options?.timeout, 'wait');
  for (const f of fs) {
    if (isCoroutine(f))
      throw new TypeError('Passing coroutines is forbidden, use tasks explicitly.');
  }
  const loop = getRunningLoop();
  for (const f of fs) {
    if (!isFuture(f)) {
      throw new TypeError(
        `wait() takes Futures and Tasks, got ${typeName(f)}; wrap it with ensureFuture() first`,
      );
    }
    // A Future of another loop could never wake this one: JavaScript runs one loop at a time.
    if (f.getLoop() !== loop) {
      throw new ValueError(`wait() got a Future attached to a different loop: ${String(f)}`);
    }
  }
  return yield* waitFutures(fs, timeout, returnWhen, loop);
};

/** Mirrors `asyncio.tasks._wait`: `fs` is a non-empty set of Futures of `loop`. */
function* waitFutures(
  fs: Set<Future<unknown>>,
  timeout: number | null,
  returnWhen: ReturnWhen,
  loop: EventLoop,
): Coroutine<[Set<Future<unknown>>, Set<Future<unknown>>]> {
  const waiter = loop.createFuture<void>();
  standFor(waiter, fs);
  let timeoutHandle: TimerHandle | null = null;
  if (timeout !== null) timeoutHandle = loop.callLater(timeout, releaseWaiter, waiter);
  let counter = fs.size;

  const onCompletion = (f: Future<unknown>): void => {
    counter--;
    if (
      counter <= 0 ||
      returnWhen === 'FIRST_COMPLETED' ||
      (returnWhen === 'FIRST_EXCEPTION' && !f.cancelled() && f.exception() !== null)
    ) {
      if (timeoutHandle !== null) timeoutHandle.cancel();
      if (!waiter.done()) waiter.setResult(undefined);
    }
  };

  for (const f of fs) f.addDoneCallback(onCompletion);
  try {
    yield* waiter;
  } finally {
    if (timeoutHandle !== null) timeoutHandle.cancel();
    for (const f of fs) f.removeDoneCallback(onCompletion);
  }

  const done = new Set<Future<unknown>>();
  const pending = new Set<Future<unknown>>();
  for (const f of fs) {
    if (f.done()) done.add(f);
    else pending.add(f);
  }
  return [done, pending];
}

refuseAwait(waitCoroutine, 'wait');
