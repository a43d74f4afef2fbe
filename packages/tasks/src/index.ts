/**
 * `@x/tasks`: tasks and their combinators, as asyncio's `tasks.py`,
 * `taskgroups.py` and `timeouts.py`. Importing it registers `Task` as the
 * loop's default task factory.
 */

export { ensureFuture } from './ensure-future.js';
export { sleep } from './sleep.js';
export {
  allTasks,
  createEagerTaskFactory,
  createTask,
  currentTask,
  eagerTaskFactory,
  Task,
} from './task.js';
