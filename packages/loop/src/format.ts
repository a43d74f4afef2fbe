/**
 * How callbacks, values and creation sites are printed in reprs and logs,
 * after CPython's `format_helpers.py` and `reprlib`.
 */

/**
 * A string as Python's `repr()` writes it: single quotes, unless the string
 * holds a single quote and no double quote.
 */
export function pyStringRepr(str: string): string {
  const quote = str.includes("'") && !str.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of str) {
    const c = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** A short, bounded representation of a value, like `reprlib.repr`: at most `limit` characters. */
export function shortRepr(value: unknown, limit = 40): string {
  let s: string;
  if (typeof value === 'string') s = pyStringRepr(value);
  else if (typeof value === 'function') s = `[Function ${value.name || '(anonymous)'}]`;
  else if (typeof value === 'bigint') s = `${value}n`;
  else if (typeof value === 'symbol') s = value.toString();
  else if (value === null || typeof value !== 'object') s = String(value);
  else if (Array.isArray(value)) s = `[${value.map((v) => shortRepr(v, 20)).join(', ')}]`;
  else if (value instanceof Error) s = `${value.name}(${pyStringRepr(value.message)})`;
  else {
    const own = (value as { toString?: unknown }).toString;
    s =
      typeof own === 'function' && own !== Object.prototype.toString
        ? String(value)
        : `<${value.constructor?.name ?? 'Object'}>`;
  }
  return s.length > limit ? `${s.slice(0, limit - 3)}...` : s;
}

/** `name(arg, ...)`, as `_format_callback`. */
export function formatCallback(fn: unknown, args: readonly unknown[]): string {
  const name =
    typeof fn === 'function' ? fn.name.replace(/^bound /, '') || '<anonymous>' : String(fn);
  return `${name}(${args.map((a) => shortRepr(a)).join(', ')})`;
}

/**
 * Where this library's packages live: the directory that holds `@x/loop`'s
 * own package directory (`.../packages/` in the repository,
 * `.../node_modules/@x/` once installed), as a path and as a file URL (ESM
 * frames print URLs). A frame from a `src/` or `dist/` directory of a package
 * there is the library's, whichever package it is, so that this file need
 * not know the packages built on it. Null where the module has no URL.
 */
const libraryFrame: RegExp | null = (() => {
  let root: URL;
  // Not `new URL('../..', import.meta.url)` as such: bundlers (webpack, Vite)
  // take that form for an asset or a module to bundle.
  const here: string = import.meta.url;
  try {
    root = new URL('../..', here);
  } catch {
    return null;
  }
  const quote = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const roots = [root.href];
  if (root.protocol === 'file:') roots.push(decodeURIComponent(root.pathname));
  return new RegExp(`(?:${roots.map(quote).join('|')})[^\\\\/]+[\\\\/](?:src|dist)[\\\\/]`);
})();

const EC = Error as unknown as {
  captureStackTrace?: (o: object, f?: unknown) => void;
  stackTraceLimit?: number;
};

/**
 * Seam: the current stack as text, from the caller of `below` outwards, up to
 * `frames` frames (V8's default of 10 is too few for a chain of coroutines),
 * without changing `Error.stackTraceLimit` for anyone else. Every stack this
 * library records for debug mode and the call graph is taken here.
 */
export function captureStack(below: (...args: never[]) => unknown, frames = 100): string {
  const holder: { stack?: string } = {};
  const limit = EC.stackTraceLimit;
  EC.stackTraceLimit = frames;
  try {
    if (EC.captureStackTrace) EC.captureStackTrace(holder, below);
    else holder.stack = new Error().stack;
  } finally {
    EC.stackTraceLimit = limit;
  }
  return holder.stack ?? '';
}

/**
 * The stack where something was created, for debug mode. The frames of this
 * library are dropped, so the first line is the user's call.
 */
export function captureCreationSite(): string | null {
  const lines = captureStack(captureCreationSite, EC.stackTraceLimit ?? 10)
    .split('\n')
    .slice(1);
  const re = libraryFrame;
  const user = re === null ? lines : lines.filter((l) => !re.test(l));
  const kept = user.length > 0 ? user : lines;
  return kept.length > 0 ? kept.map((l) => l.trim()).join('\n') : null;
}

/** The first frame of a creation site, for `created at ...` in a repr. */
export function firstFrame(site: string | null): string | null {
  if (site === null) return null;
  const first = site.split('\n')[0] ?? '';
  const m = /\(?([^()\s]+:\d+:\d+)\)?$/.exec(first);
  return m ? (m[1] ?? first) : first.replace(/^at /, '');
}
