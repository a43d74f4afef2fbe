// Scenario 11: child processes with @x/io: a two-process pipeline with the parent pumping
// one child's output into the other's input, with backpressure, and the same through a shell.
import { describe, expect, test } from 'vitest';
import { out, runExample } from './helpers.mjs';

describe('subprocesses', () => {
  test('a pipeline seq | sort -rn, pumped by the parent, and through /bin/sh', async () => {
    const r = await runExample('11-subprocesses/pipeline.ts');
    expect(r.stdout).toBe(
      out(
        '50000 lines, the largest first: 50000, 49999, 49998',
        'exit status: seq 0, sort 0',
        'the same through /bin/sh: 50000, 49999, 49998',
      ),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
