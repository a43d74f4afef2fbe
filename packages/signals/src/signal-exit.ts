/** `SignalExit`: what ends a program that a signal other than SIGINT stopped. */
import { BaseException } from '@x/loop';

/**
 * The `KeyboardInterrupt` of every signal but SIGINT. Python has no such
 * class (a SIGTERM kills a Python program unless it installs a handler); the
 * runner needs one so that `run()` can say which signal stopped the program
 * and `runMain()` can end the process by that same signal.
 *
 * @example
 * ```ts
 * try {
 *   await run(main, { signals: ['SIGINT', 'SIGTERM'] });
 * } catch (e) {
 *   if (e instanceof SignalExit) console.log(`stopped by ${e.signal}`); // message is 'SIGTERM'
 * }
 * ```
 */
export class SignalExit extends BaseException {
  /** The signal that stopped the program, such as `'SIGTERM'`. */
  readonly signal: NodeJS.Signals;

  constructor(signal: NodeJS.Signals, options?: { cause?: unknown }) {
    super(signal, options);
    this.signal = signal;
  }
}
