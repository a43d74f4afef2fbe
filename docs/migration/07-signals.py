# Chapter 7, signals. The TypeScript twin: 07-signals.ts
import asyncio
import os
import signal


async def handled():
    loop = asyncio.get_running_loop()
    got = loop.create_future()

    def on_signal(name):
        print(f'handler: {name}, run as a loop callback')
        got.set_result(name)

    loop.add_signal_handler(signal.SIGUSR1, on_signal, 'SIGUSR1')
    os.kill(os.getpid(), signal.SIGUSR1)
    print(f'main: the handler ran with {await got}')
    removed = loop.remove_signal_handler(signal.SIGUSR1)
    print(f"removed: {'yes' if removed else 'no'}")


async def interrupted():
    # What Ctrl-C does under asyncio.run(): the main task is cancelled where it waits.
    os.kill(os.getpid(), signal.SIGINT)
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        print('interrupted: cancelled by Ctrl-C, cleaning up')
        raise


asyncio.run(handled())
try:
    asyncio.run(interrupted())
except KeyboardInterrupt:
    print('run() raised KeyboardInterrupt once the cleanup was done')
