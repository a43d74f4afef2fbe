// Shared by the socket, stream, server and TLS tests: run a coroutine on a fresh loop, and
// wait for conditions on the loop (ordering by events, with generous deadlines).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  type Coroutine,
  type EventLoop,
  type ExceptionContext,
  getRunningLoop,
  newEventLoop,
  setEventLoop,
} from '@x/loop';
import { sleep } from '@x/tasks';

/** Runs `main()` as a task on a new loop, closes the loop, returns the result. */
export async function runLoop<T>(
  main: (loop: EventLoop) => Coroutine<T>,
  options: { debug?: boolean; errors?: ExceptionContext[] } = {},
): Promise<T> {
  const loop = newEventLoop();
  setEventLoop(loop);
  if (options.debug) loop.setDebug(true);
  const errors = options.errors;
  if (errors) loop.setExceptionHandler((_l, ctx) => errors.push(ctx));
  try {
    return await loop.runUntilComplete(loop.createTask(main(loop)));
  } finally {
    loop.close();
    setEventLoop(null);
  }
}

/** A new current loop whose exception handler records every context: the per-test setup of the transport tests. */
export function recordingLoop(): { loop: EventLoop; errors: ExceptionContext[] } {
  const loop = newEventLoop();
  setEventLoop(loop);
  const errors: ExceptionContext[] = [];
  loop.setExceptionHandler((_l, ctx) => {
    errors.push(ctx);
  });
  return { loop, errors };
}

/** The per-test teardown: closes `loop` unless the test did, and unsets the current loop. */
export function closeLoop(loop: EventLoop): void {
  if (!loop.isClosed()) loop.close();
  setEventLoop(null);
}

/** Waits on the loop until `cond()` holds (polling every few ms), or fails after `seconds`. */
export function* until(cond: () => boolean, what: string, seconds = 10): Coroutine<void> {
  const deadline = getRunningLoop().time() + seconds;
  while (!cond()) {
    if (getRunningLoop().time() > deadline) throw new Error(`timed out waiting for ${what}`);
    yield* sleep(0.005);
  }
}

/** The active host resources of this process, by type (sockets are 'TCPSocketWrap', ...). */
export function activeResources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

/** The outcome of a child process run by `runProgram`. */
export interface ProgramResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to completion without blocking the loop (Node's execFile, its callback
 * settling a Future), with a generous timeout.
 */
export function runProgram(
  file: string,
  args: string[],
  options: { input?: string; timeout?: number } = {},
): import('@x/loop').Future<ProgramResult> {
  const loop = getRunningLoop();
  const fut = loop.createFuture<ProgramResult>();
  const child = execFile(
    file,
    args,
    { timeout: (options.timeout ?? 30) * 1000, maxBuffer: 64 * 1024 * 1024 },
    (err, stdout, stderr) => {
      if (fut.done()) return;
      const code = err ? ((err as { code?: unknown }).code as number | null) : 0;
      fut.setResult({ code: typeof code === 'number' ? code : null, stdout, stderr });
    },
  );
  if (options.input !== undefined) child.stdin?.end(options.input);
  fut.addDoneCallback((f) => {
    if (f.cancelled()) child.kill();
  });
  return fut;
}

/**
 * Starts a long-running program and waits (on the loop) for the first line of its stdout;
 * returns that line and the child (kill it when done).
 */
export function* startProgram(
  file: string,
  args: string[],
): Coroutine<{
  line: string;
  child: ChildProcess;
  exited: import('@x/loop').Future<number | null>;
}> {
  const loop = getRunningLoop();
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = loop.createFuture<string>();
  const exited = loop.createFuture<number | null>();
  let out = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => {
    out += d;
    const i = out.indexOf('\n');
    if (i !== -1 && !first.done()) first.setResult(out.slice(0, i));
  });
  child.on('exit', (code) => {
    if (!first.done())
      first.setException(new Error(`${file} exited (${code}) before printing a line`));
    if (!exited.done()) exited.setResult(code);
  });
  const line = yield* first;
  return { line, child, exited };
}
