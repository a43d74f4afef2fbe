#!/usr/bin/env node
// Packs every package in packages/* the way it would be published (pnpm pack, which
// rewrites workspace:* ranges), then runs publint (strict: warnings fail too) and
// Are The Types Wrong (ESM-only profile) on the tarball. Needs a prior build (dist/).
//
// Usage: node tooling/check-packages.mjs   (from the repository root, via `pnpm check:packages`)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function binOf(pkgName, bin) {
  // Root devDependencies live in <root>/node_modules (some hide package.json from `exports`).
  const manifestPath = join(root, 'node_modules', pkgName, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const rel = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[bin];
  return join(dirname(manifestPath), rel);
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  if (r.error) throw r.error;
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

// `pnpm` itself: the one running this script (npm_execpath), else whatever is on PATH.
function pnpmRun(args, cwd) {
  const execpath = process.env.npm_execpath ?? '';
  if (/pnpm/.test(execpath) && /\.[cm]?js$/.test(execpath)) {
    return run(process.execPath, [execpath, ...args], { cwd });
  }
  if (/pnpm/.test(execpath)) return run(execpath, args, { cwd });
  return run('pnpm', args, { cwd, shell: process.platform === 'win32' });
}

const publint = binOf('publint', 'publint');
const attw = binOf('@arethetypeswrong/cli', 'attw');
const packagesDir = join(root, 'packages');
const work = mkdtempSync(join(tmpdir(), 'x-check-packages-'));
const failures = [];

try {
  for (const dir of readdirSync(packagesDir).sort()) {
    const pkgDir = join(packagesDir, dir);
    if (!existsSync(join(pkgDir, 'package.json'))) continue;
    const { name, private: isPrivate } = JSON.parse(
      readFileSync(join(pkgDir, 'package.json'), 'utf8'),
    );
    if (isPrivate) continue;
    console.log(`\n== ${name}`);
    if (!existsSync(join(pkgDir, 'dist'))) {
      failures.push(`${name}: no dist/ — run \`pnpm build\` first`);
      console.log('   no dist/ (not built)');
      continue;
    }
    const dest = join(work, dir);
    const packed = pnpmRun(['pack', '--pack-destination', dest], pkgDir);
    const tarballs = existsSync(dest) ? readdirSync(dest).filter((f) => f.endsWith('.tgz')) : [];
    if (packed.code !== 0 || tarballs.length !== 1) {
      failures.push(`${name}: pnpm pack failed`);
      console.log(packed.out);
      continue;
    }
    const tarball = join(dest, tarballs[0]);

    const lint = run(process.execPath, [publint, 'run', tarball, '--strict', '--pack', 'false']);
    console.log(lint.out.replace(/^/gm, '   '));
    if (lint.code !== 0) failures.push(`${name}: publint reported problems`);

    const types = run(
      process.execPath,
      [attw, tarball, '--profile', 'esm-only', '--format', 'ascii'],
      {
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      },
    );
    console.log(types.out.replace(/^/gm, '   '));
    if (types.code !== 0) failures.push(`${name}: attw (--profile esm-only) reported problems`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`\ncheck-packages: ${failures.length} problem(s):`);
  for (const f of failures) console.error(`  ${f}`);
  process.exit(1);
}
console.log('\ncheck-packages: OK (publint --strict and attw --profile esm-only are clean)');
