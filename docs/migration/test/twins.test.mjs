// Each chapter of the migration guide is three files: NN-topic.md, the narrative, and its
// twins NN-topic.py and NN-topic.ts. For every chapter:
// - the page shows both programs word for word, and what they print (the ```text block
//   after "Both print:");
// - the TypeScript twin prints exactly that and ends with status 0 (the .ts file itself on
//   a Node that strips types, else the JavaScript tsc compiled into dist/);
// - so does the Python twin, under python3 (3.11 or later, or the version its second line
//   names; CPython's asyncio is the reference). Without one, that half is skipped, and the
//   skip says why.
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

// A twin needs Python 3.11, or the version its second line names
// ("# Needs Python 3.13 or later: ..."). The first interpreter recent enough runs it;
// PYENV_VERSION lets pyenv's shim of python3.13 find its version.
const pythons = new Map();
function pythonFor(minor) {
  if (!pythons.has(minor)) {
    const candidates = [
      ['python3', {}],
      ['python3.14', { PYENV_VERSION: '3.14' }],
      ['python3.13', { PYENV_VERSION: '3.13' }],
    ];
    const check = `import sys; print(sys.version_info >= (3, ${minor}))`;
    const found = candidates.find(([cmd, env]) => {
      const r = spawnSync(cmd, ['-c', check], {
        encoding: 'utf8',
        env: { ...process.env, ...env },
      });
      return r.status === 0 && r.stdout.trim() === 'True';
    });
    pythons.set(minor, found ?? null);
  }
  return pythons.get(minor);
}

function runTwin(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, {
    cwd: dir,
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, XASYNC_DEBUG: '', NO_COLOR: '1', FORCE_COLOR: '0', ...env },
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
  const minor = Number(py.split('\n')[1]?.match(/^# Needs Python 3\.(\d+) or later/)?.[1] ?? 11);
  const python = pythonFor(minor);

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

  test.skipIf(!python)(`the Python twin prints it (Python >= 3.${minor})`, () => {
    const [cmd, env] = python;
    const r = runTwin(cmd, [`${chapter}.py`], env);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(expected);
    expect(r.status).toBe(0);
  });
});
