// The twins run as real child processes against the BUILT packages (dist/): turbo's
// `test` task builds them first (dependsOn ^build and build).
import { defineConfig } from 'vitest/config';
import { scriptsConfig } from '../../tooling/vitest.shared.mjs';

export default defineConfig(scriptsConfig({ testTimeout: 30_000 }));
