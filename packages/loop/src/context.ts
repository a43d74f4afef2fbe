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
const EMPTY: Data = new Map();

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

  constructor() {
    this._data = EMPTY;
  }

  /**
   * Mirrors `Context.run()`: calls `fn` with this context as the current one,
   * and restores the previous context afterwards, whatever `fn` does.
   */
  run<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R {
    if (this._entered) {
      throw new RuntimeError(`cannot enter context: ${String(this)} is already entered`);
    }
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
 * The running context, and a scratch context that callbacks run in.
 *
 * A callback that was scheduled without an explicit context runs in a copy
 * of the context current at scheduling time. Instead of allocating that copy,
 * the loop points the scratch context at the saved mapping for the duration of
 * the callback, saving and restoring the previous current context and scratch
 * mapping in locals (so entering nests, with no allocation). The scratch
 * context is never handed to user code, so nothing can observe its reuse.
 */
export const state: { current: Context; scratch: Context; run: number; runs: number } = {
  current: new Context(),
  scratch: new Context(),
  // Which callback the scratch context stands for while it is current (a
  // number per run, given by Handle._run from `runs`): a Token made there
  // belongs to that callback's context, not to another callback's.
  run: 0,
  runs: 0,
};

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
  /** @internal The context it was made in. */
  readonly _ctx: Context;
  /** @internal For the scratch context: which callback run made it (`state.run`). */
  readonly _run: number;
  /** Mirrors `Token.var`: the variable that `set()` was called on. */
  readonly var: ContextVar<T>;
  /** Mirrors `Token.old_value`: the value before `set()`, or `Token.MISSING`. */
  readonly oldValue: T | typeof MISSING;
  constructor(v: ContextVar<T>, oldValue: T | typeof MISSING, ctx: Context) {
    this.var = v;
    this.oldValue = oldValue;
    this._ctx = ctx;
    this._run = ctx === state.scratch ? state.run : 0;
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
    if (token._ctx !== ctx || (ctx === state.scratch && token._run !== state.run)) {
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
