# Chapter 4, synchronisation. The TypeScript twin: 04-synchronisation.ts
import asyncio

lock = asyncio.Lock()
counter = 0


async def increment():
    global counter
    async with lock:
        seen = counter
        await asyncio.sleep(0)  # without the lock, the other tasks would read the same value here
        counter = seen + 1


ready = asyncio.Event()


async def waiter(name):
    await ready.wait()
    print(f'{name} saw the event')


limit = asyncio.Semaphore(2)
active = 0
peak = 0


async def limited():
    global active, peak
    async with limit:
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.01)
        active -= 1


async def main():
    await asyncio.gather(*(increment() for _ in range(5)))
    print(f'counter: {counter}')

    waiters = [asyncio.create_task(waiter(name)) for name in ('first', 'second')]
    await asyncio.sleep(0)
    print('setting the event')
    ready.set()
    await asyncio.gather(*waiters)

    await asyncio.gather(*(limited() for _ in range(6)))
    print(f'semaphore: at most {peak} at once')

    # Condition: wait until a predicate holds, woken by notify().
    cond = asyncio.Condition()
    items = []

    async def consumer():
        async with cond:
            await cond.wait_for(lambda: len(items) >= 2)
            print(f"consumer: {', '.join(items)}")

    task = asyncio.create_task(consumer())
    for item in ('one', 'two'):
        await asyncio.sleep(0)
        async with cond:
            items.append(item)
            cond.notify()
    await task


asyncio.run(main())
