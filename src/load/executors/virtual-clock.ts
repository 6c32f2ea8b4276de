import type { Clock, ExecutorContext, ScenarioVu } from './types.js';

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

/** What a fake scenario saw: iteration starts (with intended starts), drops, active VUs. */
export interface Recording {
  starts: Array<{ t: number; intended?: number }>;
  dropped: number;
  interrupted: number;
  maxActive: number;
  vusAcquired: number;
}

/** An ExecutorContext whose VUs "work" for `iterationMs` of virtual time per iteration. */
export function fakeContext(clock: VirtualClock, iterationMs: number, segment = { index: 0, count: 1 }, testSignal = new AbortController().signal): { ctx: ExecutorContext; rec: Recording } {
  const rec: Recording = { starts: [], dropped: 0, interrupted: 0, maxActive: 0, vusAcquired: 0 };
  let active = 0;
  const vu: ScenarioVu = {
    async iterate({ signal, intendedStart }) {
      rec.starts.push({ t: clock.now(), ...(intendedStart !== undefined ? { intended: intendedStart } : {}) });
      await clock.sleep(iterationMs, signal);
      if (signal.aborted) {
        rec.interrupted++;
        return 'interrupted';
      }
      return 'completed';
    },
  };
  const ctx: ExecutorContext = {
    clock,
    segment,
    testSignal,
    acquireVu: async () => {
      rec.vusAcquired++;
      return vu;
    },
    releaseVu: () => {},
    onDropped: (n) => (rec.dropped += n),
    onActive: (d) => {
      active += d;
      rec.maxActive = Math.max(rec.maxActive, active);
    },
  };
  return { ctx, rec };
}

/** Iteration starts per `intervalMs` bucket. */
export function perInterval(starts: ReadonlyArray<{ t: number }>, intervalMs: number, buckets: number): number[] {
  const out = new Array<number>(buckets).fill(0);
  for (const s of starts) {
    const i = Math.floor(s.t / intervalMs);
    if (i < buckets) out[i]!++;
  }
  return out;
}
