// The demo that `pnpm demo` runs. With stdin not a terminal (as here), it sends
// itself SIGINT for the Ctrl-C part, and says so.
import { expect, test } from 'vitest';
import { out, runExample } from './helpers.mjs';

test('demo.ts: concurrent tasks, a timeout, a TaskGroup failure, a graceful Ctrl-C', async () => {
  const r = await runExample('demo.ts');
  // Two lines report measured times; everything else is exact, but for the
  // order of the three fetches: their timers are set one after the other, so
  // on a loaded machine a stall between two of them can reorder 0.1 s apart.
  const fetched = /^ {2}fetched [abc] \(0\.\d s\)\n/gm;
  const fetches = r.stdout.match(fetched) ?? [];
  expect([...fetches].sort()).toEqual([
    '  fetched a (0.3 s)\n',
    '  fetched b (0.2 s)\n',
    '  fetched c (0.1 s)\n',
  ]);
  let n = 0;
  const inOrder = ['  fetched c (0.1 s)\n', '  fetched b (0.2 s)\n', '  fetched a (0.3 s)\n'];
  const stdout = r.stdout
    .replace(fetched, () => inOrder[n++])
    .replace(/all three took \d+\.\d s/, 'all three took <t> s')
    .replace(/Done in \d+\.\d s\./, 'Done in <t> s.');
  expect(stdout).toBe(
    out(
      'x-async demo: Python asyncio in TypeScript',
      '',
      '1. Concurrent tasks: three fetches of 0.3, 0.2 and 0.1 s, run at once with gather()',
      '  fetched c (0.1 s)',
      '  fetched b (0.2 s)',
      '  fetched a (0.3 s)',
      '  results in call order: ["a: 300 bytes","b: 200 bytes","c: 100 bytes"]',
      '  all three took <t> s: as long as the longest, not the sum (0.6 s)',
      '',
      '2. A timeout: a 10 s query inside timeout(0.2, ...)',
      '  the slow query was cancelled where it waited; its finally ran',
      "  TimeoutError after 0.2 s: the query's CancelledError became a TimeoutError",
      '',
      '3. A TaskGroup failure: one child fails, the group cancels its siblings',
      '  quick finished',
      '  slow was cancelled by the group',
      '  the group raised ExceptionGroup("unhandled errors in a TaskGroup") holding 1: Error: broken failed',
      '',
      '4. Ctrl-C: run() cancels the main task where it waits; finally blocks run',
      '  stdin is not a terminal: the demo sends itself SIGINT, as Ctrl-C would',
      '  CancelledError("SIGINT") at the wait',
      '  cleaning up in finally (a cleanup may wait, too)...',
      '  cleaned up',
      '',
      'run() rejected with KeyboardInterrupt once cleanup was over. Done in <t> s.',
      'More: examples/README.md, and the README of each package.',
    ),
  );
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});
