import type { Clock } from '../util/clock.js';

/**
 * Runs `count` jobs with at most `concurrency` in flight and, with a rate, starts spaced at least
 * 1000/rate ms apart: a read-back against a production system must stay a trickle beside the
 * load test it follows. Stops taking jobs when `signal` aborts; resolves with how many started (jobs
 * start in index order, so those are the first ones).
 */
export async function runPaced(
  count: number,
  job: (index: number) => Promise<void>,
  o: { concurrency: number; ratePerSecond?: number; clock: Clock; signal?: AbortSignal },
): Promise<number> {
  const interval = o.ratePerSecond ? 1000 / o.ratePerSecond : 0;
  let next = 0;
  let started = 0;
  let nextStart = o.clock.now();
  const lane = async () => {
    while (next < count && !o.signal?.aborted) {
      const index = next++;
      if (interval) {
        // reserve this job's start slot before waiting, so the lanes never start two at once
        const at = Math.max(nextStart, o.clock.now());
        nextStart = at + interval;
        await o.clock.sleep(at - o.clock.now(), o.signal);
        if (o.signal?.aborted) return;
      }
      started++;
      await job(index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, count)) }, lane));
  return started;
}
