#!/usr/bin/env node
// Enforces the package layers (ARCHITECTURE.md, top):
//   1. a package's src imports only @x packages strictly below it;
//   2. every bare import of src is declared in its dependencies or peerDependencies;
//   3. @x/loop and @x/tasks import no Node builtin (`node:*` or a bare builtin name), not
//      even with a dynamic `import()`, which bundlers resolve too (only `import type` is
//      allowed), so that they bundle for the browser with no configuration. The exception
//      is a Node entry point's folder, `src/node/` (`@x/loop/node`), which nothing else in
//      the package may import, and which only the Node packages import.
//
// Usage: node tooling/check-layers.mjs [repoRoot]   (default: this repository)
// Exit code 0 when clean, 1 with one line per violation otherwise.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Which @x packages each package may import. Anything not listed may import no @x package. */
export const ALLOWED = {
  '@x/loop': [],
  '@x/tasks': ['@x/loop'],
  '@x/signals': ['@x/loop'],
  '@x/io': ['@x/loop', '@x/tasks'],
  '@x/runner': ['@x/loop', '@x/tasks', '@x/signals', '@x/io'],
};

/** Packages that must load without Node (browser, Deno, Bun). */
export const NODE_FREE = new Set(['@x/loop', '@x/tasks']);

/** Node-only entry points of the NODE_FREE packages, which only these packages may import. */
export const NODE_ENTRIES = { '@x/loop/node': ['@x/signals', '@x/runner', '@x/io'] };

const BUILTINS = new Set(builtinModules);
const SOURCE_EXT = /\.(?:[cm]?[jt]s|tsx)$/;

export function isBuiltin(spec) {
  return spec.startsWith('node:') || BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0]);
}

function packageNameOf(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Replaces comments with spaces (newlines kept) so that commented-out imports are ignored,
 * leaving string and template literals untouched.
 */
export function stripComments(src) {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    const n = src[i + 1];
    if (c === '/' && n === '/') {
      while (i < src.length && src[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (c === '/' && n === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end === -1 ? src.length : end + 2;
      out += src.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') j++;
        else if (c !== '`' && src[j] === '\n') break;
        j++;
      }
      out += src.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

// `import x from 'm'`, `import { a, b } from 'm'` (multi-line), `import type ...`,
// `export * from 'm'`, `export { a } from 'm'`, `export type { A } from 'm'`.
const STATIC_FROM =
  /(?:^|[;}\n])\s*(import|export)(\s+type)?\s+(?!\()([^;'"`]*?)\s*\bfrom\s*(['"])([^'"\n]+)\4/g;
// `import 'm'` (side effect only)
const SIDE_EFFECT = /(?:^|[;}\n])\s*import\s*(['"])([^'"\n]+)\1/g;
// `import('m')`, `await import("m")`
const DYNAMIC = /\bimport\s*\(\s*(['"`])([^'"`\n]+)\1\s*[,)]/g;

/** All module specifiers of one source text: { spec, kind: 'static'|'dynamic', typeOnly, line }. */
export function findImports(text) {
  const code = stripComments(text);
  const lineOf = (index) => code.slice(0, index).split('\n').length;
  const found = [];
  for (const m of code.matchAll(STATIC_FROM)) {
    const at = m.index + m[0].indexOf(m[1]);
    found.push({ spec: m[5], kind: 'static', typeOnly: Boolean(m[2]), line: lineOf(at) });
  }
  for (const m of code.matchAll(SIDE_EFFECT)) {
    const at = m.index + m[0].indexOf('import');
    found.push({ spec: m[2], kind: 'static', typeOnly: false, line: lineOf(at) });
  }
  for (const m of code.matchAll(DYNAMIC)) {
    found.push({ spec: m[2], kind: 'dynamic', typeOnly: false, line: lineOf(m.index) });
  }
  return found;
}

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  const files = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (SOURCE_EXT.test(entry)) files.push(path);
  }
  return files.sort();
}

/** Returns a list of violation messages for the repository at `root`. */
export function checkLayers(root) {
  const packagesDir = join(root, 'packages');
  const violations = [];
  if (!existsSync(packagesDir)) return [`no packages/ directory in ${root}`];
  for (const dirName of readdirSync(packagesDir).sort()) {
    const pkgDir = join(packagesDir, dirName);
    const manifest = join(pkgDir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    const name = pkg.name;
    const declared = new Set([
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}),
    ]);
    const allowed = ALLOWED[name];
    const srcDir = join(pkgDir, 'src');
    const nodeDir = join(srcDir, 'node');
    for (const file of sourceFiles(srcDir)) {
      const where = relative(root, file);
      const inNodeEntry = file.startsWith(nodeDir + sep);
      for (const imp of findImports(readFileSync(file, 'utf8'))) {
        const { spec } = imp;
        const at = `${where}:${imp.line}`;
        if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec);
          if (
            NODE_FREE.has(name) &&
            !inNodeEntry &&
            target.startsWith(nodeDir + sep) &&
            !imp.typeOnly
          ) {
            violations.push(
              `${at}: ${name} must load without Node, but imports its Node entry point '${spec}' (only src/node/ may, and the Node packages through '${name}/node')`,
            );
          }
          continue;
        }
        if (spec.startsWith('/') || spec.startsWith('#')) continue;
        if (isBuiltin(spec)) {
          if (NODE_FREE.has(name) && !inNodeEntry && !imp.typeOnly) {
            violations.push(
              `${at}: ${name} must load without Node, but imports the Node builtin '${spec}' (bundlers resolve dynamic imports too: put Node-only code under src/node/, the Node entry point)`,
            );
          }
          continue;
        }
        const users = NODE_ENTRIES[spec];
        if (users !== undefined && !users.includes(name)) {
          violations.push(
            `${at}: ${name} imports the Node entry point '${spec}', which only ${users.join(', ')} may import`,
          );
          continue;
        }
        const target = packageNameOf(spec);
        if (target.startsWith('@x/')) {
          if (allowed === undefined) {
            violations.push(
              `${at}: ${name} has no layer in tooling/check-layers.mjs ALLOWED, so it may not import '${spec}'`,
            );
            continue;
          }
          if (!allowed.includes(target)) {
            const may = allowed.length > 0 ? allowed.join(', ') : 'no @x package';
            violations.push(
              `${at}: layer violation: ${name} imports '${spec}', but may import only ${may} (packages strictly below it)`,
            );
            continue;
          }
        }
        if (!declared.has(target)) {
          violations.push(
            `${at}: ${name} imports '${spec}', but '${target}' is not in its package.json dependencies or peerDependencies`,
          );
        }
      }
    }
  }
  return violations;
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const root = resolve(process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url)));
  const violations = checkLayers(root);
  if (violations.length > 0) {
    console.error(`check-layers: ${violations.length} violation(s):`);
    for (const v of violations) console.error(`  ${v}`);
    process.exit(1);
  }
  console.log('check-layers: OK (imports follow loop < tasks, signals < runner)');
}
