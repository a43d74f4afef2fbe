# Chapter 3, cancellation and timeouts. The TypeScript twin: 03-cancellation-and-timeouts.ts
import asyncio


async def worker():
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError as e:
        print(f'worker: cancelled ({e})')
        raise
    finally:
        print('worker: cleaning up')
        await asyncio.sleep(0.01)  # a finally block may wait
        print('worker: clean')


async def stubborn():
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        task = asyncio.current_task()
        print(f'stubborn: cancelled, {task.cancelling()} request(s) pending; refusing')
        task.uncancel()
    return 'finished anyway'


async def main():
    task = asyncio.create_task(worker())
    await asyncio.sleep(0.01)
    task.cancel('enough')
    try:
        await task
    except asyncio.CancelledError:
        print(f"main: the task is cancelled: {'yes' if task.cancelled() else 'no'}")

    # A coroutine may refuse a cancellation (rarely a good idea): uncancel() takes it back.
    refuser = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    refuser.cancel()
    print(f'main: {await refuser}')

    # timeout(): the block is cancelled at the deadline, and TimeoutError comes out.
    try:
        async with asyncio.timeout(0.01):
            await asyncio.sleep(3600)
    except TimeoutError:
        print('timeout: the block was cancelled where it waited')

    # wait_for(): the same for one awaitable.
    try:
        await asyncio.wait_for(asyncio.sleep(3600), 0.01)
    except TimeoutError:
        print('wait for: TimeoutError')

    # shield(): cancelling the wait does not cancel what is shielded.
    inner = asyncio.create_task(asyncio.sleep(0.03, 'inner result'))
    try:
        await asyncio.wait_for(asyncio.shield(inner), 0.01)
    except TimeoutError:
        print('shield: the wait timed out')
    print(f'shield: the inner task finished anyway with {await inner}')


asyncio.run(main())
