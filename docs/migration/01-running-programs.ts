// Chapter 1, running programs. The Python twin: 01-running-programs.py
import { getRunningLoop, Runner, run, runMain, sleep } from '@x/runner';

function* greet(name: string, delay: number) {
  yield* sleep(delay);
  console.log(`hello, ${name}`);
  return name.length;
}

// A Runner keeps one loop (and one context) for several runs.
const runner = new Runner();
try {
  const a = await runner.run(greet('first run', 0));
  const b = await runner.run(greet('second run, same loop', 0));
  console.log(`the runs returned ${a} and ${b}`);
} finally {
  await runner.close();
}

// run() makes a loop, runs the coroutine to its end, cancels what is left and
// closes the loop; it resolves with what the coroutine returned.
function* compute() {
  return yield* greet('run', 0);
}

console.log(`run() returned ${await run(compute())}`);

function* main() {
  const loop = getRunningLoop();
  console.log(`main runs on a running loop: ${loop.isRunning() ? 'yes' : 'no'}`);
  const n = yield* greet('world', 0.01);
  console.log(`greet returned ${n}`);
}

runMain(main);
