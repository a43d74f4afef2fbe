// Runs an example as a real child process and collects everything it prints.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const examplesDir = fileURLToPath(new URL('..', import.meta.url));

// Where the programs run from, in this order:
// - XASYNC_EXAMPLES_BUILD: a directory holding the examples compiled elsewhere, with the
//   packages installed beside them from their tarballs (the consumer project that
//   `pnpm release:dry-run` builds): the same tests, against what would be published;
// - a Node that strips types itself (22.18 and later): the .ts files as they are;
// - otherwise (Node 20): the JavaScript that `tsc` compiled into examples/dist/.
const build = process.env.XASYNC_EXAMPLES_BUILD;
export const runsTypeScript = !build && Boolean(process.features.typescript);
export const runDir = build ?? (runsTypeScript ? examplesDir : join(examplesDir, 'dist'));
const require = createRequire(join(runDir, 'package.json'));

/** The path, relative to `runDir`, of the program an example's `.ts` file becomes. */
export function programOf(file) {
  return runsTypeScript ? file : file.replace(/\.ts$/, '.js');
}

/** The `xrun` command of @x/runner: the file its package.json names as bin. */
export function xrunBin() {
  const pkgPath = require.resolve('@x/runner/package.json');
  const { bin } = require(pkgPath);
  return join(dirname(pkgPath), typeof bin === 'string' ? bin : bin.xrun);
}

/**
 * Starts `node [...before] <program> [...args]` in `runDir`, where `<program>` is what the
 * example `file` (a path like `01-exiting/main-finishes.ts`) becomes there. Returns:
 * - `waitFor(pattern)`: resolves once stdout contains `pattern` (string or RegExp),
 *   with the match; rejects if the process ends first;
 * - `kill(signal)`: sends the child a real signal;
 * - `done`: resolves when the process has ended, with stdout, stderr, code, signal
 *   and `status`, what a shell shows in `$?` (128 + the signal's number for a
 *   process ended by a signal: 130 for SIGINT, 143 for SIGTERM).
 */
export function startExample(file, options = {}) {
  const { args = [], before = [], env = {}, timeout = 20_000, stdin = 'ignore' } = options;
  const child = spawn(process.execPath, [...before, programOf(file), ...args], {
    cwd: runDir,
    // Debug mode only where an example asks for it; no colours in the output.
    env: { ...process.env, XASYNC_DEBUG: '', NO_COLOR: '1', FORCE_COLOR: '0', ...env },
    stdio: [stdin, 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let ended = false;
  const watchers = new Set();
  const notify = () => {
    for (const w of watchers) w();
  };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    stdout += d;
    notify();
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise((resolve, reject) => {
    const killer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${file} did not end in ${timeout} ms\n--- stdout:\n${stdout}\n--- stderr:\n${stderr}`,
        ),
      );
    }, timeout);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      ended = true;
      notify();
      const status = code ?? 128 + constants.signals[signal];
      resolve({ stdout, stderr, code, signal, status, pid: child.pid });
    });
  });
  const waitFor = (pattern) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const m =
          typeof pattern === 'string'
            ? stdout.includes(pattern) && [pattern]
            : stdout.match(pattern);
        if (m) {
          watchers.delete(check);
          resolve(m);
        } else if (ended) {
          watchers.delete(check);
          reject(
            new Error(
              `${file} ended before printing ${pattern}\n--- stdout:\n${stdout}\n--- stderr:\n${stderr}`,
            ),
          );
        }
      };
      watchers.add(check);
      check();
    });
  return { child, waitFor, kill: (signal) => child.kill(signal), done };
}

/** Runs an example to its end; `signals`: `[{ after, signal }]`, each sent once `after` is printed, in order. */
export async function runExample(file, options = {}) {
  const { signals = [], ...rest } = options;
  const p = startExample(file, rest);
  for (const { after, signal } of signals) {
    await p.waitFor(after);
    p.kill(signal);
  }
  return p.done;
}

/** True while a process with this pid exists. */
export function processExists(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    if (e.code === 'ESRCH') return false;
    throw e;
  }
}

/** Joins lines, with the final newline that console.log leaves. */
export function out(...lines) {
  return lines.map((l) => `${l}\n`).join('');
}
