// The rows of the results table: which case and metric each shows, and which way is better.
// Same rows (and titles) as the anchors' results.md, without the anchors' variant rows.

export const CASES = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6', 'W7'];
/**
 * Our cases with no anchor counterpart: W5 through Future channels instead of Queue(1), and
 * W12, waking N waiters of an Event, a Lock, a Semaphore and a Condition (its asyncio and
 * uvloop twin is `workloads/wake.py`; W8–W11 are the anchors' I/O workloads).
 */
export const EXTRA_CASES = ['W5.futures', 'W12.wake'];
/** The I/O workloads (TCP on 127.0.0.1 and child processes), on @x/io: workloads/xasync-io.mjs. */
export const IO_CASES = ['W8', 'W9', 'W10', 'W11', 'W11b'];

/** The script of our side that runs `c`. */
export const scriptOf = (c) =>
  IO_CASES.includes(c) ? 'workloads/xasync-io.mjs' : 'workloads/xasync.mjs';

export const SIZES = {
  W1: 1_000_000,
  W2: 200_000,
  W3: 200_000,
  W4: 1_000_000,
  W5: 200_000,
  'W5.futures': 200_000,
  W6: 100_000,
  W7: 100_000,
  'W12.wake': 100_000,
  W8: 12_500,
  W9: 512 * 2 ** 20,
  W10: 5_000,
  W11: 200,
  W11b: 50,
};

/** kind: how to format; better: 'higher' or 'lower'. */
export const ROWS = [
  {
    key: 'W1.total',
    case: 'W1',
    metric: 'rate_total',
    kind: 'rate',
    unit: 'callbacks/s',
    title: 'W1 callbacks: schedule + run',
  },
  {
    key: 'W1.run',
    case: 'W1',
    metric: 'rate_run',
    kind: 'rate',
    unit: 'callbacks/s',
    title: 'W1 callbacks: run phase only',
  },
  {
    key: 'W2.run',
    case: 'W2',
    metric: 'rate_run',
    kind: 'rate',
    unit: 'timers/s',
    title: 'W2 timers: run phase',
  },
  {
    key: 'W2.total',
    case: 'W2',
    metric: 'rate_total',
    kind: 'rate',
    unit: 'timers/s',
    title: 'W2 timers: schedule + run',
  },
  {
    key: 'W3',
    case: 'W3',
    metric: 'rate',
    kind: 'rate',
    unit: 'tasks/s',
    title: 'W3 spawn + gather',
  },
  {
    key: 'W4',
    case: 'W4',
    metric: 'rate',
    kind: 'rate',
    unit: 'switches/s',
    title: 'W4 switch (sleep(0))',
  },
  {
    key: 'W5',
    case: 'W5',
    metric: 'rate',
    kind: 'rate',
    unit: 'round trips/s',
    title: 'W5 ping-pong (Queue(1))',
  },
  {
    key: 'W5.futures',
    case: 'W5.futures',
    metric: 'rate',
    kind: 'rate',
    unit: 'round trips/s',
    title: 'W5′ ping-pong through two one-slot Future channels (no anchor)',
  },
  {
    key: 'W6.wall',
    case: 'W6',
    metric: 'wall_s',
    kind: 'seconds',
    unit: 's',
    better: 'lower',
    title: 'W6 fan-out sleep: wall time (lower is better)',
  },
  {
    key: 'W6.bytes',
    case: 'W6',
    metric: 'bytes_per_task',
    kind: 'bytes',
    unit: 'B',
    better: 'lower',
    title: 'W6 fan-out sleep: bytes per sleeping task (lower is better)',
  },
  {
    key: 'W6.peak',
    case: 'W6',
    metric: 'peak_rss_mb',
    kind: 'mb',
    unit: 'MB',
    better: 'lower',
    title: 'W6 fan-out sleep: peak RSS (lower is better)',
  },
  {
    key: 'W7',
    case: 'W7',
    metric: 'rate',
    kind: 'rate',
    unit: 'cancellations/s',
    title: 'W7 cancel + gather',
  },
  {
    key: 'W12.event',
    case: 'W12.wake',
    metric: 'rate',
    kind: 'rate',
    unit: 'waiters/s',
    title: 'W12 wake 100k waiters of an Event: set() + gather',
  },
  {
    key: 'W12.lock',
    case: 'W12.wake',
    metric: 'rate_lock',
    kind: 'rate',
    unit: 'waiters/s',
    title: 'W12 wake 100k waiters of a Lock: release(), each in turn',
  },
  {
    key: 'W12.semaphore',
    case: 'W12.wake',
    metric: 'rate_semaphore',
    kind: 'rate',
    unit: 'waiters/s',
    title: 'W12 wake 100k waiters of a Semaphore: release(), each in turn',
  },
  {
    key: 'W12.condition',
    case: 'W12.wake',
    metric: 'rate_condition',
    kind: 'rate',
    unit: 'waiters/s',
    title: 'W12 wake 100k waiters of a Condition: notifyAll(), each in turn',
  },
  {
    key: 'W8',
    case: 'W8',
    metric: 'rate',
    kind: 'rate',
    unit: 'round trips/s',
    title: 'W8 echo-rtt: 64-byte line round trips, 50 connections',
  },
  {
    key: 'W8.p50',
    case: 'W8',
    metric: 'p50_us',
    kind: 'us',
    unit: 'µs',
    better: 'lower',
    title: 'W8 echo-rtt: median round-trip latency (lower is better)',
  },
  {
    key: 'W8.p99',
    case: 'W8',
    metric: 'p99_us',
    kind: 'us',
    unit: 'µs',
    better: 'lower',
    title: 'W8 echo-rtt: p99 round-trip latency (lower is better)',
  },
  {
    key: 'W9',
    case: 'W9',
    metric: 'mb_s',
    kind: 'mbs',
    unit: 'MB/s',
    title: 'W9 echo-stream: 512 MiB through one echo connection',
  },
  {
    key: 'W10',
    case: 'W10',
    metric: 'rate',
    kind: 'rate',
    unit: 'connections/s',
    title: 'W10 accept: connect + server closes + close',
  },
  {
    key: 'W11',
    case: 'W11',
    metric: 'rate',
    kind: 'rate',
    unit: 'processes/s',
    title: 'W11 subprocess: /bin/true, stdout=PIPE, communicate(), 8 at a time',
  },
  {
    key: 'W11b',
    case: 'W11b',
    metric: 'mb_s',
    kind: 'mbs',
    unit: 'MB/s',
    title: "W11b subprocess: a child's 4 MiB on stdout, communicate(), 8 at a time",
  },
].map((r) => ({ better: 'higher', ...r }));
