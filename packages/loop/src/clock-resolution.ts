/**
 * The resolution of the host's monotonic clock, in seconds: CPython's
 * `time.get_clock_info('monotonic').resolution`, which the loop adds to the
 * current time when it decides which timers are due (`_run_once`).
 *
 * Node's `performance.now()` has sub-microsecond steps, but browsers coarsen
 * it (100 µs, with jitter) against timing attacks: a host timer that fired on
 * time can read as slightly early there, and the loop must not take that as
 * "not due yet" and wait another whole timer.
 */

const perf: { now(): number } =
  typeof performance === 'object' && performance !== null ? performance : Date;

/** The smallest step of `perf.now()` seen in a few samples, in seconds (1 ns at least). */
function measure(): number {
  let step = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const a = perf.now();
    let b = perf.now();
    // Bounded: a clock that does not move in this many reads is a coarse one.
    for (let n = 0; b === a && n < 100_000; n++) b = perf.now();
    if (b > a) step = Math.min(step, b - a);
  }
  return step === Number.POSITIVE_INFINITY ? 1e-3 : Math.max(step / 1000, 1e-9);
}

/** The host clock's resolution in seconds, measured once when the module loads. */
export const CLOCK_RESOLUTION: number = measure();
