/**
 * @internal After CPython's `asyncio/mixins.py`: the synchronisation
 * primitives are not given a loop; each binds itself to the running loop the
 * first time it has to wait, and refuses every other loop afterwards.
 */
import { type EventLoop, getRunningLoop, RuntimeError } from '@x/loop';

/** What `bindLoop` needs: the loop the object is bound to, null until it first waits. */
export interface LoopBound {
  _loop: EventLoop | null;
}

/**
 * Mirrors `_LoopBoundMixin._get_loop()`: the running loop, which `owner` is
 * bound to from now on. A different running loop later is a `RuntimeError`
 * (`<Lock [locked]> is bound to a different event loop`).
 */
export function bindLoop(owner: LoopBound): EventLoop {
  const loop = getRunningLoop();
  if (owner._loop === null) owner._loop = loop;
  if (loop !== owner._loop) {
    throw new RuntimeError(`${String(owner)} is bound to a different event loop`);
  }
  return loop;
}
