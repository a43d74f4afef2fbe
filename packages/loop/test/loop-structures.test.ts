/**
 * The loop's internal structures at sizes the CPython ports do not reach:
 * the ready queue across its blocks, the timer heap's ordering with many
 * equal deadlines and lazy removal, the task registry's compaction, and
 * `callSoon`/`callLater`/`callAt` arguments (read without a rest parameter).
 * Each test checks what CPython guarantees (FIFO, (when, creation) order,
 * pending tasks held until done) rather than the structure itself.
 */
import { ContextVar, EventLoop, Future, Handle, logger, type Token } from '@x/loop';
import fc from 'fast-check';
import { describe, expect, test, vi } from 'vitest';
import { collectGarbage, FakeClock, loopWithHandler, runBriefly } from './utils.js';

describe('ReadyQueue', () => {
  test('callbacks run in FIFO order across many blocks, with pushes while running', async () => {
    const { loop, calls } = loopWithHandler();
    const order: number[] = [];
    const N = 5000;
    for (let i = 0; i < N; i++) {
      loop.callSoon((k: number) => {
        order.push(k);
        // Every third callback queues one more: it runs in the next iteration, after all of these.
        if (k % 3 === 0 && k < N) loop.callSoon((j: number) => order.push(j), N + k);
      }, i);
    }
    expect(loop._ready.length).toBe(N);
    await runBriefly(loop);
    expect(order).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(loop._ready.length).toBe(Math.ceil(N / 3));
    await runBriefly(loop);
    const expected = [];
    for (let k = 0; k < N; k += 3) expected.push(N + k);
    expect(order.slice(N)).toEqual(expected);
    expect(loop._ready.length).toBe(0);
    expect(loop._ready.peekTarget()).toBeUndefined();
    expect(calls).toEqual([]);
    loop.close();
  });

  test('entries with and without an argument keep FIFO order across blocks', async () => {
    // A future's waker is queued with the future (three slots), a callback
    // without (one slot): every alignment at the end of a block occurs.
    const { loop, calls } = loopWithHandler();
    const order: string[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 4000; i++) {
      if (i % 3 === 1 || i % 7 === 0) {
        const fut = new Future<number>({ loop });
        fut._addWaker({ _run: (f: unknown) => order.push(`w${(f as Future<number>).result()}`) });
        fut.setResult(i);
        expected.push(`w${i}`);
      } else {
        loop.callSoon((k: number) => order.push(`c${k}`), i);
        expected.push(`c${i}`);
      }
    }
    expect(loop._ready.length).toBe(4000);
    await runBriefly(loop);
    expect(order).toEqual(expected);
    expect(loop._ready.length).toBe(0);
    expect(calls).toEqual([]);
    loop.close();
  });

  test('a queue that drains and refills keeps its order at block boundaries', async () => {
    const { loop } = loopWithHandler();
    const order: number[] = [];
    let next = 0;
    // Sizes that end a run just before, at and after a block boundary.
    for (const n of [511, 1, 512, 513, 1023, 1024, 1025, 3]) {
      const first = next;
      for (let i = 0; i < n; i++) loop.callSoon((k: number) => order.push(k), next++);
      const handles: Handle[] = [];
      handles.push(loop.callSoon(() => order.push(-1)));
      handles[0]?.cancel();
      expect(loop._ready.peekTarget()).toBeDefined();
      await runBriefly(loop);
      expect(order.slice(first)).toEqual(Array.from({ length: n }, (_, i) => first + i));
      expect(loop._ready.length).toBe(0);
    }
    loop.close();
  });

  test('close() empties the queue', () => {
    const { loop } = loopWithHandler();
    for (let i = 0; i < 2000; i++) loop.callSoon(() => {});
    loop.close();
    expect(loop._ready.length).toBe(0);
    expect(loop._ready.peekTarget()).toBeUndefined();
  });
});

describe('Handles of callSoon (the queue keeps the callback, not the Handle)', () => {
  test('a dropped Handle can be collected before its callback runs', async () => {
    const { loop, calls } = loopWithHandler();
    let ran = 0;
    const ref = new WeakRef(loop.callSoon(() => ran++));
    await collectGarbage();
    expect(ref.deref()).toBeUndefined();
    await runBriefly(loop);
    expect(ran).toBe(1);
    expect(calls).toEqual([]);
    loop.close();
  });

  test('cancel() before the run drops it; after the run, or once its slot is reused, it touches nothing', async () => {
    const { loop, calls } = loopWithHandler();
    const ran: string[] = [];
    const early = loop.callSoon((x: string) => ran.push(x), 'early');
    const plain = loop.callSoon(() => ran.push('plain'));
    const kept = loop.callSoon(() => ran.push('kept'));
    early.cancel();
    plain.cancel();
    expect(early.cancelled()).toBe(true);
    expect(String(early)).toBe('<Handle cancelled>');
    await runBriefly(loop);
    expect(ran).toEqual(['kept']);
    // Ran: cancelling now changes only what cancelled() says (as CPython's).
    kept.cancel();
    expect(kept.cancelled()).toBe(true);
    // Many more callbacks, through the slots the three used: the stale
    // Handles cancel none of them.
    const stale = [early, plain, kept];
    let n = 0;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3000; i++) loop.callSoon(() => n++);
      for (const h of stale) h.cancel();
      await runBriefly(loop);
    }
    expect(n).toBe(9000);
    expect(calls).toEqual([]);
    loop.close();
  });

  test('a stale Handle of a drained queue does not cancel the next callback in its slot', async () => {
    const { loop } = loopWithHandler();
    let n = 0;
    for (let i = 0; i < 50; i++) {
      const h = loop.callSoon(() => n++);
      await runBriefly(loop);
      // The queue started over at the same slot: the next entry is another one.
      loop.callSoon(() => n++);
      h.cancel();
      await runBriefly(loop);
    }
    expect(n).toBe(100);
    loop.close();
  });

  test('a Handle asked for its context while queued runs in it, and can still be cancelled', async () => {
    const { loop } = loopWithHandler();
    const v = new ContextVar<string>('v', { default: 'none' });
    const seen: string[] = [];
    const a = loop.callSoon(() => seen.push(`a ${v.get()}`));
    const b = loop.callSoon((x: number) => seen.push(`b ${v.get()} ${x}`), 1);
    const c = loop.callSoon(() => seen.push('c'));
    a.getContext().run(() => v.set('in a'));
    b.getContext().run(() => v.set('in b'));
    c.getContext();
    c.cancel();
    await runBriefly(loop);
    expect(seen).toEqual(['a in a', 'b in b 1']);
    loop.close();
  });

  test('a callback that cancels its own Handle still runs in, and keeps, its context', async () => {
    const { loop } = loopWithHandler();
    const v = new ContextVar<string>('v', { default: 'none' });
    const seen: unknown[] = [];
    const h: Handle = loop.callSoon(() => {
      v.set('inside');
      h.cancel();
      seen.push(h.cancelled(), h.getContext().get(v));
      v.set('last');
    });
    await runBriefly(loop);
    expect(seen).toEqual([true, 'inside']);
    expect(h.getContext().get(v)).toBe('last');
    loop.close();
  });

  test('each callback keeps what it set in its own context, across many', async () => {
    const { loop } = loopWithHandler();
    const v = new ContextVar<number>('v', { default: -1 });
    const hs: Handle[] = [];
    for (let i = 0; i < 3000; i++) hs.push(loop.callSoon((k: number) => v.set(k), i));
    // Some without arguments too (the queue's shorter entry).
    const plain = loop.callSoon(() => v.set(7));
    await runBriefly(loop);
    expect(hs.every((h, i) => h.getContext().get(v) === i)).toBe(true);
    expect(plain.getContext().get(v)).toBe(7);
    expect(v.get()).toBe(-1);
    // A token made in one callback does not belong to the next one's context.
    let token: Token<number> | null = null;
    const errors: string[] = [];
    loop.callSoon(() => {
      token = v.set(1);
    });
    loop.callSoon(() => {
      try {
        v.reset(token as unknown as Token<number>);
      } catch (e) {
        errors.push((e as Error).name);
      }
    });
    await runBriefly(loop);
    expect(errors).toEqual(['ValueError']);
    loop.close();
  });

  test('a failing callback is reported with a Handle like the one callSoon returned', async () => {
    const { loop, calls } = loopWithHandler();
    const v = new ContextVar<string>('v', { default: 'none' });
    const err = new RangeError('boom');
    const h = loop.callSoon((x: number) => {
      v.set(`set ${x}`);
      throw err;
    }, 3);
    await runBriefly(loop);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.message).toMatch(/^Exception in callback .*\(3\)$/);
    expect(calls[0]?.exception).toBe(err);
    // Not the same object (the loop did not keep it): one that stands for it.
    const reported = calls[0]?.handle as Handle;
    expect(reported).toBeInstanceOf(Handle);
    expect(String(reported)).toBe(String(h));
    expect(reported.cancelled()).toBe(false);
    expect(reported.getContext().get(v)).toBe('set 3');
    expect(h.getContext().get(v)).toBe('set 3');
    loop.close();
  });

  test('callbacks queued before debug mode is turned on are reported as slow by their callback', async () => {
    const clock = new FakeClock();
    const loop = new EventLoop({ clock });
    const warning = vi.spyOn(logger, 'warning').mockImplementation(() => {});
    try {
      loop.callSoon(function slow_cb() {
        clock.advance(0.5);
      });
      loop.setDebug(true);
      loop.slowCallbackDuration = 0.1;
      await runBriefly(loop);
      expect(warning).toHaveBeenCalledTimes(1);
      expect(warning.mock.calls[0]?.[0]).toBe('Executing <Handle slow_cb()> took 0.500 seconds');
    } finally {
      warning.mockRestore();
      loop.close();
    }
  });
});

describe('TimerHeap', () => {
  test('timers due at the same time run in creation order, among others', async () => {
    const clock = new FakeClock();
    const { loop } = loopWithHandler({ clock });
    const order: string[] = [];
    const expected: string[] = [];
    // Three deadlines, interleaved, 300 timers each.
    for (let i = 0; i < 300; i++) {
      for (const when of [3, 1, 2]) loop.callAt(when, () => order.push(`${when}:${i}`));
    }
    for (const when of [1, 2, 3]) for (let i = 0; i < 300; i++) expected.push(`${when}:${i}`);
    clock.advance(5);
    await runBriefly(loop);
    expect(order).toEqual(expected);
    loop.close();
  });

  test('a burst of due timers (sorted at once) runs in (when, creation) order', async () => {
    // Over a quarter of a heap of more than 1,024 timers due together, with
    // deadlines too far apart to bucket (ties, negatives, -0 and 0, tiny and
    // huge values): popped one by one; timers not yet due stay in the heap
    // in order.
    const clock = new FakeClock();
    const { loop, calls } = loopWithHandler({ clock });
    let x = 12345;
    const rand = (): number => {
      x = (Math.imul(1664525, x) + 1013904223) >>> 0;
      return x / 4294967296;
    };
    const specials = [-0, 0, -1e300, 1e-310, -1e-310, 5e-324, -5, 2.5, 2.5, 1e15, Infinity];
    const whens: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const r = rand();
      whens.push(
        r < 0.1
          ? (specials[i % specials.length] as number)
          : r < 0.4
            ? Math.floor(rand() * 20) / 4
            : r < 0.8
              ? rand() * 10 - 2
              : 10 + rand() * 10,
      );
    }
    const order: number[] = [];
    whens.forEach((w, i) => {
      loop.callAt(w, (k: number) => order.push(k), i);
    });
    const byWhen = (limit: number): number[] =>
      whens
        .map((w, i) => [w, i] as const)
        .filter(([w]) => w <= limit)
        .sort((a, b) => a[0] - b[0] || a[1] - b[1])
        .map(([, i]) => i);
    clock.advance(8);
    await runBriefly(loop);
    expect(order).toEqual(byWhen(8));
    clock.advance(1e16);
    await runBriefly(loop);
    expect(order).toEqual(byWhen(1e16 + 8));
    expect(loop._timers.size).toBe(whens.filter((w) => w === Infinity).length);
    expect(calls).toEqual([]);
    loop.close();
  });

  test('a burst of spread-out due timers (bucket-sorted) runs in (when, creation) order', async () => {
    // Deadlines spread over a span, as timers set in a loop with random
    // delays: most of the heap falls due together and is bucket-sorted.
    // Runs of equal deadlines, deadlines one ulp apart and cancelled timers
    // sit among them; the clock passes twice, so the second burst is sorted
    // from what the first one left in the heap.
    const clock = new FakeClock();
    const { loop, calls } = loopWithHandler({ clock });
    let x = 54321;
    const rand = (): number => {
      x = (Math.imul(1664525, x) + 1013904223) >>> 0;
      return x / 4294967296;
    };
    const whens: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const r = rand();
      whens.push(
        r < 0.01
          ? 1 + (i % 7) / 1000
          : r < 0.02
            ? 1.002 + Number.EPSILON * (i % 3)
            : 1 + rand() * 0.01,
      );
    }
    const cancelled = new Set<number>();
    const order: number[] = [];
    whens.forEach((w, i) => {
      const h = loop.callAt(w, (k: number) => order.push(k), i);
      if (i % 11 === 0) {
        h.cancel();
        cancelled.add(i);
      }
    });
    const byWhen = (limit: number): number[] =>
      whens
        .map((w, i) => [w, i] as const)
        .filter(([w, i]) => w < limit && !cancelled.has(i))
        .sort((a, b) => a[0] - b[0] || a[1] - b[1])
        .map(([, i]) => i);
    clock.t = 1.008;
    await runBriefly(loop);
    expect(order).toEqual(byWhen(1.008));
    clock.t = 2;
    await runBriefly(loop);
    expect(order).toEqual(byWhen(2));
    expect(loop._timers.size).toBe(0);
    expect(calls).toEqual([]);
    loop.close();
  });

  test('any burst of due timers runs in (when, creation) order (property)', async () => {
    // Deadlines drawn from a few values (many ties) or any doubles; some
    // cancelled; the clock then passes a cut, so part stays in the heap.
    const when = fc.oneof(
      fc.constantFrom(-1, -0, 0, 0.5, 1, 2),
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(when, fc.boolean()), { minLength: 1024, maxLength: 2500 }),
        fc.double({ min: -2, max: 3, noNaN: true }),
        async (timers, cut) => {
          const clock = new FakeClock();
          const { loop, calls } = loopWithHandler({ clock });
          const order: number[] = [];
          // No deadline within the clock's resolution of the cut: those are the loop's call.
          const whens = timers.map(([w]) => (Math.abs(w - cut) < 0.01 ? w + 0.02 : w));
          timers.forEach(([, cancel], i) => {
            const h = loop.callAt(whens[i] as number, (k: number) => order.push(k), i);
            if (cancel) h.cancel();
          });
          clock.t = cut;
          await runBriefly(loop);
          const expected = timers
            .map(([, cancel], i) => ({ w: whens[i] as number, cancel, i }))
            .filter((t) => !t.cancel && t.w < cut)
            .sort((a, b) => a.w - b.w || a.i - b.i)
            .map((t) => t.i);
          expect(order).toEqual(expected);
          expect(calls).toEqual([]);
          loop.close();
        },
      ),
      { numRuns: 25 },
    );
  });

  test('removing cancelled timers keeps (when, creation) order', async () => {
    const clock = new FakeClock();
    const { loop } = loopWithHandler({ clock });
    const order: number[] = [];
    const handles = [];
    for (let i = 0; i < 400; i++) {
      // Deadlines 0..9, each shared by 40 timers.
      handles.push(loop.callAt(10 + (i % 10), (k: number) => order.push(k), i));
    }
    for (let i = 0; i < 400; i++) if (i % 4 !== 0) handles[i]?.cancel();
    expect(loop._timerCancelledCount).toBe(300);
    // More than half cancelled: the next iteration rebuilds the heap.
    await runBriefly(loop);
    expect(loop._timers.size).toBe(100);
    expect(loop._timerCancelledCount).toBe(0);
    expect(loop._timers.items.every((t) => !t.cancelled() && t._scheduled)).toBe(true);
    expect(handles.every((h, i) => h._scheduled === (i % 4 === 0))).toBe(true);
    clock.advance(100);
    await runBriefly(loop);
    const expected: number[] = [];
    for (let w = 0; w < 10; w++)
      for (let i = w; i < 400; i += 10) if (i % 4 === 0) expected.push(i);
    expect(order).toEqual(expected);
    loop.close();
  });

  test('callLater and callAt pass their arguments; callSoon passes none or many', async () => {
    const clock = new FakeClock();
    const { loop } = loopWithHandler({ clock });
    const seen: unknown[][] = [];
    const record = (...args: unknown[]): void => {
      seen.push(args);
    };
    loop.callSoon(record);
    loop.callSoon(record, 1, 'two', null, undefined);
    loop.callLater(1, record, 'later');
    loop.callAt(2, record, 'at', 2);
    loop.callLater(3, record);
    const h = loop.callSoonThreadsafe(record, 'ts');
    expect(h._args).toEqual(['ts']);
    clock.advance(10);
    await runBriefly(loop);
    expect(seen).toEqual([[], [1, 'two', null, undefined], ['ts'], ['later'], ['at', 2], []]);
    loop.close();
  });
});

describe('TaskRegistry', () => {
  test('holds pending futures until they leave, then lets them be collected', async () => {
    const loop = new EventLoop();
    const futs: Future[] = [];
    for (let i = 0; i < 300; i++) {
      const f = loop.createFuture();
      loop._tasks.add(f);
      futs.push(f);
    }
    loop._tasks.add(futs[0] as Future);
    expect(loop._tasks.size).toBe(300);
    // Leave in an order that compacts the registry several times.
    for (let i = 0; i < 300; i++) {
      if (i % 3 !== 0) {
        (futs[i] as Future).setResult(i);
        expect(loop._tasks.delete(futs[i] as Future)).toBe(true);
      }
    }
    expect(loop._tasks.delete(futs[1] as Future)).toBe(false);
    expect(loop._tasks.size).toBe(100);
    // (Compared by identity: toEqual would iterate the pending futures.)
    const kept = futs.filter((_, i) => i % 3 === 0);
    const listed = [...loop._tasks];
    expect(listed.length).toBe(kept.length);
    expect(listed.every((f, i) => f === kept[i])).toBe(true);
    expect(loop._tasks.has(futs[3] as Future)).toBe(true);
    expect(loop._tasks.has(futs[4] as Future)).toBe(false);
    // A registered future is held by the loop alone; one that left is not.
    const refs = [new WeakRef(futs[0] as Future), new WeakRef(futs[1] as Future)];
    futs.length = 0;
    await collectGarbage();
    expect(refs[0]?.deref()).toBeDefined();
    expect(refs[1]?.deref()).toBeUndefined();
    // A future registered from outside (no slot number) can leave too.
    const plain = new Future({ loop });
    loop._tasks.add(plain);
    (plain as { _regIndex?: number })._regIndex = undefined;
    expect(loop._tasks.has(plain)).toBe(true);
    expect(loop._tasks.delete(plain)).toBe(true);
    expect(loop._tasks.has(plain)).toBe(false);
    loop.setExceptionHandler(() => {});
    loop.close();
    expect(loop._tasks.size).toBe(0);
    expect([...loop._tasks]).toEqual([]);
  });
});
