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

// ------------------------------------------------------------------ I/O workloads (W8–W11b)
// Sizes shared by js/node.mjs and js/floor.mjs; py/bench.py has the same numbers.

export const HOST = '127.0.0.1';

export const IO = {
  W8: { connections: 50, roundTrips: 250 }, // round trips per connection
  W9: { total: 512 << 20, chunk: 64 << 10, sample: 1 << 20 },
  W10: { clients: 20, perClient: 250 }, // connect + close cycles per client
  W11: { runs: 200, concurrency: 8, argv: ['/bin/true'], outLen: 0 },
  W11b: {
    runs: 50,
    concurrency: 8,
    argv: ['head', '-c', String(4 << 20), '/dev/zero'],
    outLen: 4 << 20,
  },
};

/** The 64-byte request line k of connection c, "\n" included (same bytes as py/bench.py). */
export function echoLine(c, k) {
  return `${`conn ${String(c).padStart(3, '0')} line ${k} `.padEnd(63, '.')}\n`;
}

/** n pseudo-random bytes from the shared LCG: floor(u * 256). */
export function lcgBytes(n) {
  const u = lcgUniform(n);
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(u[i] * 256);
  return b;
}

/** Nearest-rank percentile (pct in whole percent) of latencies in ms, returned in µs. */
export function percentileUs(latMs, pct) {
  const s = Float64Array.from(latMs).sort();
  return s[Math.ceil((pct * s.length) / 100) - 1] * 1000;
}

/** W9 sample check of one received piece at stream offset `off`: first and last byte. */
export function checkPiece(pattern, off, d) {
  const m = pattern.length - 1; // pattern length is a power of two
  if (d[0] !== pattern[off & m] || d[d.length - 1] !== pattern[(off + d.length - 1) & m]) {
    throw new Error(`check failed: echo stream corrupt near offset ${off}`);
  }
}

/** W9: the first `sample` bytes received must equal the pattern repeated. */
export function checkHead(pattern, pieces, sample) {
  const head = Buffer.concat(pieces).subarray(0, sample);
  const want = Buffer.concat(Array.from({ length: sample / pattern.length }, () => pattern));
  assert(head.equals(want), 'first MiB of the echo differs');
}

/** W11/W11b check of one child's result. */
const ZEROS = Buffer.alloc(4096);
export function checkChild(argv, code, out, outLen) {
  if (code !== 0 || out.length !== outLen)
    throw new Error(`check failed: ${argv.join(' ')}: exit ${code}, ${out.length} bytes`);
  if (outLen && !(out.subarray(0, 4096).equals(ZEROS) && out.subarray(-4096).equals(ZEROS))) {
    throw new Error(`check failed: ${argv.join(' ')}: output is not all zero bytes`);
  }
}

/** Metrics for W11/W11b, same names as py/bench.py. */
export function childMetrics(runs, outLen, seconds) {
  const m = { rate: runs / seconds, seconds };
  return outLen ? { mb_s: (runs * outLen) / seconds / 1e6, ...m } : m;
}
