/**
 * Two copies of `@x/loop` in one program (two versions in one install, or
 * one package bundled twice) split what must be one: the running loop, the
 * default task factory, `instanceof Future`. Every copy records itself in a
 * registry on `globalThis`, so that the errors such a split causes ("no
 * running event loop", "no task factory") can say what is really wrong.
 */

/** This copy's version: kept equal to package.json's by a test. */
export const VERSION = '0.0.0';

interface Copy {
  version: string;
  where: string;
}

/** Where this module was loaded from: the package's directory when it can tell. */
function location(): string {
  let url: string;
  try {
    url = import.meta.url;
  } catch {
    return '(unknown location)';
  }
  // A query or a hash (a test runner's fresh import) is the same file.
  url = url.replace(/[?#].*$/, '');
  let path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  path = path.replace(/[\\/](dist|src)[\\/][^\\/]+$/, '');
  return path;
}

const KEY = Symbol.for('x-async:@x/loop copies');
const registry = globalThis as unknown as Record<symbol, Copy[] | undefined>;
const copies: Copy[] = registry[KEY] ?? [];
registry[KEY] = copies;
const here: Copy = { version: VERSION, where: location() };
if (!copies.some((c) => c.where === here.where)) copies.push(here);

/**
 * @internal " (two copies of @x/loop are loaded: ...)" when more than one
 * copy was loaded, else an empty string: what an error that such a split
 * can cause appends to its message.
 */
export function copiesHint(): string {
  if (copies.length < 2) return '';
  const list = copies.map((c) => `${c.version} at ${c.where}`);
  const n = copies.length === 2 ? 'two' : String(copies.length);
  return `; ${n} copies of @x/loop are loaded: ${list.join(' and ')}. Every package must use one copy: install one version of the @x packages (pnpm dedupe / npm dedupe) or mark @x/loop as external when bundling`;
}
