// Each chapter of the migration guide is three files: NN-topic.md, the narrative, and its
// twins NN-topic.py and NN-topic.ts. For every chapter:
// - the page shows both programs word for word, and what they print (the ```text block
//   after "Both print:");
// - the TypeScript twin prints exactly that and ends with status 0 (the .ts file itself on
//   a Node that strips types, else the JavaScript tsc compiled into dist/);
// - so does the Python twin, under python3 (3.11 or later; CPython's asyncio is the
//   reference). Without one, that half is skipped, and the skip says why.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const dir = fileURLToPath(new URL('..', import.meta.url));
const chapters = readdirSync(dir)
  .filter((f) => /^\d\d-[a-z0-9-]+\.ts$/.test(f))
  .map((f) => f.slice(0, -3))
  .sort();
const stripsTypes = Boolean(process.features.typescript);

const python = (() => {
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.version_info >= (3, 11))'], {
    encoding: 'utf8',
  });
  return r.status === 0 && r.stdout.trim() === 'True';
})();

function runTwin(cmd, args) {
  const r = spawnSync(cmd, args, {
    cwd: dir,
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, XASYNC_DEBUG: '', NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

test('the guide has its chapters, each a page with two twins', () => {
  expect(chapters.length).toBeGreaterThanOrEqual(6);
  for (const c of chapters) {
    expect(existsSync(join(dir, `${c}.md`)), `${c}.md`).toBe(true);
    expect(existsSync(join(dir, `${c}.py`)), `${c}.py`).toBe(true);
  }
  const index = readFileSync(join(dir, 'README.md'), 'utf8');
  for (const c of chapters) expect(index, `README.md links ${c}.md`).toContain(`(${c}.md)`);
});

describe.each(chapters)('%s', (chapter) => {
  const page = readFileSync(join(dir, `${chapter}.md`), 'utf8');
  const py = readFileSync(join(dir, `${chapter}.py`), 'utf8');
  const ts = readFileSync(join(dir, `${chapter}.ts`), 'utf8');
  const expected = page.match(/Both print:\n\n```text\n([\s\S]*?)```/)?.[1];

  test('the page shows both programs as they are, and what they print', () => {
    expect(page).toContain(`\`\`\`python\n${py}\`\`\``);
    expect(page).toContain(`\`\`\`ts\n${ts}\`\`\``);
    expect(expected, 'a ```text block after "Both print:"').toBeTruthy();
  });

  test('the TypeScript twin prints it', () => {
    const program = stripsTypes ? `${chapter}.ts` : join('dist', `${chapter}.js`);
    const r = runTwin(process.execPath, [program]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(expected);
    expect(r.status).toBe(0);
  });

  test.skipIf(!python)('the Python twin prints it (python3 >= 3.11)', () => {
    const r = runTwin('python3', [`${chapter}.py`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(expected);
    expect(r.status).toBe(0);
  });
});
