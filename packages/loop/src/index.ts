/**
 * `@x/loop`: the low-level layer of x-async, for framework authors. Mirrors
 * asyncio's event loop, futures, handles, exceptions and `contextvars`.
 *
 * @document ../README.md
 *
 * @module @x/loop
 */

export { Context, ContextVar, copyContext, LookupError, Token } from './context.js';
export { isCoroutine, isCoroutineFunction } from './coroutines.js';
export {
  BaseException,
  CancelledError,
  InvalidStateError,
  isInterrupt,
  KeyboardInterrupt,
  OSError,
  RuntimeError,
  SystemExit,
  TimeoutError,
  ValueError,
} from './errors.js';
export {
  getEventLoop,
  getRunningLoop,
  getRunningLoopOrNull,
  newEventLoop,
  setEventLoop,
} from './events.js';
export type { ModuleFunction } from './executor.js';
export { Future, isFuture } from './future.js';
export { Handle, TimerHandle } from './handle.js';
export { logger } from './log.js';
export { EventLoop } from './loop.js';
export type {
  Clock,
  Coroutine,
  ExceptionContext,
  ExceptionHandler,
  Executor,
  TaskFactory,
  TaskOf,
  TaskOptions,
  TaskTypes,
} from './types.js';
export { VirtualClock } from './virtual-clock.js';
