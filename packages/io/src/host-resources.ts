/**
 * The host handles (sockets, servers, child processes) this package opened
 * for each loop. When a loop closes, asyncio leaves its transports and
 * servers as they are (and warns about them in debug mode); a Node process
 * would also stay alive for them, which a Python program does not, so each is
 * told the loop closed: it un-refs its handle and stops scheduling callbacks.
 */
import { type EventLoop, logger } from '@x/loop';
import { addCloseHook } from '@x/loop/internal';

/** Something holding a Node handle on behalf of a loop. */
export interface HostResource {
  /** Un-ref the host handle and stop delivering events to the (closed) loop. */
  loopClosed(): void;
  /** How the debug-mode warning names it, as CPython's repr: `<_SelectorSocketTransport fd=7 ...>`. */
  toString(): string;
}

const byLoop = new WeakMap<EventLoop, Set<HostResource>>();

/** Registers `resource` as open on `loop` until `untrackResource`. */
export function trackResource(loop: EventLoop, resource: HostResource): void {
  let set = byLoop.get(loop);
  if (set === undefined) {
    set = new Set();
    byLoop.set(loop, set);
    const open = set;
    addCloseHook(loop, () => {
      byLoop.delete(loop);
      const debug = loop.getDebug();
      for (const r of open) {
        // CPython: ResourceWarning "unclosed transport <...>" from __del__, shown in debug/dev mode.
        if (debug) logger.warning(`unclosed ${r.toString()}`);
        r.loopClosed();
      }
      open.clear();
    });
  }
  set.add(resource);
}

/** `resource` was closed: nothing to do for it when the loop closes. */
export function untrackResource(loop: EventLoop, resource: HostResource): void {
  byLoop.get(loop)?.delete(resource);
}
