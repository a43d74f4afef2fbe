// A pipeline of two child processes, `seq 1 50000 | sort -rn`, with the parent in
// the middle: it pumps the producer's stdout into the consumer's stdin (drain()
// holds it back when sort reads slower), while it reads sort's output at the same
// time, so that no pipe fills up and nothing deadlocks. Then the same with a shell.
// Python:
//
//   async def pump(src, dst):
//       while chunk := await src.read(65536):
//           dst.write(chunk)
//           await dst.drain()
//       dst.close()
//
//   async def main():
//       producer = await asyncio.create_subprocess_exec('seq', '1', '50000', stdout=PIPE)
//       consumer = await asyncio.create_subprocess_exec('sort', '-rn', stdin=PIPE, stdout=PIPE)
//       _, out = await asyncio.gather(pump(producer.stdout, consumer.stdin), consumer.stdout.read())
//       lines = out.decode().splitlines()
//       print(f'{len(lines)} lines, the largest first: {", ".join(lines[:3])}')
//       print(f'exit status: seq {await producer.wait()}, sort {await consumer.wait()}')
//       shell = await asyncio.create_subprocess_shell('seq 1 50000 | sort -rn | head -3', stdout=PIPE)
//       out, _ = await shell.communicate()
//       print(f'the same through /bin/sh: {", ".join(out.decode().split())}')
//
//   asyncio.run(main())
import {
  createSubprocessExec,
  createSubprocessShell,
  gather,
  PIPE,
  run,
  type StreamReader,
  type StreamWriter,
} from '@x/runner';

function* pump(src: StreamReader, dst: StreamWriter) {
  for (;;) {
    const chunk = yield* src.read(65536);
    if (chunk.length === 0) break;
    dst.write(chunk);
    yield* dst.drain();
  }
  dst.close();
}

function* main() {
  const producer = yield* createSubprocessExec('seq', ['1', '50000'], { stdout: PIPE });
  const consumer = yield* createSubprocessExec('sort', ['-rn'], { stdin: PIPE, stdout: PIPE });
  // With stdout/stdin: PIPE the streams exist (they are null only for other stdio options).
  const { stdout: numbers } = producer;
  const { stdin: toSort, stdout: sorted } = consumer;
  if (numbers === null || toSort === null || sorted === null) throw new Error('no pipe');
  const [, out] = yield* gather([pump(numbers, toSort), sorted.read()]);
  const lines = out.toString().split('\n').filter(Boolean);
  console.log(`${lines.length} lines, the largest first: ${lines.slice(0, 3).join(', ')}`);
  console.log(`exit status: seq ${yield* producer.wait()}, sort ${yield* consumer.wait()}`);

  const shell = yield* createSubprocessShell('seq 1 50000 | sort -rn | head -3', { stdout: PIPE });
  const [top] = yield* shell.communicate();
  if (top === null) throw new Error('no pipe');
  console.log(
    `the same through /bin/sh: ${top.toString().split(/\s+/).filter(Boolean).join(', ')}`,
  );
}

await run(main());
