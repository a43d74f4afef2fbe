# Chapter 2, tasks. The TypeScript twin: 02-tasks.ts
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name.upper()


async def main():
    # create_task() starts the coroutine at once; it runs while main goes on.
    task = asyncio.create_task(job('a', 0.01), name='job-a')
    print(f"started {task.get_name()}, done yet: {'yes' if task.done() else 'no'}")
    print(f'the task returned {await task}')

    # gather(): results in the order given, whatever the order they finish in.
    results = await asyncio.gather(job('slow', 0.03), job('fast', 0.01))
    print(f"gather: {', '.join(results)}")

    # TaskGroup: the block ends when every task in it has ended.
    async with asyncio.TaskGroup() as tg:
        x = tg.create_task(job('x', 0.02))
        y = tg.create_task(job('y', 0.01))
    print(f'task group: {x.result()}, {y.result()}')

    # as_completed(): the results in the order the tasks finish.
    for next_done in asyncio.as_completed([job('third', 0.03), job('first', 0.01), job('second', 0.02)]):
        print(f'as completed: {await next_done}')

    # A task is a Future: callbacks, result(), cancelled().
    t = asyncio.create_task(job('callback', 0))
    t.add_done_callback(lambda done: print(f'done callback: {done.result()}'))
    await t  # the callback ran first: callbacks run in the order they were added


asyncio.run(main())
