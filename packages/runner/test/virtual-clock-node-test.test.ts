// `runWithVirtualClock` depends on no test framework: the same helper under `node --test`,
// in a child process running the built packages.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('runWithVirtualClock works under node:test', async () => {
  const file = join(
    dirname(fileURLToPath(import.meta.url)),
    'fixtures',
    'virtual-clock.node-test.mjs',
  );
  const out = await new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--test', '--test-reporter=tap', file],
      { timeout: 60_000 },
      (err, stdout) => resolve({ code: err ? 1 : 0, stdout }),
    );
  });
  expect(out.stdout).toMatch(/# pass 1/);
  expect(out.code).toBe(0);
}, 60_000);
