import { gather, runMain, sleep, TimeoutError, timeout } from '@x/runner';

function* fetchUser(id: number) {
  yield* sleep(0.1); // await asyncio.sleep(0.1)
  return { id, name: `user ${id}` };
}

function* main() {
  const users = yield* gather([fetchUser(1), fetchUser(2)]); // both at once: 0.1 s
  console.log(users.map((u) => u.name).join(', '));
  try {
    yield* timeout(0.05, () => sleep(10)); // async with asyncio.timeout(0.05)
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    console.log('timed out: the sleep was cancelled where it waited');
  }
}

runMain(main); // asyncio.run(main()), with Python's exit codes and Ctrl-C handling
