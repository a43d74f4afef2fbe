// Scenario 1 of the asyncio guides: how a program exits the event loop, and what the
// caller of run() sees in each case.
import { describe, expect, test } from 'vitest';
import { out, runExample } from './helpers.mjs';

describe('exiting the event loop', () => {
  test('the main coroutine finishes: run() resolves with its return value', async () => {
    const r = await runExample('01-exiting/main-finishes.ts');
    expect(r.stdout).toBe(
      out(
        'Main is running',
        'Task is running',
        'Task is done',
        'Main is done',
        'run() resolved with "finished"',
      ),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('the main coroutine returns early: run() resolves with that value', async () => {
    const r = await runExample('01-exiting/main-returns-early.ts');
    expect(r.stdout).toBe(
      out(
        'Main is running',
        'Task is running',
        'Task is done',
        'Main is returning early',
        'run() resolved with "early"',
      ),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('the main coroutine throws: run() rejects with the same error', async () => {
    const r = await runExample('01-exiting/main-raises.ts');
    expect(r.stdout).toBe(
      out(
        'Main is running',
        'Task is running',
        'Task is done',
        'run() rejected with Error: Something bad happened',
      ),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
  });

  test('an uncaught error under runMain(): its stack on stderr, exit status 1', async () => {
    const r = await runExample('01-exiting/main-raises-uncaught.ts');
    expect(r.stdout).toBe(out('Main is running', 'Task is running', 'Task is done'));
    // The whole of stderr is the error's stack: its first line, then `at` frames,
    // the first of which is the line of the example that threw.
    expect(r.stderr).toMatch(
      /^Error: Something bad happened\n {4}at main \(file:\/\/\/.*\/main-raises-uncaught\.[jt]s:\d+:\d+\)\n( {4}at .*\n)*$/,
    );
    expect(r.status).toBe(1);
  });
});
