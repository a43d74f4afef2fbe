/**
 * `@x/tasks`: tasks and their combinators, as asyncio's `tasks.py`,
 * `taskgroups.py` and `timeouts.py`, and the synchronisation primitives and
 * queues of `locks.py` and `queues.py`. Importing it registers `Task` as the
 * loop's default task factory.
 *
 * @document ../README.md
 *
 * @module @x/tasks
 */

export { abortable } from './abortable.js';
export { type AsCompleted, asCompleted } from './as-completed.js';
export { type AsyncGen, asyncGenerator, GeneratorExit } from './async-generator.js';
export { type AsyncContextManager, asyncContextManager, asyncWith } from './async-with.js';
export type { Awaitable, Awaitables } from './awaitable.js';
export { Barrier, BrokenBarrierError } from './barrier.js';
export { Condition, type LockLike } from './condition.js';
export { each } from './each.js';
export { ensureFuture } from './ensure-future.js';
export { Event } from './event.js';
export { ExceptionGroup, type ExceptionGroupCondition } from './exception-group.js';
export { gather } from './gather.js';
export {
  type CallGraphOptions,
  type CallStackEntry,
  captureCallGraph,
  type FutureCallGraph,
  formatCallGraph,
  futureAddToAwaitedBy,
  futureDiscardFromAwaitedBy,
  printCallGraph,
} from './graph.js';
export { Lock } from './lock.js';
export {
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  type QueueStorage,
} from './queue.js';
export { BoundedSemaphore, Semaphore } from './semaphore.js';
export { shield } from './shield.js';
export { sleep } from './sleep.js';
export {
  allTasks,
  createEagerTaskFactory,
  createTask,
  currentTask,
  eagerTaskFactory,
  Task,
} from './task.js';
export { TaskGroup, taskGroup } from './task-group.js';
export { Timeout, timeout, timeoutAt } from './timeout.js';
export { toThread } from './to-thread.js';
export { wait } from './wait.js';
export { waitFor } from './wait-for.js';
export { type Acquirable, withLock } from './with-lock.js';
