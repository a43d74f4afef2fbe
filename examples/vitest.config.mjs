// The examples run as real child processes against the BUILT packages (dist/), the way a
// user runs them: turbo's `test` task builds the packages first (dependsOn ^build).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.mjs'],
    globalSetup: ['test/global-setup.mjs'],
    // Each test waits for child processes; some send them signals and wait for cleanup.
    testTimeout: 30_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
