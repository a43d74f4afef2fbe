/**
 * `@x/signals/internal`: what `@x/runner` needs beyond the public API. Not
 * for applications: it may change in any release.
 */
import { copyContext, type EventLoop } from '@x/loop';
import type { Callback } from '@x/loop/internal';
import { checkCatchable, checkSignal, getSlot } from './registry.js';

export { checkSignal } from './registry.js';

/**
 * Like `addSignalHandler`, but `cb` is called inside the process listener,
 * when the signal arrives, as a CPython `signal.signal()` handler is. The
 * runner needs that to decide from the state at the signal's arrival (is the
 * main task done?), as `Runner._on_sigint` does. `cb` must only schedule
 * work: cancel a task, stop the loop.
 */
export function addSignalListener(loop: EventLoop, signal: NodeJS.Signals, cb: () => void): void {
  checkSignal(signal);
  checkCatchable(loop, signal, 'addSignalListener()');
  getSlot(loop, signal, true).handler = { cb, args: [], context: copyContext(), immediate: true };
}

/**
 * The callback installed for `signal` on `loop`, or null: the runner removes
 * its handler only if it is still its own, as CPython's `Runner.run()`
 * checks `signal.getsignal(SIGINT) is sigint_handler`.
 */
export function signalHandlerCallback(loop: EventLoop, signal: NodeJS.Signals): Callback | null {
  return getSlot(loop, signal, false)?.handler?.cb ?? null;
}
