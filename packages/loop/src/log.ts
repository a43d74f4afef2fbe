/**
 * Where the loop writes what it cannot raise: mirrors the `asyncio` logger.
 * Replace its methods to send the messages elsewhere.
 */

/** An exception as the log shows it: its stack, or the value thrown. */
export function describe(exc: unknown): string {
  if (exc instanceof Error) return exc.stack ?? `${exc.name}: ${exc.message}`;
  return `Thrown value: ${typeof exc === 'string' ? JSON.stringify(exc) : String(exc)}`;
}

/**
 * Mirrors `asyncio.log.logger`: the sink for the default exception handler and debug warnings.
 *
 * @example
 * ```ts
 * logger.warning('cache is cold');            // asyncio.log.logger.warning(...)
 * logger.error('Task exception was never retrieved', new Error('boom'));   // the message, then the stack
 * ```
 */
export const logger = {
  /** An error, with the exception's stack after the message when there is one. */
  error(message: string, exception?: unknown): void {
    console.error(exception === undefined ? message : `${message}\n${describe(exception)}`);
  },
  /** A warning, such as a slow callback in debug mode. */
  warning(message: string): void {
    console.warn(message);
  },
  /**
   * Debug-mode chatter, silent unless replaced: the asyncio logger's DEBUG
   * records are below Python's default WARNING level too.
   */
  debug(_message: string): void {},
};
