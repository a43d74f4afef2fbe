// Running commands from the repository's scripts: a child process with its output
// collected, and pnpm itself (the one running the script, so the version pinned in
// packageManager, else whatever is on PATH).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `cmd args`; `{ code, out }`, out being stdout and stderr together. */
export function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  if (r.error) throw r.error;
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

/** The same as `run`, but the child's output goes straight to ours; resolves to its status. */
export function runVisibly(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

/** `[cmd, args]` that run pnpm with `args`. */
export function pnpmCommand(args) {
  const execpath = process.env.npm_execpath ?? '';
  if (/pnpm/.test(execpath) && /\.[cm]?js$/.test(execpath)) {
    return [process.execPath, [execpath, ...args]];
  }
  if (/pnpm/.test(execpath)) return [execpath, args];
  // Run directly with node: the pnpm version the repository pins, through npx.
  const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return ['npx', ['-y', packageManager, ...args]];
}

/** The file a root devDependency names as its `bin` (some hide package.json from `exports`). */
export function binOf(pkgName, bin) {
  const manifestPath = join(root, 'node_modules', pkgName, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const rel = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[bin];
  return join(dirname(manifestPath), rel);
}
