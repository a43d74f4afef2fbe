// Every example program is TypeScript: CI typechecks it strictly (tsconfig.json), runs it,
// and the release check typechecks it again from a consumer project. A JavaScript example
// would skip all of that, so one is refused here, with what to do.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, test } from 'vitest';
import { examplesDir } from './helpers.mjs';

function programs(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      return ['node_modules', 'dist', 'test', 'test-results'].includes(e.name)
        ? []
        : programs(path);
    }
    return /\.[cm]?[jt]sx?$/.test(e.name) ? [relative(examplesDir, path)] : [];
  });
}

test('every example program is a .ts file', () => {
  const all = programs(examplesDir).filter((f) => f !== 'vitest.config.mjs');
  const javascript = all.filter((f) => !f.endsWith('.ts'));
  expect(
    javascript,
    'rename these to .ts, type them, and import siblings as ./name.ts (see examples/README.md)',
  ).toEqual([]);
  expect(all.length).toBeGreaterThanOrEqual(20);
});
