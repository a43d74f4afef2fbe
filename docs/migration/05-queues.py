# Chapter 5, queues. The TypeScript twin: 05-queues.ts
import asyncio


async def worker(name, queue, done):
    while True:
        n = await queue.get()
        try:
            await asyncio.sleep(0.001 * n)
            done.append(f'{name}:{n * n}')
        finally:
            queue.task_done()


async def main():
    # A bounded queue: put() waits while it is full, get() while it is empty.
    queue = asyncio.Queue(maxsize=2)
    done = []
    workers = [asyncio.create_task(worker(f'w{i}', queue, done)) for i in (1, 2)]
    for n in range(1, 7):
        await queue.put(n)
    await queue.join()  # every item got its task_done()
    for w in workers:
        w.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    squares = sorted(int(entry.split(':')[1]) for entry in done)
    print(f"squares: {', '.join(map(str, squares))}")
    print(f"both workers took part: {'yes' if {e.split(':')[0] for e in done} == {'w1', 'w2'} else 'no'}")

    # get_nowait() and put_nowait() raise instead of waiting.
    try:
        queue.get_nowait()
    except asyncio.QueueEmpty:
        print('nothing to get without waiting: QueueEmpty')

    # PriorityQueue: the smallest first; (priority, data) entries compare as tuples.
    jobs = asyncio.PriorityQueue()
    for entry in [(3, 'low'), (1, 'urgent'), (2, 'normal')]:
        jobs.put_nowait(entry)
    order = [jobs.get_nowait()[1] for _ in range(jobs.qsize())]
    print(f"priority order: {', '.join(order)}")

    # LifoQueue: the last one put comes out first.
    stack = asyncio.LifoQueue()
    for item in ('a', 'b', 'c'):
        stack.put_nowait(item)
    print(f"lifo order: {', '.join(stack.get_nowait() for _ in range(3))}")


asyncio.run(main())
