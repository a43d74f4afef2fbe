// A second Ctrl-C on a program whose task refuses to stop.
//
// The first Ctrl-C cancels the main task; this one catches the CancelledError
// and goes on working (do not do this in real code unless you mean it). The
// second Ctrl-C makes run() give up on the main task at once. The shutdown then
// cancels the task again; it refuses again, so after shutdownTimeout seconds it
// is reported and abandoned, and the process ends by SIGINT (status 130).
//
// CPython behaves the same up to the shutdown, which it cannot bound: there a
// third Ctrl-C is needed. Python:
//
//   async def main():
//       print('Working. This task refuses the first Ctrl-C.', flush=True)
//       while True:
//           try:
//               await asyncio.sleep(3600)
//           except asyncio.CancelledError:
//               print('main: cancelled, but refusing to stop', flush=True)
//
//   asyncio.run(main())
import { CancelledError, runMain, sleep } from '@x/runner';

function* main() {
  console.log('Working. This task refuses the first Ctrl-C.');
  for (;;) {
    try {
      yield* sleep(3600);
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      console.log(`main: cancelled (${e.message || 'no message'}), but refusing to stop`);
    }
  }
}

runMain(main, { shutdownTimeout: 0.5 });
