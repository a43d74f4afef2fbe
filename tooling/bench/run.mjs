#!/usr/bin/env node
// `pnpm bench`: the seven anchor workloads on @x/loop and @x/tasks (their dist/ builds).
// Every case runs in a fresh process, several times, round-robin; the table shows the
// median and (min–max). Writes results/latest.json and results/latest.md.
// `--against DIR` runs the same cases of another built checkout (DIR is its root) in the
// same round-robin, each case of this checkout next to the other's (which runs first
// alternates), and adds its column and the ratio: "before and after, in one run", and each
// row's paired ratio (the median of the ratios of the two runs of each round).
//
//   node run.mjs [--repeats N] [--filter W1,W3] [--out PREFIX] [--against DIR]
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  BENCH_DIR,
  cellText,
  collectMachine,
  join,
  log,
  machineLine,
  pairedRatio,
  parseArgs,
  REPO_ROOT,
  runRoundRobin,
  selected,
  statsOf,
} from './lib/driver.mjs';
import { CASES, EXTRA_CASES, IO_CASES, ROWS, SIZES, scriptOf } from './lib/rows.mjs';

let opts;
try {
  opts = parseArgs(process.argv.slice(2), {
    repeats: 5,
    out: join(BENCH_DIR, 'results', 'latest'),
    against: undefined,
  });
} catch (e) {
  log(`bench: ${e.message}`);
  process.exit(2);
}

// The other checkout runs its own workload scripts on its own dist/ builds. A relative DIR
// is taken from this repository's root (pnpm runs this script in tooling/bench).
const otherRoot = opts.against === undefined ? null : resolve(REPO_ROOT, opts.against);
const otherBench = otherRoot === null ? null : join(otherRoot, 'tooling', 'bench');
if (otherBench !== null) {
  const missing = ['workloads/xasync.mjs', '../../packages/tasks/dist/index.js'].find(
    (f) => !existsSync(join(otherBench, f)),
  );
  if (missing !== undefined) {
    log(
      `bench: --against ${opts.against}: ${join(otherBench, missing)} does not exist; give the root of a checkout whose packages are built, e.g. git worktree add ../before <commit>, then pnpm install and pnpm build there`,
    );
    process.exit(2);
  }
}

const pairOf = (c, side, cwd) => ({
  id: `${side}/${c}`,
  case: c,
  side,
  cmd: process.execPath,
  args: [scriptOf(c), c],
  cwd,
  repeats: opts.repeats,
  runs: [],
  errors: [],
});
const pairs = [...CASES, ...EXTRA_CASES, ...IO_CASES]
  .filter((c) => selected(opts.filter, `x-async/${c}`))
  .flatMap((c) =>
    otherBench === null
      ? [pairOf(c, 'x-async', BENCH_DIR)]
      : [pairOf(c, 'x-async', BENCH_DIR), pairOf(c, 'against', otherBench)],
  );
if (pairs.length === 0) {
  log(
    `bench: --filter ${opts.filter.join(',')} matches no case; cases: ${[...CASES, ...EXTRA_CASES, ...IO_CASES].join(' ')}`,
  );
  process.exit(2);
}

const started = Date.now();
runRoundRobin(pairs, { alternate: otherBench !== null });
const elapsedS = (Date.now() - started) / 1000;

const machine = collectMachine();
const summaryOf = (side) =>
  Object.fromEntries(
    pairs
      .filter((p) => p.side === side)
      .map((p) => [
        p.case,
        {
          n: SIZES[p.case],
          ok_runs: p.runs.length,
          errors: p.errors,
          stats: statsOf(p),
          runs: p.runs.map((r) => ({
            rep: r.rep,
            metrics: r.metrics,
            process_wall_s: r.processWallS,
          })),
        },
      ]),
  );
const summary = summaryOf('x-async');
const against = otherBench === null ? null : summaryOf('against');
/** Every row's paired ratio (`pairedRatio`), by case and metric; `--against` only. */
function pairedOf() {
  const out = {};
  for (const row of ROWS) {
    const s = summary[row.case];
    const o = against[row.case];
    if (!s || !o) continue;
    const p = pairedRatio(s.runs, o.runs, row.metric, row.better);
    if (p === null) continue;
    out[row.case] = { ...out[row.case], [row.metric]: p };
  }
  return out;
}
const json = {
  generated: new Date().toISOString(),
  elapsed_s: elapsedS,
  repeats: opts.repeats,
  filter: opts.filter.length ? opts.filter : null,
  machine,
  cases: summary,
  ...(against === null ? {} : { against: { dir: otherRoot, cases: against, paired: pairedOf() } }),
};
writeFileSync(`${opts.out}.json`, `${JSON.stringify(json, null, 2)}\n`);

const cell = (row, s) => {
  if (!s) return undefined;
  const st = s.stats[row.metric];
  // A `|` in an error's text would end the table cell.
  return st
    ? cellText(row.kind, row.unit, st, s.ok_runs)
    : `error: ${String(s.errors[0]).replaceAll('|', '\\|')}`;
};
/** This checkout's median over the other's, turned so that above 1 is better for this one. */
const ratio = (row, s, o) => {
  const a = s?.stats[row.metric]?.median;
  const b = o?.stats[row.metric]?.median;
  if (a === undefined || b === undefined) return '?';
  return (row.better === 'lower' ? b / a : a / b).toFixed(3);
};

const md = ['# x-async benchmarks: latest run', ''];
md.push(
  `Generated ${json.generated} by \`pnpm bench\` in ${(elapsedS / 60).toFixed(1)} min. Machine: ${machineLine(machine)}.`,
  '',
  `Each cell: **median** (min–max) over ${opts.repeats} runs, each a fresh process. ` +
    'Rates are per second of the timed phase. Workloads: see README.md.',
  '',
);
if (against === null) {
  md.push('| Workload | x-async |', '|---|---|');
} else {
  md.push(
    `Against: \`${otherRoot}\`, run in the same round-robin (each case of this checkout next to the other's, which of the two runs first alternating). ` +
      'Ratio: this checkout against the other, above 1 when this one is better (faster, or smaller where lower is better).',
    '',
    '| Workload | x-async (this checkout) | against | ratio |',
    '|---|---|---|---|',
  );
}
for (const row of ROWS) {
  const s = summary[row.case];
  if (!s) continue;
  if (against === null) {
    md.push(`| ${row.title} [${row.unit}] | ${cell(row, s)} |`);
  } else {
    const o = against[row.case];
    md.push(
      `| ${row.title} [${row.unit}] | ${cell(row, s)} | ${cell(row, o) ?? 'not run'} | ${ratio(row, s, o)} |`,
    );
  }
}
md.push('');
if (against !== null) {
  md.push(
    'Paired ratios: the two checkouts run a case back to back in every round, so each round gives one ratio measured under one load of the machine; ' +
      'the median of those ratios (above 1 better for this checkout) and, in brackets, their quartiles.',
    '',
    '| Workload | paired ratio (quartiles) | rounds |',
    '|---|---|---|',
  );
  for (const row of ROWS) {
    const p = json.against.paired[row.case]?.[row.metric];
    if (p === undefined) continue;
    md.push(
      `| ${row.title} [${row.unit}] | **${p.median.toFixed(3)}** (${p.q1.toFixed(3)}–${p.q3.toFixed(3)}) | ${p.pairs} |`,
    );
  }
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
log(`bench: wrote ${opts.out}.json and ${opts.out}.md`);
if (failed.length) process.exit(1);
