// runMain() in this process, with process.exit and process.kill replaced by spies: the
// exit statuses as Python's, the defaults that differ from run(). The same behaviour with
// real processes and signals is in signals.e2e.test.ts.
import {
  type Coroutine,
  getRunningLoop,
  KeyboardInterrupt,
  type RunnerOptions,
  runMain,
  SignalExit,
  SystemExit,
  sleep,
} from '@x/runner';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

type Outcome = { exit: number } | { kill: string };

let outcome: Promise<Outcome>;
let stderr: string;

beforeEach(() => {
  stderr = '';
  outcome = new Promise((resolve) => {
    vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      resolve({ exit: code as number });
    }) as never);
    const kill = process.kill.bind(process);
    vi.spyOn(process, 'kill').mockImplementation(((pid: number, sig: string | number) => {
      // Signal 0 only asks whether a process exists (the inspection socket's sweep of
      // sockets left by dead programs does): not an outcome.
      if (sig === 0) return kill(pid, 0);
      resolve({ kill: sig as string });
      return true;
    }) as never);
  });
  const write = process.stderr.write.bind(process.stderr);
  vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === 'string' && chunk !== '') {
      stderr += chunk;
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as never);
});

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

function outcomeOf(main: () => Coroutine<unknown>, options?: RunnerOptions): Promise<Outcome> {
  runMain(main, options);
  return outcome;
}

describe('runMain', () => {
  test('success: exit status 0, or the one the program set, nothing printed', async () => {
    expect(await outcomeOf(() => sleep(0, 'ignored result'))).toEqual({ exit: 0 });
    expect(stderr).toBe('');
  });

  test('stdout that cannot be flushed (its write throws) does not keep the process from exiting', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => {
      throw new Error('write EPIPE');
    });
    expect(await outcomeOf(() => sleep(0))).toEqual({ exit: 0 });
    expect(write).toHaveBeenCalledWith('', expect.any(Function));
  });

  test('process.exitCode is kept', async () => {
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    const r = outcomeOf(function* () {
      process.exitCode = 5;
    });
    expect(await r).toEqual({ exit: 5 });
  });

  test('an uncaught error: its stack on stderr, status 1', async () => {
    const r = outcomeOf(function* main() {
      yield* sleep(0);
      throw new TypeError('bad');
    });
    expect(await r).toEqual({ exit: 1 });
    expect(stderr).toMatch(/^TypeError: bad\n {4}at main /);
  });

  test('a thrown non-error is shown too', async () => {
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    const r = outcomeOf(function* () {
      throw 'just a string';
    });
    expect(await r).toEqual({ exit: 1 });
    expect(stderr).toBe("Uncaught 'just a string'\n");
  });

  test.each([
    [4, { exit: 4 }, ''],
    [null, { exit: 0 }, ''],
    [undefined, { exit: 0 }, ''],
    ['bye', { exit: 1 }, 'bye\n'],
    [2.5, { exit: 1 }, '2.5\n'],
  ] as const)('SystemExit(%s)', async (code, expected, printed) => {
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    const r = outcomeOf(function* () {
      throw new SystemExit(code as number | string | null | undefined);
    });
    expect(await r).toEqual(expected);
    expect(stderr).toBe(printed);
  });

  // Both wait for the fallback exit too: it must not run once the real process.exit is back.
  test('KeyboardInterrupt: the process ends itself by SIGINT', async () => {
    const exited = new Promise<number>((resolve) => {
      vi.mocked(process.exit).mockImplementation(((code: number) => resolve(code)) as never);
    });
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    const r = outcomeOf(function* () {
      throw new KeyboardInterrupt();
    });
    expect(await r).toEqual({ kill: 'SIGINT' });
    expect(process.kill).toHaveBeenCalledWith(process.pid, 'SIGINT');
    expect(stderr).toBe('');
    expect(await exited).toBe(130);
  });

  test('SignalExit: by its signal, and if that does not end it, status 128 + n', async () => {
    const exited = new Promise<number>((resolve) => {
      vi.mocked(process.exit).mockImplementation(((code: number) => resolve(code)) as never);
    });
    // biome-ignore lint/correctness/useYield: a coroutine that does not wait
    const r = outcomeOf(function* () {
      throw new SignalExit('SIGTERM');
    });
    expect(await r).toEqual({ kill: 'SIGTERM' });
    expect(await exited).toBe(143);
  });

  test('defaults: SIGINT and SIGTERM handled, shutdown bounded', async () => {
    const before = process.listenerCount('SIGTERM');
    let during = -1;
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    function* stubborn(): Coroutine<void> {
      for (;;) {
        try {
          yield* sleep(10);
        } catch {
          // refuses to stop
        }
      }
    }
    const r = outcomeOf(
      function* () {
        during = process.listenerCount('SIGTERM');
        getRunningLoop().createTask(stubborn());
        yield* sleep(0);
      },
      { shutdownTimeout: 0.02 },
    );
    expect(await r).toEqual({ exit: 0 });
    expect(during).toBe(before + 1);
    expect(process.listenerCount('SIGTERM')).toBe(before);
    expect(String(errors.mock.calls[0]?.[0])).toMatch(
      /^Task still running 0.02 seconds after it was cancelled at shutdown/,
    );
  });
});
