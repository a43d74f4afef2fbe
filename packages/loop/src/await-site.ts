/**
 * Where a coroutine chain suspended, in debug mode: the stack of its
 * generator frames when `yield* fut` gave a pending Future to its task. A
 * suspended JavaScript generator shows no frames (Python's `cr_await` chain
 * has no counterpart), so the only moment they can be read is this one. The
 * task that steps the chain takes the stack right after the step, for the
 * call graph (`captureCallGraph`) and the awaiting chain of its errors.
 */

import { captureStack } from './format.js';

let last: string | null = null;

/**
 * Debug mode only (`suspendOn`): records the current stack, from the caller
 * of `below` down, as the latest await site.
 */
export function noteAwaitSite(below: (...args: never[]) => unknown): void {
  // Deep coroutine chains are the point: the default of 10 frames is too few.
  last = captureStack(below) || null;
}

/** Seam hook: the stack recorded by the latest `noteAwaitSite()`, once (then null). */
export function takeAwaitSite(): string | null {
  const s = last;
  last = null;
  return s;
}
