// Shared Vitest settings for every package in packages/*.
//
// Tests import the packages by their public names (`@x/loop`, `@x/loop/internal`, ...).
// The "@x/source" export condition makes those names resolve to the TypeScript source
// (src/*.ts) instead of the built dist/, so tests and coverage need no build step.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Vite's default server conditions, plus our source condition first. */
export const SOURCE_CONDITIONS = ['@x/source', 'module', 'node', 'development|production'];

/**
 * A package cannot import itself by name through node_modules, so map its own
 * `exports` entries (via their "@x/source" target) with aliases.
 */
function selfAliases(pkgDir) {
  const pkg = JSON.parse(readFileSync(new URL('package.json', pkgDir), 'utf8'));
  const aliases = [];
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    const source = typeof target === 'object' && target !== null ? target['@x/source'] : null;
    if (typeof source !== 'string') continue;
    const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    const escaped = specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    aliases.push({
      find: new RegExp(`^${escaped}$`),
      replacement: fileURLToPath(new URL(source, pkgDir)),
    });
  }
  return aliases;
}

/**
 * @param {string} configUrl `import.meta.url` of the package's vitest.config.ts
 * @returns {import('vitest/config').ViteUserConfig}
 */
export function packageConfig(configUrl) {
  const pkgDir = new URL('./', configUrl);
  return {
    resolve: {
      conditions: SOURCE_CONDITIONS,
      alias: selfAliases(pkgDir),
    },
    ssr: {
      resolve: {
        conditions: SOURCE_CONDITIONS,
      },
    },
    test: {
      environment: 'node',
      exclude: ['**/node_modules/**', '**/dist/**', '**/.git/**'],
      pool: 'forks',
      // Generous bounds: the suite must pass on a loaded 2-core machine, where
      // a test that takes 50 ms alone can take seconds. No test asserts a speed.
      testTimeout: 30_000,
      hookTimeout: 30_000,
      // Tests need globalThis.gc to check FinalizationRegistry-based reporting.
      execArgv: ['--expose-gc'],
      passWithNoTests: true,
      reporters: ['default', 'json'],
      outputFile: { json: 'test-results/vitest.json' },
      coverage: {
        provider: 'v8',
        include: ['src/**/*.ts'],
        exclude: ['src/**/*.test.ts', 'src/**/*.d.ts'],
        reporter: ['text-summary'],
        reportsDirectory: 'coverage',
      },
    },
  };
}

/**
 * Vitest settings for a package of plain `.mjs` scripts and their tests in `test/`
 * (tooling, its benchmarks and runtimes check, the migration guide's twins): what
 * `tooling/test-summary.mjs` reads is the JSON report in `test-results/`.
 *
 * @param {{ testTimeout?: number }} [options]
 * @returns {import('vitest/config').ViteUserConfig}
 */
export function scriptsConfig(options = {}) {
  return {
    test: {
      environment: 'node',
      include: ['test/**/*.test.mjs'],
      ...(options.testTimeout === undefined ? {} : { testTimeout: options.testTimeout }),
      reporters: ['default', 'json'],
      outputFile: { json: 'test-results/vitest.json' },
    },
  };
}
