import { defineConfig } from 'vitest/config';
import { scriptsConfig } from './vitest.shared.mjs';

export default defineConfig(scriptsConfig());
