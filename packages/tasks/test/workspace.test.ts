// Checks of the test setup itself (vitest.config.ts + tooling/vitest.shared.mjs).
import * as loopByName from '@x/loop';
import * as loopInternalByName from '@x/loop/internal';
import * as tasksByName from '@x/tasks';
import { describe, expect, it } from 'vitest';
import * as loopSource from '../../loop/src/index.ts';
import * as loopInternalSource from '../../loop/src/internal.ts';
import * as tasksSource from '../src/index.ts';

describe('test setup', () => {
  it('resolves workspace packages by name to their TypeScript source ("@x/source")', () => {
    // Same module instance: the package name led to src/*.ts, not to dist/*.js.
    expect(loopByName).toBe(loopSource);
    expect(loopInternalByName).toBe(loopInternalSource);
    // A package's own name resolves to its own source too.
    expect(tasksByName).toBe(tasksSource);
  });

  it('runs with --expose-gc', () => {
    expect(typeof globalThis.gc).toBe('function');
  });

  it('runs under the Node major CI asked for', () => {
    const expected = process.env.XASYNC_EXPECT_NODE_MAJOR;
    const major = process.versions.node.split('.')[0];
    if (expected) expect(major).toBe(expected);
    expect(Number(major)).toBeGreaterThanOrEqual(20);
  });
});
