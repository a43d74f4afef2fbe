#!/usr/bin/env node
// `pnpm release`: build, every check (`pnpm run check`, which includes the dry run
// below), then `changeset publish`: each package whose version is not on the registry
// yet is published with pnpm (workspace: ranges rewritten), with provenance
// (publishConfig), and tagged. Run `pnpm changeset version` first and commit it.
// Provenance needs a CI with an OIDC identity (GitHub Actions with `id-token: write`):
// from a laptop npm refuses to publish, which is intended.
//
// `pnpm release --dry-run` (or `pnpm release:dry-run`): build, pack every package as it
// would be published, and check the tarballs (check-packages.mjs: manifests, LICENSE and
// NOTICE, publint, attw), then a consumer project built from them (check-consumer.mjs:
// the examples typecheck under node16/nodenext/bundler and run). Publishes nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pnpmCommand, root, runVisibly } from './lib/run.mjs';

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--dry-run');
if (unknown.length > 0) {
  console.error(
    `release: unknown argument(s) ${unknown.join(' ')}; usage: pnpm release [--dry-run]`,
  );
  process.exit(2);
}
const dryRun = args.includes('--dry-run');

function step(title, cmd, cmdArgs) {
  console.log(`\n== release${dryRun ? ' --dry-run' : ''}: ${title}`);
  const status = runVisibly(cmd, cmdArgs, {
    cwd: root,
    shell: cmd === 'npx' && process.platform === 'win32',
  });
  if (status !== 0) {
    console.error(`release: "${title}" failed (exit status ${status}); nothing was published`);
    process.exit(status);
  }
}

const pnpm = (...a) => pnpmCommand(a);

if (dryRun) {
  const tarballs = mkdtempSync(join(tmpdir(), 'x-release-'));
  try {
    step('build', ...pnpm('run', 'build'));
    step('pack and check every package', process.execPath, [
      join(root, 'tooling', 'check-packages.mjs'),
      '--out',
      tarballs,
    ]);
    step('a consumer project on the tarballs', process.execPath, [
      join(root, 'tooling', 'check-consumer.mjs'),
      tarballs,
    ]);
  } finally {
    rmSync(tarballs, { recursive: true, force: true });
  }
  console.log('\nrelease --dry-run: OK; nothing was published');
} else {
  step(
    'every check (build, lint, typecheck, release dry run, API docs, tests)',
    ...pnpm('run', 'check'),
  );
  step('changeset publish', ...pnpm('exec', 'changeset', 'publish'));
}
