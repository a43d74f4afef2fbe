/** Types shared by the loop's API. */
import type { Context } from './context.js';
import type { Future } from './future.js';
import type { Handle } from './handle.js';
import type { EventLoop } from './loop.js';

/**
 * A coroutine: what calling a `function*` coroutine function returns, as a
 * Python coroutine object. `yield* fut` awaits a Future, `yield* coro()`
 * awaits another coroutine, and a bare `yield` gives one turn to other tasks.
 */
export type Coroutine<T = unknown> = Generator<Future<unknown> | undefined, T, unknown>;

/** A source of monotonic time in seconds, for `new EventLoop({ clock })`. */
export interface Clock {
  now(): number;
}

/** Options that `createTask` and task factories accept, as asyncio's keyword arguments. */
export interface TaskOptions {
  name?: string;
  context?: Context;
  eagerStart?: boolean;
}

/** Mirrors the task factory that `loop.set_task_factory()` takes. */
export type TaskFactory = (
  loop: EventLoop,
  coro: Coroutine<unknown>,
  options?: TaskOptions,
) => Future<unknown>;

/** Mirrors the handler that `loop.set_exception_handler()` takes. */
export type ExceptionHandler = (loop: EventLoop, context: ExceptionContext) => void;

/** Mirrors the context dict passed to exception handlers. */
export interface ExceptionContext {
  message: string;
  exception?: unknown;
  future?: Future<unknown>;
  task?: Future<unknown>;
  handle?: Handle;
  [key: string]: unknown;
}

/** Mirrors `concurrent.futures.Executor`, as `loop.run_in_executor()` uses it. */
export interface Executor {
  submit<T>(fn: (...a: any[]) => T, args: unknown[]): PromiseLike<Awaited<T>>;
  shutdown(wait: boolean): PromiseLike<void>;
}
