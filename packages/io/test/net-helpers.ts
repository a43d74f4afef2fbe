// Shared by the socket, stream, server and TLS tests: run a coroutine on a fresh loop, and
// wait for conditions on the loop (ordering by events, with generous deadlines).
import { type Coroutine, type EventLoop, type ExceptionContext, getRunningLoop, newEventLoop, setEventLoop } from '@x/loop';
import { sleep } from '@x/tasks';

/** Runs `main()` as a task on a new loop, closes the loop, returns the result. */
export async function runLoop<T>(
  main: (loop: EventLoop) => Coroutine<T>,
  options: { debug?: boolean; errors?: ExceptionContext[] } = {},
): Promise<T> {
  const loop = newEventLoop();
  setEventLoop(loop);
  if (options.debug) loop.setDebug(true);
  const errors = options.errors;
  if (errors) loop.setExceptionHandler((_l, ctx) => errors.push(ctx));
  try {
    return await loop.runUntilComplete(loop.createTask(main(loop)));
  } finally {
    loop.close();
    setEventLoop(null);
  }
}

/** Waits on the loop until `cond()` holds (polling every few ms), or fails after `seconds`. */
export function* until(cond: () => boolean, what: string, seconds = 10): Coroutine<void> {
  const deadline = getRunningLoop().time() + seconds;
  while (!cond()) {
    if (getRunningLoop().time() > deadline) throw new Error(`timed out waiting for ${what}`);
    yield* sleep(0.005);
  }
}

/** The active host resources of this process, by type (sockets are 'TCPSocketWrap', ...). */
export function activeResources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}
