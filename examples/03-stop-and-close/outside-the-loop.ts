// stop() and close() from outside the loop, the low-level way (framework code).
//
// "Outside" is code that the loop does not run: here a host timer, as another
// thread would be in Python (where it must use loop.call_soon_threadsafe). Python:
//
//   loop = asyncio.new_event_loop()
//   def from_another_thread():
//       try:
//           loop.close()
//       except RuntimeError as e:
//           print(f'close() while running: {e}')    # Cannot close a running event loop
//       loop.call_soon_threadsafe(loop.stop)
//   threading.Timer(0.1, from_another_thread).start()
//   loop.call_soon(print, 'a callback runs inside the loop')
//   loop.run_forever()
//   loop.close()
//   loop.run_forever()    # RuntimeError: Event loop is closed
import { KeyboardInterrupt, newEventLoop } from '@x/loop';
import { sleep } from '@x/tasks';

const loop = newEventLoop();
// Report what the loop cannot raise on stdout, briefly (the default handler logs
// the message and a stack to stderr).
loop.setExceptionHandler((_loop, context) => console.log(`exception handler: ${context.message}`));

// 1. Stopping a running loop from outside.
setTimeout(() => {
  console.log(`outside the loop: isRunning() = ${loop.isRunning()}`);
  try {
    loop.close();
  } catch (e) {
    console.log(`close() while running: ${(e as Error).name}: ${(e as Error).message}`);
  }
  loop.stop();
  console.log('stop() called from outside');
}, 100);
loop.callSoon(() => console.log('a callback runs inside the loop'));
await loop.runForever();
console.log(`runForever() resolved; isRunning() = ${loop.isRunning()}`);

// 2. Stopping it from inside, from a callback: the loop finishes the iteration.
loop.callLater(0.05, () => {
  console.log('a timer calls stop()');
  loop.stop();
});
await loop.runForever();
console.log('runForever() resolved again: a stopped loop can be run again');

// 3. stop() before runForever(): the next run does one iteration, then stops.
loop.stop();
loop.callSoon(() => console.log('one iteration ran'));
await loop.runForever();

// 4. A KeyboardInterrupt thrown by a callback is never swallowed: it ends the run.
loop.callSoon(() => {
  throw new KeyboardInterrupt();
});
try {
  await loop.runForever();
} catch (e) {
  console.log(`runForever() rejected with ${(e as Error).name}; isRunning() = ${loop.isRunning()}`);
}

// 5. close() does not refuse a stopped loop with pending tasks: it reports them.
function* forever() {
  yield* sleep(3600);
}
loop.createTask(forever(), { name: 'forever' });
loop.close();
console.log(`closed: isClosed() = ${loop.isClosed()}`);
loop.close();
console.log('a second close() does nothing');

// 6. What a closed loop refuses.
try {
  await loop.runForever();
} catch (e) {
  console.log(`runForever() on a closed loop: ${(e as Error).name}: ${(e as Error).message}`);
}
try {
  loop.callSoon(() => {});
} catch (e) {
  console.log(`callSoon() on a closed loop: ${(e as Error).name}: ${(e as Error).message}`);
}
