/**
 * `@x/runner/cli`: the `xrun` command. `xrun [--debug] file.js [args...]`
 * imports the module and runs its exported `main` (or its default export)
 * with `runMain()`, as `python file.py` runs a script whose last line is
 * `asyncio.run(main())`.
 *
 * `xrun()` here decides what to do and bin/xrun.js does it (prints, exits or
 * calls `runMain()`), so that the decisions can be tested in one process.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { getRunningLoopOrNull } from '@x/loop';
import type { Main, RunnerOptions } from './runner.js';

/** What `xrun --help` prints. */
export const USAGE = `usage: xrun [--debug] file.js [args...]

Imports file.js and runs its exported main (or its default export) with
runMain(): Ctrl-C (SIGINT) and SIGTERM cancel it and run its cleanup, and the
exit status is what Python's would be (0, 1 for an uncaught error, 130 after
Ctrl-C, 143 after SIGTERM).

  file.js       a module: export function* main() { ... }
  args...       passed to the module: process.argv.slice(2) in it
  --debug       run the event loop in debug mode (as XASYNC_DEBUG=1)
  -h, --help    show this help
`;

/**
 * `xrun` stops before running anything: `stderr` is what it prints (the
 * whole text, newline included) and `status` its exit status (2 for a bad
 * command line, 1 when the module itself throws while loading).
 */
export class XrunError extends Error {
  constructor(
    /** The text for stderr. */
    readonly stderr: string,
    /** The exit status. */
    readonly status: number,
    options?: ErrorOptions,
  ) {
    super(stderr.trimEnd(), options);
    this.name = 'XrunError';
  }
}

/**
 * What `xrun` does once the module is loaded: print the help, run `main`
 * with `runMain(main, options)`, or nothing, because the module ran itself.
 */
export type XrunPlan =
  | { readonly action: 'help'; readonly text: string }
  | {
      readonly action: 'run';
      readonly main: Main<unknown>;
      readonly options: RunnerOptions | undefined;
    }
  | { readonly action: 'none' };

function usageError(message: string): XrunError {
  return new XrunError(`xrun: ${message}\n`, 2);
}

/**
 * Reads `xrun`'s arguments (`process.argv.slice(2)`), sets `process.argv` to
 * what the module should see, imports it and says what to run. Throws
 * `XrunError` where `xrun` must stop.
 */
export async function xrun(argv: readonly string[]): Promise<XrunPlan> {
  let debug = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      i++;
      break;
    }
    if (arg === '-h' || arg === '--help') return { action: 'help', text: USAGE };
    if (arg === '--debug') {
      debug = true;
    } else if (arg.startsWith('-') && arg !== '-') {
      throw usageError(`unknown option '${arg}'\n\n${USAGE}`);
    } else {
      break;
    }
  }
  const file = argv[i];
  if (file === undefined) throw usageError(`no file to run\n\n${USAGE}`);
  const path = resolve(process.cwd(), file);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw usageError(`cannot find '${file}' (looked for ${path})`);
  }
  // The module sees its own arguments, as a script run by node would.
  process.argv = [process.argv[0] as string, path, ...argv.slice(i + 1)];
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    const text = e instanceof Error ? inspect(e) : `Uncaught ${inspect(e)}`;
    throw new XrunError(`${text}\n`, 1, { cause: e });
  }
  // The module ran itself (`runMain(main)` as its last line): let that run be the program.
  if (getRunningLoopOrNull() !== null) return { action: 'none' };
  const entry = mod.main ?? mod.default;
  if (entry === undefined || entry === null) {
    throw usageError(
      `${file} exports neither main nor a default export: add \`export function* main() { ... }\``,
    );
  }
  return {
    action: 'run',
    main: entry as Main<unknown>,
    options: debug ? { debug: true } : undefined,
  };
}
