// @x/loop and @x/tasks bundle for the browser with esbuild, webpack 5, Rollup and Vite with
// no configuration beyond an entry point and an output (Rollup needs its standard resolver
// plugin to find packages at all): no `node:` module in the import graph, no polyfill, no
// fallback. Each bundle then runs, and prints what the program computed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { build as esbuild } from 'esbuild';
import { rollup } from 'rollup';
import { build as vite } from 'vite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import webpack from 'webpack';

const entry = fileURLToPath(new URL('./fixtures/entry.js', import.meta.url));
let dir;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'x-bundlers-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Checks a bundle's text and runs it: it must print the program's result. */
function checkBundle(file) {
  const text = readFileSync(file, 'utf8');
  expect(text).not.toMatch(/["'`]node:/);
  expect(text).not.toMatch(/worker_threads/);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 30_000 });
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('bundled program: slept queued\n');
}

describe('bundling @x/loop and @x/tasks for the browser', () => {
  test('esbuild --bundle --platform=browser', async () => {
    const outfile = join(dir, 'esbuild.mjs');
    const r = await esbuild({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      outfile,
      logLevel: 'silent',
    });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    checkBundle(outfile);
  });

  test('webpack 5 (target web, production)', async () => {
    const out = join(dir, 'webpack');
    const stats = await new Promise((resolve, reject) => {
      webpack(
        { mode: 'production', target: 'web', entry, output: { path: out, filename: 'main.js' } },
        (err, s) => (err ? reject(err) : resolve(s)),
      );
    });
    const info = stats.toJson({ all: false, errors: true, warnings: true });
    expect(info.errors).toEqual([]);
    expect(info.warnings).toEqual([]);
    checkBundle(join(out, 'main.js'));
  });

  test('Rollup with @rollup/plugin-node-resolve (browser: true)', async () => {
    const warnings = [];
    const bundle = await rollup({
      input: entry,
      plugins: [nodeResolve({ browser: true })],
      // Import cycles inside @x/loop are reported as warnings; they are resolved at run
      // time (the bundle runs below) and are the layout's business, not the bundle's.
      onwarn: (w) => {
        if (w.code !== 'CIRCULAR_DEPENDENCY') warnings.push(w.message);
      },
    });
    const file = join(dir, 'rollup.mjs');
    await bundle.write({ file, format: 'es' });
    await bundle.close();
    expect(warnings).toEqual([]);
    checkBundle(file);
  });

  test('Vite (vite build, a library entry)', async () => {
    const outDir = join(dir, 'vite');
    await vite({
      configFile: false,
      logLevel: 'silent',
      root: dir,
      build: {
        outDir,
        emptyOutDir: true,
        minify: false,
        lib: { entry, formats: ['es'], fileName: 'vite' },
      },
    });
    const file = readdirSync(outDir).find((f) => f.startsWith('vite'));
    expect(file).toBeDefined();
    checkBundle(join(outDir, file));
  });
});
