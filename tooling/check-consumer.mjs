#!/usr/bin/env node
// A consumer project, as a user of the published packages has one: it installs the
// tarballs that check-packages.mjs packed (nothing from the workspace), then
// - typechecks every example (examples/**/*.ts), and the migration guide's TypeScript
//   twins (docs/migration/NN-*.ts), under the three module resolutions a
//   TypeScript project uses: node16, nodenext and bundler (strict, skipLibCheck off, so
//   the packages' .d.ts files are checked too);
// - compiles them (nodenext) and runs the examples' own test suite against that build,
//   so every example runs from the packed packages, with the same assertions;
// - require()s the packages from CommonJS (Node 20.19+ loads ES modules with require).
//
// Usage: node tooling/check-consumer.mjs TARBALL_DIR   (`pnpm release:dry-run` runs it)
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { root, run, runVisibly } from './lib/run.mjs';

const tarballDir = process.argv[2] && resolve(process.argv[2]);
if (!tarballDir) {
  console.error('usage: node tooling/check-consumer.mjs TARBALL_DIR (from check-packages --out)');
  process.exit(2);
}
const tarballs = readdirSync(tarballDir, { recursive: true })
  .filter((f) => String(f).endsWith('.tgz'))
  .map((f) => join(tarballDir, String(f)));
if (tarballs.length === 0) {
  console.error(`check-consumer: no .tgz under ${tarballDir}: run check-packages --out first`);
  process.exit(2);
}

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const examplesDir = join(root, 'examples');
const project = mkdtempSync(join(tmpdir(), 'x-consumer-'));
const failures = [];

function write(file, data) {
  mkdirSync(dirname(join(project, file)), { recursive: true });
  writeFileSync(
    join(project, file),
    typeof data === 'string' ? data : JSON.stringify(data, null, 2),
  );
}

try {
  // Install: each tarball unpacked where a package manager puts it. The only other
  // package a TypeScript user needs is @types/node (the Node examples use node:net & co.).
  write('package.json', { name: 'x-async-consumer', private: true, type: 'module' });
  const installed = [];
  for (const tarball of tarballs.sort()) {
    const manifest = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json']).out);
    const dest = join(project, 'node_modules', manifest.name);
    mkdirSync(dest, { recursive: true });
    const r = run('tar', ['-xzf', tarball, '-C', dest, '--strip-components=1']);
    if (r.code !== 0) throw new Error(`cannot unpack ${tarball}: ${r.out}`);
    installed.push(`${manifest.name}@${manifest.version}`);
  }
  mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
  symlinkSync(
    realpathSync(join(root, 'node_modules', '@types', 'node')),
    join(project, 'node_modules', '@types', 'node'),
  );
  console.log(`consumer project: ${project}\ninstalled: ${installed.join(', ')}`);

  // The examples, as a user's sources.
  cpSync(examplesDir, join(project, 'src'), {
    recursive: true,
    filter: (src) => {
      const rel = relative(examplesDir, src);
      if (rel === '') return true;
      if (/^(node_modules|dist|test|test-results)(\/|$)/.test(rel)) return false;
      return !/\.[a-z]+$/.test(rel) || rel.endsWith('.ts');
    },
  });

  // The migration guide's TypeScript twins too: typechecked here, run by their own test.
  const guideDir = join(root, 'docs', 'migration');
  for (const f of readdirSync(guideDir).filter((f) => /^\d\d-.*\.ts$/.test(f))) {
    cpSync(join(guideDir, f), join(project, 'guide', f));
  }

  const common = {
    target: 'ES2022',
    lib: ['ES2022'],
    types: ['node'],
    strict: true,
    skipLibCheck: false,
    verbatimModuleSyntax: true,
    allowImportingTsExtensions: true,
    noEmit: true,
  };
  const modes = {
    node16: { module: 'node16', moduleResolution: 'node16' },
    nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
    bundler: { module: 'esnext', moduleResolution: 'bundler' },
  };
  for (const [mode, options] of Object.entries(modes)) {
    write(`tsconfig.${mode}.json`, {
      compilerOptions: { ...common, ...options },
      include: ['src/**/*.ts', 'guide/*.ts'],
    });
    const r = run(process.execPath, [tsc, '-p', `tsconfig.${mode}.json`], { cwd: project });
    console.log(`typecheck (${mode}): ${r.code === 0 ? 'OK' : 'FAILED'}`);
    if (r.code !== 0) {
      console.log(r.out.replace(/^/gm, '   '));
      failures.push(`the examples or the guide do not typecheck under ${mode} resolution`);
    }
  }

  // Compile (nodenext), then the examples' tests against this build.
  write('tsconfig.json', {
    compilerOptions: {
      ...common,
      ...modes.nodenext,
      noEmit: false,
      rewriteRelativeImportExtensions: true,
      rootDir: 'src',
      outDir: 'dist',
    },
    include: ['src/**/*.ts'],
  });
  write('dist/package.json', '{ "type": "module" }\n');
  const built = run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project });
  if (built.code !== 0) {
    console.log(built.out);
    failures.push('the examples do not compile');
  } else {
    console.log('running the examples from the consumer project (their test suite):');
    const status = runVisibly(process.execPath, [vitest, 'run'], {
      cwd: examplesDir,
      env: { ...process.env, XASYNC_EXAMPLES_BUILD: join(project, 'dist') },
    });
    if (status !== 0) failures.push('the examples failed when run from the packed packages');
  }

  // CommonJS: require() of the ES modules (Node 20.19+).
  write(
    'require-check.cjs',
    `const { gather, run, sleep } = require('@x/runner');
const { Future } = require('@x/loop');
const { Task } = require('@x/tasks');
const { addSignalHandler } = require('@x/signals');
function* double(x) {
  yield* sleep(0.01);
  return 2 * x;
}
function* main() {
  return yield* gather([double(1), double(2)]);
}
run(main()).then((r) => {
  console.log(JSON.stringify(r), typeof Future, typeof Task, typeof addSignalHandler);
});
`,
  );
  const cjs = run(process.execPath, ['--no-warnings', 'require-check.cjs'], { cwd: project });
  const expected = '[2,4] function function function';
  console.log(`require() from CommonJS: ${cjs.out === expected ? 'OK' : 'FAILED'}`);
  if (cjs.out !== expected) {
    console.log(cjs.out.replace(/^/gm, '   '));
    failures.push(`require() from CommonJS printed ${JSON.stringify(cjs.out)}, not ${expected}`);
  }
} finally {
  rmSync(project, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`\ncheck-consumer: ${failures.length} problem(s):`);
  for (const f of failures) console.error(`  ${f}`);
  process.exit(1);
}
console.log(
  '\ncheck-consumer: OK (the examples and the guide typecheck under node16, nodenext and bundler; the examples run from the tarballs; require() works)',
);
