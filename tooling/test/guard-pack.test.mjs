// The prepack guard of the published packages: pnpm may pack them, npm and others may not
// (they would ship the workspace: ranges as they are).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../guard-pack.mjs', import.meta.url));

function guard(userAgent) {
  const env = { ...process.env, npm_package_name: '@x/tasks' };
  if (userAgent === undefined) delete env.npm_config_user_agent;
  else env.npm_config_user_agent = userAgent;
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', env });
  return { code: r.status, err: r.stderr };
}

describe('guard-pack', () => {
  it('lets pnpm pack', () => {
    expect(guard('pnpm/10.34.8 npm/? node/v20.20.2 linux x64')).toEqual({ code: 0, err: '' });
  });

  it('refuses npm, and says what to use instead', () => {
    const { code, err } = guard('npm/10.8.2 node/v20.20.2 linux x64 workspaces/false');
    expect(code).toBe(1);
    expect(err).toContain('@x/tasks: pack and publish with pnpm');
    expect(err).toContain('not with npm');
    expect(err).toContain('workspace: ranges');
  });

  it('refuses a tool that does not say who it is', () => {
    const { code, err } = guard(undefined);
    expect(code).toBe(1);
    expect(err).toContain('not with this tool');
  });
});
