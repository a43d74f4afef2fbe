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
import { formatTaskTable, formatTaskTree, InspectError, readSnapshot } from './ps.js';
import type { Main, RunnerOptions } from './runner.js';

/** What `xrun --help` prints. */
export const USAGE = `usage: xrun [--debug] file.js [args...]
       xrun ps PID
       xrun pstree PID

Imports file.js and runs its exported main (or its default export) with
runMain(): Ctrl-C (SIGINT) and SIGTERM cancel it and run its cleanup, and the
exit status is what Python's would be (0, 1 for an uncaught error, 130 after
Ctrl-C, 143 after SIGTERM).

  file.js       a module: export function* main() { ... }
  args...       passed to the module: process.argv.slice(2) in it
  --debug       run the event loop in debug mode (as XASYNC_DEBUG=1)
  -h, --help    show this help

xrun ps PID and xrun pstree PID print the tasks of the x-async program PID
(started with xrun or runMain() by the same user), as python -m asyncio
ps/pstree do: a table of every task with what awaits it, or the awaited-by
tree. Coroutine stacks are shown for programs running in debug mode.
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
  | { readonly action: 'none' }
  | { readonly action: 'print'; readonly text: string };

function usageError(message: string): XrunError {
  return new XrunError(`xrun: ${message}\n`, 2);
}

/**
 * Reads `xrun`'s arguments (`process.argv.slice(2)`), sets `process.argv` to
 * what the module should see, imports it and says what to run. Throws
 * `XrunError` where `xrun` must stop.
 */
export async function xrun(argv: readonly string[]): Promise<XrunPlan> {
  const sub = argv[0];
  if (sub === 'ps' || sub === 'pstree') return inspectCommand(sub, argv.slice(1));
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

/** `xrun ps PID` / `xrun pstree PID`: what to print, or the XrunError that says why not. */
async function inspectCommand(sub: 'ps' | 'pstree', args: readonly string[]): Promise<XrunPlan> {
  const pid = args[0];
  if (args.length !== 1 || pid === undefined || !/^[1-9]\d*$/.test(pid)) {
    throw usageError(`${sub} takes one process id, as in: xrun ${sub} 12345\n\n${USAGE}`);
  }
  try {
    const snapshot = await readSnapshot(Number(pid));
    const text = sub === 'ps' ? formatTaskTable(snapshot) : formatTaskTree(snapshot);
    return { action: 'print', text };
  } catch (e) {
    if (e instanceof InspectError) {
      const prefix = e.message.startsWith('ERROR:') ? '' : 'xrun: ';
      throw new XrunError(`${prefix}${e.message}\n`, 1, { cause: e });
    }
    throw e;
  }
}
