#!/usr/bin/env node
// The `xrun` command: src/cli.ts decides what to do, and this does it.
import { XrunError, xrun } from '../dist/cli.js';
import { runMain } from '../dist/run-main.js';

let plan;
try {
  plan = await xrun(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof XrunError)) throw e;
  process.stderr.write(e.stderr);
  process.exit(e.status);
}
if (plan.action === 'help' || plan.action === 'print') process.stdout.write(plan.text);
else if (plan.action === 'run') runMain(plan.main, plan.options);
