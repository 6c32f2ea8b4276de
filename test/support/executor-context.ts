import type { ExecutorContext, ScenarioVu } from '../../src/load/executors/types.js';
import type { VirtualClock } from './virtual-clock.js';

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
