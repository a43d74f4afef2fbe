// Shared helpers for the benchmark processes: a copy of the anchors' lib/common.mjs
// (../shared/anchors/bench), so that both sides measure and check the same way.
// Each process runs one CASE and prints exactly one JSON line on stdout:
//   {"case": ..., "n": ..., "metrics": {...}, "check": "ok"}

export const SEED = 12345;

/** Same 32-bit LCG as py/bench.py: x = (1664525 x + 1013904223) mod 2^32, u = x / 2^32. */
export function lcgUniform(n, seed = SEED) {
  const out = new Float64Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(1664525, x) + 1013904223) >>> 0;
    out[i] = x / 4294967296;
  }
  return out;
}

/** Seconds, high resolution (monotonic). */
export const now = () => performance.now() / 1000;

/** Resident set size now, in KiB. */
export const rssKiB = () => process.memoryUsage().rss / 1024;

/** Peak resident set size of this process so far (getrusage ru_maxrss), in KiB. */
export const peakRssKiB = () => process.resourceUsage().maxRSS;

export function emit(caseName, n, metrics, check = 'ok', extra = {}) {
  process.stdout.write(`${JSON.stringify({ case: caseName, n, metrics, check, ...extra })}\n`);
}

export function assert(cond, msg) {
  if (!cond) throw new Error(`check failed: ${msg}`);
}

/** Memory metrics for W6, same definitions as py/bench.py. */
export function memMetrics(n, rss0KiB, rss1KiB, wallS) {
  const hwm = peakRssKiB();
  return {
    wall_s: wallS,
    bytes_per_task: ((rss1KiB - rss0KiB) * 1024) / n,
    peak_rss_mb: hwm / 1024,
    rss_before_mb: rss0KiB / 1024,
    rss_sleeping_mb: rss1KiB / 1024,
    bytes_per_task_hwm: ((hwm - rss0KiB) * 1024) / n,
  };
}

/** Dispatch: node file.mjs CASE  → runs cases[CASE](). */
export async function main(cases) {
  const name = process.argv[2];
  const fn = cases[name];
  if (!fn) {
    process.stderr.write(`unknown case ${name}; known: ${Object.keys(cases).join(' ')}\n`);
    process.exit(2);
  }
  await fn();
}
