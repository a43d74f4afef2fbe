/**
 * Tests of `abortable()`: cancelling the task really stops the work that
 * was started with the signal (a fetch to a local server, a child process,
 * a timers/promises sleep), and the cancellation completes only once the
 * work has settled.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { CancelledError, type Coroutine, TimeoutError } from '@x/loop';
import { abortable, createTask, sleep, timeout } from '@x/tasks';
import { afterEach, describe, expect, test } from 'vitest';
import { raises, runTest } from './scope-helpers.js';

let server: Server | null = null;

afterEach(async () => {
  if (server !== null) {
    const s = server;
    server = null;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

/** A server on 127.0.0.1 that never answers; `closed` settles when a request's connection closes. */
async function hangingServer(): Promise<{
  url: string;
  received: Promise<void>;
  closed: Promise<void>;
}> {
  let onReceived: () => void = () => {};
  let onClosed: () => void = () => {};
  const received = new Promise<void>((r) => {
    onReceived = r;
  });
  const closed = new Promise<void>((r) => {
    onClosed = r;
  });
  const s = createServer((req: IncomingMessage, res: ServerResponse) => {
    res.on('close', onClosed);
    req.resume();
    onReceived();
    // Never answers.
  });
  server = s;
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, received, closed };
}

describe('abortable', () => {
  test('returns what the promise resolves to', async () => {
    const r = await runTest(function* () {
      let seen: AbortSignal | null = null;
      const v = yield* abortable((signal) => {
        seen = signal;
        return delay(1, 'value', { signal });
      });
      expect((seen as unknown as AbortSignal).aborted).toBe(false);
      return v;
    });
    expect(r).toBe('value');
  });

  test('throws what the promise rejects with, without aborting', async () => {
    await runTest(function* () {
      let seen: AbortSignal | null = null;
      const err = new RangeError('bad');
      const e = yield* raises(RangeError, () =>
        abortable((signal) => {
          seen = signal;
          return Promise.reject(err);
        }),
      );
      expect(e).toBe(err);
      expect((seen as unknown as AbortSignal).aborted).toBe(false);
    });
  });

  test('cancelling stops a fetch to a local server', async () => {
    const { url, received, closed } = await hangingServer();
    let serverSawClose = false;
    void closed.then(() => {
      serverSawClose = true;
    });
    await runTest(function* () {
      let fetchError: unknown = null;
      const t = createTask(
        abortable((signal) =>
          fetch(url, { signal }).then(
            (r) => r.text(),
            (e: unknown) => {
              fetchError = e;
              throw e;
            },
          ),
        ),
      );
      // Wait until the request has reached the server.
      yield* abortable(() => received);
      t.cancel('stop fetching');
      const e = yield* raises(CancelledError, function* () {
        yield* t;
      });
      expect(e.message).toBe('stop fetching');
      // The fetch settled (rejected with the abort reason) before the cancellation completed.
      expect(fetchError).toBeInstanceOf(CancelledError);
    });
    // The connection was torn down, as the server sees it.
    await closed;
    expect(serverSawClose).toBe(true);
  });

  test('cancelling kills a child process (spawn with { signal })', async () => {
    let pid: number | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    await runTest(function* () {
      const t = createTask(
        abortable(
          (signal) =>
            new Promise<number | null>((resolve, reject) => {
              const child = spawn(process.execPath, ['-e', 'setTimeout(()=>{},60000)'], {
                signal,
                stdio: 'ignore',
              });
              pid = child.pid;
              // The AbortError comes first; settle once the process is really gone.
              child.on('error', () => {});
              child.on('close', (code, sig) => {
                exit = { code, signal: sig };
                if (sig !== null) reject(new Error(`killed by ${sig}`));
                else resolve(code);
              });
            }),
        ),
      );
      yield* sleep(0.05);
      expect(pid).toBeTypeOf('number');
      expect(exit).toBeNull();
      t.cancel();
      yield* raises(CancelledError, function* () {
        yield* t;
      });
      // The cancellation completed after the child was gone.
      expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
    });
    // No such process any more.
    expect(() => process.kill(pid as number, 0)).toThrow();
  });

  test('cancelling stops a timers/promises sleep', async () => {
    await runTest(function* (loop) {
      let rejection: unknown = null;
      const t0 = loop.time();
      const t = createTask(
        abortable((signal) =>
          delay(10_000, undefined, { signal }).catch((e: unknown) => {
            rejection = e;
            throw e;
          }),
        ),
      );
      yield* sleep(0.005);
      t.cancel('enough');
      yield* raises(CancelledError, function* () {
        yield* t;
      });
      expect(loop.time() - t0).toBeLessThan(5);
      expect((rejection as Error).name).toBe('AbortError');
      // The abort reason is the task's CancelledError.
      expect((rejection as Error).cause).toBeInstanceOf(CancelledError);
      expect(((rejection as Error).cause as Error).message).toBe('enough');
    });
  });

  test('the cancellation completes after the work has cleaned up', async () => {
    await runTest(function* () {
      const log: string[] = [];
      const t = createTask(
        (function* (): Coroutine<void> {
          try {
            yield* abortable(
              (signal) =>
                new Promise<void>((_resolve, reject) => {
                  signal.addEventListener('abort', () => {
                    log.push('abort seen');
                    setTimeout(() => {
                      log.push('work cleaned up');
                      reject(signal.reason);
                    }, 5);
                  });
                }),
            );
          } catch (e) {
            log.push(`task saw ${(e as Error).name}`);
            throw e;
          }
        })(),
      );
      yield* sleep(0.001);
      t.cancel();
      yield* raises(CancelledError, function* () {
        yield* t;
      });
      expect(log).toEqual(['abort seen', 'work cleaned up', 'task saw CancelledError']);
    });
  });

  test('work that ignores the signal: its value is dropped, a second cancel stops waiting', async () => {
    await runTest(function* () {
      let signal: AbortSignal | null = null;
      let release: (v: string) => void = () => {};
      const t = createTask(
        abortable((s) => {
          signal = s;
          return new Promise<string>((r) => {
            release = r;
          });
        }),
      );
      yield* sleep(0.001);
      t.cancel('first');
      // Until the task saw its cancellation: by events, not by a 5 ms bet.
      while (!(signal as unknown as AbortSignal).aborted) yield* sleep(0.001);
      expect((signal as unknown as AbortSignal).aborted).toBe(true);
      expect(t.done()).toBe(false); // still waiting for the work to settle
      t.cancel('second');
      const e = yield* raises(CancelledError, function* () {
        yield* t;
      });
      expect(e.message).toBe('second');
      release('late');

      // Settling with a value after the abort: the task still ends cancelled.
      const t2 = createTask(
        abortable(
          (s) =>
            new Promise<string>((r) => {
              s.addEventListener('abort', () => r('ignored the abort'));
            }),
        ),
      );
      yield* sleep(0.001);
      t2.cancel();
      yield* raises(CancelledError, function* () {
        yield* t2;
      });
    });
  });

  test('cancelled after the promise settled: nothing to abort', async () => {
    await runTest(function* (loop) {
      let signal: AbortSignal | null = null;
      const fut = loop.createFuture<number>();
      const t = createTask(
        abortable((s) => {
          signal = s;
          return fut;
        }),
      );
      yield* sleep(0);
      // Done and cancelled in the same iteration: the task sees the cancellation.
      fut.setResult(1);
      t.cancel();
      yield* raises(CancelledError, function* () {
        yield* t;
      });
      expect((signal as unknown as AbortSignal).aborted).toBe(false);
    });
  });

  test('a Future given back by start is awaited, and cancelled with the task', async () => {
    await runTest(function* (loop) {
      const fut = loop.createFuture<number>();
      let signal: AbortSignal | null = null;
      const t = createTask(
        abortable((s) => {
          signal = s;
          return fut;
        }),
      );
      yield* sleep(0);
      t.cancel();
      yield* raises(CancelledError, function* () {
        yield* t;
      });
      expect(fut.cancelled()).toBe(true);
      expect((signal as unknown as AbortSignal).aborted).toBe(true);
      const fut2 = loop.createFuture<number>();
      loop.callSoon(() => fut2.setResult(3));
      expect(yield* abortable(() => fut2)).toBe(3);
    });
  });

  test('with timeout(): the deadline aborts the work', async () => {
    await runTest(function* () {
      let reason: unknown = null;
      const e = yield* raises(TimeoutError, () =>
        timeout(0.005, function* () {
          yield* abortable((signal) =>
            delay(10_000, undefined, { signal }).catch((err: unknown) => {
              reason = signal.reason;
              throw err;
            }),
          );
        }),
      );
      expect(reason).toBeInstanceOf(CancelledError);
      expect(e.cause).toBe(reason);
    });
  });

  test('closing the coroutine with return() aborts the work', async () => {
    await runTest(function* () {
      let signal: AbortSignal | null = null;
      const coro = abortable((s) => {
        signal = s;
        return new Promise<void>(() => {});
      });
      coro.next();
      expect((signal as unknown as AbortSignal).aborted).toBe(false);
      coro.return(undefined as never);
      expect((signal as unknown as AbortSignal).aborted).toBe(true);
      expect((signal as unknown as AbortSignal).reason).toBeInstanceOf(CancelledError);
    });
  });

  test('bad input: not a function, start throws, start returns no promise', async () => {
    expect(() => abortable(null as never)).toThrow(/abortable\(\) needs a function/);
    await runTest(function* () {
      const boom = new RangeError('start failed');
      const e = yield* raises(RangeError, () =>
        abortable(() => {
          throw boom;
        }),
      );
      expect(e).toBe(boom);
      const e2 = yield* raises(TypeError, () => abortable(() => 42 as never));
      expect(e2.message).toMatch(/start to return a promise/);
    });
  });

  test('outside a running loop: no running event loop', () => {
    let started = false;
    const coro = abortable(() => {
      started = true;
      return Promise.resolve();
    });
    expect(() => coro.next()).toThrow('no running event loop');
    expect(started).toBe(false);
  });
});
