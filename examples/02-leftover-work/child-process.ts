// A child process started with abortable() does not outlive the program.
//
// A Promise cannot be cancelled, but work that takes an AbortSignal can:
// abortable() hands the signal to the work and aborts it when the task is
// cancelled. Node's spawn() kills the child when its signal aborts. So when the
// main coroutine returns and run() cancels the task still waiting for the
// child, the child is killed, and the task ends only once it has exited.
// Python (asyncio kills a subprocess that is still running when its transport
// is closed):
//
//   async def run_child():
//       proc = await asyncio.create_subprocess_exec(sys.executable, '-c', 'import time; time.sleep(60)')
//       print(f'Child {proc.pid} started')
//       try:
//           await proc.wait()
//       finally:
//           if proc.returncode is None:
//               proc.kill()
//               await proc.wait()
//           print(f'Child ended by signal {-proc.returncode}')
//
//   async def main():
//       asyncio.create_task(run_child())
//       await asyncio.sleep(0.3)
//       print('Main is done, the child is still running')
//
//   asyncio.run(main())
import { spawn } from 'node:child_process';
import { abortable, CancelledError, createTask, run, sleep } from '@x/runner';

function* runChild() {
  try {
    yield* abortable(
      (signal) =>
        new Promise((resolve, reject) => {
          // A child that would sleep for a minute.
          const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], {
            signal,
            stdio: 'ignore',
          });
          console.log(`Child ${child.pid} started`);
          // 'error' comes first on abort (an AbortError); settle on 'exit' instead,
          // so that the task ends only when the child is really gone.
          child.on('error', () => {});
          child.on('exit', (code, sig) => {
            if (sig !== null) reject(new Error(`child ended by ${sig}`));
            else resolve(code);
          });
        }),
    );
  } catch (e) {
    if (e instanceof CancelledError) console.log('run_child() was cancelled; the child is gone');
    throw e;
  }
}

function* main() {
  createTask(runChild());
  yield* sleep(0.3);
  console.log('Main is done, the child is still running');
}

await run(main());
console.log('run() resolved');
