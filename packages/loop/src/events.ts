/**
 * Getting and setting the running and current loop, after the module-level
 * functions of CPython's `asyncio/events.py` (3.14 rules: no policies, no
 * implicit creation).
 */
import { copiesHint } from './copies.js';
import { RuntimeError } from './errors.js';
import { EventLoop } from './loop.js';
import { running } from './running.js';

let current: EventLoop | null = null;

/**
 * Mirrors `asyncio.new_event_loop()`.
 *
 * @example
 * ```ts
 * const loop = newEventLoop();                // loop = asyncio.new_event_loop()
 * try {
 *   await loop.runUntilComplete(main());      // loop.run_until_complete(main())
 * } finally {
 *   loop.close();
 * }
 * ```
 */
export function newEventLoop(): EventLoop {
  return new EventLoop();
}

/**
 * Mirrors `asyncio.get_running_loop()`: throws `RuntimeError` when no loop is running.
 *
 * @example
 * ```ts
 * function* main() {
 *   const loop = getRunningLoop();            // loop = asyncio.get_running_loop()
 *   const fut = loop.createFuture<string>();
 *   loop.callLater(0.1, () => fut.setResult('done'));
 *   return yield* fut;
 * }
 * ```
 */
export function getRunningLoop(): EventLoop {
  const loop = running.loop;
  if (loop === null) throw new RuntimeError(`no running event loop${copiesHint()}`);
  return loop;
}

/**
 * Mirrors `asyncio._get_running_loop()`: the running loop, or null.
 *
 * @example
 * ```ts
 * const loop = getRunningLoopOrNull();        // asyncio._get_running_loop()
 * if (loop === null) console.log('not inside a running loop');
 * ```
 */
export function getRunningLoopOrNull(): EventLoop | null {
  return running.loop;
}

/**
 * Mirrors `asyncio.get_event_loop()` in 3.14: the running loop, else the one
 * set with `setEventLoop()`, else a `RuntimeError`.
 *
 * @example
 * ```ts
 * const loop = newEventLoop();
 * setEventLoop(loop);
 * getEventLoop() === loop;                    // true: asyncio.get_event_loop()
 * ```
 */
export function getEventLoop(): EventLoop {
  const loop = running.loop ?? current;
  if (loop === null) {
    throw new RuntimeError(
      'There is no current event loop: create one with newEventLoop() and setEventLoop(loop), or use run()',
    );
  }
  return loop;
}

/**
 * Mirrors `asyncio.set_event_loop()`: sets (or with null, unsets) the current loop.
 *
 * @example
 * ```ts
 * const loop = newEventLoop();
 * setEventLoop(loop);                         // asyncio.set_event_loop(loop)
 * // ... getEventLoop() is now this loop ...
 * setEventLoop(null);                         // asyncio.set_event_loop(None)
 * ```
 */
export function setEventLoop(loop: EventLoop | null): void {
  if (loop !== null && !(loop instanceof EventLoop)) {
    throw new TypeError(`loop must be an instance of EventLoop or null, not '${typeof loop}'`);
  }
  current = loop;
}

/** Seam: The loop set with `setEventLoop()`, for the runner. */
export function getCurrentLoopOrNull(): EventLoop | null {
  return current;
}
