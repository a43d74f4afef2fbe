/**
 * `@x/loop` as Node (and Bun and Deno, which match the `node` export
 * condition) load it: the package's whole API, with `@x/loop/node` installed,
 * so that `runInExecutor(null, ...)` has its pool of worker threads as
 * CPython's loop has its thread pool, without an extra import. Browsers and
 * browser bundles get `../index.ts`, which names no `node:` module.
 *
 * @module
 */
import './index.js';

export * from '../index.js';
