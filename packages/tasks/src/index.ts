/**
 * `@x/tasks`: tasks and their combinators, as asyncio's `tasks.py`,
 * `taskgroups.py` and `timeouts.py`. Importing it registers `Task` as the
 * loop's default task factory.
 */

export { abortable } from './abortable.js';
export { asCompleted } from './as-completed.js';
export { type AsyncGen, asyncGenerator, GeneratorExit } from './async-generator.js';
export type { Awaitable, Awaitables } from './awaitable.js';
export { ensureFuture } from './ensure-future.js';
export { ExceptionGroup, type ExceptionGroupCondition } from './exception-group.js';
export { gather } from './gather.js';
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
export { wait } from './wait.js';
export { waitFor } from './wait-for.js';
