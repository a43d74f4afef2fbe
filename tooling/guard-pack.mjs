#!/usr/bin/env node
// The `prepack` of every published package: only pnpm may pack or publish them. Their
// package.json names the other x-async packages with `workspace:^` ranges, which pnpm
// turns into real ones (`^1.2.3`) in the tarball; `npm pack` and `npm publish` would ship
// `workspace:^` as it is, and no registry install could resolve it.
const agent = process.env.npm_config_user_agent ?? '';
if (!agent.startsWith('pnpm/')) {
  const tool = agent.split('/')[0] || 'this tool';
  console.error(
    `${process.env.npm_package_name ?? 'this package'}: pack and publish with pnpm ` +
      '(`pnpm pack`, or `pnpm release` at the repository root), not with ' +
      `${tool}: it would leave the workspace: ranges of package.json in the tarball.`,
  );
  process.exit(1);
}
