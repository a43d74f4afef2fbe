// What run.mjs and compare.mjs share: options, one run in a fresh process, the
// round-robin schedule, medians, number formatting and the machine description.
// The method is the anchors' driver's (../shared/anchors/bench/run-all.mjs).
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const REPO_ROOT = dirname(dirname(BENCH_DIR));
export const RUN_TIMEOUT_S = 300;

export const log = (msg) => process.stderr.write(`${msg}\n`);

/**
 * `--repeats N`, `--filter A,B`, `--out PREFIX`, and `--against DIR` where `defaults` has an
 * `against` key; anything else is an error that says what exists.
 */
export function parseArgs(argv, defaults) {
  const opts = { repeats: defaults.repeats, filter: [], out: defaults.out, against: undefined };
  const takesAgainst = 'against' in defaults;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') continue;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--repeats') {
      opts.repeats = Number(value());
      if (!Number.isInteger(opts.repeats) || opts.repeats < 1) {
        throw new Error(`--repeats needs a whole number >= 1, got ${argv[i]}`);
      }
    } else if (a === '--filter') {
      opts.filter = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    } else if (a === '--out') {
      opts.out = value();
    } else if (a === '--against' && takesAgainst) {
      opts.against = value();
    } else {
      throw new Error(
        `unknown option ${a}; known: --repeats N, --filter W1,W3, --out PREFIX${takesAgainst ? ', --against DIR' : ''}`,
      );
    }
  }
  return opts;
}

/**
 * True if `id` ("runtime/case") contains one of the filter's strings (or there is no
 * filter); a string ending in `$` must end `id` (`W1$` is W1 without W10, W11, W12).
 */
export const selected = (filter, id) =>
  filter.length === 0 ||
  filter.some((f) => (f.endsWith('$') ? id.endsWith(f.slice(0, -1)) : id.includes(f)));

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs one case in a fresh process; returns its JSON record, or `{ error }`. */
export function runOnce(cmd, args, cwd) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    timeout: RUN_TIMEOUT_S * 1000,
    maxBuffer: 16 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const processWallS = (performance.now() - t0) / 1000;
  const lines = (r.stdout ?? '').trim().split('\n').filter(Boolean);
  let rec = null;
  try {
    rec = JSON.parse(lines[lines.length - 1]);
  } catch {
    // reported below
  }
  if (r.status !== 0 || !rec || rec.check !== 'ok') {
    const why = r.error ? r.error.message : `exit ${r.status} ${r.signal ?? ''}`.trim();
    const tail = (r.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
    return { error: `${why}: ${tail}`, processWallS };
  }
  return { ...rec, processWallS };
}

/**
 * Runs every pair `repeats` times (fewer where `pair.repeats` says so), round-robin:
 * repeat 1 of every pair, then repeat 2, ... so that slow drift of the machine spreads
 * over all cells. `pair` = { id, cmd, args, cwd, repeats, runs: [], errors: [] }.
 * `alternate`: every second round runs the pairs in reverse order, so that neither of two
 * neighbours always runs first (`pnpm bench --against`).
 */
export function runRoundRobin(pairs, { alternate = false } = {}) {
  const maxRepeats = Math.max(0, ...pairs.map((p) => p.repeats));
  const total = pairs.reduce((a, p) => a + p.repeats, 0);
  let done = 0;
  log(`bench: ${pairs.length} (runtime, case) pairs, ${total} runs, round-robin`);
  for (let rep = 0; rep < maxRepeats; rep++) {
    for (const p of alternate && rep % 2 === 1 ? [...pairs].reverse() : pairs) {
      if (rep >= p.repeats) continue;
      done++;
      const res = runOnce(p.cmd, p.args, p.cwd);
      const where = `[${done}/${total}] rep ${rep + 1}/${p.repeats} ${p.id}`;
      if (res.error) {
        p.errors.push(res.error);
        log(`${where}: ERROR ${res.error}`);
      } else {
        // The round it ran in pairs it with the other checkout's run of the same round.
        p.runs.push({ ...res, rep });
        const shown = Object.entries(res.metrics)
          .slice(0, 2)
          .map(([k, v]) => `${k}=${v >= 1000 ? v.toExponential(3) : v.toPrecision(4)}`)
          .join(' ');
        log(`${where}: ${shown} (process ${res.processWallS.toFixed(2)} s)`);
      }
    }
  }
}

/**
 * `--against`'s paired ratios: for every round in which both checkouts ran a case (back to
 * back, see `runRoundRobin`), this checkout's `metric` over the other's, turned so that above
 * 1 is better for this one (`better`: 'higher' or 'lower'); their median and quartiles.
 * The two runs of a round share the machine's load of that moment, which the ratio of the
 * two medians does not cancel: on a shared machine the medians of 15 fresh processes move
 * by ±10% between runs. Null when no round has both.
 */
export function pairedRatio(runs, otherRuns, metric, better) {
  const other = new Map(otherRuns.map((r) => [r.rep, r.metrics[metric]]));
  const xs = [];
  for (const r of runs) {
    const a = r.metrics[metric];
    const b = other.get(r.rep);
    if (a === undefined || b === undefined) continue;
    xs.push(better === 'lower' ? b / a : a / b);
  }
  if (xs.length === 0) return null;
  xs.sort((x, y) => x - y);
  const at = (q) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))];
  return { median: median(xs), q1: at(0.25), q3: at(0.75), pairs: xs.length };
}

/** Median, min and max of every metric of a pair's successful runs. */
export function statsOf(pair) {
  const stats = {};
  const names = pair.runs.length ? Object.keys(pair.runs[0].metrics) : [];
  for (const m of names) {
    const xs = pair.runs.map((r) => r.metrics[m]);
    stats[m] = { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
  }
  return stats;
}

export function fmt(kind, x) {
  if (x === undefined || x === null || Number.isNaN(x)) return '?';
  switch (kind) {
    case 'rate':
      if (x >= 1e6) return `${(x / 1e6).toPrecision(3)}M`;
      if (x >= 1e3) return `${(x / 1e3).toPrecision(3)}k`;
      return x.toPrecision(3);
    case 'seconds':
      return x < 10 ? x.toFixed(3) : x.toFixed(1);
    case 'bytes':
      return Math.round(x).toLocaleString('en-US');
    case 'mb':
      return x.toFixed(0);
    case 'mbs':
      return x >= 100 ? x.toFixed(0) : x.toPrecision(3);
    case 'us':
      return Math.round(x).toLocaleString('en-US');
    default:
      return String(x);
  }
}

export const unitSuffix = (kind, unit) => (kind === 'rate' ? '/s' : ` ${unit}`);

/** "**1.23M/s** (1.10M–1.40M)" */
export function cellText(kind, unit, st, runs) {
  const main = `**${fmt(kind, st.median)}${unitSuffix(kind, unit)}**`;
  return runs > 1 ? `${main} (${fmt(kind, st.min)}–${fmt(kind, st.max)})` : main;
}

const sh = (cmd, argv) => {
  try {
    return execFileSync(cmd, argv, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch (e) {
    return `unavailable (${e.message.split('\n')[0]})`;
  }
};

export function collectMachine() {
  return {
    nproc: sh('nproc', []),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    mem_gib: (os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    v8: process.versions.v8,
  };
}

export const machineLine = (m) =>
  `${m.nproc} cores (nproc), ${m.cpu}, ${m.kernel}, ${m.mem_gib} GiB RAM, Node ${m.node}`;

export { join };
