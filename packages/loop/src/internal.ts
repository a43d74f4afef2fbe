/**
 * `@x/loop/internal`: the hooks that `@x/tasks`, `@x/signals` and
 * `@x/runner` build on. Not for applications: these may change in any release.
 */
export {
  type AsyncGenCloser,
  asyncgenFinalizer,
  asyncgenFirstIter,
  asyncgenForget,
} from './asyncgen-hooks.js';
export { state as contextState } from './context.js';
export { isPromiseLike } from './coroutines.js';
export { getCurrentLoopOrNull } from './events.js';
export { captureCreationSite, firstFrame, formatCallback, shortRepr } from './format.js';
export { addCloseHook, setDefaultTaskFactory } from './loop.js';
export { wrapPromise } from './promise.js';
export type { Runnable } from './ready-queue.js';
export type { TimerEntry } from './timer-heap.js';
