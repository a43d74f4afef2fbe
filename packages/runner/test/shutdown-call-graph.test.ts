// When shutdownTimeout abandons tasks, the report says what each is stuck on:
// its call graph (formatCallGraph), with the stacks in debug mode.
import {
  CancelledError,
  type Coroutine,
  createTask,
  type ExceptionContext,
  getRunningLoop,
  run,
  sleep,
} from '@x/runner';
import { expect, test } from 'vitest';

test.each([true, false])(
  'an abandoned task is reported with its call graph (debug %s)',
  async (debug) => {
    const reports: ExceptionContext[] = [];
    function* refuse(): Coroutine<void> {
      for (;;) {
        try {
          yield* sleep(10);
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
        }
      }
    }
    function* stuckInner(): Coroutine<void> {
      yield* refuse();
    }
    function* waiterBody(child: Coroutine<void>): Coroutine<void> {
      yield* createTask(child, { name: 'stuck' });
    }
    function* main(): Coroutine<void> {
      getRunningLoop().setExceptionHandler((_l, ctx) => {
        reports.push(ctx);
      });
      createTask(waiterBody(stuckInner()), { name: 'waiter' });
      yield* sleep(0.01);
    }
    await run(main(), { shutdownTimeout: 0.05, debug });
    const stuck = reports.find(
      (r) => (r.task as unknown as { getName(): string }).getName() === 'stuck',
    );
    expect(stuck?.message).toMatch(/^Task still running 0.05 seconds after it was cancelled/);
    const graph = stuck?.call_graph as string;
    expect(graph).toMatch(/^\* Task\(name='stuck', id=0x[0-9a-f]+\)\n/);
    expect(graph).toMatch(/ {2}\+ Awaited by:\n {4}\* Task\(name='waiter', id=0x[0-9a-f]+\)/);
    if (debug) {
      expect(graph).toMatch(/in async sleep\(\)\n.*in async refuse\(\)\n.*in async stuckInner\(\)/);
      expect(graph).toMatch(/in async waiterBody\(\)/);
    } else {
      expect(graph).not.toContain('Call stack');
    }
  },
);
