# Chapter 9, async iteration. The TypeScript twin: 09-async-iteration.ts
# Needs Python 3.13 or later: async for over as_completed() is new in 3.13.
import asyncio


async def ticker(n, delay):
    try:
        for i in range(n):
            await asyncio.sleep(delay)
            yield i
    finally:
        print(f'ticker({n}) closed')


async def job(name, delay):
    await asyncio.sleep(delay)
    return name.upper()


async def main():
    # async for over an async generator; continue goes on with the next item.
    async for i in ticker(4, 0.01):
        if i == 2:
            continue
        print(f'tick {i}')

    # break leaves the generator open: a later loop resumes it; aclose() closes it.
    ticks = ticker(10, 0.01)
    async for i in ticks:
        if i == 1:
            break
    print('after break: still open')
    async for i in ticks:
        print(f'resumed at {i}')
        break
    await ticks.aclose()

    # async for over as_completed(): the tasks themselves, in the order they finish.
    tasks = [asyncio.create_task(job(name, delay)) for name, delay in [('third', 0.3), ('first', 0.1), ('second', 0.2)]]
    async for task in asyncio.as_completed(tasks):
        print(f'task {tasks.index(task)} finished: {await task}')

    # After the timeout, the async for raises TimeoutError; nothing is cancelled.
    slow = asyncio.create_task(job('slow', 1))
    try:
        async for task in asyncio.as_completed([slow], timeout=0.01):
            print('never printed')
    except TimeoutError:
        print(f'timed out, the task still running: {not slow.done()}')
    slow.cancel()


asyncio.run(main())
