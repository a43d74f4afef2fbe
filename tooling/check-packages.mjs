#!/usr/bin/env node
// Packs every package in packages/* the way it would be published (pnpm pack, which
// rewrites the workspace: ranges) and checks each tarball:
// - its manifest names no `workspace:` range and carries the publishing metadata
//   (license, repository, homepage, bugs, keywords, author, publishConfig.provenance), and
//   the prepack guard that stops `npm pack`/`npm publish` (which would leak them), and a
//   typesVersions entry for each subpath of `exports` (how node10 resolution finds types);
// - it holds LICENSE and NOTICE, identical to the repository's;
// - publint --strict (warnings fail too);
// - Are The Types Wrong under its default profile (node10, node16 from CJS and from ESM,
//   bundler), with one rule ignored: cjs-resolves-to-esm. The packages are ESM only, on
//   purpose: a CommonJS copy beside the ESM one would load @x/loop twice (two loops'
//   worth of state, `instanceof` failing across them). Node 20.19 and later `require()`
//   them (require(esm)), which attw does not model yet. The README says so.
// Needs a prior build (dist/).
//
// Usage: node tooling/check-packages.mjs [--out DIR]
//   --out DIR  keep the tarballs in DIR (what `pnpm release:dry-run` hands to the
//              consumer-project check); by default they go to a temporary directory.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { binOf, pnpmCommand, root, run } from './lib/run.mjs';

const outIndex = process.argv.indexOf('--out');
const keep = outIndex > 0 ? resolve(process.argv[outIndex + 1]) : null;
const work = keep ?? mkdtempSync(join(tmpdir(), 'x-check-packages-'));
mkdirSync(work, { recursive: true });

const publint = binOf('publint', 'publint');
const attw = binOf('@arethetypeswrong/cli', 'attw');
const packagesDir = join(root, 'packages');
const failures = [];
const required = ['license', 'repository', 'homepage', 'bugs', 'keywords', 'author'];

/** The text of `file` inside the tarball, or null. */
function fromTarball(tarball, file) {
  const r = run('tar', ['-xzOf', tarball, `package/${file}`]);
  return r.code === 0 ? r.out : null;
}

function checkManifest(name, pkgDir, tarball) {
  const manifest = JSON.parse(fromTarball(tarball, 'package.json'));
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith('workspace:')) {
        failures.push(`${name}: ${field}.${dep} is still "${range}" in the tarball`);
      }
    }
  }
  for (const field of required) {
    if (manifest[field] === undefined) failures.push(`${name}: package.json has no "${field}"`);
  }
  // Legacy node10 resolution ignores `exports`: each subpath needs its typesVersions entry.
  for (const [sub, target] of Object.entries(manifest.exports ?? {})) {
    if (sub === '.' || sub.endsWith('.json') || typeof target !== 'object') continue;
    const key = sub.slice(2);
    if (manifest.typesVersions?.['*']?.[key]?.[0] !== target.types) {
      failures.push(
        `${name}: exports "${sub}" has no typesVersions entry for node10 resolution: add ` +
          `"${key}": ["${target.types}"] to "typesVersions": { "*": { ... } }`,
      );
    }
  }
  // pnpm leaves lifecycle scripts out of the tarball: the guard is in the source manifest.
  const source = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  if (!source.scripts?.prepack?.includes('guard-pack.mjs')) {
    failures.push(
      `${name}: no "prepack": "node ../../tooling/guard-pack.mjs" (npm pack would leak workspace: ranges)`,
    );
  }
  if (manifest.license !== 'MIT') failures.push(`${name}: license is not MIT`);
  if (manifest.publishConfig?.provenance !== true) {
    failures.push(`${name}: publishConfig.provenance is not true`);
  }
  for (const file of ['LICENSE', 'NOTICE']) {
    const text = fromTarball(tarball, file);
    if (text === null) {
      failures.push(`${name}: no ${file} in the tarball (cp ${file} packages/<dir>/)`);
    } else if (text !== readFileSync(join(root, file), 'utf8').trim()) {
      failures.push(`${name}: ${file} differs from the repository's (cp ${file} packages/<dir>/)`);
    }
  }
  const deps = Object.entries(manifest.dependencies ?? {});
  console.log(
    `   ${manifest.name}@${manifest.version}: ${deps.map(([d, r]) => `${d} ${r}`).join(', ') || 'no dependencies'}`,
  );
}

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
    rmSync(dest, { recursive: true, force: true });
    const [cmd, args] = pnpmCommand(['pack', '--pack-destination', dest]);
    const packed = run(cmd, args, {
      cwd: pkgDir,
      shell: cmd === 'npx' && process.platform === 'win32',
    });
    const tarballs = existsSync(dest) ? readdirSync(dest).filter((f) => f.endsWith('.tgz')) : [];
    if (packed.code !== 0 || tarballs.length !== 1) {
      failures.push(`${name}: pnpm pack failed`);
      console.log(packed.out);
      continue;
    }
    const tarball = join(dest, tarballs[0]);
    checkManifest(name, pkgDir, tarball);

    const lint = run(process.execPath, [publint, 'run', tarball, '--strict', '--pack', 'false']);
    console.log(lint.out.replace(/^/gm, '   '));
    if (lint.code !== 0) failures.push(`${name}: publint reported problems`);

    const types = run(
      process.execPath,
      [attw, tarball, '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'ascii'],
      { env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
    );
    console.log(types.out.replace(/^/gm, '   '));
    if (types.code !== 0) failures.push(`${name}: attw reported problems`);
  }
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`\ncheck-packages: ${failures.length} problem(s):`);
  for (const f of failures) console.error(`  ${f}`);
  process.exit(1);
}
console.log(
  `\ncheck-packages: OK (manifests, LICENSE and NOTICE, publint --strict, attw)${keep ? `; tarballs in ${keep}` : ''}`,
);
