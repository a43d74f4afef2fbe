import { defineConfig } from 'vitest/config';
import { scriptsConfig } from '../vitest.shared.mjs';

// Each test runs workloads in fresh processes.
export default defineConfig(scriptsConfig({ testTimeout: 120_000 }));
