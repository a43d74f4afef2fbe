import { defineConfig } from 'vitest/config';
import { scriptsConfig } from '../vitest.shared.mjs';

// test/ only, not .out/: those bundles are run.mjs's, for other runtimes.
export default defineConfig(scriptsConfig({ testTimeout: 120_000 }));
