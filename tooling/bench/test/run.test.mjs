// `pnpm bench`'s options: `--against DIR` (the same workloads of another built checkout in
// the same run, with a column and a ratio for it: "before and after, in one run"), and
// `--filter`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { pairedRatio, parseArgs, selected } from '../lib/driver.mjs';

const benchDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'x-bench-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function bench(args) {
  const r = spawnSync(process.execPath, ['run.mjs', ...args], { cwd: benchDir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('pnpm bench --against', () => {
  it('runs each case of both checkouts and gives the other column and the ratio', () => {
    // This checkout against itself: a built checkout the test knows is there.
    const out = join(tmp, 'self');
    const r = bench(['--repeats', '2', '--filter', 'W7', '--against', repoRoot, '--out', out]);
    expect(r.err).not.toContain('ERROR');
    expect(r.code).toBe(0);
    // Both sides ran, alternating which runs first.
    const order = r.err.match(/rep \d\/2 (x-async|against)\/W7/g);
    expect(order).toEqual([
      'rep 1/2 x-async/W7',
      'rep 1/2 against/W7',
      'rep 2/2 against/W7',
      'rep 2/2 x-async/W7',
    ]);
    const md = readFileSync(`${out}.md`, 'utf8');
    expect(md).toContain('| Workload | x-async (this checkout) | against | ratio |');
    const row = md.split('\n').find((l) => l.startsWith('| W7 cancel + gather'));
    const cells = row
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    expect(cells).toHaveLength(4);
    expect(cells[1]).toMatch(/^\*\*[\d.]+k\/s\*\* \(/);
    expect(cells[2]).toMatch(/^\*\*[\d.]+k\/s\*\* \(/);
    expect(cells[3]).toMatch(/^\d+\.\d{3}$/);
    const json = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    expect(json.cases.W7.ok_runs).toBe(2);
    expect(json.against.dir).toBe(resolve(repoRoot));
    expect(json.against.cases.W7.ok_runs).toBe(2);
    const ratio = json.cases.W7.stats.rate.median / json.against.cases.W7.stats.rate.median;
    expect(cells[3]).toBe(ratio.toFixed(3));
  });

  it('gives each row the median of the ratios of the runs of one round, and their quartiles', () => {
    const out = join(tmp, 'paired');
    const r = bench(['--repeats', '3', '--filter', 'W7', '--against', repoRoot, '--out', out]);
    expect(r.err).not.toContain('ERROR');
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    const mine = json.cases.W7.runs;
    const theirs = json.against.cases.W7.runs;
    expect(mine.map((x) => x.rep)).toEqual([0, 1, 2]);
    expect(theirs.map((x) => x.rep)).toEqual([0, 1, 2]);
    const ratios = mine
      .map((x, i) => x.metrics.rate / theirs[i].metrics.rate)
      .sort((a, b) => a - b);
    const p = json.against.paired.W7.rate;
    expect(p).toEqual({ median: ratios[1], q1: ratios[0], q3: ratios[2], pairs: 3 });
    const md = readFileSync(`${out}.md`, 'utf8');
    expect(md).toContain('| Workload | paired ratio (quartiles) | rounds |');
    const rows = md.split('\n').filter((l) => l.startsWith('| W7 cancel + gather'));
    expect(rows).toHaveLength(2);
    expect(rows[1]).toBe(
      `| W7 cancel + gather [cancellations/s] | **${ratios[1].toFixed(3)}** (${ratios[0].toFixed(3)}–${ratios[2].toFixed(3)}) | 3 |`,
    );
  });

  it('pairs runs by round, skips a round one side lost, and turns lower-is-better metrics', () => {
    const run = (rep, v) => ({ rep, metrics: { s: v } });
    // Round 1 of the other side failed: its ratio is left out, not paired with round 2.
    const mine = [run(0, 2), run(1, 4), run(2, 3), run(3, 1)];
    const theirs = [run(0, 1), run(2, 6), run(3, 4)];
    expect(pairedRatio(mine, theirs, 's', 'higher')).toEqual({
      median: 0.5,
      q1: 0.25,
      q3: 2,
      pairs: 3,
    });
    // Seconds: this checkout taking half the time is a ratio of 2.
    expect(pairedRatio([run(0, 1)], [run(0, 2)], 's', 'lower')).toEqual({
      median: 2,
      q1: 2,
      q3: 2,
      pairs: 1,
    });
    expect(pairedRatio([run(0, 1)], [run(1, 2)], 's', 'higher')).toBeNull();
  });

  it('refuses a directory that is not a built checkout, and says what to give', () => {
    const r = bench(['--against', tmp, '--out', join(tmp, 'none')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `--against ${tmp}: ${join(tmp, 'tooling', 'bench', 'workloads', 'xasync.mjs')} does not exist`,
    );
    expect(r.err).toContain('give the root of a checkout whose packages are built');
  });

  it('is an option of `pnpm bench` only', () => {
    expect(parseArgs(['--against', '../before'], { repeats: 5, against: undefined }).against).toBe(
      '../before',
    );
    expect(() => parseArgs(['--against', 'x'], { repeats: 5 })).toThrow(
      'unknown option --against; known: --repeats N, --filter W1,W3, --out PREFIX',
    );
    expect(() => parseArgs(['--against'], { repeats: 5, against: undefined })).toThrow(
      '--against needs a value',
    );
  });
});

describe('pnpm bench --filter', () => {
  it('matches a part of runtime/case, or its end with a trailing $', () => {
    expect(selected(['W1'], 'x-async/W12.wake')).toBe(true);
    expect(selected(['W1$'], 'x-async/W12.wake')).toBe(false);
    expect(selected(['W1$'], 'x-async/W1')).toBe(true);
    expect(selected(['W5$', 'W3'], 'x-async/W5.futures')).toBe(false);
    expect(selected(['W5$', 'W3'], 'x-async/W3')).toBe(true);
    expect(selected([], 'x-async/W9')).toBe(true);
  });
});
