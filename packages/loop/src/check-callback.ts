/**
 * What every API that takes a callback checks at the call, after CPython's
 * `BaseEventLoop._check_callback()`: a coroutine, a coroutine function or an
 * `async` function is refused (its work, and any rejection, would be lost),
 * and so is a method taken off its object (`fut.setResult` passed as is),
 * which would fail only later, when called without its `this`.
 */
import { shortRepr } from './format.js';

const fnProto = Function.prototype as object;
const GeneratorFunctionProto = Object.getPrototypeOf(function* () {}) as object;
const AsyncFunctionProto = Object.getPrototypeOf(async () => {}) as object;
const AsyncGeneratorFunctionProto = Object.getPrototypeOf(async function* () {}) as object;

/** The own property naming the method a function is, on the methods that need their object. */
const UNBOUND = Symbol('x-async.method');

interface Marked {
  [UNBOUND]?: readonly [className: string, method: string];
}

/**
 * Part of the seam (`@x/loop/internal`). Marks the public methods of `cls.prototype` (not `_`-prefixed,
 * not accessors) so that a callback check recognises one passed without its
 * object and says how to bind it.
 */
export function refuseUnbound(cls: { name: string; prototype: object }): void {
  const proto = cls.prototype;
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === 'constructor' || name.startsWith('_')) continue;
    const desc = Object.getOwnPropertyDescriptor(proto, name);
    if (desc === undefined || typeof desc.value !== 'function') continue;
    const fn = desc.value as Marked;
    // A method inherited as is (an override reuses nothing) keeps its first class's name.
    if (!Object.hasOwn(fn, UNBOUND)) {
      Object.defineProperty(fn, UNBOUND, { value: [cls.name, name] as const });
    }
  }
}

function lowerFirst(s: string): string {
  return s.length === 0 ? 'obj' : s[0].toLowerCase() + s.slice(1);
}

/**
 * Part of the seam (`@x/loop/internal`). Throws the `TypeError` CPython's `_check_callback` throws
 * ("coroutines cannot be used with call_soon()"), for `async` functions too,
 * and one that says to bind a method passed without its object. `method` is
 * the API's name, as in `callSoon`.
 */
export function checkCallback(cb: unknown, method: string): void {
  if (typeof cb !== 'function') {
    const g = cb as { next?: unknown; throw?: unknown } | null;
    if (
      g !== null &&
      typeof g === 'object' &&
      typeof g.next === 'function' &&
      typeof g.throw === 'function'
    ) {
      throw new TypeError(
        `coroutines cannot be used with ${method}(): run a coroutine with createTask(coro)`,
      );
    }
    throw new TypeError(`a callable object was expected by ${method}(), got ${shortRepr(cb)}`);
  }
  const proto = Object.getPrototypeOf(cb) as object;
  if (proto !== fnProto) {
    if (proto === GeneratorFunctionProto) {
      throw new TypeError(
        `coroutines cannot be used with ${method}(): run a coroutine with createTask(${cb.name || 'coroutineFunction'}())`,
      );
    }
    if (proto === AsyncFunctionProto || proto === AsyncGeneratorFunctionProto) {
      throw new TypeError(
        `coroutines cannot be used with ${method}(): ${cb.name || 'the callback'} is an async function, whose rejection nothing would see; pass a plain function, or write it as a function* and run it with createTask()`,
      );
    }
  }
  const marked = (cb as Marked)[UNBOUND];
  if (marked !== undefined) {
    const [cls, name] = marked;
    const obj = lowerFirst(cls);
    throw new TypeError(
      `${cls}.${name} was passed to ${method}() without its ${cls}: it would be called with no \`this\`; pass ${obj}.${name}.bind(${obj}) or (...args) => ${obj}.${name}(...args)`,
    );
  }
}
