/**
 * The one running loop of this JavaScript thread. A separate module so that
 * the loop and the module-level functions share it without an import cycle.
 */
import type { EventLoop } from './loop.js';

/** @internal */
export const running: { loop: EventLoop | null } = { loop: null };
