#!/usr/bin/env node
// Runs @x/loop and @x/tasks where they promise to run besides Node: headless Chromium, Bun
// and Deno (and Node, for comparison). Each runtime runs
//   - src/program.ts, an application-like program (gather, sleep, timeout, TaskGroup, Queue,
//     cancellation), bundled with esbuild for the browser exactly as a user would;
//   - the core packages' test files that do not need Node (found by scanning them for what
//     only Node has), each bundled for the browser with `vitest` mapped to src/vitest-shim.ts.
// It prints one line per runtime, `chromium: N passed, N failed`, and the time of
// 200 × sleep(0.001) in each, and exits 1 if anything failed or a runtime could not run.
//
// Usage: node tooling/runtimes/run.mjs [--only chromium,bun,deno,node]
// Needs the packages built (dist/), and Chromium at /usr/bin/chromium (.ci/run installs it).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename, dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const out = join(here, '.out');
const CHROMIUM = process.env.XASYNC_CHROMIUM ?? '/usr/bin/chromium';

/** What marks a test file as needing Node: the first match is printed as the reason. */
const NEEDS_NODE = [
  [/from 'node:|import\('node:/, 'imports a node: module'],
  [/\bprocess\./, 'uses process'],
  [/vi\.(mock|hoisted|resetModules|useFakeTimers)\b/, 'uses module mocking or fake timers'],
  [/from 'typescript'/, 'runs the TypeScript compiler'],
  [/@x\/loop\/node/, 'uses the Node executor'],
  [
    /captureCallGraph|formatCallGraph/,
    'checks stack frames, which bundling and other engines name differently',
  ],
];

function needsNode(file, rules = NEEDS_NODE) {
  const text = readFileSync(file, 'utf8');
  for (const [re, why] of rules) if (re.test(text)) return why;
  // A helper module the test imports counts if loading it needs Node (what it
  // defines but the test does not call does not count).
  for (const m of text.matchAll(/from '(\.\/[^']+)\.js'/g)) {
    const helper = join(dirname(file), `${m[1]}.ts`);
    if (existsSync(helper)) {
      const why = needsNode(helper, NEEDS_NODE.slice(0, 1));
      if (why !== null) return `${why} (in ${basename(helper)})`;
    }
  }
  return null;
}

function portableTests() {
  const files = [];
  const skipped = [];
  for (const pkg of ['loop', 'tasks']) {
    const dir = join(repo, 'packages', pkg, 'test');
    for (const name of readdirSync(dir).sort()) {
      if (!name.endsWith('.test.ts')) continue;
      const file = join(dir, name);
      const why = needsNode(file);
      if (why === null) files.push(file);
      else skipped.push(`${pkg}/test/${name}: ${why}`);
    }
  }
  return { files, skipped };
}

async function bundle(tests) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const common = {
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    logLevel: 'error',
    // Keep class and function names: browsers have a global `Event`, and without this
    // esbuild renames the package's `Event` class to `Event2` in messages the tests check.
    keepNames: true,
    // No conditions beyond the browser's: the packages' built entry points, as users get them.
  };
  await build({
    ...common,
    entryPoints: [join(here, 'src', 'program.ts')],
    outfile: join(out, 'program.js'),
  });
  const shim = join(here, 'src', 'vitest-shim.ts');
  const names = [];
  for (const file of tests) {
    const rel = relative(join(repo, 'packages'), file);
    const name = rel.replace(/[/\\]/g, '__').replace(/\.ts$/, '.js');
    const entry = join(out, `${name}.entry.ts`);
    writeFileSync(
      entry,
      `import ${JSON.stringify(file)};\nimport { report } from 'vitest';\nexport default await report(${JSON.stringify(`${rel} > `)}, globalThis.__xasyncSkip);\n`,
    );
    await build({
      ...common,
      entryPoints: [entry],
      outfile: join(out, name),
      alias: { vitest: shim },
      // The assertion library's colour detection reads process.env, which Deno refuses
      // without --allow-env; the tests themselves do not use process (see NEEDS_NODE).
      define: { process: 'undefined' },
      // The tests import their own package by name; resolve it as its dependents do.
      nodePaths: [join(repo, 'tooling', 'runtimes', 'node_modules')],
    });
    names.push(name);
  }
  return names;
}

// ---- running in one runtime ----------------------------------------------------------

/** The lines a run printed, from which the counts are read. */
function summarise(runtime, lines) {
  const program = lines.map((l) => /^program: (\d+) passed, (\d+) failed/.exec(l)).find(Boolean);
  const timing = lines
    .map((l) => /^timing: 200 x sleep\(0\.001\): ([\d.]+) s/.exec(l))
    .find(Boolean);
  const tests = lines
    .map((l) => /^tests: (\d+) passed, (\d+) failed, (\d+) skipped/.exec(l))
    .find(Boolean);
  const failures = lines.filter((l) => /^(FAILED|program: crashed|skipped:)/.test(l));
  if (!program || !tests) {
    return {
      runtime,
      ok: false,
      passed: 0,
      failed: 1,
      seconds: Number.NaN,
      failures: [...failures, `${runtime} did not finish; its output:\n${lines.join('\n')}`],
    };
  }
  const passed = Number(program[1]) + Number(tests[1]);
  const failed = Number(program[2]) + Number(tests[2]);
  return {
    runtime,
    ok: failed === 0,
    passed,
    failed,
    skipped: Number(tests[3]),
    seconds: timing ? Number(timing[1]) : Number.NaN,
    failures,
  };
}

/** The script a runtime runs: the program, then every test bundle; prints the counts. */
/**
 * Tests that cannot mean the same in a bundle or an engine, each with why: they count as
 * skipped (and are listed), not passed. `runtimes` limits one to some runtimes.
 */
const SKIP = [
  {
    test: 'a coroutine never awaited (debug mode) > is reported when the loop closes, once, with where it was made',
    why: "it checks the creation site's frames, which a bundle folds into the library's one file",
  },
  {
    test: 'shield, beyond the CPython tests > in debug mode the report carries where the shielded future was created',
    why: 'it checks the file name in a stack frame, which bundling changes',
  },
  {
    test: 'shield, beyond the CPython tests > inner failing in the same iteration as the cancel: reported as never retrieved, not lost',
    runtimes: ['bun'],
    why: "JavaScriptCore's conservative collector may keep the lost future reachable",
  },
];

function runnerSource(names, runtime) {
  const skip = SKIP.filter((s) => s.runtimes === undefined || s.runtimes.includes(runtime));
  return `const names = ${JSON.stringify(names)};
globalThis.__xasyncSkip = ${JSON.stringify(skip)};
// Tests that check what happens to lost objects force a collection: Chromium and Deno
// expose V8's gc() with a flag (given below), Bun has Bun.gc().
if (typeof globalThis.gc !== 'function' && globalThis.Bun) globalThis.gc = () => globalThis.Bun.gc(true);
const summary = await new Promise((resolve) => {
  globalThis.__xasyncDone = resolve;
  import('./program.js');
});
void summary;
let passed = 0, failed = 0, skipped = 0;
for (const name of names) {
  try {
    const r = (await import('./' + name)).default;
    passed += r.passed; failed += r.failed; skipped += r.skipped;
  } catch (e) {
    failed++;
    console.log('FAILED ' + name + ': did not load: ' + (e && e.stack || e));
  }
}
console.log('tests: ' + passed + ' passed, ' + failed + ' failed, ' + skipped + ' skipped');
`;
}

function runProcess(command, args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: out,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
    });
    child.stderr.on('data', (d) => {
      text += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      text += `\n${e.message}`;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, lines: text.split('\n') });
    });
  });
}

function binary(name) {
  const bin = join(here, 'node_modules', '.bin', name);
  return existsSync(bin) ? bin : name;
}

async function runChromium(names) {
  const { chromium } = await import('playwright-core');
  const types = { '.js': 'text/javascript', '.html': 'text/html' };
  const server = createServer((req, res) => {
    const path = join(out, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (!path.startsWith(out) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
    res.end(readFileSync(path));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}/`;
  writeFileSync(join(out, 'index.html'), '<!doctype html><title>x-async</title>');
  writeFileSync(join(out, 'runner.js'), runnerSource(names, 'chromium'));
  const profile = join(out, 'chromium-profile');
  // A fresh profile directory each run (out/ was emptied).
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--js-flags=--expose-gc',
    ],
  });
  const lines = [];
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (m) => lines.push(m.text()));
    page.on('pageerror', (e) => lines.push(`FAILED page error: ${e.message}`));
    await page.goto(`${base}index.html`);
    await page.evaluate(async (url) => {
      await import(url);
    }, `${base}runner.js`);
  } finally {
    await browser.close();
    server.close();
  }
  return lines;
}

async function main() {
  const only = process.argv.includes('--only')
    ? new Set(process.argv[process.argv.indexOf('--only') + 1].split(','))
    : new Set(['chromium', 'bun', 'deno', 'node']);
  const { files, skipped } = portableTests();
  console.log(
    `runtimes: ${files.length} core test files run everywhere; ${skipped.length} need Node:`,
  );
  for (const s of skipped) console.log(`  ${s}`);
  const names = await bundle(files);
  const results = [];
  if (only.has('node')) {
    writeFileSync(join(out, 'runner-node.mjs'), runnerSource(names, 'node'));
    const r = await runProcess(process.execPath, ['--expose-gc', 'runner-node.mjs'], 300_000);
    results.push(summarise('node', r.lines));
  }
  if (only.has('chromium')) {
    let lines;
    try {
      lines = await runChromium(names);
    } catch (e) {
      lines = [`FAILED could not run Chromium: ${e.stack ?? e}`];
    }
    results.push(summarise('chromium', lines));
  }
  if (only.has('bun')) {
    writeFileSync(join(out, 'runner-bun.mjs'), runnerSource(names, 'bun'));
    const r = await runProcess(binary('bun'), ['runner-bun.mjs'], 300_000);
    results.push(summarise('bun', r.lines));
  }
  if (only.has('deno')) {
    writeFileSync(join(out, 'runner-deno.mjs'), runnerSource(names, 'deno'));
    // No permission flags: the core must run without any.
    const r = await runProcess(
      binary('deno'),
      ['run', '--no-config', '--no-prompt', '--v8-flags=--expose-gc', 'runner-deno.mjs'],
      300_000,
    );
    results.push(summarise('deno', r.lines));
  }
  let ok = true;
  for (const r of results) {
    for (const f of r.failures) console.log(`  ${r.runtime}: ${f}`);
    const time = Number.isNaN(r.seconds) ? 'n/a' : `${r.seconds.toFixed(3)} s`;
    console.log(
      `${r.runtime}: ${r.passed} passed, ${r.failed} failed, ${r.skipped ?? 0} skipped (200 x sleep(0.001): ${time})`,
    );
    ok &&= r.ok;
  }
  const node = results.find((r) => r.runtime === 'node');
  const chrome = results.find((r) => r.runtime === 'chromium');
  if (node && chrome && node.seconds > 0) {
    console.log(
      `runtimes: Chromium / Node on 200 x sleep(0.001): ${(chrome.seconds / node.seconds).toFixed(2)}x`,
    );
  }
  if (!ok) process.exit(1);
}

await main();
