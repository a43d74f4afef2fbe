#!/usr/bin/env node
// Enforces the seam between packages (ARCHITECTURE.md, "The seam"): code of one package may not
// read or write a `_`-prefixed member that another package declares. What an upper package needs
// from a lower one is declared, without `_`, in the lower package's public entry or in
// `@x/loop/internal`. Each `_`-member access is resolved with the TypeScript checker, so the
// check follows types through casts, subclasses and inferred variables.
//
// Usage: node tooling/check-seam.mjs [repoRoot]   (default: this repository)
// Exit code 0 when clean, 1 with one line per violation otherwise.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ts = require('typescript');

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  const files = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (/\.ts$/.test(entry) && !entry.endsWith('.d.ts')) files.push(path);
  }
  return files.sort();
}

/** The packages of `root`: [{ name, dir }]. */
function packagesOf(root) {
  const dir = join(root, 'packages');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .filter((d) => existsSync(join(dir, d, 'package.json')))
    .map((d) => ({
      name: JSON.parse(readFileSync(join(dir, d, 'package.json'), 'utf8')).name,
      dir: join(dir, d),
    }));
}

/** The seam entry: every interface it exports, with the names of its members (inherited ones too). */
function seamInterfaces(program, checker, byName) {
  const seam = new Map();
  const loop = byName.get('@x/loop');
  if (loop === undefined) return seam;
  const sf = program.getSourceFile(join(loop.dir, 'src', 'internal.ts'));
  const mod = sf && checker.getSymbolAtLocation(sf);
  if (!mod) return seam;
  for (let sym of checker.getExportsOfModule(mod)) {
    if (sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
    const decl = sym.declarations?.find(ts.isInterfaceDeclaration);
    if (decl === undefined) continue;
    const names = checker
      .getDeclaredTypeOfSymbol(sym)
      .getProperties()
      .map((p) => p.name);
    seam.set(decl, new Set(names));
  }
  return seam;
}

/** The interface declaration a heritage clause names, if any. */
function interfaceOf(typeNode, checker) {
  let sym = checker.getSymbolAtLocation(typeNode.expression);
  if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
  return sym?.declarations?.find(ts.isInterfaceDeclaration);
}

/**
 * True when member `name` declared at `decl` is part of the seam: declared by
 * an interface that the seam entry exports, or by a class that implements one
 * such interface declaring `name`.
 */
function declaredBySeam(decl, name, seam, checker) {
  const holder = decl.parent;
  if (holder && ts.isInterfaceDeclaration(holder)) return seam.get(holder)?.has(name) === true;
  if (!holder || !ts.isClassLike(holder)) return false;
  for (const clause of holder.heritageClauses ?? []) {
    if (clause.token !== ts.SyntaxKind.ImplementsKeyword) continue;
    for (const t of clause.types) {
      const iface = interfaceOf(t, checker);
      if (iface && seam.get(iface)?.has(name)) return true;
    }
  }
  return false;
}

/** Returns a list of violation messages for the repository at `root`. */
export function checkSeam(root) {
  const pkgs = packagesOf(root);
  const byName = new Map(pkgs.map((p) => [p.name, p]));
  const ownerOf = (file) => pkgs.find((p) => resolve(file).startsWith(p.dir + sep))?.name;
  const files = pkgs.flatMap((p) => sourceFiles(join(p.dir, 'src')));
  const options = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es2022.full.d.ts'],
  };
  const host = ts.createCompilerHost(options);
  // `@x/<pkg>` and `@x/<pkg>/<entry>` resolve to the sources of this repository.
  host.resolveModuleNameLiterals = (literals, containing) =>
    literals.map((lit) => {
      const spec = lit.text;
      const m = /^(@x\/[^/]+)(?:\/(.+))?$/.exec(spec);
      if (m && byName.has(m[1])) {
        const file = join(byName.get(m[1]).dir, 'src', `${m[2] ?? 'index'}.ts`);
        return { resolvedModule: { resolvedFileName: file, extension: ts.Extension.Ts } };
      }
      return ts.resolveModuleName(spec, containing, options, host);
    });
  const program = ts.createProgram({ rootNames: files, options, host });
  const checker = program.getTypeChecker();
  const seam = seamInterfaces(program, checker, byName);
  const violations = [];
  for (const sf of program.getSourceFiles()) {
    const owner = ownerOf(sf.fileName);
    if (owner === undefined || !sf.fileName.includes(`${sep}src${sep}`)) continue;
    const visit = (node) => {
      let name;
      if (ts.isPropertyAccessExpression(node)) name = node.name;
      else if (ts.isElementAccessExpression(node) && ts.isStringLiteral(node.argumentExpression))
        name = node.argumentExpression;
      if (name?.text.startsWith('_')) {
        const sym = checker.getSymbolAtLocation(name);
        const decls = sym?.declarations ?? [];
        const foreign = decls
          .filter((d) => !declaredBySeam(d, name.text, seam, checker))
          .map((d) => ownerOf(d.getSourceFile().fileName))
          .find((o) => o !== undefined && o !== owner);
        if (foreign !== undefined || (sym === undefined && !ts.isPrivateIdentifier(name))) {
          const { line } = sf.getLineAndCharacterOfPosition(name.getStart(sf));
          const where = `${relative(root, sf.fileName)}:${line + 1}`;
          violations.push(
            foreign !== undefined
              ? `${where}: ${owner} reads '${name.text}', a member that ${foreign} does not declare in its seam (declare what is needed in @x/loop/internal)`
              : `${where}: ${owner} reads '${name.text}' of an untyped value (type it by the seam in @x/loop/internal)`,
          );
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return violations;
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const root = resolve(process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url)));
  const violations = checkSeam(root);
  if (violations.length > 0) {
    console.error(`check-seam: ${violations.length} violation(s):`);
    for (const v of violations) console.error(`  ${v}`);
    process.exit(1);
  }
  console.log("check-seam: OK (no package reads another package's _-members)");
}
