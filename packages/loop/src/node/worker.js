// @ts-check
/**
 * The script every thread of `WorkerPoolExecutor` runs: it receives jobs
 * (a function's source or a module export, and the arguments), runs them
 * one at a time and posts back the result or the error.
 *
 * It is plain JavaScript, checked by TypeScript through JSDoc, so that the
 * same file runs from the package's source and from its build.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';

/** @typedef {{ id: number, args: unknown[], src?: string, module?: string, export?: string }} JobMessage */

const HINT =
  'an executor function is sent to the worker by its source (fn.toString()), so it cannot close over variables of the scope it was written in, nor use `this`: pass what it needs as arguments, or pass { module, export } to run a function a module exports';

// A shipped function is source text: evaluating it in the worker's global
// scope is what this executor does.
// biome-ignore lint/security/noGlobalEval: see above
const globalEval = eval;

/** @type {Map<string, (...a: unknown[]) => unknown>} */
const cache = new Map();

/**
 * What a shipped function sees as `this`: any use of it fails with the hint,
 * where the global object would otherwise give `undefined` and a silent `NaN`.
 */
const THIS_TRAP = new Proxy(Object.create(null), {
  get(_target, key) {
    throw new TypeError(
      `the function used this${typeof key === 'string' ? `.${key}` : ''}: ${HINT}`,
    );
  },
  set() {
    throw new TypeError(`the function assigned to a property of this: ${HINT}`);
  },
  has() {
    throw new TypeError(`the function used this: ${HINT}`);
  },
});

/**
 * Evaluates a function's source at the top level of the worker. The source
 * is wrapped in a function called with `THIS_TRAP` as `this`, so that an
 * arrow function that uses `this` sees the trap too.
 * @param {string} src
 * @returns {(...a: unknown[]) => unknown}
 */
function compile(src) {
  const cached = cache.get(src);
  if (cached !== undefined) return cached;
  /** @type {unknown} */
  let fn;
  try {
    fn = globalEval(`(function () { return (${src}\n); })`).call(THIS_TRAP);
  } catch (e) {
    try {
      // A method written with the shorthand syntax: name(a) { ... }
      const holder = globalEval(`(function () { return ({${src}\n}); })`).call(THIS_TRAP);
      const d = Object.values(Object.getOwnPropertyDescriptors(holder))[0];
      fn = d?.value ?? d?.get ?? d?.set;
    } catch {
      throw new TypeError(
        `the function could not be evaluated in the worker (${e instanceof Error ? e.message : String(e)}): ${HINT}`,
      );
    }
  }
  if (typeof fn !== 'function') {
    throw new TypeError(`the source shipped to the worker is not a function: ${HINT}`);
  }
  const f = /** @type {(...a: unknown[]) => unknown} */ (fn);
  if (cache.size >= 256) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(src, f);
  return f;
}

/**
 * A path is relative to the current directory; URLs and package names go to
 * `import()` as they are.
 * @param {string} m
 */
function toSpecifier(m) {
  if (isAbsolute(m) || m.startsWith('./') || m.startsWith('../') || m === '.' || m === '..') {
    return pathToFileURL(resolve(m)).href;
  }
  return m;
}

/**
 * An error as a structured clone keeps it (name, message, stack, code), or
 * the thrown value itself.
 * @param {unknown} e
 */
function describe(e) {
  if (e !== null && typeof e === 'object' && typeof (/** @type {any} */ (e).message) === 'string') {
    const x = /** @type {{ name?: unknown, message: string, stack?: unknown, code?: unknown }} */ (
      e
    );
    /** @type {{ name: string, message: string, stack: string | undefined, code?: string | number }} */
    const error = {
      name: String(x.name || 'Error'),
      message: x.message,
      stack: typeof x.stack === 'string' ? x.stack : undefined,
    };
    if (typeof x.code === 'string' || typeof x.code === 'number') error.code = x.code;
    return { error };
  }
  return { thrown: e };
}

/**
 * @param {import('node:worker_threads').MessagePort} port
 * @param {number} id
 * @param {unknown} e
 */
function fail(port, id, e) {
  try {
    port.postMessage({ id, ok: false, ...describe(e) });
  } catch {
    port.postMessage({ id, ok: false, thrown: String(e) });
  }
}

/**
 * A shipped function that read a variable of the scope it was written in
 * fails with `ReferenceError: x is not defined`: say why.
 * @param {unknown} e
 */
function explain(e) {
  if (e instanceof ReferenceError && !e.message.includes(HINT)) {
    e.message = `${e.message}: ${HINT}`;
    if (typeof e.stack === 'string')
      e.stack = e.stack.replace(/^[^\n]*/, `ReferenceError: ${e.message}`);
  }
  return e;
}

/**
 * @param {import('node:worker_threads').MessagePort} port
 * @param {JobMessage} msg
 */
async function run(port, msg) {
  const id = msg.id;
  /** @type {unknown} */
  let value;
  try {
    if (msg.src !== undefined) {
      const fn = compile(msg.src);
      try {
        value = await fn.apply(THIS_TRAP, msg.args);
      } catch (e) {
        throw explain(e);
      }
    } else {
      const name = String(msg.export);
      const mod = await import(toSpecifier(String(msg.module)));
      const fn = mod[name];
      if (typeof fn !== 'function') {
        throw new TypeError(
          `the module ${msg.module} has no function exported as ${JSON.stringify(name)}`,
        );
      }
      value = await fn(...msg.args);
    }
  } catch (e) {
    fail(port, id, e);
    return;
  }
  try {
    port.postMessage({ id, ok: true, value });
  } catch (e) {
    fail(
      port,
      id,
      new TypeError(
        `the result of the function could not be sent back from the worker: ${e instanceof Error ? e.message : String(e)} (results are structured-cloned: no functions, class instances lose their class)`,
      ),
    );
  }
}

const port = parentPort;
if (port === null) throw new Error('worker.js is the script of WorkerPoolExecutor threads');
port.on('message', (/** @type {JobMessage} */ msg) => {
  void run(port, msg);
});
