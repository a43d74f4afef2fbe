/**
 * The argument checks shared by the functions of `@x/tasks`: one per kind of
 * argument, each refusing a bad value at the call with a message that says
 * what was expected.
 */
import { shortRepr } from '@x/loop/internal';

/**
 * @internal A number of seconds, or null (undefined too) for none. Anything
 * else, NaN included, is a TypeError whose message `complain` builds from
 * the description of what was given (`describe`).
 */
export function secondsOrNull(
  value: unknown,
  complain: (got: string) => string,
  describe: (value: unknown) => string = shortRepr,
): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(complain(Number.isNaN(value) ? 'NaN' : describe(value)));
  }
  return value;
}

/** @internal A scope's body must be a function (a `function*`): refused at the call. */
export function checkBody(body: unknown, fn: string, takes: string): void {
  if (typeof body !== 'function') {
    throw new TypeError(
      `${fn}() needs a body: a function* that takes ${takes}, got ${shortRepr(body)}`,
    );
  }
}
