/** Types shared by the loop's API. */
import type { Context } from './context.js';
import type { Future } from './future.js';
import type { Handle } from './handle.js';
import type { EventLoop } from './loop.js';
import type { TaskLike } from './seam.js';

/**
 * A coroutine: what calling a `function*` coroutine function returns, as a
 * Python coroutine object. `yield* fut` awaits a Future, `yield* coro()`
 * awaits another coroutine, and a bare `yield` gives one turn to other tasks.
 *
 * @example
 * ```ts
 * function* fetchCount(url: string): Coroutine<number> {   // async def fetch_count(url) -> int:
 *   const body = yield* ensureFuture(fetch(url).then((r) => r.text()));
 *   return body.length;
 * }
 * ```
 */
export type Coroutine<T = unknown> = Generator<Future<unknown> | undefined, T, unknown>;

/**
 * A source of monotonic time in seconds, for `new EventLoop({ clock })`.
 *
 * @example
 * ```ts
 * let now = 0;
 * const loop = new EventLoop({ clock: { now: () => now } });   // a clock the test moves by hand
 * now += 10;                                  // loop.time() is now 10
 * ```
 */
export interface Clock {
  /** The current time in seconds, never going backwards. */
  now(): number;
}

/**
 * Options that `createTask` and task factories accept, as asyncio's keyword arguments.
 *
 * @example
 * ```ts
 * const options: TaskOptions = { name: 'poller', context: copyContext() };
 * createTask(poll(), options);                // create_task(poll(), name='poller', context=...)
 * ```
 */
export interface TaskOptions {
  /** The task's name, as `create_task(name=...)`; `Task-<n>` when not given. */
  name?: string;
  /** The Context the task runs in, as `create_task(context=...)`; a copy of the current one when not given. */
  context?: Context;
  /** Run the first step at once, inside `createTask()`, as `create_task(eager_start=True)`. */
  eagerStart?: boolean;
}

/**
 * The task type that `loop.createTask()` returns. `@x/tasks`, which installs
 * `Task` as the default task factory, adds `task: Task<T>` to this interface
 * (TypeScript declaration merging), so that `loop.createTask(coro)` is typed
 * as a `Task<T>` wherever `@x/tasks` is imported. Without it, a task is known
 * by what the loop holds it by (`TaskLike`).
 *
 * @example
 * ```ts
 * import '@x/tasks';
 * const t = loop.createTask(main());   // Task<number>
 * t.cancelling();
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: @x/tasks fills it in by declaration merging.
// biome-ignore lint/correctness/noUnusedVariables: T is the parameter that an augmentation uses.
export interface TaskTypes<T> {}

/**
 * What `loop.createTask<T>()` returns: the `task` member of `TaskTypes<T>`, as asyncio's `create_task` returns a Task.
 *
 * @example
 * ```ts
 * function* main() {
 *   return 42;
 * }
 * const task: TaskOf<number> = loop.createTask(main());   // a Task<number> once '@x/tasks' is imported
 * ```
 */
export type TaskOf<T> =
  TaskTypes<T> extends {
    /** The task type `@x/tasks` declares. */
    task: infer X;
  }
    ? X
    : Future<T> & TaskLike;

/**
 * Mirrors the task factory that `loop.set_task_factory()` takes.
 *
 * @example
 * ```ts
 * const named: TaskFactory = (loop, coro, options) =>
 *   new Task(coro, { ...options, loop, name: options?.name ?? 'worker' });
 * loop.setTaskFactory(named);                 // loop.set_task_factory(named)
 * ```
 */
export type TaskFactory = (
  loop: EventLoop,
  coro: Coroutine<unknown>,
  options?: TaskOptions,
) => Future<unknown>;

/**
 * Mirrors the handler that `loop.set_exception_handler()` takes.
 *
 * @example
 * ```ts
 * const quiet: ExceptionHandler = (loop, context) => {
 *   if (context.exception instanceof OSError) return;   // expected: ignore
 *   loop.defaultExceptionHandler(context);    // loop.default_exception_handler(context)
 * };
 * loop.setExceptionHandler(quiet);
 * ```
 */
export type ExceptionHandler = (loop: EventLoop, context: ExceptionContext) => void;

/**
 * Mirrors the context dict passed to exception handlers.
 *
 * @example
 * ```ts
 * loop.setExceptionHandler((_loop, context: ExceptionContext) => {
 *   console.log(context.message);             // context['message']
 *   if (context.exception instanceof Error) console.log(context.exception.stack);
 * });
 * ```
 */
export interface ExceptionContext {
  /** What happened, for the log. */
  message: string;
  /** The exception that was not handled, if there is one. */
  exception?: unknown;
  /** The Future concerned, if any. */
  future?: Future<unknown>;
  /** The Task concerned, if any. */
  task?: Future<unknown>;
  /** The Handle whose callback failed, if any. */
  handle?: Handle;
  [key: string]: unknown;
}

/**
 * Mirrors `concurrent.futures.Executor`, as `loop.run_in_executor()` uses it.
 *
 * @example
 * ```ts
 * const inline: Executor = {                  // a concurrent.futures.Executor subclass
 *   submit: (fn, args) => Promise.resolve().then(() => fn(...args)),
 *   shutdown: () => Promise.resolve(),
 * };
 * loop.setDefaultExecutor(inline);
 * ```
 */
export interface Executor {
  /** Mirrors `Executor.submit(fn, *args)`: runs `fn(...args)` and settles with its outcome. */
  // biome-ignore lint/suspicious/noExplicitAny: the contract's signature; any function with its arguments.
  submit<T>(fn: (...a: any[]) => T, args: unknown[]): PromiseLike<Awaited<T>>;
  /** Mirrors `Executor.shutdown(wait)`: accepts no more work; with `wait`, settles once the running work is done. */
  shutdown(wait: boolean): PromiseLike<void>;
}
