/**
 * Where `xrun ps PID` finds a running program's tasks: a Unix socket,
 * `<tmpdir>/x-async-<uid>/<pid>.sock`, in a directory that only the user can
 * enter (0700, owned by the user, not a symlink). The program listens there
 * from `runMain()` on and answers each connection with one JSON snapshot of
 * its tasks, then closes it; it reads nothing from the client.
 *
 * Why this channel: Python 3.14 reads another process's memory (it needs
 * ptrace rights); Node's inspector (SIGUSR1) would open a debugging port on
 * the network that can run any code in the program, and a signal handler of
 * our own (SIGUSR2) would kill a program that has none (and tools such as
 * nodemon already use SIGUSR2). A Unix socket in a private directory is
 * reachable only by the same user (and root), never from the network, costs
 * one idle file descriptor, and needs nothing of the program while nobody asks.
 */
import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The per-user directory of the sockets; throws if it is not private to this user. */
export function inspectDir(create: boolean): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  const dir = join(tmpdir(), `x-async-${uid ?? 'user'}`);
  if (create) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory()) {
    throw new Error(`${dir} is not a directory (a symlink or a file is not trusted)`);
  }
  if (uid !== null && st.uid !== uid) {
    throw new Error(`${dir} belongs to another user (uid ${st.uid}): not trusted`);
  }
  if ((st.mode & 0o077) !== 0) {
    // Ours, but too open (a umask, someone's chmod): make it private again.
    if (!create) throw new Error(`${dir} can be entered by other users: not trusted`);
    chmodSync(dir, 0o700);
  }
  return dir;
}

/** The socket of process `pid`. */
export function socketPathFor(dir: string, pid: number): string {
  return join(dir, `${pid}.sock`);
}
