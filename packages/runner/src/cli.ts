#!/usr/bin/env node
/**
 * The `xrun` command: `xrun [--debug] file.js [args...]` imports the module
 * and runs its exported `main` (or its default export) with `runMain()`,
 * as `python file.py` runs a script whose last line is `asyncio.run(main())`.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { getRunningLoopOrNull } from '@x/loop';
import { runMain } from './run-main.js';

const USAGE = `usage: xrun [--debug] file.js [args...]

Imports file.js and runs its exported main (or its default export) with
runMain(): Ctrl-C (SIGINT) and SIGTERM cancel it and run its cleanup, and the
exit status is what Python's would be (0, 1 for an uncaught error, 130 after
Ctrl-C, 143 after SIGTERM).

  file.js       a module: export function* main() { ... }
  args...       passed to the module: process.argv.slice(2) in it
  --debug       run the event loop in debug mode (as XASYNC_DEBUG=1)
  -h, --help    show this help
`;

function fail(message: string, code: number): never {
  process.stderr.write(`xrun: ${message}\n`);
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  let debug = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      i++;
      break;
    }
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(USAGE);
      return;
    }
    if (arg === '--debug') {
      debug = true;
    } else if (arg.startsWith('-') && arg !== '-') {
      fail(`unknown option '${arg}'\n\n${USAGE}`, 2);
    } else {
      break;
    }
  }
  const file = argv[i];
  if (file === undefined) fail(`no file to run\n\n${USAGE}`, 2);
  const path = resolve(process.cwd(), file);
  if (!existsSync(path) || !statSync(path).isFile()) {
    fail(`cannot find '${file}' (looked for ${path})`, 2);
  }
  // The module sees its own arguments, as a script run by node would.
  process.argv = [process.argv[0] as string, path, ...argv.slice(i + 1)];
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? inspect(e) : `Uncaught ${inspect(e)}`}\n`);
    process.exit(1);
  }
  // The module ran itself (`runMain(main)` as its last line): let that run be the program.
  if (getRunningLoopOrNull() !== null) return;
  const entry = mod.main ?? mod.default;
  if (entry === undefined || entry === null) {
    fail(
      `${file} exports neither main nor a default export: add \`export function* main() { ... }\``,
      2,
    );
  }
  runMain(entry as never, debug ? { debug: true } : undefined);
}

await main(process.argv.slice(2));
