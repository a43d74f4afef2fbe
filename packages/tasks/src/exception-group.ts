/**
 * `ExceptionGroup`, after Python's built-in `ExceptionGroup` (PEP 654): several
 * errors raised together, as a task group raises its children's failures.
 */
import { ValueError } from '@x/loop';
import { shortRepr } from '@x/loop/internal';

/**
 * What `split()` and `subgroup()` match: error classes, or a predicate.
 *
 * @example
 * ```ts
 * const [timeouts, rest] = group.split(TimeoutError);   // eg.split(TimeoutError)
 * const [big] = group.split((e) => e instanceof ValueError && e.message.length > 10);
 * ```
 */
export type ExceptionGroupCondition =
  | (abstract new (
      ...args: never[]
    ) => unknown)
  | ReadonlyArray<abstract new (...args: never[]) => unknown>
  | ((error: unknown) => boolean);

function isErrorClass(f: unknown): f is abstract new (...args: never[]) => unknown {
  return typeof f === 'function' && (f === Error || f.prototype instanceof Error);
}

function matcher(condition: ExceptionGroupCondition): (e: unknown) => boolean {
  if (Array.isArray(condition)) {
    const classes = condition as ReadonlyArray<abstract new (...args: never[]) => unknown>;
    return (e) => classes.some((c) => e instanceof c);
  }
  if (isErrorClass(condition)) return (e) => e instanceof condition;
  if (typeof condition === 'function') return condition as (e: unknown) => boolean;
  throw new TypeError(
    `expected an error class, an array of error classes or a predicate, got ${shortRepr(condition)}`,
  );
}

/**
 * Mirrors Python's `ExceptionGroup(message, exceptions)`: what `taskGroup()`
 * throws when children (or its body) fail, with the message
 * `"unhandled errors in a TaskGroup"`. It is an `AggregateError`: the errors
 * are in `.errors`, in the order they happened, and `.exceptions` is the same
 * array under Python's name. `split()` and `subgroup()` stand in for
 * `except*`.
 *
 * @example
 * ```ts
 * try {
 *   yield* taskGroup(function* (tg) { ... });
 * } catch (e) {
 *   if (!(e instanceof ExceptionGroup)) throw e;
 *   const [timeouts, rest] = e.split(TimeoutError);
 *   if (rest !== null) throw rest;
 * }
 * ```
 */
export class ExceptionGroup extends AggregateError {
  constructor(message: string, errors: Iterable<unknown>) {
    if (typeof message !== 'string') {
      throw new TypeError(
        `ExceptionGroup takes (message, errors) as in Python, got ${shortRepr(message)} as the message`,
      );
    }
    const list =
      errors !== null &&
      typeof (errors as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] === 'function'
        ? [...errors]
        : null;
    if (list === null || list.length === 0) {
      throw new ValueError(
        'ExceptionGroup needs a non-empty array of errors as its second argument',
      );
    }
    super(list, message);
    this.name = new.target.name;
  }

  /** Mirrors `BaseExceptionGroup.exceptions`: the same array as `errors`. */
  get exceptions(): unknown[] {
    return this.errors;
  }

  /**
   * Mirrors `BaseExceptionGroup.subgroup()`: a group with only the errors
   * (nested groups searched too) that match, or null if none does.
   */
  subgroup(condition: ExceptionGroupCondition): ExceptionGroup | null {
    return this.split(condition)[0];
  }

  /**
   * Mirrors `BaseExceptionGroup.split()`: `[match, rest]`, two groups with the
   * same message and nesting, each null when empty.
   */
  split(condition: ExceptionGroupCondition): [ExceptionGroup | null, ExceptionGroup | null] {
    return splitGroup(this, matcher(condition));
  }

  /** Mirrors `BaseExceptionGroup.derive()`: a group like this one with other errors. */
  derive(errors: Iterable<unknown>): ExceptionGroup {
    return new ExceptionGroup(this.message, errors);
  }
}

function splitGroup(
  group: ExceptionGroup,
  match: (e: unknown) => boolean,
): [ExceptionGroup | null, ExceptionGroup | null] {
  if (match(group)) return [group, null];
  const yes: unknown[] = [];
  const no: unknown[] = [];
  for (const e of group.errors) {
    if (e instanceof ExceptionGroup) {
      const [m, r] = splitGroup(e, match);
      if (m !== null) yes.push(m);
      if (r !== null) no.push(r);
    } else if (match(e)) {
      yes.push(e);
    } else {
      no.push(e);
    }
  }
  const derive = (errors: unknown[]): ExceptionGroup | null => {
    if (errors.length === 0) return null;
    const g = group.derive(errors);
    if (group.cause !== undefined) g.cause = group.cause;
    return g;
  };
  return [derive(yes), derive(no)];
}
