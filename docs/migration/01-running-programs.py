# Chapter 1, running programs. The TypeScript twin: 01-running-programs.ts
import asyncio


async def greet(name, delay):
    await asyncio.sleep(delay)
    print(f'hello, {name}')
    return len(name)


# A Runner keeps one loop (and one context) for several runs.
with asyncio.Runner() as runner:
    a = runner.run(greet('first run', 0))
    b = runner.run(greet('second run, same loop', 0))
    print(f'the runs returned {a} and {b}')


# asyncio.run() makes a loop, runs main() to its end, cancels what is left and
# closes the loop; it returns what main() returned.
async def compute():
    return await greet('run', 0)


print(f'run() returned {asyncio.run(compute())}')


async def main():
    loop = asyncio.get_running_loop()
    print(f"main runs on a running loop: {'yes' if loop.is_running() else 'no'}")
    n = await greet('world', 0.01)
    print(f'greet returned {n}')


if __name__ == '__main__':
    asyncio.run(main())
