/**
 * Context variables, as Python's `contextvars` module.
 *
 * A context is an immutable mapping from variables to values; `ContextVar.set`
 * replaces the current context's mapping with a copy that has the new value.
 * Copying a context is therefore O(1): it shares the mapping. That is what
 * lets every callback and task run in a snapshot of the context it was
 * scheduled from without paying for a copy on the hot path.
 */
import { refuseUnbound } from './check-callback.js';
import { RuntimeError, ValueError } from './errors.js';
import { shortRepr } from './format.js';
import type { ContextInternals } from './seam.js';

type Data = ReadonlyMap<ContextVar<unknown>, unknown>;
/** @internal The values of an empty context (shared: a context's values are never changed in place). */
export const EMPTY: Data = new Map();

/**
 * Mirrors `contextvars.Context`: a mapping of context variables to values.
 *
 * @example
 * ```ts
 * const ctx = copyContext();                  // ctx = contextvars.copy_context()
 * ctx.run(() => requestId.set('req-1'));      // ctx.run(request_id.set, 'req-1')
 * console.log(ctx.get(requestId));            // 'req-1' (ctx.get(request_id))
 * console.log(requestId.get());               // unchanged outside: the variable's default
 * ```
 */
export class Context implements ContextInternals {
  /** Seam: `ContextInternals`. */ _data: Data;
  /** Seam: `ContextInternals`. */ _entered = false;
  /**
   * @internal The owner it was made for by `contextOf()`: tokens made while
   * that owner ran in the scratch context belong to this context.
   */
  _owner: ContextOwner | null = null;

  constructor() {
    this._data = EMPTY;
  }

  /**
   * Mirrors `Context.run()`: calls `fn` with this context as the current one,
   * and restores the previous context afterwards, whatever `fn` does.
   */
  run<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R {
    if (this._entered) throw enteredError(this);
    const prev = state.current;
    this._entered = true;
    state.current = this;
    try {
      return fn(...args);
    } finally {
      state.current = prev;
      this._entered = false;
    }
  }

  /** Mirrors `Context.get()`: the variable's value in this context, or `dflt`. */
  get<T>(v: ContextVar<T>, dflt?: T): T | undefined {
    checkKey(v);
    const d = this._data;
    return d.has(v as ContextVar<unknown>) ? (d.get(v as ContextVar<unknown>) as T) : dflt;
  }

  /** Mirrors `var in context`. */
  has(v: ContextVar<unknown>): boolean {
    checkKey(v);
    return this._data.has(v);
  }

  /** Mirrors `Context.copy()`: a shallow copy; later changes to either are not shared. */
  copy(): Context {
    return fromData(this._data);
  }

  /** Mirrors `len(context)`. */
  get size(): number {
    return this._data.size;
  }

  /** Mirrors iterating over `context.items()`. */
  *entries(): IterableIterator<[ContextVar<unknown>, unknown]> {
    yield* this._data.entries();
  }

  /** Mirrors `repr(context)`. */
  toString(): string {
    return `<Context object with ${this._data.size} variable(s)>`;
  }
}

function checkKey(v: unknown): void {
  if (!(v instanceof ContextVar)) {
    throw new TypeError(`a ContextVar key was expected, got ${shortRepr(v)}`);
  }
}

function fromData(data: Data): Context {
  const c = new Context();
  c._data = data;
  return c;
}

/**
 * Seam: something that runs code in a context of its own which is made only
 * when asked for (a Handle, a Task). Until then `_ctx` holds the values of
 * that context (an immutable map, shared with the context it was copied
 * from: copying is O(1)), and the code runs in the scratch context pointed
 * at them; `contextOf()` makes the Context when someone asks for it.
 */
export interface ContextOwner {
  /** Its context once made, else the values it would hold. */
  _ctx: Context | Data;
}

/**
 * The running context, and the scratch context that owners run in.
 *
 * An owner without a Context of its own runs in the scratch context pointed
 * at its values (`runInContext`), which writes back what the code set. The
 * scratch context is never handed to user code (`contextOf` makes a real one
 * on demand), so nothing can observe its reuse.
 */
export const state: {
  current: Context;
  scratch: Context;
  owner: ContextOwner | null;
} = {
  current: new Context(),
  scratch: new Context(),
  // Whose values the scratch context holds while it is entered: a Token made
  // there belongs to that owner's context, not to another owner's.
  owner: null,
};

/**
 * Seam: the one context-on-demand mechanism: calls `fn(a, b)` with `o`'s
 * context as the current one (and returns what it returns), and restores
 * the previous one afterwards,
 * whatever `fn` does; what `fn` set stays `o`'s context. Throws the
 * RuntimeError of `Context.run` (before calling `fn`) if `o`'s Context is
 * already entered. What it saves lives in this frame's locals: entering
 * nests with no allocation.
 */
export function runInContext<A, B, R>(o: ContextOwner, fn: (a: A, b: B) => R, a: A, b: B): R {
  const c = o._ctx;
  const prev = state.current;
  if (c instanceof Context) {
    if (c._entered) throw enteredError(c);
    c._entered = true;
    state.current = c;
    try {
      return fn(a, b);
    } finally {
      state.current = prev;
      c._entered = false;
    }
  }
  const s = state.scratch;
  const prevData = s._data;
  const prevOwner = state.owner;
  s._data = c;
  state.owner = o;
  state.current = s;
  try {
    return fn(a, b);
  } finally {
    const own = o._ctx;
    // `own !== c` first: most owners still hold the values they had, and V8's first tiers
    // run `instanceof` as a generic lookup of Symbol.hasInstance (once per first step of
    // every task).
    if (own !== c && own instanceof Context) {
      // Made by contextOf() while `fn` ran: it holds the values from then on.
      if (state.current === s) own._data = s._data;
      own._entered = false;
    } else if (s._data !== own) {
      // Only when `fn` set something: most owners keep the values they had.
      o._ctx = s._data;
    }
    s._data = prevData;
    state.owner = prevOwner;
    state.current = prev;
  }
}

/** Seam: `Context.run`'s RuntimeError for a context that is already entered. */
export function enteredError(c: Context): RuntimeError {
  return new RuntimeError(`cannot enter context: ${String(c)} is already entered`);
}

/**
 * Seam: `o`'s context as a Context, made now if it was not yet (what
 * `Handle.getContext()` and `Task.getContext()` return).
 */
export function contextOf(o: ContextOwner): Context {
  const c = o._ctx;
  if (c instanceof Context) return c;
  const ctx = new Context();
  ctx._owner = o;
  o._ctx = ctx;
  const s = state.scratch;
  if (state.owner === o) {
    // Asked for while `o` runs: its code continues in the new context, which
    // is entered (as CPython's) until runInContext() returns.
    ctx._data = s._data;
    ctx._entered = true;
    if (state.current === s) state.current = ctx;
  } else {
    ctx._data = c;
  }
  return ctx;
}

/** Which context a Token belongs to: the scratch context stands for its owner's. */
function identityOf(ctx: Context): Context | ContextOwner {
  if (ctx === state.scratch && state.owner !== null) return state.owner;
  return ctx._owner ?? ctx;
}

/**
 * Mirrors `contextvars.copy_context()`: a copy of the current context.
 *
 * @example
 * ```ts
 * const ctx = copyContext();                  // ctx = contextvars.copy_context()
 * requestId.set('changed');                   // the copy keeps the value it had
 * ctx.run(() => console.log(requestId.get())); // ctx.run(print_request_id)
 * ```
 */
export function copyContext(): Context {
  return fromData(state.current._data);
}

const MISSING: unique symbol = Symbol('Token.MISSING');
const NO_DEFAULT: unique symbol = Symbol('no default');

/**
 * Mirrors `contextvars.Token`: what `ContextVar.set()` returns, for `reset()`.
 *
 * @example
 * ```ts
 * const token = level.set(level.get() + 1);   // token = level.set(level.get() + 1)
 * try {
 *   yield* handle();
 * } finally {
 *   level.reset(token);                       // level.reset(token)
 * }
 * ```
 */
export class Token<T> {
  /** Mirrors `Token.MISSING`: the old value of a variable that had none. */
  static readonly MISSING: typeof MISSING = MISSING;
  /** @internal */ _used = false;
  /** @internal The context it was made in (the scratch context stands for its owner). */
  readonly _ctx: Context | ContextOwner;
  /** Mirrors `Token.var`: the variable that `set()` was called on. */
  readonly var: ContextVar<T>;
  /** Mirrors `Token.old_value`: the value before `set()`, or `Token.MISSING`. */
  readonly oldValue: T | typeof MISSING;
  constructor(v: ContextVar<T>, oldValue: T | typeof MISSING, ctx: Context) {
    this.var = v;
    this.oldValue = oldValue;
    this._ctx = identityOf(ctx);
  }

  /** Mirrors `repr(token)`. */
  toString(): string {
    return `<Token${this._used ? ' used' : ''} var=${String(this.var)}>`;
  }
}

/**
 * Mirrors `contextvars.ContextVar`: a variable whose value depends on the current context.
 *
 * @example
 * ```ts
 * const requestId = new ContextVar('requestId', { default: 'none' });   // ContextVar('request_id', default='none')
 * const token = requestId.set('req-42');
 * console.log(requestId.get());               // 'req-42'; each task sees its own copy
 * requestId.reset(token);                     // back to 'none'
 * ```
 */
export class ContextVar<T> {
  /** Mirrors `ContextVar.name`: the name given to the constructor. */
  readonly name: string;
  readonly #default: T | typeof NO_DEFAULT;

  constructor(name: string, options?: { default?: T }) {
    if (typeof name !== 'string') {
      throw new TypeError(`context variable name must be a str, got ${typeof name}`);
    }
    this.name = name;
    this.#default =
      options !== undefined && 'default' in options ? (options.default as T) : NO_DEFAULT;
  }

  /**
   * Mirrors `ContextVar.get()`: the value in the current context, else
   * `dflt`, else the variable's default, else a `LookupError`-like error.
   */
  get(dflt?: T): T {
    const d = state.current._data;
    const key = this as ContextVar<unknown>;
    if (d.has(key)) return d.get(key) as T;
    // biome-ignore lint/complexity/noArguments: `get(undefined)` and `get()` differ, as in Python
    if (arguments.length > 0) return dflt as T;
    if (this.#default !== NO_DEFAULT) return this.#default;
    throw new LookupError(`<ContextVar name='${this.name}'> has no value`);
  }

  /** Mirrors `ContextVar.set()`: sets the value in the current context. */
  set(value: T): Token<T> {
    const ctx = state.current;
    const key = this as ContextVar<unknown>;
    const old = ctx._data.has(key) ? (ctx._data.get(key) as T) : MISSING;
    const next = new Map(ctx._data);
    next.set(key, value);
    ctx._data = next;
    return new Token(this, old, ctx);
  }

  /** Mirrors `ContextVar.reset()`: restores the value the variable had before `set()`. */
  reset(token: Token<T>): void {
    if (!(token instanceof Token)) {
      throw new TypeError(`expected an instance of Token, got ${String(token)}`);
    }
    if (token._used) throw new RuntimeError(`${String(token)} has already been used once`);
    if (token.var !== this)
      throw new ValueError(`${String(token)} was created by a different ContextVar`);
    const ctx = state.current;
    if (token._ctx !== identityOf(ctx)) {
      throw new ValueError(`${String(token)} was created in a different Context`);
    }
    token._used = true;
    const next = new Map(ctx._data);
    if (token.oldValue === MISSING) next.delete(this as ContextVar<unknown>);
    else next.set(this as ContextVar<unknown>, token.oldValue);
    ctx._data = next;
  }

  /** Mirrors `repr(var)`: its name and default. */
  toString(): string {
    const d = this.#default;
    if (d === NO_DEFAULT) return `<ContextVar name='${this.name}'>`;
    // A default that contains the variable prints it as "...", as Python's reprs do.
    if (inRepr.has(this)) return '...';
    inRepr.add(this);
    try {
      return `<ContextVar name='${this.name}' default=${shortRepr(d)}>`;
    } finally {
      inRepr.delete(this);
    }
  }
}

const inRepr = new Set<ContextVar<unknown>>();

/**
 * Mirrors Python's `LookupError`: what `ContextVar.get()` throws for a variable with no value.
 *
 * @example
 * ```ts
 * const user = new ContextVar<string>('user'); // no default
 * try {
 *   user.get();
 * } catch (e) {
 *   if (e instanceof LookupError) console.log('no user set');   // except LookupError:
 * }
 * ```
 */
export class LookupError extends Error {
  constructor(message?: string) {
    super(message);
    this.name = 'LookupError';
  }
}

refuseUnbound(Context);
refuseUnbound(ContextVar);
