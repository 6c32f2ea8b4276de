import { mmss } from '../../util/duration.js';
import type { ProbeOutcome } from './probes.js';
import type { Stage } from './schedule.js';

/** How the probes of an experiment went so far, per state. */
export interface ProbeTally {
  ok: number;
  failed: number;
  skipped: number;
}

/** What `chaos run` shows on its progress line. */
export interface ChaosProgress {
  stage: Stage;
  /** since the experiment started, and its planned length (the method, then the settle) */
  elapsedMs: number;
  totalMs: number;
  faultsOn: number;
  tally: ProbeTally;
}

type State = 'ok' | 'fail' | 'skip';

/**
 * Which probe results are worth a line. A probe runs every interval while a fault is on, so
 * printing each result buries the one that matters: a line for a probe's first result in a stage,
 * for every change of state (ok, FAIL, skipped), and for a probe that keeps failing at most every
 * `repeatEveryMs` with how long it has been failing. Pure apart from the `log` it is given.
 */
export class ProbeFeed {
  private readonly last = new Map<string, { state: State; stage: Stage; repeats: number; loggedAt: number }>();
  readonly tally: ProbeTally = { ok: 0, failed: 0, skipped: 0 };

  constructor(
    private readonly log: (line: string) => void,
    private readonly now: () => number,
    private readonly repeatEveryMs = 10_000,
  ) {}

  record(stage: Stage, probe: string, outcome: ProbeOutcome): void {
    const state: State = outcome.skipped ? 'skip' : outcome.ok ? 'ok' : 'fail';
    this.tally[state === 'ok' ? 'ok' : state === 'fail' ? 'failed' : 'skipped']++;
    const detail = outcome.detail ?? String(outcome.value);
    const before = this.last.get(probe);
    const now = this.now();
    if (!before || before.stage !== stage || before.state !== state) {
      const since = before && before.state === 'fail' && state !== 'fail' && before.repeats > 1 ? ` (after ${before.repeats} failures)` : '';
      this.log(`peakready: probe ${stage} ${LABEL[state]} ${probe}: ${detail}${since}`);
      this.last.set(probe, { state, stage, repeats: 1, loggedAt: now });
      return;
    }
    before.repeats++;
    if (state === 'fail' && now - before.loggedAt >= this.repeatEveryMs) {
      this.log(`peakready: probe ${stage} ${LABEL[state]} ${probe}: ${detail} (failing ${before.repeats} times in a row)`);
      before.loggedAt = now;
    }
  }
}

const LABEL: Record<State, string> = { ok: 'ok  ', fail: 'FAIL', skip: 'skip' };

/** `during 00:24/01:00 | 1 fault on | probes 12 ok, 1 failed`: the chaos run's progress line. */
export function formatChaosProgress(p: ChaosProgress): string {
  const tally = [`${p.tally.ok} ok`, `${p.tally.failed} failed`, ...(p.tally.skipped ? [`${p.tally.skipped} skipped`] : [])].join(', ');
  const faults = p.faultsOn === 0 ? 'no fault on' : p.faultsOn === 1 ? '1 fault on' : `${p.faultsOn} faults on`;
  return `${p.stage} ${mmss(p.elapsedMs)}/${mmss(p.totalMs)} | ${faults} | probes ${tally}`;
}
