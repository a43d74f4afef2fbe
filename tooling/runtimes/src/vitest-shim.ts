/**
 * The part of Vitest's API that the core packages' tests use, for running
 * those tests where Vitest cannot run: in a browser page, under Bun and Deno.
 * The bundler maps `vitest` to this module. Assertions are Vitest's own
 * (`@vitest/expect` on chai) and mocks are `@vitest/spy`, so a test means
 * the same here as under Vitest; only the runner is this small one.
 *
 * Tests run one at a time in the order they were declared, with their
 * hooks; `report()` runs them and returns the counts.
 */
import {
  ASYMMETRIC_MATCHERS_OBJECT,
  chai,
  GLOBAL_EXPECT,
  getState,
  JestAsymmetricMatchers,
  JestChaiExpect,
  JestExtend,
  setState,
} from '@vitest/expect';
import * as spy from '@vitest/spy';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

type Fn = () => unknown;
interface Suite {
  name: string;
  beforeAll: Fn[];
  afterAll: Fn[];
  beforeEach: Fn[];
  afterEach: Fn[];
  items: Array<{ suite: Suite } | { test: string; fn: Fn | null; timeout: number }>;
}

const root: Suite = newSuite('');
let current = root;

function newSuite(name: string): Suite {
  return { name, beforeAll: [], afterAll: [], beforeEach: [], afterEach: [], items: [] };
}

const DEFAULT_TIMEOUT_MS = 20_000;

/** Vitest's `{ timeout }` options, given before the body. */
type Options = { timeout?: number };

/** The default timeout of the tests declared now (a `describe` may set it). */
let suiteTimeout = DEFAULT_TIMEOUT_MS;

type TestFn = {
  (name: string, fn?: Fn | Options, timeout?: number | Fn): void;
  skip(name: string, fn?: Fn): void;
  skipIf(cond: unknown): (name: string, fn?: Fn, timeout?: number) => void;
  runIf(cond: unknown): (name: string, fn?: Fn, timeout?: number) => void;
  todo(name: string): void;
  each<T>(cases: readonly T[]): (name: string, fn: (c: T) => unknown, timeout?: number) => void;
};

function addTest(name: string, fn: Fn | undefined, timeout?: number): void {
  current.items.push({ test: name, fn: fn ?? null, timeout: timeout ?? suiteTimeout });
}

function format(name: string, c: unknown): string {
  const args = Array.isArray(c) ? c : [c];
  let i = 0;
  return name.replace(/%[sdifjo$#%]/g, (m) => (m === '%%' ? '%' : String(args[i++])));
}

function makeTest(): TestFn {
  const t = ((name: string, a?: Fn | Options, b?: number | Fn) =>
    typeof a === 'object'
      ? addTest(name, b as Fn, a.timeout)
      : addTest(name, a, b as number | undefined)) as TestFn;
  t.skip = (name) => addTest(name, undefined);
  t.skipIf = (cond) => (name, fn, timeout) => addTest(name, cond ? undefined : fn, timeout);
  t.runIf = (cond) => (name, fn, timeout) => addTest(name, cond ? fn : undefined, timeout);
  t.todo = (name) => addTest(name, undefined);
  t.each = (cases) => (name, fn, timeout) => {
    for (const c of cases) {
      addTest(
        format(name, c),
        () => (Array.isArray(c) ? (fn as (...a: unknown[]) => unknown)(...c) : fn(c)),
        timeout,
      );
    }
  };
  return t;
}

export const test = makeTest();
export const it = test;

type DescribeFn = {
  (name: string, body: (() => void) | Options, then?: () => void): void;
  skip(name: string, body: () => void): void;
  skipIf(cond: unknown): (name: string, body: () => void) => void;
  each<T>(cases: readonly T[]): (name: string, body: (c: T) => void) => void;
};

function addSuite(name: string, body: () => void, skip: boolean, options?: Options): void {
  const suite = newSuite(name);
  current.items.push({ suite });
  const parent = current;
  const parentTimeout = suiteTimeout;
  current = suite;
  suiteTimeout = options?.timeout ?? suiteTimeout;
  try {
    if (skip) {
      // Declare the tests to count them as skipped.
      const saved = suite.items;
      body();
      for (const item of saved) if ('test' in item) item.fn = null;
    } else {
      body();
    }
  } finally {
    current = parent;
    suiteTimeout = parentTimeout;
  }
}

export const describe = ((name: string, body: (() => void) | Options, then?: () => void) =>
  typeof body === 'object'
    ? addSuite(name, then as () => void, false, body)
    : addSuite(name, body, false)) as DescribeFn;
describe.skip = (name, body) => addSuite(name, body, true);
describe.skipIf = (cond) => (name, body) => addSuite(name, body, Boolean(cond));
describe.each = (cases) => (name, body) => {
  for (const c of cases) {
    const run = Array.isArray(c) ? () => (body as (...a: unknown[]) => void)(...c) : () => body(c);
    addSuite(format(name, c), run, false);
  }
};

export const beforeAll = (fn: Fn) => void current.beforeAll.push(fn);
export const afterAll = (fn: Fn) => void current.afterAll.push(fn);
export const beforeEach = (fn: Fn) => void current.beforeEach.push(fn);
export const afterEach = (fn: Fn) => void current.afterEach.push(fn);

// ---- expect ---------------------------------------------------------------

type Expect = ((value: unknown, message?: string) => unknown) & Record<string, unknown>;

export const expect = ((value: unknown, message?: string) => {
  const { assertionCalls } = getState(expect as never);
  setState({ assertionCalls: assertionCalls + 1 }, expect as never);
  return chai.expect(value, message);
}) as unknown as Expect;
Object.assign(expect, chai.expect);
Object.assign(expect, (globalThis as Record<PropertyKey, unknown>)[ASYMMETRIC_MATCHERS_OBJECT]);
expect.getState = () => getState(expect as never);
expect.setState = (state: object) => setState(state as never, expect as never);
setState(
  {
    assertionCalls: 0,
    isExpectingAssertions: false,
    isExpectingAssertionsError: null,
    expectedAssertionsNumber: null,
    expectedAssertionsNumberErrorGen: null,
    testPath: '',
    currentTestName: '',
  } as never,
  expect as never,
);
expect.extend = (matchers: unknown) =>
  (chai.expect as unknown as { extend(e: unknown, m: unknown): void }).extend(expect, matchers);
expect.unreachable = (message?: string) => {
  chai.assert.fail(`expected${message ? ` "${message}" ` : ' '}not to be reached`);
};
(globalThis as Record<PropertyKey, unknown>)[GLOBAL_EXPECT] = expect;

/** Type-level assertions do nothing at run time: every member is callable and chainable. */
export const expectTypeOf: (...a: unknown[]) => unknown = (() => {
  const chain: unknown = new Proxy(() => chain, { get: () => chain, apply: () => chain });
  return () => chain;
})();

// ---- vi -------------------------------------------------------------------

const stubbed = new Map<string, PropertyDescriptor | undefined>();

export const vi = {
  fn: spy.fn,
  spyOn: spy.spyOn,
  isMockFunction: spy.isMockFunction,
  restoreAllMocks: spy.restoreAllMocks,
  clearAllMocks: spy.clearAllMocks,
  resetAllMocks: spy.resetAllMocks,
  stubGlobal(name: string, value: unknown) {
    const g = globalThis as Record<string, unknown>;
    if (!stubbed.has(name)) stubbed.set(name, Object.getOwnPropertyDescriptor(g, name));
    Object.defineProperty(g, name, { value, configurable: true, writable: true, enumerable: true });
  },
  unstubAllGlobals() {
    const g = globalThis as Record<string, unknown>;
    for (const [name, d] of stubbed) {
      if (d === undefined) delete g[name];
      else Object.defineProperty(g, name, d);
    }
    stubbed.clear();
  },
};

// ---- running --------------------------------------------------------------

export interface Report {
  passed: number;
  failed: number;
  skipped: number;
  failures: string[];
}

function withTimeout(p: unknown, ms: number, what: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    Promise.resolve(p).then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/** A test that cannot mean the same here: skipped, with the reason printed. */
export interface Skip {
  test: string;
  why: string;
}

/**
 * Test helpers give the host turns with `setImmediate`, which browsers lack:
 * a stand-in while the tests run, installed after the packages have loaded
 * (so that the loop still picks its own way to yield), removed after.
 */
function withSetImmediate(): () => void {
  const g = globalThis as { setImmediate?: (fn: () => void) => void };
  if (typeof g.setImmediate === 'function') return () => {};
  const channel = new MessageChannel();
  const queue: Array<() => void> = [];
  channel.port1.onmessage = () => (queue.shift() as () => void)();
  g.setImmediate = (fn) => {
    queue.push(fn);
    channel.port2.postMessage(null);
  };
  return () => {
    delete g.setImmediate;
    channel.port1.close();
  };
}

/** Runs the tests declared so far under `prefix`, with their hooks, and counts the outcomes. */
export async function report(
  prefix = '',
  skip: Skip[] = [],
  log: (line: string) => void = console.log,
): Promise<Report> {
  const r: Report = { passed: 0, failed: 0, skipped: 0, failures: [] };
  const restore = withSetImmediate();
  async function runSuite(suite: Suite, path: string, outer: Suite[]): Promise<void> {
    const chain = [...outer, suite];
    try {
      for (const h of suite.beforeAll) await withTimeout(h(), DEFAULT_TIMEOUT_MS, 'beforeAll');
    } catch (e) {
      r.failed++;
      r.failures.push(`${path} (beforeAll): ${describeError(e)}`);
      return;
    }
    for (const item of suite.items) {
      if ('suite' in item) {
        await runSuite(item.suite, `${path}${item.suite.name} > `, chain);
        continue;
      }
      const name = `${path}${item.test}`;
      if (item.fn === null) {
        r.skipped++;
        continue;
      }
      const skipped = skip.find((s) => name.endsWith(s.test));
      if (skipped !== undefined) {
        r.skipped++;
        log(`skipped: ${name} (${skipped.why})`);
        continue;
      }
      let error: unknown = null;
      try {
        for (const s of chain) for (const h of s.beforeEach) await h();
        await withTimeout(item.fn(), item.timeout, 'the test');
      } catch (e) {
        error = e;
      }
      for (const s of [...chain].reverse()) {
        for (const h of s.afterEach) {
          try {
            await h();
          } catch (e) {
            error ??= e;
          }
        }
      }
      if (error === null) {
        r.passed++;
      } else {
        r.failed++;
        const line = `${name}: ${describeError(error)}`;
        r.failures.push(line);
        log(`FAILED ${line}`);
      }
    }
    for (const h of suite.afterAll) {
      try {
        await h();
      } catch (e) {
        r.failed++;
        r.failures.push(`${path} (afterAll): ${describeError(e)}`);
      }
    }
  }
  try {
    await runSuite(root, prefix, []);
  } finally {
    restore();
  }
  root.items = [];
  return r;
}
