/**
 * The program side of `xrun ps` / `xrun pstree`: `runMain()` listens on the
 * private Unix socket of `inspect-channel.ts` and answers every connection
 * with a snapshot of the running loop's tasks (JSON, one line), built with
 * the public call-graph API. The snapshot is taken in a host callback,
 * between two loop iterations, so every task is between two steps.
 */

import { chmodSync, readdirSync, unlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { type Future, getRunningLoopOrNull } from '@x/loop';
import { allTasks, type CallStackEntry, captureCallGraph, Task } from '@x/tasks';
import { inspectDir, socketPathFor } from './inspect-channel.js';

/** One awaiter of a task, in a snapshot. */
export interface SnapshotAwaiter {
  readonly id: number;
  readonly name: string;
  readonly stack: readonly CallStackEntry[];
}

/** One task, in a snapshot. */
export interface SnapshotTask {
  readonly id: number;
  readonly name: string;
  readonly stack: readonly CallStackEntry[];
  readonly awaitedBy: readonly SnapshotAwaiter[];
}

/** What a program answers to `xrun ps`. */
export interface TaskSnapshot {
  readonly pid: number;
  readonly tid: number;
  readonly debug: boolean;
  readonly tasks: readonly SnapshotTask[];
}

let nextId = 0;
const ids = new WeakMap<object, number>();
function idOf(f: object): number {
  let id = ids.get(f);
  if (id === undefined) {
    id = ++nextId;
    ids.set(f, id);
  }
  return id;
}

function nameOf(f: Future<unknown>): string {
  return f instanceof Task ? f.getName() : 'Future';
}

/** The tasks of the running loop, with what awaits each. */
export function takeSnapshot(): TaskSnapshot {
  const loop = getRunningLoopOrNull();
  const tasks: SnapshotTask[] = [];
  if (loop !== null) {
    for (const task of allTasks(loop)) {
      const g = captureCallGraph(task);
      if (g === null) continue;
      tasks.push({
        id: idOf(task),
        name: task.getName(),
        stack: g.callStack,
        awaitedBy: g.awaitedBy.map((p) => ({
          id: idOf(p.future),
          name: nameOf(p.future),
          stack: p.callStack,
        })),
      });
    }
  }
  return { pid: process.pid, tid: threadId, debug: loop?.getDebug() ?? false, tasks };
}

/**
 * Removes the sockets of processes that are gone (killed with SIGKILL, or by
 * a signal they did not handle, they could not remove their own), and one
 * left by an earlier process that had this pid.
 */
function removeStaleSockets(dir: string): void {
  for (const name of readdirSync(dir)) {
    const m = /^(\d+)\.sock$/.exec(name);
    if (m === null) continue;
    const pid = Number(m[1]);
    let gone = pid === process.pid;
    if (!gone) {
      try {
        process.kill(pid, 0);
      } catch (e) {
        gone = (e as NodeJS.ErrnoException).code === 'ESRCH';
      }
    }
    if (gone) {
      try {
        unlinkSync(join(dir, name));
      } catch {
        // removed by someone else meanwhile
      }
    }
  }
}

/**
 * Starts answering `xrun ps` for this process, unless `XASYNC_INSPECT=0` or
 * the platform has no Unix sockets (Windows). Returns the function that
 * stops it (also run at exit); never keeps the process alive. Failing to
 * listen (a full disk, a directory that is not private) costs the program
 * nothing: it runs without it.
 */
export function openTaskInspector(): () => void {
  const env = process.env.XASYNC_INSPECT;
  if (env === '0' || process.platform === 'win32') return () => {};
  let path: string;
  let server: Server;
  try {
    const dir = inspectDir(true);
    path = socketPathFor(dir, process.pid);
    removeStaleSockets(dir);
    server = createServer((socket) => {
      let text: string;
      try {
        text = JSON.stringify(takeSnapshot());
      } catch (e) {
        text = JSON.stringify({ error: e instanceof Error ? e.message : String(e) });
      }
      socket.on('error', () => {});
      socket.end(`${text}\n`);
    });
    server.on('error', () => {});
    // The directory already keeps other users out; the socket says so too.
    server.on('listening', () => {
      try {
        chmodSync(path, 0o600);
      } catch {
        // gone already
      }
    });
    server.listen(path);
    server.unref();
  } catch {
    return () => {};
  }
  let open = true;
  const close = (): void => {
    if (!open) return;
    open = false;
    process.removeListener('exit', close);
    server.close();
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  };
  process.on('exit', close);
  return close;
}
