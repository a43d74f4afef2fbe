// Creating and getting event loops: newEventLoop, setEventLoop, getEventLoop,
// getRunningLoop, isRunning, isClosed. Framework code; an application just calls run().
//
// As in Python 3.14, getEventLoop() never creates a loop: it returns the running
// loop, else the one given to setEventLoop(), else it throws (older Pythons created
// one with a warning). getRunningLoop() works only while a loop runs. Python:
//
//   try:
//       asyncio.get_running_loop()
//   except RuntimeError as e:
//       print(f'outside a coroutine: {e}')          # no running event loop
//   loop = asyncio.new_event_loop()
//   print(loop.is_running(), loop.is_closed())      # False False
//   asyncio.set_event_loop(loop)
//   print(asyncio.get_event_loop() is loop)         # True
//
//   async def main():
//       running = asyncio.get_running_loop()
//       print(running is loop, running.is_running())    # True True
//
//   loop.run_until_complete(main())
//   loop.close()
//   print(loop.is_running(), loop.is_closed())      # False True
import {
  getEventLoop,
  getRunningLoop,
  getRunningLoopOrNull,
  newEventLoop,
  setEventLoop,
} from '@x/loop';
import '@x/tasks'; // registers Task as the loops' task factory

try {
  getRunningLoop();
} catch (e) {
  console.log(
    `getRunningLoop() outside a coroutine: ${(e as Error).name}: ${(e as Error).message}`,
  );
}
try {
  getEventLoop();
} catch (e) {
  console.log(
    `getEventLoop() before setEventLoop(): ${(e as Error).name}: ${(e as Error).message}`,
  );
}

const loop = newEventLoop();
console.log(`new loop: ${loop}`);
console.log(`isRunning() = ${loop.isRunning()}, isClosed() = ${loop.isClosed()}`);

setEventLoop(loop);
console.log(`after setEventLoop(loop): getEventLoop() === loop is ${getEventLoop() === loop}`);
const first = getEventLoop();
console.log(`getEventLoop() returns the same loop each time: ${getEventLoop() === first}`);
console.log(`getRunningLoopOrNull() = ${getRunningLoopOrNull()}`);

function* main() {
  const running = getRunningLoop();
  console.log(`inside a coroutine: getRunningLoop() === loop is ${running === loop}`);
  console.log(`inside a coroutine: isRunning() = ${running.isRunning()}`);
  return running;
}

const returned = await loop.runUntilComplete(main());
console.log(`the coroutine returned the loop: ${returned === loop}`);
console.log(`after the run: isRunning() = ${loop.isRunning()}`);
loop.close();
console.log(`after close(): isClosed() = ${loop.isClosed()}, ${loop}`);
setEventLoop(null);
try {
  getEventLoop();
} catch (e) {
  console.log(`after setEventLoop(null): getEventLoop(): ${(e as Error).name}`);
}
