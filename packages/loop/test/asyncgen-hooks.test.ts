/**
 * The loop's side of async generators (CPython's `_asyncgen_firstiter_hook`,
 * `_asyncgen_finalizer_hook` and `loop.shutdown_asyncgens()`, from
 * base_events.py), driven with hand-made closers. The generators themselves
 * (`asyncGenerator` in @x/tasks) are tested there, on top of these hooks.
 */
import {
  BaseException,
  CancelledError,
  type Coroutine,
  type EventLoop,
  type ExceptionContext,
  type Future,
  logger,
  type TaskFactory,
} from '@x/loop';
import {
  type AsyncGenCloser,
  asyncgenFinalizer,
  asyncgenFirstIter,
  asyncgenForget,
} from '@x/loop/internal';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { drive } from './drive.js';
import { loopWithHandler } from './utils.js';

/** A BaseException other than an interrupt (which would stop the loop). */
class OtherBaseException extends BaseException {}

/** A task factory made of `drive()`, so that the loop can create tasks without @x/tasks. */
const driveFactory: TaskFactory = (loop, coro) => drive(loop, coro);

/** A closer whose aclose() logs, waits on a future of the test, then fails or not. */
class FakeCloser implements AsyncGenCloser {
  gate: Future<void> | null = null;
  onClose: (() => void) | null = null;
  constructor(
    readonly name: string,
    readonly log: string[],
    readonly error: unknown = null,
  ) {}
  *aclose(): Coroutine<void> {
    this.log.push(`close ${this.name}`);
    this.onClose?.();
    if (this.gate !== null) yield* this.gate;
    this.log.push(`closed ${this.name}`);
    if (this.error !== null) throw this.error;
  }
  generator(): object {
    return this;
  }
  toString(): string {
    return `<fake ${this.name}>`;
  }
}

describe('AsyncgenHooksTests', () => {
  let loop: EventLoop;
  let calls: ExceptionContext[];
  beforeEach(() => {
    ({ loop, calls } = loopWithHandler());
    loop.setTaskFactory(driveFactory);
  });
  afterEach(() => {
    loop.close();
    vi.restoreAllMocks();
  });

  test('shutdownAsyncgens() with nothing registered returns at once', async () => {
    await loop.runUntilComplete(drive(loop, loop.shutdownAsyncgens()));
    expect(calls).toEqual([]);
  });

  test('shutdownAsyncgens() closes the registered generators concurrently and reports failures', async () => {
    const log: string[] = [];
    const a = new FakeCloser('a', log);
    const boom = new Error('boom');
    const b = new FakeCloser('b', log, boom);
    const c = new FakeCloser('c', log, new OtherBaseException());
    const forgotten = new FakeCloser('forgotten', log);
    a.gate = loop.createFuture();
    b.gate = loop.createFuture();
    for (const x of [a, b, c, forgotten]) asyncgenFirstIter(loop, x);
    asyncgenForget(loop, forgotten);
    // The last one to start closing lets the first two finish.
    c.onClose = () =>
      loop.callSoon(() => {
        a.gate?.setResult();
        b.gate?.setResult();
      });
    await loop.runUntilComplete(drive(loop, loop.shutdownAsyncgens()));
    // All three started closing before any of them finished.
    expect(log.slice(0, 3)).toEqual(['close a', 'close b', 'close c']);
    expect(log).not.toContain('close forgotten');
    // A BaseException is not reported, as CPython reports `Exception`s only.
    expect(calls).toEqual([
      {
        message: 'an error occurred during closing of asynchronous generator <fake b>',
        exception: boom,
        asyncgen: b,
      },
    ]);
  });

  test('the finalizer hook closes a collected generator in a task of its own', async () => {
    const log: string[] = [];
    const a = new FakeCloser('a', log);
    asyncgenFirstIter(loop, a);
    asyncgenFinalizer(loop, a);
    // A second call (or one for a closer the loop no longer holds) does nothing.
    asyncgenFinalizer(loop, a);
    await loop.runUntilComplete(drive(loop, (function* () {})()));
    await loop.runUntilComplete(drive(loop, (function* () {})()));
    expect(log).toEqual(['close a', 'closed a']);
    // Nothing left for shutdownAsyncgens().
    await loop.runUntilComplete(drive(loop, loop.shutdownAsyncgens()));
    expect(log).toEqual(['close a', 'closed a']);
  });

  test('the finalizer hook does nothing once the loop is closed', () => {
    const log: string[] = [];
    const a = new FakeCloser('a', log);
    asyncgenFirstIter(loop, a);
    loop.close();
    asyncgenFinalizer(loop, a);
    expect(log).toEqual([]);
  });

  test('a generator registered after shutdownAsyncgens() gets a warning', async () => {
    const warn = vi.spyOn(logger, 'warning').mockImplementation(() => {});
    await loop.runUntilComplete(drive(loop, loop.shutdownAsyncgens()));
    asyncgenFirstIter(loop, new FakeCloser('late', []));
    expect(warn).toHaveBeenCalledWith(
      'asynchronous generator <fake late> was scheduled after loop.shutdownAsyncgens() call',
    );
  });

  test('cancelling shutdownAsyncgens() cancels the closing tasks', async () => {
    const log: string[] = [];
    const a = new FakeCloser('a', log);
    a.gate = loop.createFuture();
    asyncgenFirstIter(loop, a);
    const shutdown = drive(loop, loop.shutdownAsyncgens());
    a.onClose = () => loop.callSoon(() => shutdown.cancel());
    await expect(loop.runUntilComplete(shutdown)).rejects.toBeInstanceOf(CancelledError);
    // drive() forwards a cancellation through done callbacks: give them a few iterations.
    await loop.runUntilComplete(
      drive(
        loop,
        (function* () {
          for (let i = 0; i < 5; i++) yield;
        })(),
      ),
    );
    expect(a.gate.cancelled()).toBe(true);
    expect(log).toEqual(['close a']);
  });
});
