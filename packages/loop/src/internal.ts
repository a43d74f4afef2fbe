/**
 * `@x/loop/internal`: the seam. Everything that `@x/tasks`, `@x/signals` and
 * `@x/runner` use of `@x/loop` beyond its public API is exported here, and
 * nothing else is reachable: `tooling/check-seam.mjs` fails the lint of a
 * package that reads a `_`-member of another package's object unless an
 * interface below declares it. Not for applications: it may change in any
 * release. ARCHITECTURE.md describes how the layers use it.
 */

// Async generators register with the running loop on their first step (asyncio's asyncgen hooks).
export {
  type AsyncGenCloser,
  asyncgenFinalizer,
  asyncgenFirstIter,
  asyncgenForget,
} from './asyncgen-hooks.js';
// Where a coroutine chain suspended, in debug mode (the call graph of @x/tasks).
export { takeAwaitSite } from './await-site.js';
// What every API that takes a callback checks at the call (async functions, unbound methods).
export { checkCallback, refuseUnbound } from './check-callback.js';
// Context on demand: what a Handle and a Task run in (`runInContext`), made
// into a Context only when asked for (`contextOf`).
export {
  type ContextOwner,
  contextOf,
  enteredError,
  runInContext,
  state as contextState,
} from './context.js';
// What CPython's coroutine objects say about their misuse (await, reuse, never awaited).
export {
  REUSED,
  refuseAwait,
  watchCoroutine,
  watchCoroutineMethods,
} from './coroutine-checks.js';
export { CoroutineObject, inheritCoroutineMethods } from './coroutine-object.js';
export { isPromiseLike } from './coroutines.js';
export { getCurrentLoopOrNull } from './events.js';
// Formatting shared by every repr and log line.
export {
  captureCreationSite,
  captureStack,
  firstFrame,
  formatCallback,
  shortRepr,
} from './format.js';
// The states of a Future that upper layers compare with (FINISHED is `!== PENDING && !== CANCELLED`).
// The two halves of `yield* fut`, for hand-written coroutines that await a future.
export { CANCELLED, PENDING, resultOnResume, suspendOn } from './future.js';
// How `@x/tasks` installs Task (the declared mechanism: importing `@x/tasks` calls it once).
export { addCloseHook, setDefaultTaskFactory } from './loop.js';
export { wrapPromise } from './promise.js';
// What the ready queue and the timer heap run: `_run(arg)`, and a timer's flags.
export type { Runnable } from './ready-queue.js';
export type {
  Callback,
  ContextInternals,
  FutureInternals,
  FutureState,
  HandleInternals,
  LoopInternals,
  TaskLike,
} from './seam.js';
// The seam as calls: every use of a loop's, a future's or a handle's internals from above.
export {
  ASK_RESULT,
  addWaker,
  awaitOutcome,
  callSoonIn,
  cancelledErrorOf,
  cancelMessageOf,
  checkLoopOpen,
  contextEntered,
  currentContextData,
  enterContext,
  exitContext,
  futureState,
  hasFutureMethods,
  isBlocking,
  parkTask,
  queueRunnable,
  quietAtClose,
  runHandle,
  runHandleWith,
  scheduleTimerEntry,
  sourceTracebackOf,
  tasksOf,
  timerEntryCancelled,
} from './seam-calls.js';
export type { TimerEntry } from './timer-heap.js';
// "Wait until all are done" without looking at the results (shutdown steps).
export { whenAllDone } from './when-all-done.js';
