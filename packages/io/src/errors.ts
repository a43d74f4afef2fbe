/**
 * The `OSError` subclasses of Python's builtins that asyncio's I/O raises, and
 * `IncompleteReadError` / `LimitOverrunError` of `asyncio.exceptions`. Node's
 * errors (`err.code === 'ECONNREFUSED'`, `err.errno === -111`) are mapped to
 * them by `fromNodeError`, with Python's positive errno.
 */
import { constants } from 'node:os';
import { OSError, TimeoutError } from '@x/loop';

/**
 * Mirrors Python's `ConnectionError`: the base class of the connection
 * failures below.
 *
 * @example
 * ```ts
 * try { yield* openConnection('127.0.0.1', port); }
 * catch (e) { if (e instanceof ConnectionError) console.log('peer gone:', e.code); }
 * ```
 */
export class ConnectionError extends OSError {
  constructor(
    message?: string,
    options?: { cause?: unknown; errno?: number | null; code?: string | null },
  ) {
    super(message, options);
    this.name = 'ConnectionError';
  }
}

/**
 * Mirrors Python's `ConnectionRefusedError` (`ECONNREFUSED`): nothing listens
 * at the address.
 *
 * @example
 * ```ts
 * try { yield* openConnection('127.0.0.1', 1); }
 * catch (e) { if (e instanceof ConnectionRefusedError) console.log(e.errno); } // 111 on Linux
 * ```
 */
export class ConnectionRefusedError extends ConnectionError {
  constructor(
    message?: string,
    options?: { cause?: unknown; errno?: number | null; code?: string | null },
  ) {
    super(message, options);
    this.name = 'ConnectionRefusedError';
  }
}

/**
 * Mirrors Python's `ConnectionResetError` (`ECONNRESET`): the peer reset the
 * connection.
 *
 * @example
 * ```ts
 * try { yield* reader.read(100); }
 * catch (e) { if (e instanceof ConnectionResetError) console.log('reset by peer'); }
 * ```
 */
export class ConnectionResetError extends ConnectionError {
  constructor(
    message?: string,
    options?: { cause?: unknown; errno?: number | null; code?: string | null },
  ) {
    super(message, options);
    this.name = 'ConnectionResetError';
  }
}

/**
 * Mirrors Python's `ConnectionAbortedError` (`ECONNABORTED`).
 *
 * @example
 * ```ts
 * if (exc instanceof ConnectionAbortedError) console.log('aborted');
 * ```
 */
export class ConnectionAbortedError extends ConnectionError {
  constructor(
    message?: string,
    options?: { cause?: unknown; errno?: number | null; code?: string | null },
  ) {
    super(message, options);
    this.name = 'ConnectionAbortedError';
  }
}

/**
 * Mirrors Python's `BrokenPipeError` (`EPIPE`, `ESHUTDOWN`): writing to a
 * connection or pipe the other side has closed.
 *
 * @example
 * ```ts
 * try { writer.write(data); yield* writer.drain(); }
 * catch (e) { if (e instanceof BrokenPipeError) console.log('reader went away'); }
 * ```
 */
export class BrokenPipeError extends ConnectionError {
  constructor(
    message?: string,
    options?: { cause?: unknown; errno?: number | null; code?: string | null },
  ) {
    super(message, options);
    this.name = 'BrokenPipeError';
  }
}

/**
 * Mirrors Python's `socket.gaierror`: a name lookup failed. As in Python,
 * `errno` is the resolver's (negative) `EAI_*` number, e.g. -2 for
 * "Name or service not known"; `code` is Node's (`'ENOTFOUND'`).
 *
 * @example
 * ```ts
 * try { yield* getaddrinfo('nowhere.invalid', 80); }
 * catch (e) { if (e instanceof gaierror) console.log(e.message); } // [Errno -2] Name or service not known
 * ```
 */
export class gaierror extends OSError {
  constructor(
    message?: string,
    options?: { cause?: unknown; errno?: number | null; code?: string | null },
  ) {
    super(message, options);
    this.name = 'gaierror';
  }
}

/**
 * Mirrors Python's `ssl.SSLError`: a TLS failure (handshake, certificate,
 * protocol). `code` is Node's / OpenSSL's code, e.g.
 * `'DEPTH_ZERO_SELF_SIGNED_CERT'` or `'ERR_SSL_WRONG_VERSION_NUMBER'`.
 *
 * @example
 * ```ts
 * try { yield* openConnection('localhost', port, { ssl: true }); }
 * catch (e) { if (e instanceof SSLError) console.log(e.code); }
 * ```
 */
export class SSLError extends OSError {
  constructor(
    message?: string,
    options?: { cause?: unknown; errno?: number | null; code?: string | null },
  ) {
    super(message, options);
    this.name = 'SSLError';
  }
}

/**
 * Mirrors `asyncio.IncompleteReadError`: EOF came before `readexactly(n)` or
 * `readuntil()` could finish. `partial` holds the bytes read before EOF (they
 * are consumed); `expected` is the number asked for (null for `readuntil`).
 *
 * @example
 * ```ts
 * try { yield* reader.readexactly(4); }
 * catch (e) { if (e instanceof IncompleteReadError) console.log(e.partial.length, e.expected); }
 * ```
 */
export class IncompleteReadError extends Error {
  /** The bytes read before EOF (consumed from the stream). */
  readonly partial: Buffer;
  /** The number of bytes asked for; null for `readuntil()`. */
  readonly expected: number | null;
  constructor(partial: Buffer, expected: number | null) {
    super(`${partial.length} bytes read on a total of ${expected} expected bytes`);
    this.name = 'IncompleteReadError';
    this.partial = partial;
    this.expected = expected;
  }
}

/**
 * Mirrors `asyncio.LimitOverrunError`: no separator was found within the
 * stream's `limit`. `consumed` is the number of bytes to consume (with
 * `read(consumed)`) to get past what was examined; nothing was consumed yet.
 *
 * @example
 * ```ts
 * try { yield* reader.readline(); }
 * catch (e) { if (e instanceof ValueError) console.log('line too long'); } // readline turns it into ValueError
 * ```
 */
export class LimitOverrunError extends Error {
  /** How many bytes to consume to get past what was examined. */
  readonly consumed: number;
  constructor(message: string, consumed: number) {
    super(message);
    this.name = 'LimitOverrunError';
    this.consumed = consumed;
  }
}

/** Python's strerror texts for the codes asyncio users meet (glibc's wording). */
const STRERROR: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ECONNABORTED: 'Software caused connection abort',
  EPIPE: 'Broken pipe',
  ESHUTDOWN: 'Cannot send after transport endpoint shutdown',
  ETIMEDOUT: 'Connection timed out',
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ENOTCONN: 'Transport endpoint is not connected',
  EINVAL: 'Invalid argument',
  EBADF: 'Bad file descriptor',
  ENOTSOCK: 'Socket operation on non-socket',
  EAFNOSUPPORT: 'Address family not supported by protocol',
};

/** Resolver failures: Node's code, and glibc's EAI_* number and text that Python shows. */
const GAI: Record<string, [number, string]> = {
  ENOTFOUND: [-2, 'Name or service not known'],
  EAI_NONAME: [-2, 'Name or service not known'],
  EAI_AGAIN: [-3, 'Temporary failure in name resolution'],
  EAI_FAIL: [-4, 'Non-recoverable failure in name resolution'],
  ENODATA: [-5, 'No address associated with hostname'],
  EAI_NODATA: [-5, 'No address associated with hostname'],
  EAI_FAMILY: [-6, 'ai_family not supported'],
  EAI_SERVICE: [-8, 'Servname not supported for ai_socktype'],
  EAI_BADFLAGS: [-1, 'Bad value for ai_flags'],
  ESERVFAIL: [-4, 'Non-recoverable failure in name resolution'],
  EREFUSED: [-4, 'Non-recoverable failure in name resolution'],
  ETIMEOUT: [-3, 'Temporary failure in name resolution'],
};

/** The positive errno Python reports for Node's `code`, or null. */
export function errnoOf(code: string | undefined | null): number | null {
  if (!code) return null;
  const n = (constants.errno as Record<string, number | undefined>)[code];
  return typeof n === 'number' ? n : null;
}

function isSslError(err: NodeJS.ErrnoException & { library?: string; reason?: string }): boolean {
  const code = err.code ?? '';
  return (
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    code === 'EPROTO' ||
    err.library !== undefined ||
    /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH|_SIGNATURE_|CERT_HAS_EXPIRED/.test(
      code,
    )
  );
}

/**
 * Turns an error Node reported into the Python class asyncio users catch:
 * `ECONNREFUSED` → `ConnectionRefusedError`, `ENOTFOUND` → `gaierror`, TLS
 * failures → `SSLError`, `ETIMEDOUT` → `TimeoutError`, any other errno →
 * `OSError`. `what` prefixes the message as CPython does ("Connect call failed
 * ('127.0.0.1', 1)"); the Node error is kept as `cause`. Anything that is not
 * a Node system error is returned unchanged.
 */
export function fromNodeError(err: unknown, what?: string, dns = false): unknown {
  if (err instanceof OSError) return err;
  if (err === null || typeof err !== 'object') return err;
  const e = err as NodeJS.ErrnoException;
  const code = typeof e.code === 'string' ? e.code : null;
  if (code === null) return err;
  if (dns || code === 'ENOTFOUND' || code.startsWith('EAI_')) {
    const gai = GAI[code] ?? GAI.ENOTFOUND;
    if (dns || GAI[code] !== undefined) {
      return new gaierror(`[Errno ${gai[0]}] ${gai[1]}${what ? ` (${what})` : ''}`, {
        cause: err,
        errno: gai[0],
        code,
      });
    }
  }
  if (isSslError(e)) {
    return new SSLError(`[SSL: ${code}] ${e.message}${what ? ` (${what})` : ''}`, {
      cause: err,
      errno: errnoOf(code),
      code,
    });
  }
  const errno = errnoOf(code);
  if (errno === null) return err;
  const text = STRERROR[code] ?? e.message;
  const message = what ? `[Errno ${errno}] ${what}` : `[Errno ${errno}] ${text}`;
  const options = { cause: err, errno, code };
  switch (code) {
    case 'ECONNREFUSED':
      return new ConnectionRefusedError(message, options);
    case 'ECONNRESET':
      return new ConnectionResetError(message, options);
    case 'ECONNABORTED':
      return new ConnectionAbortedError(message, options);
    case 'EPIPE':
    case 'ESHUTDOWN':
      return new BrokenPipeError(message, options);
    case 'ETIMEDOUT':
      return new TimeoutError(message, options);
    default:
      return new OSError(message, options);
  }
}
