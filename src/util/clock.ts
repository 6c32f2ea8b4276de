/**
 * Time as the timed parts see it (executors, the chaos runner, the local autoscaler): passed in,
 * so their schedules are tested on a virtual clock (test/support/virtual-clock.ts) in microseconds.
 */
export interface Clock {
  /** milliseconds on this clock's own scale (see realClock and wallClock) */
  now(): number;
  /** resolves after `ms` (or early, without error, when `signal` aborts) */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Monotonic (performance.now): for schedules that only compare instants among themselves. */
export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      // no wait: after the I/O already due (a 0 ms timeout would wait a whole millisecond)
      if (ms <= 0) return void setImmediate(resolve);
      // an arrival-rate loop sleeps about a millisecond between starts, a thousand times a
      // second: a wait that short ends soon enough without an abort listener to add and remove
      if (ms < 20) return void setTimeout(resolve, ms);
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** Epoch milliseconds (Date.now): for loops whose instants go into the run's timeline as they are. */
export const wallClock: Clock = { now: () => Date.now(), sleep: realClock.sleep };
