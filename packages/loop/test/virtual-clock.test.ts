/**
 * `VirtualClock`, after Trio's src/trio/_core/_tests/test_mock_clock.py
 * (test_mock_clock, test_mock_clock_autojump, test_mock_clock_autojump_preset,
 * test_mock_clock_autojump_interference), on the loop alone: timers made with
 * callLater/callAt, host promises and executor jobs.
 */
import { EventLoop, ValueError, VirtualClock } from '@x/loop';
// The worker-thread default executor, as the Node packages install it.
import '@x/loop/node';
import { afterEach, describe, expect, it } from 'vitest';
import { drive } from './drive.js';

const loops: EventLoop[] = [];
function newLoop(clock: VirtualClock): EventLoop {
  const loop = new EventLoop({ clock });
  loops.push(loop);
  return loop;
}
afterEach(() => {
  for (const l of loops.splice(0)) if (!l.isRunning()) l.close();
});

/** A Future that `callLater(delay)` completes with the loop's time then. */
function later(loop: EventLoop, delay: number) {
  const f = loop.createFuture<number>();
  loop.callLater(delay, () => f.setResult(loop.time()));
  return f;
}

describe('VirtualClock', () => {
  it('test_mock_clock: starts at 0, jumps forward, never backwards', () => {
    const c = new VirtualClock();
    expect(String(c)).toBe('<VirtualClock time=0 autojumpThreshold=null>');
    expect(c.now()).toBe(0);
    expect(c.autojumpThreshold).toBeNull();
    c.jump(1.2);
    expect(c.now()).toBe(1.2);
    expect(() => c.jump(-1)).toThrow(ValueError);
    expect(() => c.jump(-1)).toThrow("time can't go backwards");
    expect(c.now()).toBe(1.2);
    expect(() => c.jump(Number.NaN)).toThrow(TypeError);
    expect(new VirtualClock({ start: 100 }).now()).toBe(100);
  });

  it('refuses bad options with the reason', () => {
    expect(() => new VirtualClock({ autojumpThreshold: -1 })).toThrow(
      /autojumpThreshold must be >= 0/,
    );
    expect(() => new VirtualClock({ start: Number.POSITIVE_INFINITY })).toThrow(ValueError);
    expect(() => new VirtualClock(5 as never)).toThrow(TypeError);
    const c = new VirtualClock();
    expect(() => {
      c.autojumpThreshold = Number.NaN;
    }).toThrow(TypeError);
    c.autojumpThreshold = Number.POSITIVE_INFINITY; // Trio's "never"
    expect(c.autojumpThreshold).toBeNull();
  });

  it('loop.time() is the clock; a jump runs the timers that became due, in order', async () => {
    const clock = new VirtualClock();
    const loop = newLoop(clock);
    const order: string[] = [];
    loop.callLater(10, () => order.push('b@10'));
    loop.callLater(5, () => order.push('a@5'));
    loop.callAt(20, () => {
      order.push(`c@${loop.time()}`);
      loop.stop();
    });
    // Jumps come from outside the loop while it waits: no host timer runs.
    loop.callSoon(() => setTimeout(() => clock.jump(12), 1));
    loop.callLater(11.5, () => setTimeout(() => clock.jump(8), 1));
    await loop.runForever();
    expect(order).toEqual(['a@5', 'b@10', 'c@20']);
    expect(loop.time()).toBe(20);
  });

  it('test_mock_clock_autojump: threshold 0 sleeps 450 s at once, exactly', async () => {
    const clock = new VirtualClock({ autojumpThreshold: 0 });
    const loop = newLoop(clock);
    const real0 = performance.now();
    for (let i = 0; i < 10; i++) {
      const start = loop.time();
      const woke = await loop.runUntilComplete(later(loop, 10 * i));
      expect(woke).toBe(start + 10 * i);
    }
    expect(loop.time()).toBe(450);
    expect(performance.now() - real0).toBeLessThan(5000);
  });

  it('a simulated day of timers keeps the order real time gives', async () => {
    const clock = new VirtualClock({ autojumpThreshold: 0 });
    const loop = newLoop(clock);
    const fired: number[] = [];
    const delays = [86400, 3600, 0.001, 60, 3600, 7200.5, 1];
    for (const d of delays) loop.callLater(d, () => fired.push(loop.time()));
    await loop.runUntilComplete(later(loop, 86400.5));
    expect(fired).toEqual([...delays].sort((a, b) => a - b));
  });

  it('a positive threshold waits that long in real time before jumping', async () => {
    const clock = new VirtualClock({ autojumpThreshold: 0.05 });
    const loop = newLoop(clock);
    const real0 = performance.now();
    expect(await loop.runUntilComplete(later(loop, 100000))).toBe(100000);
    expect(performance.now() - real0).toBeGreaterThanOrEqual(45);
  });

  it('test_mock_clock_autojump: lowering the threshold takes effect at once', async () => {
    const clock = new VirtualClock({ autojumpThreshold: 10000 });
    const loop = newLoop(clock);
    loop.callSoon(() =>
      setTimeout(() => {
        clock.autojumpThreshold = 0;
      }, 10),
    );
    expect(await loop.runUntilComplete(later(loop, 100000))).toBe(100000);
  });

  it('test_mock_clock_autojump_preset: a threshold set before the run is used', async () => {
    const clock = new VirtualClock({ autojumpThreshold: 0.1 });
    clock.autojumpThreshold = 0.01;
    const loop = newLoop(clock);
    const real0 = performance.now();
    await loop.runUntilComplete(later(loop, 10000));
    expect(performance.now() - real0).toBeLessThan(5000);
  });

  it('test_mock_clock_autojump_interference: a clock no loop uses does nothing', async () => {
    const clock = new VirtualClock({ autojumpThreshold: 0 });
    const other = new VirtualClock();
    other.autojumpThreshold = 0;
    const loop = newLoop(clock);
    expect(await loop.runUntilComplete(later(loop, 5))).toBe(5);
    expect(other.now()).toBe(0);
  });

  it('with no threshold, time moves only by jump()', async () => {
    const clock = new VirtualClock();
    const loop = newLoop(clock);
    const f = later(loop, 1);
    let hostTurns = 0;
    const poke = (): void => {
      hostTurns++;
      if (hostTurns === 20) clock.jump(0.5);
      else if (hostTurns === 40) clock.jump(0.5);
      else setTimeout(poke, 1);
      if (hostTurns === 20) setTimeout(poke, 1);
    };
    setTimeout(poke, 1);
    expect(await loop.runUntilComplete(f)).toBe(1);
    expect(hostTurns).toBe(40);
  });

  it('a bare host promise does not hold virtual time: it may be waiting on the loop', async () => {
    const clock = new VirtualClock({ autojumpThreshold: 0 });
    const loop = newLoop(clock);
    const t = later(loop, 3600);
    // An async function that waits on a Future of the loop: wrapped as a host
    // promise, it must not keep the clock from reaching the timer it waits for.
    const main = (async () => (await t) + 1)();
    expect(await loop.runUntilComplete(main)).toBe(3601);
  });

  it('an executor job holds virtual time until it is done', async () => {
    const clock = new VirtualClock({ autojumpThreshold: 0 });
    const loop = newLoop(clock);
    const seen: number[] = [];
    loop.callLater(60, () => seen.push(loop.time()));
    const job = loop.runInExecutor(
      null,
      (ms: number) => {
        const end = Date.now() + ms;
        while (Date.now() < end) {
          /* a busy worker */
        }
        return 'ok';
      },
      50,
    );
    expect(await loop.runUntilComplete(job)).toBe('ok');
    expect(seen).toEqual([]);
    expect(loop.time()).toBe(0);
    await loop.runUntilComplete(later(loop, 61));
    expect(seen).toEqual([60]);
    await loop.runUntilComplete(drive(loop, loop.shutdownDefaultExecutor()));
  });

  it('several loops may share a clock; closed ones are forgotten', async () => {
    const clock = new VirtualClock({ autojumpThreshold: 0 });
    const a = newLoop(clock);
    await a.runUntilComplete(later(a, 3));
    a.close();
    const b = newLoop(clock);
    expect(b.time()).toBe(3);
    expect(await b.runUntilComplete(later(b, 4))).toBe(7);
    expect(clock._loops.has(a)).toBe(false);
  });
});
