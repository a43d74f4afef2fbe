/**
 * @internal Python's ordering of the values that `PriorityQueue` accepts
 * by default: numbers, strings, and arrays compared element-wise as tuples.
 */
import { typeName } from './awaitable.js';

type Kind = 'number' | 'string' | 'array' | 'other';

function kindOf(x: unknown): Kind {
  const t = typeof x;
  if (t === 'number' || t === 'bigint' || t === 'boolean') return 'number';
  if (t === 'string') return 'string';
  if (Array.isArray(x)) return 'array';
  return 'other';
}

/**
 * Compares `a` and `b` as Python's `<` would: numbers (with bigints and
 * booleans, as Python's `int`, `float` and `bool`) by value, strings by
 * UTF-16 code units (JavaScript's `<`), arrays element-wise as tuples: the
 * first pair of elements that differ decides, else the shorter array comes
 * first. Any other values are equal only if identical (`===`); ordering them
 * is a `TypeError`, as in Python.
 */
export function pythonCompare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === kb && ka !== 'other') {
    if (ka === 'array') {
      const x = a as unknown[];
      const y = b as unknown[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = pythonCompare(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  }
  throw new TypeError(
    `'<' not supported between instances of '${typeName(a)}' and '${typeName(b)}': a PriorityQueue orders numbers, strings and arrays of them (as Python tuples) by default; pass { compare } to its constructor to order anything else`,
  );
}
