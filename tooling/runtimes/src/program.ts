/**
 * A program that uses @x/loop and @x/tasks the way an application does
 * (gather, sleep, timeout, TaskGroup, Queue, cancellation), bundled for the
 * browser and run as it is in Chromium, Bun, Deno and Node. It prints one
 * line per check, then `program: N passed, N failed`, and the time of
 * 200 × sleep(0.001) (the cost of the loop's host yields and timers).
 *
 * Where it runs, `globalThis.__xasyncDone` (if set) receives the summary.
 */
import { CancelledError, type Coroutine, EventLoop, TimeoutError } from '@x/loop';
import {
  createTask,
  ExceptionGroup,
  gather,
  Queue,
  QueueShutDown,
  sleep,
  taskGroup,
  timeout,
  waitFor,
} from '@x/tasks';

type Check = [name: string, main: () => Coroutine<void>];

function assertEqual(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

const checks: Check[] = [
  [
    'gather keeps the order of its arguments',
    function* () {
      function* after(delay: number, value: string): Coroutine<string> {
        yield* sleep(delay);
        return value;
      }
      const r = yield* gather([after(0.03, 'a'), after(0.01, 'b'), after(0.02, 'c')]);
      assertEqual(r, ['a', 'b', 'c'], 'gather');
    },
  ],
  [
    'sleep orders wake-ups by their deadlines',
    function* () {
      const order: number[] = [];
      function* nap(n: number): Coroutine<void> {
        yield* sleep(n / 100);
        order.push(n);
      }
      yield* gather([nap(3), nap(1), nap(2), nap(0)]);
      assertEqual(order, [0, 1, 2, 3], 'wake-up order');
    },
  ],
  [
    'timeout cancels the body and raises TimeoutError',
    function* () {
      let cancelled = false;
      try {
        yield* timeout(0.02, function* () {
          try {
            yield* sleep(10);
          } catch (e) {
            cancelled = e instanceof CancelledError;
            throw e;
          }
        });
        throw new Error('timeout did not fire');
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
      }
      assertEqual(cancelled, true, 'the body saw CancelledError');
    },
  ],
  [
    'waitFor returns in time and times out past it',
    function* () {
      assertEqual(yield* waitFor(sleep(0.01, 'done'), 1), 'done', 'in time');
      let timedOut = false;
      try {
        yield* waitFor(sleep(10), 0.01);
      } catch (e) {
        timedOut = e instanceof TimeoutError;
      }
      assertEqual(timedOut, true, 'timed out');
    },
  ],
  [
    'a TaskGroup waits for its tasks and cancels the rest when one fails',
    function* () {
      const done: string[] = [];
      const results = yield* taskGroup(function* (tg) {
        const a = tg.createTask(sleep(0.02, 'a'));
        const b = tg.createTask(sleep(0.01, 'b'));
        yield* sleep(0); // the tasks start while the body still runs
        return [a, b] as const;
      });
      assertEqual(
        results.map((t) => t.result()),
        ['a', 'b'],
        'results',
      );
      try {
        yield* taskGroup(function* (tg) {
          tg.createTask(
            (function* () {
              try {
                yield* sleep(10);
              } catch (e) {
                if (e instanceof CancelledError) done.push('sibling cancelled');
                throw e;
              }
            })(),
          );
          tg.createTask(
            (function* () {
              yield* sleep(0.01);
              throw new RangeError('boom');
            })(),
          );
          yield* sleep(0);
        });
        throw new Error('the group did not fail');
      } catch (e) {
        if (!(e instanceof ExceptionGroup)) throw e;
        assertEqual(
          e.errors.map((x) => (x as Error).message),
          ['boom'],
          'the group errors',
        );
      }
      assertEqual(done, ['sibling cancelled'], 'the sibling');
    },
  ],
  [
    'a bounded Queue passes items from producers to consumers, then shuts down',
    function* () {
      const q = new Queue<number>(2);
      const got: number[] = [];
      function* producer(): Coroutine<void> {
        for (let i = 0; i < 10; i++) yield* q.put(i);
        q.shutdown();
      }
      function* consumer(): Coroutine<void> {
        for (;;) {
          try {
            got.push(yield* q.get());
          } catch (e) {
            if (e instanceof QueueShutDown) return;
            throw e;
          }
          q.taskDone();
        }
      }
      yield* gather([producer(), consumer(), consumer()]);
      assertEqual(
        got.sort((x, y) => x - y),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        'items',
      );
    },
  ],
  [
    'cancelling a task runs its cleanup and cancels what it awaits',
    function* () {
      const log: string[] = [];
      const inner = createTask(sleep(10));
      const outer = createTask(
        (function* () {
          try {
            yield* inner;
          } finally {
            log.push('cleanup');
          }
        })(),
      );
      yield* sleep(0.01);
      outer.cancel('stop');
      try {
        yield* outer;
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        log.push('cancelled');
      }
      assertEqual(log, ['cleanup', 'cancelled'], 'log');
      assertEqual([outer.cancelled(), inner.cancelled()], [true, true], 'both cancelled');
    },
  ],
];

/** Seconds that 200 × sleep(0.001) take, one after the other. */
function* sleeps(): Coroutine<number> {
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) yield* sleep(0.001);
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<{ passed: number; failed: number; sleeps: number }> {
  let passed = 0;
  let failed = 0;
  for (const [name, check] of checks) {
    const loop = new EventLoop();
    try {
      await loop.runUntilComplete(check());
      passed++;
      console.log(`ok: ${name}`);
    } catch (e) {
      failed++;
      console.log(`FAILED: ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    } finally {
      loop.close();
    }
  }
  const loop = new EventLoop();
  let seconds = Number.NaN;
  try {
    await loop.runUntilComplete(sleeps()); // warm-up
    seconds = await loop.runUntilComplete(sleeps());
  } finally {
    loop.close();
  }
  console.log(`timing: 200 x sleep(0.001): ${seconds.toFixed(3)} s`);
  console.log(`program: ${passed} passed, ${failed} failed`);
  return { passed, failed, sleeps: seconds };
}

// The harness that runs the bundle (a browser page) may wait for the summary.
const done = (globalThis as { __xasyncDone?: (r: unknown) => void }).__xasyncDone;
main().then(
  (r) => done?.(r),
  (e: unknown) => {
    console.log(`program: crashed: ${String(e)}`);
    done?.({ passed: 0, failed: 1, sleeps: Number.NaN });
  },
);
