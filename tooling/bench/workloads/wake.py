"""W8's asyncio twin: N tasks wait on one asyncio.Event; set() it and gather them.

Usage: python3 workloads/wake.py [N]   (default 100000; prints one JSON line, as xasync.mjs)
"""
import asyncio
import json
import sys
import time


async def main(n: int) -> None:
    ev = asyncio.Event()
    ts = [asyncio.create_task(ev.wait()) for _ in range(n)]
    await asyncio.sleep(0)  # all waiting
    t0 = time.perf_counter()
    ev.set()
    results = await asyncio.gather(*ts)
    t1 = time.perf_counter()
    assert len(results) == n and all(r is True for r in results), "every waiter woke"
    print(json.dumps({"case": "W8.wake", "n": n, "metrics": {"rate": n / (t1 - t0), "seconds": t1 - t0}, "check": "ok"}))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
