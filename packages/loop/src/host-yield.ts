/**
 * How the loop gives the host a turn: the fastest way each JavaScript host
 * has, never a clamped one.
 *
 * `setTimeout(fn, 0)` is clamped by browsers (and Deno) to 4 ms once timers
 * nest five deep, which made a loop that yields often 4 ms per iteration.
 * Node, Bun and Deno have `setImmediate`; browsers have `MessageChannel`,
 * whose messages are tasks that no host clamps.
 */

type Callback = () => void;

/** The part of the web's `MessageChannel` used here (Node's types lack `onmessage`). */
interface WebMessageChannel {
  port1: { onmessage: ((event: unknown) => void) | null; unref?(): void };
  port2: { postMessage(message: unknown): void };
}

const g = globalThis as unknown as {
  setImmediate?: (fn: Callback) => unknown;
  MessageChannel?: new () => WebMessageChannel;
  process?: { versions?: { node?: string } };
  Deno?: unknown;
};

/** Runs `fn` in a message task: no host clamps these (browsers). */
function messageChannelSoon(): (fn: Callback) => void {
  const channel = new (g.MessageChannel as new () => WebMessageChannel)();
  const queue: Callback[] = [];
  channel.port1.onmessage = () => {
    (queue.shift() as Callback)();
  };
  // Where a port keeps the process alive (Node), this one must not: the loop
  // keeps it alive while it runs.
  channel.port1.unref?.();
  return (fn) => {
    queue.push(fn);
    channel.port2.postMessage(null);
  };
}

/** Runs `fn` in a new host task (a macrotask) as soon as the host allows. */
export const hostSoon: (fn: Callback) => void =
  typeof g.setImmediate === 'function'
    ? (g.setImmediate as (fn: Callback) => unknown)
    : typeof g.MessageChannel === 'function'
      ? messageChannelSoon()
      : (fn) => setTimeout(fn, 0);

// Node and Bun never clamp a timer set from a timer's callback; other hosts
// (browsers, Deno) follow HTML's timer nesting rule and clamp it to 4 ms.
const TIMERS_NEST_UNCLAMPED = typeof g.process?.versions?.node === 'string' && g.Deno === undefined;

/** A timer of `hostTimer()`, for `clearHostTimer()`. */
export interface HostTimer {
  id: ReturnType<typeof setTimeout>;
  cancelled: boolean;
}

/**
 * `setTimeout(fn, ms)` whose callback runs in a task of its own, so that a
 * timer the callback sets is not nested in this one and is not clamped.
 */
export function hostTimer(fn: Callback, ms: number): HostTimer {
  if (TIMERS_NEST_UNCLAMPED) return { id: setTimeout(fn, ms), cancelled: false };
  const t: HostTimer = {
    id: setTimeout(() => {
      hostSoon(() => {
        if (!t.cancelled) fn();
      });
    }, ms),
    cancelled: false,
  };
  return t;
}

/** Cancels a timer of `hostTimer()`, also after it fired and before its task ran. */
export function clearHostTimer(t: HostTimer): void {
  t.cancelled = true;
  clearTimeout(t.id);
}
