/**
 * A task that fails and is never awaited is reported when run() ends, once,
 * as CPython reports it at exit: not only if the garbage collector happens
 * to collect it first.
 */
import { logger } from '@x/loop';
import { type Coroutine, createTask, Runner, run, SystemExit, sleep } from '@x/runner';
import { afterEach, expect, test, vi } from 'vitest';

afterEach(() => {
  vi.restoreAllMocks();
});

// biome-ignore lint/correctness/useYield: a coroutine that fails at its first step
function* fail(): Coroutine<never> {
  throw new RangeError('nobody awaits me');
}

test('run() reports the exception of a task nobody awaited, once', async () => {
  const error = vi.spyOn(logger, 'error').mockImplementation(() => {});
  function* main(): Coroutine<number> {
    createTask(fail(), { name: 'background' });
    yield* sleep(0);
    return 1;
  }
  await expect(run(main())).resolves.toBe(1);
  const reports = error.mock.calls.filter(([m]) => m.includes('never retrieved'));
  expect(reports).toHaveLength(1);
  const [message, exc] = reports[0] as [string, unknown];
  expect(message).toMatch(/^Task exception was never retrieved\n/);
  expect(message).toContain(
    "future_repr: <Task finished name='background' exception=RangeError('nobody awaits me')>",
  );
  expect(String(exc)).toBe('RangeError: nobody awaits me');
  const gc = (globalThis as { gc?: () => void }).gc as () => void;
  gc();
  await new Promise((r) => setTimeout(r, 10));
  gc();
  await new Promise((r) => setTimeout(r, 10));
  expect(error.mock.calls.filter(([m]) => m.includes('never retrieved'))).toHaveLength(1);
});

test('Runner.close() reports it too, after the runs', async () => {
  const error = vi.spyOn(logger, 'error').mockImplementation(() => {});
  const runner = new Runner();
  await runner.run(function* () {
    createTask(fail());
    yield* sleep(0);
  });
  await runner.close();
  expect(error).toHaveBeenCalledTimes(1);
  expect(error.mock.calls[0]?.[0]).toMatch(/^Task exception was never retrieved/);
});

test('an interrupt that ends run() reached the caller: it is not reported as never retrieved', async () => {
  const error = vi.spyOn(logger, 'error').mockImplementation(() => {});
  function* main(): Coroutine<void> {
    yield* sleep(0);
    throw new SystemExit(4);
  }
  await expect(run(main())).rejects.toBeInstanceOf(SystemExit);
  expect(error).not.toHaveBeenCalled();
});
