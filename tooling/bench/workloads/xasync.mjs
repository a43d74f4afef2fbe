// x-async (@x/loop + @x/tasks): the seven anchor workloads, written as
// ../shared/anchors/bench/py/bench.py writes them for asyncio (same N, same seeded delays,
// same timed phases, same checks). Runs the built packages (dist/), as an application would.
// Usage: node workloads/xasync.mjs CASE   (CASE: W1 W2 W3 W4 W5 W5.futures W6 W7 W12.wake)
import { newEventLoop } from '@x/loop';
import * as tasks from '@x/tasks';
import { assert, emit, lcgUniform, main, memMetrics, now, rssKiB } from '../lib/common.mjs';

const { createTask, sleep } = tasks;

/** `gather` is looked up at run time, so that the other cases run while it is missing. */
function gather(aws, options) {
  if (typeof tasks.gather !== 'function') {
    throw new Error('@x/tasks does not export gather() yet: W3, W6 and W7 need it');
  }
  return tasks.gather(aws, options);
}

/** Runs `coro` in a new task on a new loop, as `asyncio.Runner().run(coro)`, then closes the loop. */
async function runMain(coro) {
  const loop = newEventLoop();
  try {
    return await loop.runUntilComplete(coro);
  } finally {
    loop.close();
  }
}

// W1: N loop.callSoon(inc), then run until a future set by one more callback is done.
async function w1() {
  const N = 1_000_000;
  const loop = newEventLoop();
  let count = 0;
  const inc = () => {
    count++;
  };
  const done = loop.createFuture();
  const t0 = now();
  for (let i = 0; i < N; i++) loop.callSoon(inc);
  loop.callSoon((v) => done.setResult(v), null); // FIFO: runs after all N
  const t1 = now();
  await loop.runUntilComplete(done);
  const t2 = now();
  loop.close();
  assert(count === N, count);
  emit('W1', N, {
    rate_total: N / (t2 - t0),
    rate_run: N / (t2 - t1),
    schedule_s: t1 - t0,
    run_s: t2 - t1,
  });
}

// W2: N loop.callLater timers, delays uniform in [0, 0.010] s.
async function w2() {
  const N = 200_000;
  const loop = newEventLoop();
  const delays = lcgUniform(N).map((u) => u * 0.01);
  let count = 0;
  const done = loop.createFuture();
  const fire = () => {
    if (++count === N) done.setResult(null);
  };
  const t0 = now();
  for (let i = 0; i < N; i++) loop.callLater(delays[i], fire);
  const t1 = now();
  await loop.runUntilComplete(done);
  const t2 = now();
  loop.close();
  assert(count === N, count);
  emit('W2', N, {
    rate_total: N / (t2 - t0),
    rate_run: N / (t2 - t1),
    schedule_s: t1 - t0,
    run_s: t2 - t1,
  });
}

// W3: N tasks (coroutines returning their index), awaited with gather.
async function w3() {
  const N = 200_000;
  // biome-ignore lint/correctness/useYield: as W3's `async def work(i): return i`, it returns at once
  function* work(i) {
    return i;
  }
  await runMain(
    (function* () {
      const t0 = now();
      const coros = [];
      for (let i = 0; i < N; i++) coros.push(work(i));
      const results = yield* gather(coros);
      const t1 = now();
      assert(results.length === N, results.length);
      let sum = 0;
      for (const r of results) sum += r;
      assert(sum === (N * (N - 1)) / 2, sum);
      emit('W3', N, { rate: N / (t1 - t0), seconds: t1 - t0 });
    })(),
  );
}

// W4: one task yielding to the loop N times with sleep(0).
async function w4() {
  const N = 1_000_000;
  await runMain(
    (function* () {
      let i = 0;
      const t0 = now();
      for (; i < N; i++) yield* sleep(0);
      const t1 = now();
      assert(i === N, i);
      emit('W4', N, { rate: N / (t1 - t0), seconds: t1 - t0 });
    })(),
  );
}

/**
 * A one-slot channel built from Futures (two Futures per round trip): what W5 used before
 * @x/tasks had Queue, kept as case W5.futures. One waiter per side is enough here: each
 * channel has one producer and one consumer.
 */
class Channel {
  constructor(loop) {
    this.loop = loop;
    this.full = false;
    this.value = undefined;
    this.getter = null; // Future of a blocked get()
    this.putter = null; // Future of a blocked put()
    this.putValue = undefined;
  }

  *put(v) {
    const g = this.getter;
    if (g !== null) {
      this.getter = null;
      g.setResult(v);
      return;
    }
    if (!this.full) {
      this.full = true;
      this.value = v;
      return;
    }
    const f = this.loop.createFuture();
    this.putter = f;
    this.putValue = v;
    yield* f;
  }

  *get() {
    if (this.full) {
      const v = this.value;
      const p = this.putter;
      if (p !== null) {
        this.putter = null;
        this.value = this.putValue;
        this.putValue = undefined;
        p.setResult(undefined);
      } else {
        this.full = false;
        this.value = undefined;
      }
      return v;
    }
    const f = this.loop.createFuture();
    this.getter = f;
    return yield* f;
  }
}

// W5: two tasks, N round trips, through two Queue(1) (asyncio.Queue(maxsize=1)); with
// `futures` (or while @x/tasks has no Queue), through two one-slot Future channels.
function w5(caseName, futures) {
  return () => pingpong(caseName, futures || typeof tasks.Queue !== 'function');
}

async function pingpong(caseName, futures) {
  const N = 200_000;
  const loop = newEventLoop();
  const ping = futures ? new Channel(loop) : new tasks.Queue(1);
  const pong = futures ? new Channel(loop) : new tasks.Queue(1);
  function* ponger() {
    for (let i = 0; i < N; i++) yield* pong.put(yield* ping.get());
  }
  try {
    await loop.runUntilComplete(
      (function* () {
        const t0 = now();
        const other = createTask(ponger());
        let total = 0;
        for (let i = 0; i < N; i++) {
          yield* ping.put(i);
          total += yield* pong.get();
        }
        yield* other;
        const t1 = now();
        assert(total === (N * (N - 1)) / 2, total);
        emit(caseName, N, { rate: N / (t1 - t0), seconds: t1 - t0 }, 'ok', {
          channel: futures ? 'Future channel' : 'Queue(1)',
        });
      })(),
    );
  } finally {
    loop.close();
  }
}

// W6: N concurrent tasks each sleeping uniform [0, 0.100] s, then gather.
async function w6() {
  const N = 100_000;
  const delays = lcgUniform(N).map((u) => u * 0.1);
  function* sleeper(d) {
    yield* sleep(d);
  }
  await runMain(
    (function* () {
      const rss0 = rssKiB();
      const t0 = now();
      const ts = [];
      for (let i = 0; i < N; i++) ts.push(createTask(sleeper(delays[i])));
      yield* sleep(0); // every task has now run its first step and is sleeping
      const rss1 = rssKiB();
      const results = yield* gather(ts);
      const t1 = now();
      assert(results.length === N, results.length);
      assert(
        ts.every((t) => t.done() && !t.cancelled()),
        'all finished',
      );
      emit('W6', N, memMetrics(N, rss0, rss1, t1 - t0));
    })(),
  );
}

// W7: N tasks sleeping 3600 s; cancel all, wait for all (cancel + wait timed).
async function w7() {
  const N = 100_000;
  function* sleeper() {
    yield* sleep(3600);
  }
  await runMain(
    (function* () {
      const ts = [];
      for (let i = 0; i < N; i++) ts.push(createTask(sleeper()));
      yield* sleep(0); // all sleeping
      const t0 = now();
      for (const t of ts) t.cancel();
      const results = yield* gather(ts, { returnExceptions: true });
      const t1 = now();
      assert(
        ts.every((t) => t.cancelled()),
        'all cancelled',
      );
      assert(
        results.length === N && results.every((r) => r?.name === 'CancelledError'),
        'gather returned a CancelledError for every task',
      );
      emit('W7', N, { rate: N / (t1 - t0), seconds: t1 - t0 });
    })(),
  );
}

// W12: waking N waiters of each primitive, timed from the wake-up call to the last waiter
// done (`gather`). Each woken waiter leaves its primitive's waiter queue, so this is linear
// only if leaving is O(1) (it was O(n) once: quadratic). Same scenarios as workloads/wake.py.
//  - Event: N tasks in `event.wait()`; `set()`.
//  - Lock: N tasks in `acquire()` behind a held lock; `release()`, each waiter releases in turn.
//  - Semaphore: N tasks in `acquire()` of a `Semaphore(0)`; `release()`, each waiter releases in turn.
//  - Condition: N tasks in `wait()`; `notifyAll()` under the lock, each waiter releases in turn.
function* wakeEvent(N) {
  const ev = new tasks.Event();
  const ts = [];
  for (let i = 0; i < N; i++) ts.push(createTask(ev.wait()));
  yield* sleep(0); // all waiting
  const t0 = now();
  ev.set();
  const results = yield* gather(ts);
  const t1 = now();
  assert(results.length === N && results.every((r) => r === true), 'every Event waiter woke');
  return t1 - t0;
}

function* wakeLock(N) {
  const lock = new tasks.Lock();
  let n = 0;
  function* waiter() {
    yield* lock.acquire();
    n++;
    lock.release();
  }
  yield* lock.acquire();
  const ts = [];
  for (let i = 0; i < N; i++) ts.push(createTask(waiter()));
  yield* sleep(0); // all waiting
  const t0 = now();
  lock.release();
  yield* gather(ts);
  const t1 = now();
  assert(n === N && !lock.locked(), 'every Lock waiter acquired and released');
  return t1 - t0;
}

function* wakeSemaphore(N) {
  const sem = new tasks.Semaphore(0);
  let n = 0;
  function* waiter() {
    yield* sem.acquire();
    n++;
    sem.release();
  }
  const ts = [];
  for (let i = 0; i < N; i++) ts.push(createTask(waiter()));
  yield* sleep(0); // all waiting
  const t0 = now();
  sem.release();
  yield* gather(ts);
  const t1 = now();
  assert(n === N && !sem.locked(), 'every Semaphore waiter acquired and released');
  return t1 - t0;
}

function* wakeCondition(N) {
  const cond = new tasks.Condition();
  let n = 0;
  function* waiter() {
    yield* cond.acquire();
    try {
      yield* cond.wait();
      n++;
    } finally {
      cond.release();
    }
  }
  const ts = [];
  for (let i = 0; i < N; i++) ts.push(createTask(waiter()));
  yield* sleep(0); // all waiting
  const t0 = now();
  yield* cond.acquire();
  cond.notifyAll();
  cond.release();
  yield* gather(ts);
  const t1 = now();
  assert(n === N && !cond.locked(), 'every Condition waiter woke');
  return t1 - t0;
}

async function w12() {
  const N = 100_000;
  const s = {};
  for (const [name, fn] of [
    ['event', wakeEvent],
    ['lock', wakeLock],
    ['semaphore', wakeSemaphore],
    ['condition', wakeCondition],
  ]) {
    s[name] = await runMain(fn(N));
  }
  emit('W12.wake', N, {
    rate: N / s.event,
    seconds: s.event,
    rate_lock: N / s.lock,
    rate_semaphore: N / s.semaphore,
    rate_condition: N / s.condition,
  });
}

await main({
  W1: w1,
  W2: w2,
  W3: w3,
  W4: w4,
  W5: w5('W5', false),
  'W5.futures': w5('W5.futures', true),
  W6: w6,
  W7: w7,
  'W12.wake': w12,
});
