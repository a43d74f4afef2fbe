/** `addSignalHandler` and `removeSignalHandler`, after CPython's `unix_events.py`. */
import { copyContext, type EventLoop } from '@x/loop';
import { checkCallback } from '@x/loop/internal';
import { checkCatchable, checkSignal, getSlot, releaseSlot } from './registry.js';

/**
 * Mirrors `loop.add_signal_handler(sig, callback, *args)`: when the process
 * receives `signal`, `cb(...args)` runs on `loop` as an ordinary callback
 * (scheduled with `callSoonThreadsafe`, never inside the process listener),
 * in a copy of the context current here, kept from one signal to the next
 * (CPython schedules one Handle each time). A second call for the same signal
 * and loop replaces the handler. Closing the loop removes its handlers.
 *
 * @example
 * ```ts
 * // Python: loop.add_signal_handler(signal.SIGHUP, reload_config, path)
 * addSignalHandler(getRunningLoop(), 'SIGHUP', reloadConfig, path);
 * ```
 *
 * Throws `TypeError` for a coroutine, `ValueError` for an unknown signal
 * name, `RuntimeError` for a closed loop, SIGKILL/SIGSTOP, or a worker thread.
 */
export function addSignalHandler<A extends unknown[]>(
  loop: EventLoop,
  signal: NodeJS.Signals,
  cb: (...a: A) => void,
  ...args: A
): void {
  checkCallback(cb, 'addSignalHandler');
  checkSignal(signal);
  checkCatchable(loop, signal, 'addSignalHandler()');
  const slot = getSlot(loop, signal, true);
  slot.handler = { cb: cb as (...a: unknown[]) => void, args, context: copyContext() };
}

/**
 * Mirrors `loop.remove_signal_handler(sig)`: removes the loop's handler for
 * `signal` and gives the signal back to whatever the process did before.
 * Returns true if a handler was removed, false if there was none.
 *
 * @example
 * ```ts
 * // Python: loop.remove_signal_handler(signal.SIGHUP)
 * removeSignalHandler(loop, 'SIGHUP');
 * ```
 */
export function removeSignalHandler(loop: EventLoop, signal: NodeJS.Signals): boolean {
  checkSignal(signal);
  const slot = getSlot(loop, signal, false);
  if (slot === undefined || slot.handler === null) return false;
  slot.handler = null;
  releaseSlot(slot);
  return true;
}
