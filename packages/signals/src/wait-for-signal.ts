/** `waitForSignal`: a signal as a Future. */
import { type EventLoop, type Future, getEventLoop } from '@x/loop';
import { checkCatchable, checkSignal, detachWaiter, getSlot, type Waiter } from './registry.js';

/**
 * A Future that resolves with the name of the first of `signal` that the
 * process receives. asyncio has no such function; with it one writes
 * `loop.add_signal_handler(sig, fut.set_result, sig)` by hand.
 *
 * While it is pending it takes the signal in place of the loop's handler for
 * it (`addSignalHandler`, or the runner's Ctrl-C handling), which gets the
 * next one. Its listeners are removed as soon as a signal arrives or the
 * Future is cancelled.
 *
 * @example
 * ```ts
 * // Python: stop = loop.create_future()
 * //         loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
 * //         await stop
 * const sig = yield* waitForSignal(['SIGINT', 'SIGTERM']);
 * console.log(`got ${sig}, shutting down`);
 * ```
 */
export function waitForSignal(
  signal: NodeJS.Signals | NodeJS.Signals[],
  options?: { loop?: EventLoop },
): Future<NodeJS.Signals> {
  const signals = Array.isArray(signal) ? [...new Set(signal)] : [signal];
  if (signals.length === 0) {
    throw new TypeError("waitForSignal() needs at least one signal name, such as 'SIGINT'");
  }
  for (const sig of signals) checkSignal(sig);
  const loop = options?.loop ?? getEventLoop();
  for (const sig of signals) checkCatchable(loop, sig, 'waitForSignal()');
  const fut = loop.createFuture<NodeJS.Signals>();
  const waiter: Waiter = { fut, slots: [], fired: false };
  for (const sig of signals) {
    const slot = getSlot(loop, sig, true);
    slot.waiters.add(waiter);
    waiter.slots.push(slot);
  }
  // Cancelled (or resolved): stop listening. A signal arriving before this
  // callback runs is not taken by a future that is already done.
  fut.addDoneCallback(() => detachWaiter(waiter));
  return fut;
}
