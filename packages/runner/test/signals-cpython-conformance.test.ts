// Where @x/signals and @x/runner must match CPython 3.14's
// unix_events.py / runners.py, each with the CPython behaviour it checks.

import {
  addSignalHandler,
  ContextVar,
  type Coroutine,
  EventLoop,
  getRunningLoop,
  removeSignalHandler,
  sleep,
} from '@x/runner';
import { describe, expect, test } from 'vitest';

describe('add_signal_handler (unix_events.py)', () => {
  test('the handler keeps one context across deliveries, as its single Handle does', async () => {
    // CPython makes one Handle(callback, args, loop, None) per add_signal_handler(),
    // which copies the context once, and _handle_signal() schedules that same
    // Handle for every signal: what the callback sets in a ContextVar is
    // there the next time it runs.
    const n = new ContextVar<number>('n', { default: 0 });
    const seen: number[] = [];
    const loop = new EventLoop();
    try {
      await loop.runUntilComplete(
        (function* (): Coroutine<void> {
          addSignalHandler(getRunningLoop(), 'SIGUSR2', () => {
            seen.push(n.get());
            n.set(n.get() + 1);
          });
          for (let i = 0; i < 3; i++) {
            process.emit('SIGUSR2', 'SIGUSR2');
            yield* sleep(0);
            yield* sleep(0);
          }
          removeSignalHandler(getRunningLoop(), 'SIGUSR2');
        })(),
      );
    } finally {
      loop.close();
    }
    expect(seen).toEqual([0, 1, 2]);
    // The caller's own context is untouched.
    expect(n.get()).toBe(0);
  });
});
