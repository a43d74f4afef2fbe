/**
 * The `xrun` command's decisions, in this process: `xrun(argv)` from
 * `@x/runner/cli` reads the command line, loads the module and says what to
 * run, or throws the `XrunError` that bin/xrun.js prints and exits with.
 * signals.e2e.test.ts runs the real command in child processes.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { run } from '@x/runner';
import { USAGE, XrunError, type XrunPlan, xrun } from '@x/runner/cli';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** The XrunError that `xrun(argv)` rejects with. */
async function xrunError(argv: string[]): Promise<XrunError> {
  const e = await xrun(argv).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(XrunError);
  return e as XrunError;
}

/** The plan, which must be to run a main. */
function runPlan(plan: XrunPlan): Extract<XrunPlan, { action: 'run' }> {
  if (plan.action !== 'run') throw new Error(`expected a plan to run, got ${plan.action}`);
  return plan;
}

describe('xrun', () => {
  let argv: string[];
  beforeEach(() => {
    argv = process.argv;
  });
  afterEach(() => {
    process.argv = argv;
    vi.restoreAllMocks();
  });

  test('--help and -h: the usage, before anything is checked or loaded', async () => {
    expect(USAGE.split('\n')[0]).toBe('usage: xrun [--debug] file.js [args...]');
    expect(await xrun(['--help'])).toEqual({ action: 'help', text: USAGE });
    expect(await xrun(['--debug', '-h', 'nope.mjs'])).toEqual({ action: 'help', text: USAGE });
    expect(process.argv).toBe(argv);
  });

  test('a bad command line: status 2 and the line xrun prints', async () => {
    const bad = await xrunError(['--fast', fixture('xrun-main.mjs')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(`xrun: unknown option '--fast'\n\n${USAGE}\n`);
    expect(bad.name).toBe('XrunError');
    expect(bad.message).toBe(bad.stderr.trimEnd());

    for (const args of [[], ['--debug'], ['--']]) {
      const none = await xrunError(args);
      expect(none.status).toBe(2);
      expect(none.stderr).toBe(`xrun: no file to run\n\n${USAGE}\n`);
    }
    expect(process.argv).toBe(argv);
  });

  test('a missing file (or a directory): status 2, and where xrun looked', async () => {
    const missing = await xrunError(['nope.mjs']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(
      `xrun: cannot find 'nope.mjs' (looked for ${resolve(process.cwd(), 'nope.mjs')})\n`,
    );
    const dir = fixture('');
    const notAFile = await xrunError([dir]);
    expect(notAFile.stderr).toBe(`xrun: cannot find '${dir}' (looked for ${resolve(dir)})\n`);
    // '-' is a file name, not an option.
    expect((await xrunError(['-'])).stderr).toMatch(/^xrun: cannot find '-'/);
  });

  test('a module without main or a default export: status 2, and what to add', async () => {
    const file = fixture('xrun-no-main.mjs');
    const e = await xrunError([file]);
    expect(e.status).toBe(2);
    expect(e.stderr).toBe(
      `xrun: ${file} exports neither main nor a default export: add \`export function* main() { ... }\`\n`,
    );
  });

  test('main is run rather than the default export; the default export without main', async () => {
    const both = runPlan(await xrun([fixture('xrun-both.mjs')]));
    expect(await run(both.main)).toBe('main');
    const def = runPlan(await xrun([fixture('xrun-default.mjs')]));
    const mod = (await import(fixture('xrun-default.mjs'))) as { default: unknown };
    expect(def.main).toBe(mod.default);
  });

  test('the module sees its own arguments; --debug runs it in debug mode', async () => {
    const file = fixture('xrun-main.mjs');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const plan = runPlan(await xrun(['--debug', file, 'a', '--b']));
    expect(plan.options).toEqual({ debug: true });
    expect(process.argv).toEqual([argv[0], file, 'a', '--b']);
    await run(plan.main, plan.options);
    expect(log.mock.calls).toEqual([['args ["a","--b"]'], ['debug true']]);

    // Without --debug no options; after `--` an option-like name is the file's argument.
    log.mockClear();
    const plain = runPlan(await xrun(['--', file, '--debug']));
    expect(plain.options).toBeUndefined();
    expect(process.argv).toEqual([argv[0], file, '--debug']);
    await run(plain.main, { debug: false });
    expect(log.mock.calls).toEqual([['args ["--debug"]'], ['debug false']]);
  });

  test('a module that throws while it loads: status 1, the error as node prints it', async () => {
    const e = await xrunError([fixture('xrun-throws.mjs')]);
    expect(e.status).toBe(1);
    expect(e.cause).toBeInstanceOf(TypeError);
    expect((e.cause as Error).message).toBe('this module is broken');
    expect(e.stderr).toBe(`${inspect(e.cause)}\n`);

    const s = await xrunError([fixture('xrun-throws-string.mjs')]);
    expect(s.status).toBe(1);
    expect(s.cause).toBe('not an Error');
    expect(s.stderr).toBe("Uncaught 'not an Error'\n");
  });

  test('a module that started its own loop while loading: xrun runs nothing', async () => {
    const file = fixture('xrun-loop-running.mjs');
    expect(await xrun([file])).toEqual({ action: 'none' });
    const mod = (await import(file)) as { ran: string[]; done: Promise<void> };
    await mod.done;
    expect(mod.ran).toEqual([]);
  });
});
