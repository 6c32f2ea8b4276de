import type { Clock } from '../../src/util/clock.js';

/**
 * A discrete-event clock for schedule tests: time moves only when every pending promise has
 * settled, straight to the next timer, so a 10-minute schedule runs in milliseconds.
 */
export class VirtualClock implements Clock {
  private t = 0;
  private timers: Array<{ at: number; fire: () => void }> = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        resolve();
      };
      const timer = {
        at: this.t + Math.max(0, ms),
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Lets `ms` of virtual time pass, firing every timer due (for loops that never finish by themselves). */
  advance(ms: number): Promise<void> {
    return this.run(this.sleep(ms));
  }

  /** Drives the clock until `work` settles. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const tracked = work.finally(() => (settled = true));
    for (;;) {
      await new Promise((r) => setImmediate(r));
      if (settled) return tracked;
      if (this.timers.length === 0) throw new Error(`virtual clock: nothing scheduled at t=${this.t} and the work has not finished`);
      const next = Math.min(...this.timers.map((x) => x.at));
      this.t = next;
      const due = this.timers.filter((x) => x.at <= next);
      this.timers = this.timers.filter((x) => x.at > next);
      for (const timer of due) timer.fire();
    }
  }
}
