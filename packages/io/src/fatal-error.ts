/**
 * The reporting half of every transport's `_fatal_error()` (CPython writes it
 * out in each transport class; here it is one function): an error the OS
 * gave is expected at a connection's end and only logged in debug mode, the
 * protocol hears of it through `connectionLost(exc)`; anything else is a bug
 * somewhere and goes to the loop's exception handler. The caller then closes
 * the transport in its own way.
 */
import { type EventLoop, logger } from '@x/loop';
import type { BaseProtocol } from './protocols.js';

export function reportFatalError(
  loop: EventLoop,
  transport: object,
  protocol: BaseProtocol,
  exc: unknown,
  message: string,
  expected: boolean,
): void {
  if (expected) {
    if (loop.getDebug()) logger.debug(`${String(transport)}: ${message}: ${String(exc)}`);
  } else {
    loop.callExceptionHandler({ message, exception: exc, transport, protocol });
  }
}
