import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkLayers, findImports } from '../check-layers.mjs';

const script = fileURLToPath(new URL('../check-layers.mjs', import.meta.url));
const fixture = (name) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function run(name) {
  const r = spawnSync(process.execPath, [script, fixture(name)], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('check-layers CLI', () => {
  it('accepts downward imports, type-only builtin imports, a Node entry point, comments', () => {
    const { code, out } = run('ok');
    expect(out).toContain('check-layers: OK');
    expect(code).toBe(0);
  });

  it('rejects an upward import even when it is declared', () => {
    const { code, out } = run('upward');
    expect(code).toBe(1);
    expect(out).toContain(
      "packages/loop/src/index.ts:1: layer violation: @x/loop imports '@x/tasks'",
    );
    expect(out).toContain('may import only no @x package');
  });

  it('rejects a sideways import between siblings (export ... from)', () => {
    const { code, out } = run('sideways');
    expect(code).toBe(1);
    expect(out).toContain(
      "layer violation: @x/tasks imports '@x/signals', but may import only @x/loop",
    );
  });

  it('rejects a bare import not declared in dependencies', () => {
    const { code, out } = run('undeclared');
    expect(code).toBe(1);
    expect(out).toContain(
      "@x/signals imports 'lodash-es', but 'lodash-es' is not in its package.json dependencies",
    );
  });

  it('rejects Node builtin imports in @x/loop and @x/tasks, dynamic ones too', () => {
    const { code, out } = run('node-static');
    expect(code).toBe(1);
    expect(out).toContain('6 violation(s)');
    expect(out).toContain(
      "packages/loop/src/index.ts:1: @x/loop must load without Node, but imports the Node builtin 'node:events'",
    );
    expect(out).toContain('packages/loop/src/deep/util.ts:1: @x/loop must load without Node');
    expect(out).toContain(
      "packages/loop/src/deep/util.ts:2: @x/loop must load without Node, but imports the Node builtin 'node:worker_threads'",
    );
    expect(out).toContain(
      "packages/loop/src/index.ts:2: @x/loop must load without Node, but imports its Node entry point './node/index.js'",
    );
    expect(out).toContain(
      "packages/tasks/src/index.ts:1: @x/tasks must load without Node, but imports the Node builtin 'fs'",
    );
    expect(out).toContain(
      "packages/tasks/src/index.ts:2: @x/tasks imports the Node entry point '@x/loop/node', which only @x/signals, @x/runner, @x/io may import",
    );
  });

  it('checks the real repository', () => {
    const root = fileURLToPath(new URL('..', new URL('../', import.meta.url)));
    expect(checkLayers(root)).toEqual([]);
  });
});

describe('findImports', () => {
  it('finds every import form and ignores comments', () => {
    const src = [
      "import a from 'a';",
      'import {',
      '  b,',
      "} from 'b';",
      "import type { C } from 'c';",
      "export * from 'd';",
      "export { e } from 'e';",
      "import 'f';",
      "const g = await import('g');",
      "// import h from 'h';",
      "/* import('i') */",
      'export const s = "import j from \'j\'";',
    ].join('\n');
    expect(findImports(src).map((i) => [i.spec, i.kind, i.typeOnly, i.line])).toEqual([
      ['a', 'static', false, 1],
      ['b', 'static', false, 2],
      ['c', 'static', true, 5],
      ['d', 'static', false, 6],
      ['e', 'static', false, 7],
      ['f', 'static', false, 8],
      ['g', 'dynamic', false, 9],
    ]);
  });
});
