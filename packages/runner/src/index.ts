/**
 * `@x/runner`: the application entry points of x-async (Node.js): `run()`,
 * `Runner`, `runMain()` and the `xrun` command. As `import asyncio` gives
 * everything, it re-exports the public API of `@x/tasks`, `@x/io` and `@x/signals`
 * and the application-level parts of `@x/loop`, so that a program imports
 * from here alone.
 *
 * @document ../README.md
 *
 * @module @x/runner
 */

// A Node package: install @x/loop's worker-thread pool as the default executor.
import '@x/loop/node';

export * from '@x/io';
export {
  BaseException,
  CancelledError,
  type Clock,
  Context,
  ContextVar,
  type Coroutine,
  copyContext,
  EventLoop,
  type ExceptionContext,
  type ExceptionHandler,
  type Executor,
  Future,
  getEventLoop,
  getRunningLoop,
  getRunningLoopOrNull,
  Handle,
  InvalidStateError,
  isCoroutine,
  isCoroutineFunction,
  isFuture,
  KeyboardInterrupt,
  LookupError,
  newEventLoop,
  OSError,
  RuntimeError,
  SystemExit,
  setEventLoop,
  type TaskFactory,
  type TaskOptions,
  TimeoutError,
  TimerHandle,
  Token,
  ValueError,
  VirtualClock,
} from '@x/loop';
export * from '@x/signals';
export * from '@x/tasks';
export { run } from './run.js';
export { runMain } from './run-main.js';
export { type Main, Runner, type RunnerOptions } from './runner.js';
