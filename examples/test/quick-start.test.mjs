// The quick start of the root README (and of the API reference's landing page) is
// examples/quick-start.ts, word for word, and runs.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { examplesDir, out, runExample } from './helpers.mjs';

test('the README quick start is examples/quick-start.ts', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = readme.match(/## Quick start\n[\s\S]*?```ts\n([\s\S]*?)```/)?.[1];
  expect(block).toBe(readFileSync(`${examplesDir}/quick-start.ts`, 'utf8'));
  expect(block.split('\n').length - 1).toBeLessThanOrEqual(20);
});

test('the API reference landing page shows the same program', () => {
  const home = readFileSync(new URL('../../docs/api-home.md', import.meta.url), 'utf8');
  expect(home).toContain(
    `\`\`\`ts\n${readFileSync(`${examplesDir}/quick-start.ts`, 'utf8')}\`\`\``,
  );
});

test('quick-start.ts: gather runs both fetches, timeout cancels the sleep', async () => {
  const r = await runExample('quick-start.ts');
  expect(r.stdout).toBe(
    out('user 1, user 2', 'timed out: the sleep was cancelled where it waited'),
  );
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});
