import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkSeam } from '../check-seam.mjs';

const script = fileURLToPath(new URL('../check-seam.mjs', import.meta.url));
const fixture = (name) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function run(name) {
  const r = spawnSync(process.execPath, [script, fixture(name)], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

// Each check builds a TypeScript program of the packages: seconds on a loaded machine.
const SLOW = { timeout: 60_000 };

describe('check-seam CLI', () => {
  it(
    'accepts members declared by a seam interface, through a class, a subclass or the interface',
    SLOW,
    () => {
      const { code, out } = run('seam-ok');
      expect(out).toContain('check-seam: OK');
      expect(code).toBe(0);
    },
  );

  it(
    'rejects reading an undeclared _-member of another package, however it is reached',
    SLOW,
    () => {
      const { code, out } = run('seam-reach');
      expect(code).toBe(1);
      expect(out).toContain('4 violation(s)');
      expect(out).toContain(
        "packages/tasks/src/index.ts:5: @x/tasks reads '_result', a member that @x/loop does not declare in its seam",
      );
      expect(out).toContain("packages/tasks/src/index.ts:9: @x/tasks reads '_loopTime'");
      expect(out).toContain("packages/tasks/src/index.ts:10: @x/tasks reads '_result'");
      expect(out).toContain(
        "packages/tasks/src/index.ts:13: @x/tasks reads '_anything' of an untyped value",
      );
      expect(out).not.toContain("'_state'");
    },
  );

  it('checks the real repository', SLOW, () => {
    const root = fileURLToPath(new URL('..', new URL('../', import.meta.url)));
    expect(checkSeam(root)).toEqual([]);
  });
});
