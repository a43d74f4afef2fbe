# Chapter 8, testing. The TypeScript twin: 08-testing.ts
import asyncio


async def retry(op, delays):
    # The code under test: calls op(), and after each failure waits the next delay.
    for delay in delays:
        try:
            return await op()
        except ConnectionError as e:
            print(f'attempt failed ({e}), retrying in {delay} s')
            await asyncio.sleep(delay)
    return await op()


async def main():
    loop = asyncio.get_running_loop()
    start = loop.time()
    calls = 0

    async def flaky():
        nonlocal calls
        calls += 1
        if calls < 3:
            raise ConnectionError('not yet')
        return 'ok'

    # Timers fire in the order of their deadlines, whatever the order they were set in.
    for delay in [0.03, 0.01, 0.02]:
        loop.call_later(delay, print, f'timer set for {delay} s fired')

    result = await retry(flaky, [0.05, 0.1, 0.2])
    print(f'retry returned {result} after {calls} calls')
    # asyncio has no virtual time: these 0.15 s really went by.
    waited = loop.time() - start
    print(f"waited 0.15 s or more: {'yes' if waited >= 0.149 else 'no'}")


asyncio.run(main())
