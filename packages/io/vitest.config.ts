import { defineConfig } from 'vitest/config';
// resolve.conditions / ssr.resolve.conditions include "@x/source": `@x/*` imports in tests
// resolve to the sibling packages' TypeScript source, not their dist/.
import { packageConfig } from '../../tooling/vitest.shared.mjs';

export default defineConfig(packageConfig(import.meta.url));
