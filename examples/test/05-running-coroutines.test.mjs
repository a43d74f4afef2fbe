// Scenario 5: running one coroutine with runUntilComplete(), and several with
// createTask + gather + runUntilComplete; concurrent coroutines interleave.
import { describe, expect, test } from 'vitest';
import { out, runExample } from './helpers.mjs';

const interleaved = ['1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'];

describe('running coroutines', () => {
  test('run() + gather(): display_nums and display_letters interleave', async () => {
    const r = await runExample('05-running-coroutines/nums-and-letters.ts');
    expect(r.stdout).toBe(out(...interleaved));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('runUntilComplete() runs one coroutine and resolves with its result', async () => {
    const r = await runExample('05-running-coroutines/run-until-complete.ts');
    expect(r.stdout).toBe(out('1', '2', '3', '4', '5', 'runUntilComplete() resolved with "done"'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('createTask + gather + runUntilComplete: the tasks interleave', async () => {
    const r = await runExample('05-running-coroutines/gather-until-complete.ts');
    expect(r.stdout).toBe(
      out(...interleaved, 'runUntilComplete() resolved with ["numbers done","letters done"]'),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
