#!/usr/bin/env node
// Every name a package exports has a doc comment with an `@example`: TypeDoc's
// validation fails on a name with no doc comment at all, this on one without an example.
// A name re-exported from another package (as @x/runner re-exports @x/tasks) is checked
// where it is defined. For a class, the class's comment needs the example; for an
// overloaded function, any one of its declarations.
//
// Usage: node tooling/check-examples.mjs [--list]   (--list: print every export and its state)
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { root } from './lib/run.mjs';

const require = createRequire(import.meta.url);
const ts = require(join(root, 'node_modules', 'typescript'));

const list = process.argv.includes('--list');
const entries = readdirSync(join(root, 'packages'))
  .map((dir) => join(root, 'packages', dir, 'src', 'index.ts'))
  .filter((f) => existsSync(f));

const { config } = ts.readConfigFile(join(root, 'tsconfig.docs.json'), ts.sys.readFile);
const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root);
const program = ts.createProgram(entries, parsed.options);
const checker = program.getTypeChecker();

const seen = new Map(); // declaration file:name -> { where, ok }
for (const entry of entries) {
  const source = program.getSourceFile(entry);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol =
      exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decls = symbol.declarations ?? [];
    if (decls.length === 0) continue;
    const file = decls[0].getSourceFile().fileName;
    const key = `${relative(root, file)}:${symbol.name}`;
    if (seen.has(key)) continue;
    const ok = decls.some((d) => ts.getJSDocTags(d).some((t) => t.tagName.text === 'example'));
    seen.set(key, { name: exported.name, file: relative(root, file), ok });
  }
}

const missing = [...seen.values()].filter((e) => !e.ok);
if (list) {
  for (const e of [...seen.values()].sort((a, b) => a.file.localeCompare(b.file))) {
    console.log(`${e.ok ? 'ok     ' : 'MISSING'} ${e.name} (${e.file})`);
  }
}
if (missing.length > 0) {
  console.error(
    `check-examples: ${missing.length} of ${seen.size} exported names have no @example:`,
  );
  for (const e of missing) console.error(`  ${e.name} (${e.file})`);
  process.exit(1);
}
console.log(`check-examples: OK (all ${seen.size} exported names have an @example)`);
