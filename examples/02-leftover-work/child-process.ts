// Does a running subprocess keep the event loop from exiting? No, and it is not
// waited for: the child keeps running after the program ends.
//
// The main coroutine starts a child that would run for 10 seconds and returns
// after 0.3 s. run() closes the loop and resolves at once; the Node process ends
// without waiting for the child (the loop un-refs the child's handles when it
// closes), and the child, still running, is left running, as CPython 3.11 leaves
// it. (CPython 3.12+ ends up killing it at exit, when the transport is garbage
// collected; to be sure a child does not outlive the program, kill it yourself:
// see child-process-killed.mjs.)
// Python:
//
//   async def main():
//       proc = await asyncio.create_subprocess_exec(
//           sys.executable, '-c', 'import time; time.sleep(10)',
//           stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
//       print(f'Child {proc.pid} started')
//       await asyncio.sleep(0.3)
//       print('Main is done, the child is still running')
//
//   asyncio.run(main())
//   print('asyncio.run() returned; the program ends without waiting for the child')
import { createSubprocessExec, DEVNULL, run, sleep } from '@x/runner';

function* main() {
  // A child that would sleep for 10 seconds (node itself, so that the example
  // needs no other program). Its output goes nowhere: it outlives this program,
  // and would otherwise hold this program's stdout open after it ended.
  const proc = yield* createSubprocessExec(
    process.execPath,
    ['-e', 'setTimeout(() => {}, 10_000)'],
    {
      stdout: DEVNULL,
      stderr: DEVNULL,
    },
  );
  console.log(`Child ${proc.pid} started`);
  yield* sleep(0.3);
  console.log('Main is done, the child is still running');
}

await run(main());
console.log('run() resolved; the program ends without waiting for the child');
