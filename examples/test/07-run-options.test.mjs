// Scenario 7: run() in debug mode, and a Runner running several coroutines on one
// loop in one context.
import { describe, expect, test } from 'vitest';
import { out, runExample } from './helpers.mjs';

describe('run() options and Runner', () => {
  test('debug: true reports a step that blocked the loop for longer than 0.1 s', async () => {
    const r = await runExample('07-run-options/debug-slow-callback.ts');
    expect(r.stdout).toBe(out('debug: true, slowCallbackDuration: 0.1', 'main is done'));
    // The warning names the main task and where it was created, and the time taken.
    // (On a loaded machine another step may be slow too: each line is such a warning.)
    const warnings = r.stderr.split('\n').filter((l) => l !== '');
    for (const w of warnings) expect(w).toMatch(/^Executing <.*> took \d+\.\d{3} seconds$/);
    const main = warnings.find((w) => /<Task .*name='Task-1'.* created at [^>]+>/.test(w));
    expect(main).toBeDefined();
    expect(Number(main.match(/took (\d+\.\d{3}) seconds/)[1])).toBeGreaterThanOrEqual(0.15);
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect(r.status).toBe(0);
  });

  test('Runner: one loop and one context shared by several runs', async () => {
    const r = await runExample('07-run-options/runner-context.ts');
    expect(r.stdout).toBe(
      out(
        'first run: set requestId = req-42',
        'second run: requestId = req-42',
        'listener (started in the first run) got "hello"',
        'third run, in a context of its own: requestId = none',
        'one loop for every run: true',
        'listener cancelled by runner.close()',
        'after close(): the loop is closed: true',
        'runner.run() after close(): RuntimeError: Runner is closed',
      ),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
