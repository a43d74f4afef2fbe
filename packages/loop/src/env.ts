/**
 * Reading the host's environment variables where the host allows it.
 *
 * Deno without `--allow-env` throws `NotCapable` on any read of
 * `process.env` (and, in a terminal, would first prompt the user), so Deno's
 * permission is queried first; any other failure means "not set".
 */

const g = globalThis as {
  process?: { env?: Record<string, string | undefined> };
  Deno?: {
    permissions?: { querySync?(d: { name: 'env'; variable: string }): { state: string } };
  };
};

/** The variable's value, or undefined where it is unset or may not be read. */
export function readEnv(name: string): string | undefined {
  try {
    const query = g.Deno?.permissions?.querySync;
    if (query !== undefined) {
      const status = query.call(g.Deno?.permissions, { name: 'env', variable: name });
      if (status.state !== 'granted') return undefined;
    }
    return g.process?.env?.[name];
  } catch {
    return undefined;
  }
}
