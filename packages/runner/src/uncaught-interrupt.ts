/**
 * How a program ends when a `KeyboardInterrupt` (or `SignalExit`) is never
 * caught: as Python ends after an uncaught KeyboardInterrupt, it prints
 * `KeyboardInterrupt` and dies by the signal, so that a shell sees 130
 * (143 for SIGTERM), rather than with Node's crash report and status 1.
 * This is what makes `await run(main())`, as a program's last line, end a
 * Ctrl-C the way `asyncio.run(main())` does.
 */
import { constants } from 'node:os';
import { KeyboardInterrupt } from '@x/loop';
import { SignalExit } from '@x/signals';

let installed = false;

/**
 * Watches, from the first interrupt that `run()` or `Runner.run()` rejects
 * with on, for one that no code catches. A monitor only looks: every other
 * uncaught error keeps Node's own handling, and a caught interrupt is never
 * seen here.
 */
export function endUncaughtInterruptsBySignal(): void {
  if (installed) return;
  installed = true;
  process.on('uncaughtExceptionMonitor', (err: unknown) => {
    let sig: NodeJS.Signals;
    if (err instanceof KeyboardInterrupt) sig = 'SIGINT';
    else if (err instanceof SignalExit) sig = err.signal;
    else return;
    // Python prints the traceback's last line; a SIGTERM ends it silently.
    if (sig === 'SIGINT') process.stderr.write('KeyboardInterrupt\n');
    // With no listener left the signal's default action applies, at once.
    process.removeAllListeners(sig);
    process.kill(process.pid, sig);
    // Still here: the signal is ignored. Exit as a shell would report it.
    process.exit(128 + (constants.signals[sig] ?? 0));
  });
}
