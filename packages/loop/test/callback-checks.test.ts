/**
 * What every API that takes a callback refuses at the call (CPython's
 * `_check_callback`): async functions, whose rejection nothing would see,
 * and methods passed without their object, which would fail only when called.
 */
import { Context, ContextVar, EventLoop, Future, newEventLoop } from '@x/loop';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { runOnce } from './utils.js';

let loop: EventLoop;
beforeEach(() => {
  loop = newEventLoop();
});
afterEach(() => {
  loop.close();
});

async function asyncFn(): Promise<void> {
  throw new Error('lost');
}
async function* asyncGen(): AsyncGenerator<number> {
  yield 1;
}

describe('async functions are refused where a callback is expected', () => {
  test.each([
    ['callSoon', (cb: never) => loop.callSoon(cb)],
    ['callSoonThreadsafe', (cb: never) => loop.callSoonThreadsafe(cb)],
    ['callLater', (cb: never) => loop.callLater(0, cb)],
    ['callAt', (cb: never) => loop.callAt(loop.time(), cb)],
    ['addDoneCallback', (cb: never) => loop.createFuture().addDoneCallback(cb)],
    ['setExceptionHandler', (cb: never) => loop.setExceptionHandler(cb)],
    ['setTaskFactory', (cb: never) => loop.setTaskFactory(cb)],
  ])('%s()', async (method, register) => {
    for (const fn of [asyncFn, asyncGen, async () => {}]) {
      expect(() => register(fn as never)).toThrow(TypeError);
      expect(() => register(fn as never)).toThrow(`coroutines cannot be used with ${method}()`);
    }
    expect(() => register(asyncFn as never)).toThrow(/asyncFn is an async function/);
    // Nothing was registered, and the loop still works.
    expect(loop.getExceptionHandler()).toBeNull();
    expect(loop.getTaskFactory()).toBeNull();
    const ran: string[] = [];
    loop.callSoon(() => ran.push('ok'));
    await runOnce(loop);
    expect(ran).toEqual(['ok']);
  });

  test('a plain function that returns a promise is still a callback', async () => {
    const ran: number[] = [];
    loop.callSoon(() => {
      ran.push(1);
      return Promise.resolve();
    });
    await runOnce(loop);
    expect(ran).toEqual([1]);
  });
});

describe('methods passed without their object are refused at registration', () => {
  test('fut.setResult, fut.cancel, loop.stop, handle.cancel, ctx.run', async () => {
    const fut = loop.createFuture<number>();
    const h = loop.callLater(3600, () => {});
    const cases: Array<[string, () => unknown]> = [
      ['Future.setResult', () => loop.callSoon(fut.setResult as never, 1)],
      ['Future.setException', () => loop.callLater(0, fut.setException as never, new Error())],
      ['Future.cancel', () => loop.callAt(loop.time(), fut.cancel as never)],
      ['EventLoop.stop', () => fut.addDoneCallback(loop.stop as never)],
      ['TimerHandle.cancel', () => loop.callSoon(h.cancel as never)],
      ['Context.run', () => loop.callSoon(new Context().run as never, () => {})],
      ['ContextVar.set', () => loop.callSoon(new ContextVar('v').set as never, 1)],
    ];
    for (const [name, call] of cases) {
      expect(call).toThrow(TypeError);
      expect(call).toThrow(`${name} was passed to `);
      expect(call).toThrow(/\.bind\(/);
    }
    expect(() => loop.callSoon(fut.setResult as never, 1)).toThrow(
      'Future.setResult was passed to callSoon() without its Future: it would be called with no `this`; pass future.setResult.bind(future) or (...args) => future.setResult(...args)',
    );
    // Bound, they work; nothing was queued by the refused calls.
    loop.callSoon(fut.setResult.bind(fut), 7);
    fut.addDoneCallback(loop.stop.bind(loop));
    await loop.runForever();
    expect(fut.result()).toBe(7);
    h.cancel();
  });

  test('a subclass method inherited from Future is recognised too', () => {
    class MyFuture<T> extends Future<T> {}
    const f = new MyFuture<number>({ loop });
    expect(() => loop.callSoon(f.setResult as never, 1)).toThrow(/Future\.setResult was passed/);
  });

  test("a method of an object that is not the loop's is a plain callback", async () => {
    const counter = {
      n: 0,
      inc() {
        counter.n++;
      },
    };
    loop.callSoon(counter.inc);
    await runOnce(loop);
    expect(counter.n).toBe(1);
  });

  test('a loop of another class keeps the checks', () => {
    class MyLoop extends EventLoop {}
    const l = new MyLoop();
    expect(() => l.callSoon(asyncFn as never)).toThrow('coroutines cannot be used with callSoon()');
    l.close();
  });
});

describe('a plain function that returns a promise', () => {
  test('its rejection goes to the exception handler, not past it', async () => {
    const calls: unknown[] = [];
    loop.setExceptionHandler((_l, ctx) => calls.push(ctx));
    async function work(): Promise<void> {
      throw new RangeError('rejected later');
    }
    const h = loop.callSoon(function startWork() {
      return work();
    });
    await runOnce(loop);
    // The rejection arrives in a microtask after the callback returned.
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([
      {
        message: 'Exception in callback startWork()',
        exception: new RangeError('rejected later'),
        handle: h,
      },
    ]);
  });
});
