/**
 * The `OSError` subclasses of Python's builtins that starting and signalling
 * a child process raise: `FileNotFoundError` and `PermissionError` from
 * `Popen` (Node reports them as `ENOENT` / `EACCES`), `ProcessLookupError`
 * from `send_signal()` on a process asyncio is done with.
 */
import { OSError } from '@x/loop';
import { fromNodeError } from './errors.js';

/** The options of `OSError`'s constructor (cause, errno, Node's code). */
type OSErrorOptions = ConstructorParameters<typeof OSError>[1];

/**
 * Mirrors Python's `FileNotFoundError` (`ENOENT`): the program (or the
 * `cwd`) does not exist.
 *
 * @example
 * ```ts
 * try { yield* createSubprocessExec('no-such-program'); }
 * catch (e) { if (e instanceof FileNotFoundError) console.log(e.message); } // [Errno 2] No such file or directory: 'no-such-program'
 * ```
 */
export class FileNotFoundError extends OSError {
  constructor(message?: string, options?: OSErrorOptions) {
    super(message, options);
    this.name = 'FileNotFoundError';
  }
}

/**
 * Mirrors Python's `PermissionError` (`EACCES`, `EPERM`): e.g. the program
 * is not executable.
 *
 * @example
 * ```ts
 * try { yield* createSubprocessExec('/etc/passwd'); }
 * catch (e) { if (e instanceof PermissionError) console.log(e.errno); } // 13
 * ```
 */
export class PermissionError extends OSError {
  constructor(message?: string, options?: OSErrorOptions) {
    super(message, options);
    this.name = 'PermissionError';
  }
}

/**
 * Mirrors Python's `ProcessLookupError` (`ESRCH`): `sendSignal()`,
 * `terminate()` or `kill()` on a process whose transport is finished (it
 * exited and its pipes are closed), as asyncio raises it.
 *
 * @example
 * ```ts
 * yield* proc.wait();
 * try { proc.kill(); } catch (e) { if (e instanceof ProcessLookupError) console.log('already gone'); }
 * ```
 */
export class ProcessLookupError extends OSError {
  constructor(message?: string, options?: OSErrorOptions) {
    super(message, options);
    this.name = 'ProcessLookupError';
  }
}

/**
 * What `Popen` raises for a spawn failure Node reported: the OSError
 * subclass of its errno, with Python's message `[Errno 2] No such file or
 * directory: 'prog'`.
 */
export function spawnError(err: unknown, filename: string): unknown {
  const mapped = fromNodeError(err);
  if (!(mapped instanceof OSError)) return mapped;
  const text = mapped.message.replace(/^\[Errno \d+\] /, '');
  const message = `[Errno ${mapped.errno}] ${text}: '${filename}'`;
  const options = { cause: err, errno: mapped.errno, code: mapped.code };
  if (mapped.code === 'ENOENT') return new FileNotFoundError(message, options);
  if (mapped.code === 'EACCES' || mapped.code === 'EPERM')
    return new PermissionError(message, options);
  return new OSError(message, options);
}
