// The same child, killed at exit on purpose: the task that owns it kills it in
// its finally, and run() cancels that task when the main coroutine returns, so
// the child does not outlive the program. (abortable() around Node's own spawn()
// does the same for a child started without @x/io.)
// Python:
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
import { createSubprocessExec, createTask, run, sleep } from '@x/runner';

function* runChild() {
  const proc = yield* createSubprocessExec(process.execPath, [
    '-e',
    'setTimeout(() => {}, 60_000)',
  ]);
  console.log(`Child ${proc.pid} started`);
  try {
    yield* proc.wait();
  } finally {
    if (proc.returncode === null) {
      proc.kill();
      yield* proc.wait();
    }
    console.log(`Child ended by signal ${-(proc.returncode ?? 0)}`);
  }
}

function* main() {
  createTask(runChild());
  yield* sleep(0.3);
  console.log('Main is done, the child is still running');
}

await run(main());
console.log('run() resolved');
