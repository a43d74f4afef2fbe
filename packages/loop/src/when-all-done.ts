/**
 * `whenAllDone`: "wait until all are done", the one helper for it. It is what
 * asyncio uses `gather(*fs, return_exceptions=True)` for where gather is not
 * at hand (`shutdown_asyncgens`, the runner's `_cancel_all_tasks`): it never
 * fails and looks at no result, so that the caller decides what to report.
 */
import type { Future } from './future.js';
import type { EventLoop } from './loop.js';

/**
 * Part of the seam (`@x/loop/internal`): a Future of `loop` that gets a
 * result once every future of `futs` is done, or once `timeout` seconds have
 * passed (null: no limit).
 */
export function whenAllDone(
  loop: EventLoop,
  futs: Iterable<Future<unknown>>,
  timeout: number | null = null,
): Future<void> {
  const all = loop.createFuture<void>();
  let left = 1;
  const onDone = (): void => {
    if (--left === 0 && !all.done()) all.setResult(undefined);
  };
  for (const f of futs) {
    left++;
    f.addDoneCallback(onDone);
  }
  onDone();
  if (timeout !== null && !all.done()) {
    const timer = loop.callLater(timeout, () => {
      if (!all.done()) all.setResult(undefined);
    });
    all.addDoneCallback(() => timer.cancel());
  }
  return all;
}
