/** `runMain()`: a program's entry point, as `sys.exit(asyncio.run(main()))` with Python's exit rules. */
import { constants } from 'node:os';
import { inspect } from 'node:util';
import { KeyboardInterrupt, SystemExit } from '@x/loop';
import { SignalExit } from '@x/signals';
import { run } from './run.js';
import type { Main, RunnerOptions } from './runner.js';
import { openTaskInspector } from './task-inspector.js';

/** Calls `cb` once everything written to stdout and stderr so far has been handed to the OS. */
function flushStdio(cb: () => void): void {
  let left = 2;
  const done = (): void => {
    if (--left === 0) cb();
  };
  for (const stream of [process.stdout, process.stderr]) {
    try {
      stream.write('', done);
    } catch {
      done();
    }
  }
}

function exitWith(code: number): void {
  flushStdio(() => process.exit(code));
}

/**
 * Ends the process by `sig`, as Python does after an uncaught
 * `KeyboardInterrupt`: a shell then sees 128 + the signal's number (130
 * for SIGINT, 143 for SIGTERM) and a parent sees the signal.
 */
function dieBy(sig: NodeJS.Signals): void {
  flushStdio(() => {
    // With no listener left the signal's default action applies: it ends the process.
    process.removeAllListeners(sig);
    process.kill(process.pid, sig);
    // Should the signal not end it (ignored, or a platform without kill), exit as a shell would report it.
    setTimeout(() => process.exit(128 + (constants.signals[sig] ?? 0)), 1000);
  });
}

function describe(e: unknown): string {
  if (e instanceof Error) return inspect(e);
  return `Uncaught ${inspect(e)}`;
}

/**
 * The last line of a program: runs `main` with `run()` and ends the process
 * the way Python ends after `asyncio.run(main())`.
 *
 * - `main` returns: exit status `process.exitCode` (0 unless the program set
 *   it), nothing printed.
 * - `main` throws: the error's stack on stderr, exit status 1.
 * - `SystemExit(code)`: that status; a string code is printed on stderr and
 *   gives status 1 (`sys.exit('message')`).
 * - SIGINT or SIGTERM (or `KeyboardInterrupt`): the main task is cancelled,
 *   the cleanup runs, then the process ends by that same signal, so a shell
 *   sees 130 or 143.
 *
 * Defaults differ from `run()`: `signals: ['SIGINT', 'SIGTERM']` and
 * `shutdownTimeout: 30` (seconds), so that a task refusing to stop cannot
 * keep a stopped program alive.
 *
 * While it runs, `xrun ps PID` and `xrun pstree PID` can read the program's
 * tasks, through a Unix socket in a directory private to the user
 * (`XASYNC_INSPECT=0` turns it off); it never keeps the process alive.
 *
 * @example
 * ```ts
 * // Python: if __name__ == '__main__':
 * //             asyncio.run(main())
 * runMain(main);
 * ```
 */
export function runMain<T>(main: Main<T>, options?: RunnerOptions): void {
  const opts: RunnerOptions = {
    ...options,
    signals: options?.signals ?? ['SIGINT', 'SIGTERM'],
    shutdownTimeout: options?.shutdownTimeout === undefined ? 30 : options.shutdownTimeout,
  };
  // `xrun ps PID` reads this program's tasks through it (see inspect-channel.ts).
  const closeInspector = openTaskInspector();
  run(main, opts).then(
    () => {
      closeInspector();
      const code = process.exitCode;
      exitWith(code === undefined || code === null || code === '' ? 0 : Number(code));
    },
    (e: unknown) => {
      closeInspector();
      if (e instanceof KeyboardInterrupt) {
        dieBy('SIGINT');
      } else if (e instanceof SignalExit) {
        dieBy(e.signal);
      } else if (e instanceof SystemExit) {
        const code = e.code;
        if (code === undefined || code === null) {
          exitWith(0);
        } else if (typeof code === 'number' && Number.isInteger(code)) {
          exitWith(code);
        } else {
          // Python prints any other code and exits with 1.
          process.stderr.write(`${String(code)}\n`);
          exitWith(1);
        }
      } else {
        process.stderr.write(`${describe(e)}\n`);
        exitWith(1);
      }
    },
  );
}
