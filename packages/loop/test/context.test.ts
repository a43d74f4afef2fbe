/**
 * Port of the core of CPython's Lib/test/test_context.py (ContextTest) for the
 * context variables of @x/loop, plus the asyncio side of contexts: callbacks
 * and done callbacks run in a copy of the context they were scheduled from
 * (Lib/test/test_asyncio/test_context.py itself only tests decimal in tasks).
 *
 * Not ported, and why: test_context_subclassing_1 (the classes can be
 * subclassed in JavaScript), test_context_new_1 / test_context_run_1 (argument
 * count errors are compile-time errors in TypeScript), test_context_threads_1
 * (no threads; the loop-callback analogue is test_context_callbacks_1),
 * HamtTest (the mapping is a Map), the generator `_context` tests of 3.14 and
 * the Context/Token context-manager protocol (not part of the @x/loop API).
 */
import {
  Context,
  ContextVar,
  copyContext,
  type EventLoop,
  LookupError,
  newEventLoop,
  RuntimeError,
  Token,
  ValueError,
} from '@x/loop';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { assertNoRunningLoop, loopWithHandler, runBriefly } from './utils.js';

/** CPython's `isolated_context` decorator: runs the test in a fresh Context. */
function isolated<A extends unknown[]>(fn: (...a: A) => void): (...a: A) => void {
  return (...a: A) => new Context().run(fn, ...a);
}

describe('ContextTest', () => {
  test('test_context_var_new_1', () => {
    expect(() => new ContextVar(1 as never)).toThrow(TypeError);
    expect(() => new ContextVar(1 as never)).toThrow(/must be a str/);
    const c = new ContextVar('aaa');
    expect(c.name).toBe('aaa');
    expect(c).not.toBe(new ContextVar('aaa'));
  });

  test(
    'test_context_var_repr_1',
    isolated(() => {
      let c = new ContextVar<unknown>('a');
      expect(String(c)).toContain('a');
      expect(String(c)).toBe("<ContextVar name='a'>");

      c = new ContextVar('a', { default: 123 });
      expect(String(c)).toContain('123');

      const lst: unknown[] = [];
      c = new ContextVar('a', { default: lst });
      lst.push(c);
      expect(String(c)).toContain('...');
      expect(String(c)).toBe("<ContextVar name='a' default=[...]>");

      const t = c.set(1);
      expect(String(t)).toContain(String(c));
      expect(String(t)).not.toContain(' used ');
      c.reset(t);
      expect(String(t)).toContain(' used ');
    }),
  );

  test(
    'test_token_repr_1',
    isolated(() => {
      const c = new ContextVar('a');
      const tok = c.set(1);
      expect(String(tok)).toMatch(/^<Token var=<ContextVar name='a'>>$/);
    }),
  );

  test('test_context_typerrors_1', () => {
    const ctx = new Context();
    expect(() => ctx.get(1 as never)).toThrow(TypeError);
    expect(() => ctx.get(1 as never)).toThrow(/ContextVar key was expected/);
    expect(() => ctx.has(1 as never)).toThrow(/ContextVar key was expected/);
    expect(() => new ContextVar('x').reset({} as never)).toThrow(/expected an instance of Token/);
  });

  test('test_context_get_context_1', () => {
    const ctx = copyContext();
    expect(ctx).toBeInstanceOf(Context);
    expect(String(ctx)).toMatch(/^<Context object with \d+ variable\(s\)>$/);
  });

  test('test_context_run_2', () => {
    const ctx = new Context();
    function func(...args: unknown[]) {
      return [...args, 'bar'];
    }
    expect(ctx.run(func)).toEqual(['bar']);
    expect(ctx.run(func, 1)).toEqual([1, 'bar']);
    expect(ctx.run(func, 11, 12)).toEqual([11, 12, 'bar']);
  });

  test('test_context_run_3', () => {
    const ctx = new Context();
    function func(..._args: unknown[]): never {
      throw new RangeError('division by zero');
    }
    expect(() => ctx.run(func)).toThrow(RangeError);
    expect(() => ctx.run(func, 1, 2)).toThrow(RangeError);
    // ... and the context is left, so it can be entered again.
    expect(ctx.run(() => 5)).toBe(5);
  });

  test(
    'test_context_run_4',
    isolated(() => {
      const ctx1 = new Context();
      const ctx2 = new Context();
      const v = new ContextVar<string | null>('var');
      function func2() {
        expect(v.get(null)).toBeNull();
      }
      function func1() {
        expect(v.get(null)).toBeNull();
        v.set('spam');
        ctx2.run(func2);
        expect(v.get(null)).toBe('spam');
        const cur = copyContext();
        expect(cur.size).toBe(1);
        expect(cur.get(v)).toBe('spam');
        return cur;
      }
      const returned_ctx = ctx1.run(func1);
      // Python's Context == compares the mappings.
      expect([...returned_ctx.entries()]).toEqual([...ctx1.entries()]);
      expect(returned_ctx.get(v)).toBe('spam');
      expect(returned_ctx.has(v)).toBe(true);
    }),
  );

  test('test_context_run_5', () => {
    const ctx = new Context();
    const v = new ContextVar<string | null>('var');
    function func() {
      expect(v.get(null)).toBeNull();
      v.set('spam');
      throw new RangeError('division by zero');
    }
    expect(() => ctx.run(func)).toThrow(RangeError);
    expect(v.get(null)).toBeNull();
    // The change made before the error stays in ctx.
    expect(ctx.get(v)).toBe('spam');
  });

  test('test_context_run_6', () => {
    const ctx = new Context();
    const c = new ContextVar('a', { default: 0 });
    function fun() {
      expect(c.get()).toBe(0);
      expect(ctx.get(c)).toBeUndefined();
      c.set(42);
      expect(c.get()).toBe(42);
      expect(ctx.get(c)).toBe(42);
    }
    ctx.run(fun);
  });

  test('test_context_run_7', () => {
    const ctx = new Context();
    let raised: unknown = null;
    function fun() {
      try {
        ctx.run(fun);
      } catch (e) {
        raised = e;
      }
    }
    ctx.run(fun);
    expect(raised).toBeInstanceOf(RuntimeError);
    expect((raised as Error).message).toMatch(/is already entered/);
  });

  test(
    'test_context_getset_1',
    isolated(() => {
      const c = new ContextVar<unknown>('c');
      expect(() => c.get()).toThrow(LookupError);
      expect(() => c.get()).toThrow("<ContextVar name='c'> has no value");
      expect(c.get(null)).toBeNull();
      // An explicit undefined default is a default too.
      expect(c.get(undefined)).toBeUndefined();

      const t0 = c.set(42);
      expect(c.get()).toBe(42);
      expect(c.get(null)).toBe(42);
      expect(t0.oldValue).toBe(Token.MISSING);
      expect(t0.var).toBe(c);

      const t = c.set('spam');
      expect(c.get()).toBe('spam');
      expect(c.get(null)).toBe('spam');
      expect(t.oldValue).toBe(42);
      c.reset(t);

      expect(c.get()).toBe(42);
      expect(c.get(null)).toBe(42);

      c.set('spam2');
      expect(() => c.reset(t)).toThrow(RuntimeError);
      expect(() => c.reset(t)).toThrow(/has already been used/);
      expect(c.get()).toBe('spam2');

      const ctx1 = copyContext();
      expect(ctx1.has(c)).toBe(true);

      c.reset(t0);
      expect(() => c.reset(t0)).toThrow(/has already been used/);
      expect(c.get(null)).toBeNull();

      expect(ctx1.has(c)).toBe(true);
      expect(ctx1.get(c)).toBe('spam2');
      expect(ctx1.get(c, 'aa')).toBe('spam2');
      expect(ctx1.size).toBe(1);
      expect([...ctx1.entries()]).toEqual([[c, 'spam2']]);

      const ctx2 = copyContext();
      expect(ctx2.has(c)).toBe(false);
      expect(ctx2.get(c)).toBeUndefined();
      expect(ctx2.get(c, 'aa')).toBe('aa');
      expect(ctx2.size).toBe(0);
      expect([...ctx2.entries()]).toEqual([]);
    }),
  );

  test(
    'test_context_getset_2',
    isolated(() => {
      const v1 = new ContextVar('v1');
      const v2 = new ContextVar('v2');
      const t1 = v1.set(42);
      expect(() => v2.reset(t1 as never)).toThrow(ValueError);
      expect(() => v2.reset(t1 as never)).toThrow(/by a different/);
    }),
  );

  test(
    'test_context_getset_3',
    isolated(() => {
      const c = new ContextVar('c', { default: 42 });
      const ctx = new Context();
      function fun() {
        expect(c.get()).toBe(42);
        expect(ctx.get(c)).toBeUndefined();
        expect(ctx.get(c, 'spam' as never)).toBe('spam');
        expect(ctx.has(c)).toBe(false);
        expect([...ctx.entries()]).toEqual([]);

        const t = c.set(1);
        expect([...ctx.entries()]).toEqual([[c, 1]]);
        expect(ctx.get(c)).toBe(1);

        c.reset(t);
        expect([...ctx.entries()]).toEqual([]);
        expect(ctx.has(c)).toBe(false);
      }
      ctx.run(fun);
    }),
  );

  test(
    'test_context_getset_4',
    isolated(() => {
      const c = new ContextVar('c', { default: 42 });
      const ctx = new Context();
      const tok = ctx.run(() => c.set(1));
      expect(() => c.reset(tok)).toThrow(ValueError);
      expect(() => c.reset(tok)).toThrow(/different Context/);
    }),
  );

  test(
    'test_context_getset_5',
    isolated(() => {
      const c = new ContextVar<number[]>('c', { default: [42] });
      c.set([]);
      function fun() {
        c.set([]);
        c.get().push(42);
        expect(c.get()).toEqual([42]);
      }
      copyContext().run(fun);
      expect(c.get()).toEqual([]);
    }),
  );

  test('test_context_copy_1', () => {
    const ctx1 = new Context();
    const c = new ContextVar('c', { default: 42 });
    function ctx2_fun() {
      expect(c.get()).toBe(10);
      c.set(30);
      expect(c.get()).toBe(30);
    }
    function ctx1_fun() {
      c.set(10);
      const ctx2 = ctx1.copy();
      expect(ctx2.get(c)).toBe(10);
      c.set(20);
      expect(ctx1.get(c)).toBe(20);
      expect(ctx2.get(c)).toBe(10);
      ctx2.run(ctx2_fun);
      expect(ctx1.get(c)).toBe(20);
      expect(ctx2.get(c)).toBe(30);
    }
    ctx1.run(ctx1_fun);
  });
});

describe('LoopContextTests', () => {
  let loop: EventLoop;
  beforeEach(() => {
    loop = newEventLoop();
  });
  afterEach(() => {
    assertNoRunningLoop();
    loop.close();
  });

  test('test_context_callbacks_1', async () => {
    // Analogue of test_context_threads_1: interleaved callback chains each
    // see only their own values.
    const cvar = new ContextVar<number>('cvar');
    const results: number[] = [];
    const errors: string[] = [];
    function sub(num: number, i: number) {
      if (i > 0 && cvar.get() !== num + i - 1) errors.push(`${num}/${i}: ${cvar.get()}`);
      if (i === 10) {
        results.push(num);
        if (results.length === 10) loop.stop();
        return;
      }
      cvar.set(num + i);
      loop.callSoon(sub, num, i + 1);
    }
    for (let num = 0; num < 10; num++) new Context().run(() => loop.callSoon(sub, num * 100, 0));
    await loop.runForever();
    expect(errors).toEqual([]);
    expect(results).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(() => cvar.get()).toThrow(LookupError);
  });

  test('test_call_soon_copies_context', async () => {
    // (Not `isolated`: a Context does not follow `await` in a plain async
    // function, so the synchronous part runs in a Context of its own.)
    const v = new ContextVar<string>('v', { default: 'unset' });
    const seen: string[] = [];
    const ctx = new Context();
    const t = ctx.run(() => {
      v.set('at schedule time');
      loop.callSoon(() => {
        seen.push(v.get());
        v.set('changed by callback 1');
      });
      loop.callSoon(() => seen.push(v.get()));
      v.set('after scheduling');
      return loop.callLater(0, () => seen.push(v.get()));
    });
    await runBriefly(loop);
    await runBriefly(loop);
    expect(seen).toEqual(['at schedule time', 'at schedule time', 'after scheduling']);
    // Nothing leaked out of the callbacks.
    expect(ctx.get(v)).toBe('after scheduling');
    expect(v.get()).toBe('unset');
    expect(t.getContext().get(v)).toBe('after scheduling');
  });

  test('test_handle_context_keeps_changes', async () => {
    // CPython: a handle's context is the copy the callback ran in, changes included.
    const v = new ContextVar<string>('v', { default: 'none' });
    const h = loop.callSoon(() => {
      v.set('inside');
    });
    await runBriefly(loop);
    expect(h.getContext().get(v)).toBe('inside');
    expect(v.get()).toBe('none');
  });

  test('test_handle_explicit_context', async () => {
    // A handle whose context was asked for before it ran runs in that very object.
    const v = new ContextVar<number>('v', { default: 0 });
    const h = loop.callSoon(() => {
      v.set(v.get() + 1);
    });
    const ctx = h.getContext();
    await runBriefly(loop);
    expect(ctx.get(v)).toBe(1);
    expect(v.get()).toBe(0);
  });

  test('test_handle_context_asked_for_while_running', async () => {
    // CPython: the callback runs inside the handle's context object, which is
    // entered until it returns; a token made before it was asked for belongs to it.
    const v = new ContextVar<string>('v', { default: 'none' });
    const outcome: string[] = [];
    const h = loop.callSoon(() => {
      const token = v.set('before');
      const ctx = h.getContext();
      outcome.push(`seen ${ctx.get(v)}`);
      v.set('after');
      outcome.push(`then ${ctx.get(v)}`);
      try {
        ctx.run(() => {});
      } catch (e) {
        outcome.push((e as Error).name);
      }
      v.reset(token);
      outcome.push(`reset ${v.get()}`);
      v.set('last');
    });
    await runBriefly(loop);
    expect(outcome).toEqual(['seen before', 'then after', 'RuntimeError', 'reset none']);
    expect(h.getContext().get(v)).toBe('last');
    expect(h.getContext()).toBe(h.getContext());
    expect(v.get()).toBe('none');
  });

  test('test_done_callback_context', async () => {
    const v = new ContextVar<string>('v', { default: 'default' });
    const fut = loop.createFuture<void>();
    const seen: string[] = [];
    const ctx = new Context();
    ctx.run(() => v.set('explicit'));
    new Context().run(() => {
      v.set('at add time');
      fut.addDoneCallback(() => seen.push(`implicit ${v.get()}`));
      fut.addDoneCallback(() => seen.push(`explicit ${v.get()}`), { context: ctx });
    });
    fut.addDoneCallback(
      () => {
        v.set('changed');
      },
      { context: ctx },
    );
    fut.addDoneCallback(() => seen.push(`after ${ctx.get(v)}`));
    fut.setResult();
    await runBriefly(loop);
    expect(seen).toEqual(['implicit at add time', 'explicit explicit', 'after changed']);
    // Added once the future is done, with a context.
    fut.addDoneCallback(() => seen.push(`late ${v.get()}`), { context: ctx });
    await runBriefly(loop);
    expect(seen[3]).toBe('late changed');
  });

  test('test_token_reset_in_callbacks', async () => {
    // A token belongs to the context of the callback that made it: CPython
    // raises ValueError when another callback's context resets it.
    const v = new ContextVar<string>('v', { default: 'default' });
    let token: Token<string> | null = null;
    const outcome: string[] = [];
    loop.callSoon(() => {
      token = v.set('in a');
      const t2 = v.set('in a again');
      v.reset(t2);
      outcome.push(`same callback: ${v.get()}`);
      // An explicit Context inside the callback is a different context.
      try {
        new Context().run(() => v.reset(t2));
      } catch (e) {
        outcome.push((e as Error).name);
      }
    });
    loop.callSoon(() => {
      try {
        v.reset(token as unknown as Token<string>);
        outcome.push('reset in b');
      } catch (e) {
        outcome.push(`${(e as Error).name}: ${(e as Error).message}`);
      }
    });
    await runBriefly(loop);
    expect(outcome).toEqual([
      'same callback: in a',
      'RuntimeError',
      "ValueError: <Token var=<ContextVar name='v' default='default'>> was created in a different Context",
    ]);
    // Nor can the top-level context reset it.
    expect(() => v.reset(token as unknown as Token<string>)).toThrow(/different Context/);
  });

  test('test_exception_handler_sees_callback_context', async () => {
    const v = new ContextVar<string>('v', { default: 'default' });
    const { loop: l, calls } = loopWithHandler();
    const seen: string[] = [];
    l.setExceptionHandler((_loop, ctx) => {
      calls.push(ctx);
      seen.push(v.get());
    });
    l.callSoon(() => {
      v.set('set before the error');
      throw new Error('boom');
    });
    await runBriefly(l);
    expect(calls).toHaveLength(1);
    expect(seen).toEqual(['set before the error']);
    l.close();
  });
});
