// Fails the run at once, with the fix, when the packages have not been built: the
// examples import `@x/runner` & co. by name, which resolves to their dist/.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export default function setup() {
  const missing = [];
  for (const name of ['@x/loop', '@x/tasks', '@x/signals', '@x/runner']) {
    const dir = dirname(require.resolve(`${name}/package.json`));
    if (!existsSync(join(dir, 'dist', 'index.js'))) missing.push(`${name} (${dir}/dist)`);
  }
  if (missing.length > 0) {
    throw new Error(
      `The examples run against the built packages, and these are not built: ${missing.join(', ')}.\n` +
        'Build them first: `npx -y pnpm@10.34.8 build` at the repository root ' +
        '(`turbo run test` does it for you).',
    );
  }
}
