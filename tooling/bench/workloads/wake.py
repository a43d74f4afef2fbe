"""W12's asyncio twin: waking N waiters of an Event, a Lock, a Semaphore and a Condition,
the same four scenarios as `wakeEvent` ... `wakeCondition` in xasync.mjs (timed from the
wake-up call to the last waiter done).

Usage: python3 workloads/wake.py [asyncio|uvloop] [CASE] [N]
       (default asyncio, W12.wake, 100000; prints one JSON line, as xasync.mjs)
"""
import asyncio
import json
import sys
import time


async def wake_event(n: int) -> float:
    ev = asyncio.Event()
    ts = [asyncio.create_task(ev.wait()) for _ in range(n)]
    await asyncio.sleep(0)  # all waiting
    t0 = time.perf_counter()
    ev.set()
    results = await asyncio.gather(*ts)
    t1 = time.perf_counter()
    assert len(results) == n and all(r is True for r in results), "every Event waiter woke"
    return t1 - t0


async def wake_lock(n: int) -> float:
    lock = asyncio.Lock()
    count = 0

    async def waiter() -> None:
        nonlocal count
        await lock.acquire()
        count += 1
        lock.release()

    await lock.acquire()
    ts = [asyncio.create_task(waiter()) for _ in range(n)]
    await asyncio.sleep(0)  # all waiting
    t0 = time.perf_counter()
    lock.release()
    await asyncio.gather(*ts)
    t1 = time.perf_counter()
    assert count == n and not lock.locked(), "every Lock waiter acquired and released"
    return t1 - t0


async def wake_semaphore(n: int) -> float:
    sem = asyncio.Semaphore(0)
    count = 0

    async def waiter() -> None:
        nonlocal count
        await sem.acquire()
        count += 1
        sem.release()

    ts = [asyncio.create_task(waiter()) for _ in range(n)]
    await asyncio.sleep(0)  # all waiting
    t0 = time.perf_counter()
    sem.release()
    await asyncio.gather(*ts)
    t1 = time.perf_counter()
    assert count == n and not sem.locked(), "every Semaphore waiter acquired and released"
    return t1 - t0


async def wake_condition(n: int) -> float:
    cond = asyncio.Condition()
    count = 0

    async def waiter() -> None:
        nonlocal count
        async with cond:
            await cond.wait()
            count += 1

    ts = [asyncio.create_task(waiter()) for _ in range(n)]
    await asyncio.sleep(0)  # all waiting
    t0 = time.perf_counter()
    async with cond:
        cond.notify_all()
    await asyncio.gather(*ts)
    t1 = time.perf_counter()
    assert count == n and not cond.locked(), "every Condition waiter woke"
    return t1 - t0


def main() -> None:
    runtime = sys.argv[1] if len(sys.argv) > 1 else "asyncio"
    case = sys.argv[2] if len(sys.argv) > 2 else "W12.wake"
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
    if case != "W12.wake":
        sys.stderr.write(f"unknown case {case}; known: W12.wake\n")
        sys.exit(2)
    run = asyncio.run
    if runtime == "uvloop":
        import uvloop

        run = uvloop.run if hasattr(uvloop, "run") else (lambda c: (uvloop.install(), asyncio.run(c))[1])
    s = {name: run(fn(n)) for name, fn in [("event", wake_event), ("lock", wake_lock),
                                           ("semaphore", wake_semaphore), ("condition", wake_condition)]}
    metrics = {
        "rate": n / s["event"],
        "seconds": s["event"],
        "rate_lock": n / s["lock"],
        "rate_semaphore": n / s["semaphore"],
        "rate_condition": n / s["condition"],
    }
    print(json.dumps({"case": case, "n": n, "metrics": metrics, "check": "ok"}))


if __name__ == "__main__":
    main()
