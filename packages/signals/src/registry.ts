/**
 * The process listeners behind `addSignalHandler` and `waitForSignal`.
 *
 * CPython's unix event loop keeps one `Handle` per signal in
 * the loop's `_signal_handlers` dict and lets a C-level handler wake the selector. Node
 * delivers a signal to JavaScript as a `process` event instead, so each
 * (loop, signal) pair gets one "slot": one process listener, the loop's
 * handler for that signal (at most one, as in CPython), and the
 * `waitForSignal` futures waiting for it. The listener only schedules work on
 * the loop; nothing user-written ever runs inside it.
 */
import { constants } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { type Context, EventLoop, type Future, RuntimeError, ValueError } from '@x/loop';
import {
  addCloseHook,
  type Callback,
  callSoonIn,
  checkLoopOpen,
  shortRepr,
} from '@x/loop/internal';

/** What `addSignalHandler` registered: CPython's `Handle(callback, args, loop, None)`. */
export interface Registration {
  readonly cb: Callback;
  readonly args: unknown[];
  /** A copy of the context current at registration: every delivery runs in it, as in one Handle. */
  readonly context: Context;
  /** Called in the process listener itself (the runner's handler, as CPython's `signal.signal`). */
  readonly immediate?: boolean;
}

/** One pending `waitForSignal` future, possibly waiting on several signals. */
export interface Waiter {
  readonly fut: Future<NodeJS.Signals>;
  readonly slots: Slot[];
  fired: boolean;
}

/** The listener, handler and waiters of one signal on one loop. */
export interface Slot {
  readonly loop: EventLoop;
  readonly sig: NodeJS.Signals;
  readonly listener: () => void;
  handler: Registration | null;
  readonly waiters: Set<Waiter>;
}

const SIGNALS = constants.signals as Readonly<Record<string, number>>;
// kill(2) delivers these no matter what: sigaction() refuses them with EINVAL.
const UNCATCHABLE = new Set(['SIGKILL', 'SIGSTOP']);

const slotsByLoop = new WeakMap<EventLoop, Map<NodeJS.Signals, Slot>>();

/**
 * Mirrors `_check_signal`: `sig` must name a signal of this platform.
 * CPython takes numbers; Node names signals, so a number gets a hint.
 */
export function checkSignal(sig: unknown): asserts sig is NodeJS.Signals {
  if (typeof sig !== 'string') {
    if (typeof sig === 'number') {
      const name = Object.keys(SIGNALS).find((k) => SIGNALS[k] === sig);
      throw new TypeError(
        `sig must be a signal name such as 'SIGINT', not the number ${sig}${name ? `: pass '${name}'` : ''}`,
      );
    }
    throw new TypeError(`sig must be a signal name such as 'SIGINT', not ${shortRepr(sig)}`);
  }
  if (!Object.hasOwn(SIGNALS, sig)) {
    const upper = `SIG${sig.toUpperCase().replace(/^SIG/, '')}`;
    const hint = Object.hasOwn(SIGNALS, upper)
      ? `did you mean '${upper}'?`
      : "expected a signal name of this platform (see os.constants.signals), such as 'SIGINT' or 'SIGTERM'";
    throw new ValueError(`Invalid signal: '${sig}': ${hint}`);
  }
}

/** What `add_signal_handler` checks beyond the name: a signal that can be caught, here. */
export function checkCatchable(loop: EventLoop, sig: NodeJS.Signals, what: string): void {
  if (!(loop instanceof EventLoop)) {
    throw new TypeError(`${what} needs an EventLoop, got ${shortRepr(loop)}`);
  }
  checkLoopOpen(loop);
  if (!isMainThread) {
    // CPython: set_wakeup_fd() refuses, "only works in main thread".
    throw new RuntimeError(
      `${what} only works in the main thread: Node delivers no signals to worker threads`,
    );
  }
  if (UNCATCHABLE.has(sig)) {
    throw new RuntimeError(
      `sig ${SIGNALS[sig]} cannot be caught: no process can handle ${sig}, it always ends (or stops) the process`,
    );
  }
}

/** The slot of `sig` on `loop`, created (with its process listener) if `create`. */
export function getSlot(loop: EventLoop, sig: NodeJS.Signals, create: true): Slot;
export function getSlot(loop: EventLoop, sig: NodeJS.Signals, create: false): Slot | undefined;
export function getSlot(loop: EventLoop, sig: NodeJS.Signals, create: boolean): Slot | undefined {
  let slots = slotsByLoop.get(loop);
  if (slots === undefined) {
    if (!create) return undefined;
    slots = new Map();
    slotsByLoop.set(loop, slots);
    // Closing a loop removes its handlers, as CPython's `close()` does
    // (`remove_signal_handler` for each signal).
    addCloseHook(loop, () => dropLoop(loop));
  }
  let slot = slots.get(sig);
  if (slot === undefined && create) {
    const s: Slot = {
      loop,
      sig,
      listener: () => onSignal(s),
      handler: null,
      waiters: new Set(),
    };
    try {
      process.on(sig, s.listener);
    } catch (exc) {
      process.removeListener(sig, s.listener);
      throw new RuntimeError(`sig ${SIGNALS[sig]} cannot be caught: ${String(exc)}`, {
        cause: exc,
      });
    }
    slots.set(sig, s);
    slot = s;
  }
  return slot;
}

/** Removes the slot's process listener once nothing needs it. */
export function releaseSlot(slot: Slot): void {
  if (slot.handler !== null || slot.waiters.size > 0) return;
  process.removeListener(slot.sig, slot.listener);
  const slots = slotsByLoop.get(slot.loop);
  if (slots?.get(slot.sig) === slot) slots.delete(slot.sig);
}

/** Detaches a waiter from every signal it waits for. */
export function detachWaiter(w: Waiter): void {
  for (const slot of w.slots) {
    if (slot.waiters.delete(w)) releaseSlot(slot);
  }
}

/** Removes every listener of `loop`: the process is left with the listeners it had before. */
function dropLoop(loop: EventLoop): void {
  const slots = slotsByLoop.get(loop);
  if (slots === undefined) return;
  slotsByLoop.delete(loop);
  for (const slot of slots.values()) {
    process.removeListener(slot.sig, slot.listener);
    slot.handler = null;
    slot.waiters.clear();
  }
}

function settle(fut: Future<NodeJS.Signals>, sig: NodeJS.Signals): void {
  if (!fut.done()) fut.setResult(sig);
}

/**
 * The process listener: CPython's `_handle_signal`. Pending `waitForSignal`
 * futures take the signal first (each is resolved once, and stops listening
 * at once); otherwise the loop's handler is scheduled with
 * `callSoonThreadsafe`, in the context captured when it was added.
 */
function onSignal(slot: Slot): void {
  const { loop, sig } = slot;
  if (loop.isClosed()) {
    // Closing the loop has already removed this listener; kept for safety.
    dropLoop(loop);
    return;
  }
  let delivered = false;
  for (const w of [...slot.waiters]) {
    if (w.fired || w.fut.done()) continue;
    w.fired = true;
    delivered = true;
    detachWaiter(w);
    loop.callSoonThreadsafe(settle, w.fut, sig);
  }
  if (delivered) return;
  const h = slot.handler;
  if (h === null) return;
  if (h.immediate !== true) {
    // In the registration's own Context, not a copy: CPython schedules the
    // same Handle for every delivery, so what one run sets, the next sees.
    callSoonIn(loop, h.cb, h.args.length === 0 ? null : h.args, h.context);
    return;
  }
  try {
    h.cb(...h.args);
  } catch (exc) {
    loop.callExceptionHandler({ message: `Exception in the ${sig} handler`, exception: exc });
  }
}
