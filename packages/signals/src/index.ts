/**
 * `@x/signals`: Unix signals for x-async event loops on Node.js, as
 * asyncio's `loop.add_signal_handler()` and `loop.remove_signal_handler()`.
 *
 * @document ../README.md
 *
 * @module @x/signals
 */

// A Node package: install @x/loop's worker-thread pool as the default executor.
import '@x/loop/node';

export { addSignalHandler, removeSignalHandler } from './add-signal-handler.js';
export { SignalExit } from './signal-exit.js';
export { waitForSignal } from './wait-for-signal.js';
