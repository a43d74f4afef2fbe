#!/usr/bin/env node
// `pnpm bench`: the seven anchor workloads on @x/loop and @x/tasks (their dist/ builds).
// Every case runs in a fresh process, several times, round-robin; the table shows the
// median and (min–max). Writes results/latest.json and results/latest.md.
//
//   node run.mjs [--repeats N] [--filter W1,W3] [--out PREFIX]
import { writeFileSync } from 'node:fs';
import {
  BENCH_DIR,
  cellText,
  collectMachine,
  join,
  log,
  machineLine,
  parseArgs,
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
  });
} catch (e) {
  log(`bench: ${e.message}`);
  process.exit(2);
}

const pairs = [...CASES, ...EXTRA_CASES, ...IO_CASES]
  .filter((c) => selected(opts.filter, `x-async/${c}`))
  .map((c) => ({
    id: `x-async/${c}`,
    case: c,
    cmd: process.execPath,
    args: [scriptOf(c), c],
    cwd: BENCH_DIR,
    repeats: opts.repeats,
    runs: [],
    errors: [],
  }));
if (pairs.length === 0) {
  log(
    `bench: --filter ${opts.filter.join(',')} matches no case; cases: ${[...CASES, ...EXTRA_CASES, ...IO_CASES].join(' ')}`,
  );
  process.exit(2);
}

const started = Date.now();
runRoundRobin(pairs);
const elapsedS = (Date.now() - started) / 1000;

const machine = collectMachine();
const summary = Object.fromEntries(
  pairs.map((p) => [
    p.case,
    {
      n: SIZES[p.case],
      ok_runs: p.runs.length,
      errors: p.errors,
      stats: statsOf(p),
      runs: p.runs.map((r) => ({ metrics: r.metrics, process_wall_s: r.processWallS })),
    },
  ]),
);
const json = {
  generated: new Date().toISOString(),
  elapsed_s: elapsedS,
  repeats: opts.repeats,
  filter: opts.filter.length ? opts.filter : null,
  machine,
  cases: summary,
};
writeFileSync(`${opts.out}.json`, `${JSON.stringify(json, null, 2)}\n`);

const md = ['# x-async benchmarks: latest run', ''];
md.push(
  `Generated ${json.generated} by \`pnpm bench\` in ${(elapsedS / 60).toFixed(1)} min. Machine: ${machineLine(machine)}.`,
  '',
  `Each cell: **median** (min–max) over ${opts.repeats} runs, each a fresh process. ` +
    'Rates are per second of the timed phase. Workloads: see README.md.',
  '',
  '| Workload | x-async |',
  '|---|---|',
);
for (const row of ROWS) {
  const s = summary[row.case];
  if (!s) continue;
  const st = s.stats[row.metric];
  const text = st ? cellText(row.kind, row.unit, st, s.ok_runs) : `error: ${s.errors[0]}`;
  md.push(`| ${row.title} [${row.unit}] | ${text} |`);
}
md.push('');
const failed = Object.entries(summary).filter(([, s]) => s.errors.length);
if (failed.length) {
  md.push('Errors:', '');
  for (const [c, s] of failed) md.push(`- ${c}: ${s.errors.length} failed run(s): ${s.errors[0]}`);
  md.push('');
}
writeFileSync(`${opts.out}.md`, md.join('\n'));
process.stdout.write(`${md.join('\n')}\n`);
log(`bench: wrote ${opts.out}.json and ${opts.out}.md`);
if (failed.length) process.exit(1);
