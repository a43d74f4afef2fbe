// Fails the run at once, with the fix, when what the examples need has not been built:
// they import `@x/runner` & co. by name, which resolves to the packages' dist/, and on a
// Node that does not strip types they run as the JavaScript compiled into examples/dist/.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { programOf, runDir } from './helpers.mjs';

export default function setup() {
  const require = createRequire(join(runDir, 'package.json'));
  const missing = [];
  for (const name of ['@x/loop', '@x/tasks', '@x/signals', '@x/runner']) {
    const dir = dirname(require.resolve(`${name}/package.json`));
    if (!existsSync(join(dir, 'dist', 'index.js'))) missing.push(`${name} (${dir}/dist)`);
  }
  const demo = join(runDir, programOf('demo.ts'));
  if (!existsSync(demo)) missing.push(`the examples (${demo})`);
  if (missing.length > 0) {
    throw new Error(
      `The examples run against the built packages, and these are not built: ${missing.join(', ')}.\n` +
        'Build them first: `npx -y pnpm@10.34.8 build` at the repository root ' +
        '(`turbo run test` does it for you).',
    );
  }
}
