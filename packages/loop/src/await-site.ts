/**
 * Where a coroutine chain suspended, in debug mode: the stack of its
 * generator frames when `yield* fut` gave a pending Future to its task. A
 * suspended JavaScript generator shows no frames (Python's `cr_await` chain
 * has no counterpart), so the only moment they can be read is this one. The
 * task that steps the chain takes the stack right after the step, for the
 * call graph (`captureCallGraph`) and the awaiting chain of its errors.
 */

let last: string | null = null;

const EC = Error as unknown as {
  captureStackTrace?: (o: object, f?: unknown) => void;
  stackTraceLimit?: number;
};

/** Seam hook (debug mode only): records the current stack as the latest await site. */
export function noteAwaitSite(): void {
  const holder: { stack?: string } = {};
  const limit = EC.stackTraceLimit;
  // Deep coroutine chains are the point: the default of 10 frames is too few.
  EC.stackTraceLimit = 100;
  try {
    if (EC.captureStackTrace) EC.captureStackTrace(holder, noteAwaitSite);
    else holder.stack = new Error().stack;
  } finally {
    EC.stackTraceLimit = limit;
  }
  last = holder.stack ?? null;
}

/** Seam hook: the stack recorded by the latest `noteAwaitSite()`, once (then null). */
export function takeAwaitSite(): string | null {
  const s = last;
  last = null;
  return s;
}
