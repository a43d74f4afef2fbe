/**
 * The waiter queue every primitive parks its waiters in: waiters that leave
 * from anywhere in the queue (cancelled in the middle, woken at the front)
 * leave no trace, and the others keep their first-come, first-served order.
 */
import { CancelledError, type Coroutine, newEventLoop } from '@x/loop';
import { createTask, Event, gather, Lock, Queue, Semaphore, sleep, type Task } from '@x/tasks';
import { describe, expect, it } from 'vitest';

function run<T>(main: () => Coroutine<T>): Promise<T> {
  const loop = newEventLoop();
  return loop.runUntilComplete(main()).finally(() => loop.close());
}

describe('WaiterQueue through the primitives', () => {
  it('Semaphore: release() n times before the woken run wakes n waiters in order, past waiters that left', async () => {
    const order = await run(function* () {
      const sem = new Semaphore(0);
      const order: number[] = [];
      const ts = Array.from({ length: 8 }, (_, i) =>
        createTask(
          (function* () {
            yield* sem.acquire();
            order.push(i);
          })(),
        ),
      );
      yield* sleep(0);
      sem.release();
      sem.release(); // woke 0 and 1; they are still queued
      ts[0]?.cancel(); // a woken waiter leaves before it runs (its permit goes back)
      ts[3]?.cancel(); // a waiting one leaves
      yield* sleep(0);
      sem.release(); // past the ones woken before: wakes 4
      sem.release(); // and then 5, not the cancelled 3
      yield* gather([ts[1], ts[2], ts[4], ts[5]]);
      expect(sem._waiters?.length).toBe(2);
      ts[6]?.cancel();
      ts[7]?.cancel();
      yield* gather(ts, { returnExceptions: true });
      expect(sem._waiters?.length).toBe(0);
      return order;
    });
    // 0's permit was handed on to the next waiter (2) when it left.
    expect(order).toEqual([1, 2, 4, 5]);
  });

  it('Event: cancelling every other waiter, then set(), wakes exactly the others', async () => {
    await run(function* () {
      const ev = new Event();
      const ts: Task<true>[] = [];
      for (let i = 0; i < 1000; i++) ts.push(createTask(ev.wait()));
      yield* sleep(0);
      for (let i = 0; i < ts.length; i += 2) ts[i]?.cancel();
      yield* sleep(0);
      expect(ev._waiters.length).toBe(500);
      ev.set();
      const results = yield* gather(ts, { returnExceptions: true });
      results.forEach((r, i) => {
        if (i % 2 === 0) expect(r).toBeInstanceOf(CancelledError);
        else expect(r).toBe(true);
      });
      expect(ev._waiters.length).toBe(0);
      expect([...ev._waiters]).toEqual([]);
    });
  });

  it('Lock: waiters cancelled in the middle and at the end keep the order of the rest', async () => {
    const order = await run(function* () {
      const lock = new Lock();
      const order: number[] = [];
      yield* lock.acquire();
      const ts = Array.from({ length: 6 }, (_, i) =>
        createTask(
          (function* () {
            yield* lock.acquire();
            order.push(i);
            lock.release();
          })(),
        ),
      );
      yield* sleep(0);
      ts[2]?.cancel();
      ts[5]?.cancel();
      ts[3]?.cancel();
      yield* sleep(0);
      expect(lock._waiters?.length).toBe(3);
      expect(lock._waiters?.at(1)?.done()).toBe(false);
      expect(lock._waiters?.at(7)).toBeUndefined();
      lock.release();
      yield* gather(ts, { returnExceptions: true });
      return order;
    });
    expect(order).toEqual([0, 1, 4]);
  });

  it('Semaphore and Queue: a waiter removed by hand is removed once', async () => {
    await run(function* () {
      const sem = new Semaphore(0);
      const t = createTask(sem.acquire());
      yield* sleep(0);
      const waiters = sem._waiters;
      const fut = waiters?.first();
      expect(fut).toBeDefined();
      if (waiters === null || fut === undefined) return;
      expect(waiters.remove(fut)).toBe(true);
      expect(waiters.remove(fut)).toBe(false);
      expect(waiters.shift()).toBeUndefined();
      t.cancel();
      yield* gather([t], { returnExceptions: true });

      const q = new Queue<number>();
      const getter = createTask(q.get());
      yield* sleep(0);
      expect(q._getters.wakeNextOut(undefined)).toBe(true);
      expect(q._getters.wakeNextOut(undefined)).toBe(false);
      expect(q._getters.wake(undefined, 0)).toBe(0);
      q.putNowait(7);
      expect(yield* getter).toBe(7);
    });
  });
});
