#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
// `pnpm bench:compare`: our seven workloads and the anchors' (CPython asyncio, uvloop,
// Node native, Effection 4, Effect 4, plain-JS floor) in one run, round-robin, each run a
// fresh process; then a table of medians with the ratio ours/anchor, and the issue's
// targets with pass/miss. Writes results/compare.json and results/compare.md.
//
//   node compare.mjs [--repeats N] [--filter SUBSTR,...] [--out PREFIX]
//
// The anchors live in ../shared/anchors/bench beside the repository (XASYNC_ANCHORS_DIR
// overrides). They are copied to a temporary directory, where `npm ci` installs their
// pinned Effection and Effect. Runtimes that are absent (no python3 that imports uvloop,
// no npm registry, ...) are skipped with a note.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import {
  BENCH_DIR,
  cellText,
  collectMachine,
  fmt,
  join,
  log,
  machineLine,
  parseArgs,
  REPO_ROOT,
  runRoundRobin,
  selected,
  statsOf,
} from './lib/driver.mjs';
import { CASES, EXTRA_CASES, IO_CASES, ROWS, scriptOf } from './lib/rows.mjs';

let opts;
try {
  opts = parseArgs(process.argv.slice(2), {
    repeats: 5,
    out: join(BENCH_DIR, 'results', 'compare'),
  });
} catch (e) {
  log(`bench:compare: ${e.message}`);
  process.exit(2);
}

// ------------------------------------------------------------------ the anchors
const ANCHORS =
  process.env.XASYNC_ANCHORS_DIR !== undefined && process.env.XASYNC_ANCHORS_DIR !== ''
    ? resolve(process.env.XASYNC_ANCHORS_DIR)
    : resolve(REPO_ROOT, '..', 'shared', 'anchors', 'bench');
const ANCHOR_FILES = ['js', 'lib', 'py', 'package.json', 'package-lock.json'];
const missing = ANCHOR_FILES.filter((f) => !existsSync(join(ANCHORS, f)));
if (missing.length > 0) {
  log(
    `bench:compare: the anchor benchmarks are not at ${ANCHORS} (missing: ${missing.join(', ')}).\n` +
      'Clone or copy them there (the repository expects shared/anchors/bench beside it), or set ' +
      'XASYNC_ANCHORS_DIR to the directory that holds run-all.mjs, js/, lib/ and py/.',
  );
  process.exit(2);
}

/** A private copy of the anchors (their directory may be read-only), keyed by content. */
function prepareAnchors() {
  const hash = createHash('sha256');
  for (const f of ['package-lock.json', 'js/node.mjs', 'js/floor.mjs', 'lib/common.mjs']) {
    hash.update(readFileSync(join(ANCHORS, f)));
  }
  const dir = join(tmpdir(), `x-async-anchors-${hash.digest('hex').slice(0, 12)}`);
  mkdirSync(dir, { recursive: true });
  for (const f of ANCHOR_FILES) cpSync(join(ANCHORS, f), join(dir, f), { recursive: true });
  const notes = [];
  const installed = () =>
    existsSync(join(dir, 'node_modules', 'effection')) &&
    existsSync(join(dir, 'node_modules', 'effect'));
  if (!installed()) {
    log(`bench:compare: npm ci in ${dir} (Effection and Effect, pinned by the anchors)`);
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    if (r.status !== 0 || !installed()) {
      rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
      const why = (r.stderr || r.error?.message || '').trim().split('\n').slice(-2).join(' | ');
      notes.push(`Effection and Effect skipped: npm ci failed in the anchors' copy (${why})`);
    }
  }
  return { dir, npmOk: installed(), notes };
}

const anchors = prepareAnchors();
const notes = [...anchors.notes];

// Python: the first python3 on PATH for asyncio; the first that imports uvloop for uvloop.
const pythons = (
  spawnSync('bash', ['-c', 'which -a python3 python3.11 2>/dev/null'], { encoding: 'utf8' })
    .stdout ?? ''
)
  .split('\n')
  .filter(Boolean);
const canRun = (py, code) => spawnSync(py, ['-c', code]).status === 0;
const PY_ASYNCIO =
  process.env.PY_ASYNCIO || pythons.find((py) => canRun(py, 'import asyncio')) || null;
const PY_UVLOOP =
  process.env.PY_UVLOOP || pythons.find((py) => canRun(py, 'import uvloop')) || null;
const pyVersion = (py) =>
  spawnSync(py, ['-c', 'import sys; print(sys.version.split()[0])'], {
    encoding: 'utf8',
  }).stdout?.trim() ?? '?';
if (PY_ASYNCIO === null) notes.push('CPython asyncio skipped: no python3 on PATH');
if (PY_UVLOOP === null) {
  notes.push(
    'uvloop skipped: no python3 on PATH imports uvloop (Debian: apt-get install python3-uvloop)',
  );
}

const NODE = process.execPath;
const ALL = CASES;
const RUNTIMES = [
  {
    id: 'x-async',
    label: 'x-async',
    cmd: [NODE, 'workloads/xasync.mjs'],
    cwd: BENCH_DIR,
    cases: [...ALL, ...EXTRA_CASES, ...IO_CASES],
  },
  PY_ASYNCIO && {
    id: 'asyncio',
    label: `asyncio (CPython ${pyVersion(PY_ASYNCIO)})`,
    cmd: [PY_ASYNCIO, 'py/bench.py', 'asyncio'],
    cwd: anchors.dir,
    cases: [...ALL, ...IO_CASES, 'W12.wake'],
    // W12 has no anchor: its twin is ours.
    own: { 'W12.wake': { cmd: [PY_ASYNCIO, 'workloads/wake.py', 'asyncio'], cwd: BENCH_DIR } },
    peer: true,
  },
  PY_UVLOOP && {
    id: 'uvloop',
    label: `uvloop (CPython ${pyVersion(PY_UVLOOP)})`,
    cmd: [PY_UVLOOP, 'py/bench.py', 'uvloop'],
    cwd: anchors.dir,
    cases: [...ALL, ...IO_CASES, 'W12.wake'],
    // W12 has no anchor: its twin is ours.
    own: { 'W12.wake': { cmd: [PY_UVLOOP, 'workloads/wake.py', 'uvloop'], cwd: BENCH_DIR } },
    peer: true,
  },
  {
    id: 'node',
    label: 'Node native',
    cmd: [NODE, 'js/node.mjs'],
    cwd: anchors.dir,
    cases: [...ALL, ...IO_CASES],
  },
  anchors.npmOk && {
    id: 'effection',
    label: 'Effection 4',
    cmd: [NODE, 'js/effection.mjs'],
    cwd: anchors.dir,
    cases: ['W3', 'W4', 'W5', 'W6', 'W7'],
    peer: true,
  },
  anchors.npmOk && {
    id: 'effect',
    label: 'Effect 4',
    cmd: [NODE, 'js/effect.mjs'],
    cwd: anchors.dir,
    cases: ['W1', 'W3', 'W4', 'W5', 'W6', 'W7'],
    peer: true,
  },
  {
    id: 'floor',
    label: 'plain-JS floor',
    cmd: [NODE, 'js/floor.mjs'],
    cwd: anchors.dir,
    cases: [...ALL, ...IO_CASES],
  },
].filter(Boolean);
// Slow cells get fewer repeats, as in the anchors' driver (Effection W3: ~30 s a run).
const REPEAT_CAP = { 'effection/W3': 3 };

const pairs = [];
for (const c of [...ALL, ...EXTRA_CASES, ...IO_CASES]) {
  for (const rt of RUNTIMES) {
    const id = `${rt.id}/${c}`;
    if (!rt.cases.includes(c) || !selected(opts.filter, id)) continue;
    const how = rt.own?.[c] ?? rt;
    pairs.push({
      id,
      runtime: rt.id,
      case: c,
      cmd: how.cmd[0],
      args: rt.id === 'x-async' ? [scriptOf(c), c] : [...how.cmd.slice(1), c],
      cwd: how.cwd,
      repeats: Math.min(opts.repeats, REPEAT_CAP[id] ?? opts.repeats),
      runs: [],
      errors: [],
    });
  }
}
if (pairs.length === 0) {
  log(`bench:compare: --filter ${opts.filter.join(',')} matches no "runtime/case" pair`);
  process.exit(2);
}

const started = Date.now();
runRoundRobin(pairs);
const elapsedS = (Date.now() - started) / 1000;

// ------------------------------------------------------------------ summary
const byId = new Map(pairs.map((p) => [p.id, { pair: p, stats: statsOf(p) }]));
/** { median, min, max, runs } of one runtime's metric for a row, or null. */
function cell(rtId, row) {
  const s = byId.get(`${rtId}/${row.case}`);
  if (!s) return null;
  const st = s.stats[row.metric];
  if (!st) return { error: s.pair.errors[0] ?? 'no runs' };
  return { ...st, runs: s.pair.runs.length };
}
const ratio = (ours, theirs) =>
  ours && theirs && !ours.error && !theirs.error ? ours.median / theirs.median : null;

const table = ROWS.map((row) => {
  const ours = cell('x-async', row);
  const cells = {};
  for (const rt of RUNTIMES) {
    if (rt.id === 'x-async') continue;
    const c = cell(rt.id, row);
    cells[rt.id] = c && { ...c, ratio: ratio(ours, c) };
  }
  return { key: row.key, title: row.title, unit: row.unit, better: row.better, ours, cells };
});

// ------------------------------------------------------------------ targets
const ROW = Object.fromEntries(ROWS.map((r) => [r.key, r]));
const PEER_ROWS = [
  'W1.total',
  'W1.run',
  'W2.run',
  'W2.total',
  'W3',
  'W4',
  'W5',
  'W6.wall',
  'W6.bytes',
  'W7',
];
const TARGETS = [];
for (const rt of RUNTIMES.filter((r) => r.peer)) {
  for (const key of PEER_ROWS) {
    if (rt.cases.includes(ROW[key].case)) {
      TARGETS.push({ group: 'peers', row: key, ref: rt.id, test: 'ahead' });
    }
  }
}
for (const key of ['W1.total', 'W1.run', 'W2.run', 'W2.total', 'W5', 'W6.wall', 'W6.bytes', 'W7']) {
  TARGETS.push({ group: 'node', row: key, ref: 'node', test: 'ahead' });
}
for (const key of ['W3', 'W4']) {
  TARGETS.push({ group: 'node', row: key, ref: 'node', test: 'fraction', factor: 1 / 1.25 });
}
for (const [key, factor] of [
  ['W1.total', 0.3],
  ['W1.run', 0.3],
  ['W7', 0.3],
  ['W2.run', 0.5],
  ['W2.total', 0.5],
  ['W3', 0.5],
  ['W4', 0.5],
  ['W5', 0.5],
]) {
  TARGETS.push({ group: 'floor', row: key, ref: 'floor', test: 'fraction', factor });
}
TARGETS.push({ group: 'memory', row: 'W6.bytes', ref: null, test: 'max', limit: 600 });
// The I/O targets of issue 10 ("Speed"). `aim` marks the stretch goals.
for (const [row, ref, test, factor, aim] of [
  ['W8', 'floor', 'fraction', 1],
  ['W10', 'floor', 'fraction', 1],
  ['W8', 'uvloop', 'ahead', null, true],
  ['W9', 'floor', 'fraction', 0.9],
  ['W9', 'uvloop', 'ahead', null, true],
  ['W11', 'node', 'fraction', 0.9],
  ['W11b', 'node', 'fraction', 0.9],
  ['W8', 'asyncio', 'ahead'],
  ['W10', 'asyncio', 'ahead'],
]) {
  TARGETS.push({ group: 'io', row, ref, test, ...(factor ? { factor } : {}), aim: Boolean(aim) });
}
// Waking 100k waiters: faster than CPython asyncio (and uvloop) running the twin.
for (const rt of RUNTIMES.filter((r) => r.own?.['W12.wake'])) {
  for (const key of ['W12.event', 'W12.lock', 'W12.semaphore', 'W12.condition']) {
    TARGETS.push({ group: 'wake', row: key, ref: rt.id, test: 'ahead' });
  }
}

const label = Object.fromEntries(RUNTIMES.map((r) => [r.id, r.label]));
function evaluate(t) {
  const row = ROW[t.row];
  const ours = cell('x-async', row);
  const ref = t.ref === null ? null : cell(t.ref, row);
  const what =
    (t.test === 'ahead'
      ? `${row.title}: ahead of ${label[t.ref] ?? t.ref}`
      : t.test === 'fraction'
        ? t.factor < 1 && t.ref === 'node'
          ? `${row.title}: within ${+(1 / t.factor).toFixed(2)}× of ${label[t.ref]}`
          : `${row.title}: ≥ ${t.factor}× ${label[t.ref] ?? t.ref}`
        : `${row.title}: ≤ ${t.limit} ${row.unit}`) + (t.aim ? ' (aim)' : '');
  if (!ours || ours.error) return { ...t, what, status: 'no result', detail: ours?.error ?? '' };
  if (t.ref !== null && (!ref || ref.error)) {
    return { ...t, what, status: 'skipped', detail: `${t.ref} absent or failed` };
  }
  const higher = row.better === 'higher';
  let pass;
  let need; // the factor by which ours must improve to pass (> 1 when missed)
  let refText = '';
  if (t.test === 'max') {
    pass = ours.median <= t.limit;
    need = ours.median / t.limit;
    refText = `${fmt(row.kind, t.limit)} ${row.unit}`;
  } else {
    const goal =
      t.test === 'ahead' ? ref.median : higher ? ref.median * t.factor : ref.median / t.factor;
    pass = higher
      ? ours.median > goal || (t.test !== 'ahead' && ours.median === goal)
      : ours.median < goal;
    need = higher ? goal / ours.median : ours.median / goal;
    refText = `${fmt(row.kind, ref.median)}${row.kind === 'rate' ? '/s' : ` ${row.unit}`}`;
  }
  const oursText = `${fmt(row.kind, ours.median)}${row.kind === 'rate' ? '/s' : ` ${row.unit}`}`;
  return {
    ...t,
    what,
    status: pass ? 'pass' : 'miss',
    ours: ours.median,
    reference: t.test === 'max' ? t.limit : ref.median,
    ratio: t.test === 'max' ? ours.median / t.limit : ours.median / ref.median,
    detail: pass
      ? `${oursText} vs ${refText}`
      : `${oursText} vs ${refText}: needs ${need.toFixed(2)}× ${higher ? 'faster' : 'less'}`,
  };
}
// Targets whose row was not run at all (filtered out) are left out.
const results = TARGETS.filter((t) => byId.has(`x-async/${ROW[t.row].case}`)).map(evaluate);

// ------------------------------------------------------------------ output
const machine = collectMachine();
const anchorRts = RUNTIMES.filter((r) => r.id !== 'x-async');
const json = {
  generated: new Date().toISOString(),
  elapsed_s: elapsedS,
  repeats: opts.repeats,
  repeat_caps: REPEAT_CAP,
  filter: opts.filter.length ? opts.filter : null,
  anchors: { source: ANCHORS, copy: anchors.dir },
  machine,
  runtimes: RUNTIMES.map(({ id, label: l, cmd }) => ({ id, label: l, command: cmd.join(' ') })),
  notes,
  table,
  targets: results,
  pairs: Object.fromEntries(
    pairs.map((p) => [
      p.id,
      {
        repeats: p.repeats,
        ok_runs: p.runs.length,
        errors: p.errors,
        stats: byId.get(p.id).stats,
        runs: p.runs.map((r) => ({ metrics: r.metrics, process_wall_s: r.processWallS })),
      },
    ]),
  ),
};
writeFileSync(`${opts.out}.json`, `${JSON.stringify(json, null, 2)}\n`);

const ratioText = (r) =>
  r === null || r === undefined ? '' : ` ×${r >= 10 ? r.toFixed(0) : r.toPrecision(2)}`;
const capped = pairs
  .filter((p) => p.repeats < opts.repeats)
  .map((p) => `${p.id} ${p.repeats} runs`);
const md = ['# x-async vs the anchors', ''];
md.push(
  `Generated ${json.generated} by \`pnpm bench:compare\` in ${(elapsedS / 60).toFixed(1)} min. ` +
    `Machine: ${machineLine(machine)}.`,
  '',
  `Each cell: **median** over ${opts.repeats} runs${capped.length ? ` (fewer for: ${capped.join(', ')})` : ''}, ` +
    'each a fresh process, round-robin; x-async also (min–max). ' +
    'In an anchor cell, ×r is ours / theirs: above 1 means x-async is faster on a rate row, ' +
    'below 1 means x-async is lower (better) on a "lower is better" row.',
  '',
);
md.push(`| Workload | x-async | ${anchorRts.map((r) => r.label).join(' | ')} |`);
md.push(`|---|---|${anchorRts.map(() => '---').join('|')}|`);
for (const row of table) {
  const r = ROW[row.key];
  if (!row.ours && anchorRts.every((rt) => !row.cells[rt.id])) continue;
  const oursText = !row.ours
    ? ''
    : row.ours.error
      ? 'error'
      : cellText(r.kind, r.unit, row.ours, row.ours.runs);
  const others = anchorRts.map((rt) => {
    const c = row.cells[rt.id];
    if (!c) return 'n/a';
    if (c.error) return 'error';
    return `${fmt(r.kind, c.median)}${r.kind === 'rate' ? '/s' : ` ${r.unit}`}${ratioText(c.ratio)}`;
  });
  md.push(`| ${row.title} [${row.unit}] | ${oursText} | ${others.join(' | ')} |`);
}
md.push('');
md.push('## Targets', '');
const groups = {
  peers: 'Ahead of every peer library',
  node: "Against Node's own primitives",
  floor: 'Against the plain-JS floor',
  memory: 'Memory',
  io: 'I/O (issue 10)',
  wake: 'Waking 100k waiters (W12): faster than the twin on asyncio and uvloop',
};
for (const [g, title] of Object.entries(groups)) {
  const rs = results.filter((r) => r.group === g);
  if (rs.length === 0) continue;
  const passed = rs.filter((r) => r.status === 'pass').length;
  md.push(`### ${title}: ${passed}/${rs.length} pass`, '');
  for (const r of rs) md.push(`- **${r.status}** ${r.what}: ${r.detail}`);
  md.push('');
}
if (notes.length) {
  md.push('Notes:', '');
  for (const n of notes) md.push(`- ${n}`);
  md.push('');
}
const failed = pairs.filter((p) => p.errors.length);
if (failed.length) {
  md.push('Errors:', '');
  for (const p of failed) md.push(`- ${p.id}: ${p.errors.length} failed run(s): ${p.errors[0]}`);
  md.push('');
}
writeFileSync(`${opts.out}.md`, md.join('\n'));
process.stdout.write(`${md.join('\n')}\n`);
log(`bench:compare: wrote ${opts.out}.json and ${opts.out}.md`);
if (pairs.some((p) => p.id.startsWith('x-async/') && p.errors.length)) process.exit(1);
