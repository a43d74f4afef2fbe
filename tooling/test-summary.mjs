#!/usr/bin/env node
// Prints one closing line for the last test run: "tests: N passed, N failed[, N skipped]",
// summed over the Vitest JSON reports (test-results/vitest.json) of every workspace package.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dirs = [
  ...readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d)),
  join(root, 'tooling'),
  join(root, 'tooling', 'bench'),
  join(root, 'tooling', 'runtimes'),
  join(root, 'examples'),
  join(root, 'docs', 'migration'),
];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const dir of dirs) {
  const file = join(dir, 'test-results', 'vitest.json');
  if (!existsSync(file)) continue;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (passed + failed === 0) {
  console.error('test-summary: no test results found');
  process.exit(1);
}
