/**
 * The types of `loop.runInExecutor()`: a function's arguments are checked
 * against its parameters, and the `{ module, export }` form takes the result
 * type as its type argument. These are checked by the typecheck step
 * (`tsc -p tsconfig.json`); the calls that must not compile are in a function
 * that never runs.
 */
import '@x/loop/node';
import { type EventLoop, type Future, newEventLoop } from '@x/loop';
import { expect, expectTypeOf, test } from 'vitest';
import { drive } from './drive.js';

const JOBS = new URL('./fixtures/jobs.mjs', import.meta.url);

/** Calls that must not compile; never called. */
export function rejectedByTheTypeChecker(loop: EventLoop): void {
  const double = (n: number) => n * 2;
  // @ts-expect-error: a string where the function takes a number
  loop.runInExecutor(null, double, 'ten');
  // @ts-expect-error: one argument too many
  loop.runInExecutor(null, double, 10, 'extra');
  // @ts-expect-error: a missing argument
  loop.runInExecutor(null, double);
  // @ts-expect-error: the module form is { module, export }
  loop.runInExecutor(null, { module: JOBS }, 1);
  // @ts-expect-error: an optional parameter still has its type
  loop.runInExecutor(null, (a: number, b: number = 1) => a + b, 1, '2');
  // A function's parameters are typed by the arguments when it has no annotations.
  expectTypeOf(loop.runInExecutor(null, (s) => s.length, 'four')).toEqualTypeOf<Future<number>>();
}

test('the result type follows the function; arguments are checked against its parameters', async () => {
  const loop = newEventLoop();
  try {
    const fut = loop.runInExecutor(null, (a: number, b: string) => b.repeat(a), 2, 'ab');
    expectTypeOf(fut).toEqualTypeOf<Future<string>>();
    const async = loop.runInExecutor(null, async (n: number) => BigInt(n), 7);
    expectTypeOf(async).toEqualTypeOf<Future<bigint>>();
    const optional = loop.runInExecutor(null, (a: number, b: number = 1) => a + b, 1);
    expectTypeOf(optional).toEqualTypeOf<Future<number>>();
    expect(await loop.runUntilComplete(fut)).toBe('abab');
    expect(await loop.runUntilComplete(async)).toBe(7n);
    expect(await loop.runUntilComplete(optional)).toBe(2);
  } finally {
    await loop.runUntilComplete(drive(loop, loop.shutdownDefaultExecutor()));
    loop.close();
  }
});

test('the module form is generic: runInExecutor<T>(null, { module, export }, ...args)', async () => {
  const loop = newEventLoop();
  try {
    const sq = loop.runInExecutor<number>(null, { module: JOBS, export: 'square' }, 9);
    expectTypeOf(sq).toEqualTypeOf<Future<number>>();
    const untyped = loop.runInExecutor(null, { module: JOBS, export: 'square' }, 3);
    expectTypeOf(untyped).toEqualTypeOf<Future<unknown>>();
    expect(await loop.runUntilComplete(sq)).toBe(81);
    expect(await loop.runUntilComplete(untyped)).toBe(9);
  } finally {
    await loop.runUntilComplete(drive(loop, loop.shutdownDefaultExecutor()));
    loop.close();
  }
});
