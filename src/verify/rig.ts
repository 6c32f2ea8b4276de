import type { CheckDetail, CheckResult, RigSample, TimelineEvent } from '../run/records.js';
import type { RunData } from '../run/run-data.js';
import type { Interval } from '../run/timeline.js';
import { ms, pct } from './check-result.js';

export const RIG_CHECK_ID = 'rig';
const TITLE = 'Test rig';

/**
 * Was the test rig (the machine running the drill) able to do its job? A starved rig delays
 * requests by itself: a late iteration start, a late event loop, every core busy. This module
 * finds when the rig was saturated and by how much it could delay a request, so the judge can
 * call a latency miss that the rig's own delay accounts for INCONCLUSIVE instead of a FAIL, and
 * so a load that was not fully sent is never a PASS.
 */

/** Every core busy (steal included) this much of a sample's interval: saturated. */
export const SATURATED_CPU_SHARE = 0.9;
/** The drill's event loop, or an iteration's start, this late: saturated. */
export const SATURATED_DELAY_MS = 100;
/** More iterations than this share dropped: the load was not fully sent. */
export const DROPPED_SHARE_LIMIT = 0.01;
/**
 * A figure judged over an interval is put in doubt when at least this share of the interval was
 * saturated: a p(95) moves with what happens to 5 % of its requests.
 */
export const SATURATED_SHARE_OF_INTERVAL = 0.05;

export interface RigHealth {
  samples: RigSample[];
  /** seconds-long stretches the rig was saturated, with why and how late it ran */
  saturated: Array<Interval & { delayMs: number; why: string }>;
  /** iteration start lag of arrival-rate requests (intended vs actual start), ms */
  lag: { p95: number; max: number; requests: number };
  dropped: { dropped: number; iterations: number };
  failedProbes: Array<Extract<TimelineEvent, { type: 'probe' }>>;
}

/** One assessment per run's data: the judge and the rig's own row both ask for it. */
const assessed = new WeakMap<RunData, RigHealth>();

export function assessRig(data: RunData): RigHealth {
  const known = assessed.get(data);
  if (known) return known;
  const health = measureRig(data);
  assessed.set(data, health);
  return health;
}

function measureRig(data: RunData): RigHealth {
  const samples = (data.metrics ?? []).filter((s): s is RigSample => s.source === 'rig').sort((a, b) => a.t - b.t);
  const lags = data.requests.flatMap((r) => (r.intendedLatency !== undefined ? [{ t: r.t, lag: Math.max(0, r.intendedLatency - r.duration) }] : []));
  const sortedLags = lags.map((l) => l.lag).sort((a, b) => a - b);
  return {
    samples,
    saturated: saturatedStretches(samples),
    lag: { p95: quantile(sortedLags, 0.95), max: sortedLags.at(-1) ?? 0, requests: lags.length },
    dropped: droppedIterations(data.summary),
    failedProbes: data.timeline.filter((e): e is Extract<TimelineEvent, { type: 'probe' }> => e.type === 'probe' && !e.ok),
  };
}

/**
 * One stretch per saturated second-long sample (rig samples cover [t - intervalMs, t]): cores
 * busy or the event loop late. Its delay is the event loop's: that is what the rig adds to a
 * measured request duration. Late iteration starts are not counted: they delay when a request is
 * sent, not how long it takes, and on a slow system they mean every VU was busy waiting on it
 * (k6's dropped iterations), which is the system's doing, not the rig's.
 */
function saturatedStretches(samples: readonly RigSample[]): RigHealth['saturated'] {
  const out: RigHealth['saturated'] = [];
  for (const s of samples) {
    const why = [
      ...(s.cpuBusy !== undefined && s.cpuBusy >= SATURATED_CPU_SHARE ? [`all ${s.cores} cores ${pct(s.cpuBusy)} busy${s.cpuSteal ? ` (${pct(s.cpuSteal)} stolen)` : ''}`] : []),
      ...(s.loopDelayP99Ms >= SATURATED_DELAY_MS ? [`event loop ${ms(s.loopDelayP99Ms)} late`] : []),
    ];
    if (why.length) out.push({ start: s.t - s.intervalMs, end: s.t, delayMs: s.loopDelayP99Ms, why: why.join(', ') });
  }
  return out.sort((a, b) => a.start - b.start);
}

/**
 * How much the rig could have delayed the requests of an interval: whether enough of it was
 * saturated to move a percentile, and the rig's typical delay there: the median over its
 * saturated seconds of how late the event loop or the iteration starts ran. The median, not the
 * worst second: a regression that slows every request is not explained by one bad second.
 */
export function rigDelayDuring(health: RigHealth, interval: Interval): { saturated: boolean; delayMs: number; why: string[] } {
  const length = Math.max(1, interval.end - interval.start);
  let covered = 0;
  const delays: number[] = [];
  const why = new Set<string>();
  for (const s of health.saturated) {
    const overlap = Math.min(s.end, interval.end) - Math.max(s.start, interval.start);
    if (overlap <= 0) continue;
    covered += overlap;
    delays.push(s.delayMs);
    why.add(s.why);
  }
  const delayMs = quantile(delays.sort((a, b) => a - b), 0.5);
  return { saturated: covered / length >= SATURATED_SHARE_OF_INTERVAL, delayMs, why: [...why].slice(0, 3) };
}

/** k6's summary: `dropped_iterations` and `iterations` counters (absent: none). */
function droppedIterations(summary: unknown): RigHealth['dropped'] {
  const metrics = (summary as { metrics?: Record<string, { values?: { count?: number } }> } | undefined)?.metrics ?? {};
  return { dropped: metrics.dropped_iterations?.values?.count ?? 0, iterations: metrics.iterations?.values?.count ?? 0 };
}

function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * The rig's own row in every report: dropped iterations, failed steady-state probes, saturation.
 * INCONCLUSIVE when the load was not fully sent (a pass on it would prove nothing); otherwise a
 * pass, with the saturation it saw as a warning (the judge uses it on the other checks).
 */
export function checkRig(data: RunData): CheckResult {
  const health = assessRig(data);
  const { dropped, iterations } = health.dropped;
  const droppedShare = dropped / Math.max(1, dropped + iterations);
  const notSent = droppedShare > DROPPED_SHARE_LIMIT;
  const saturatedMs = health.saturated.reduce((sum, s) => sum + (s.end - s.start), 0);
  const details: CheckDetail[] = [
    {
      name: 'load fully sent',
      status: notSent ? 'inconclusive' : 'pass',
      figure: `${dropped} dropped`,
      limit: `<= ${pct(DROPPED_SHARE_LIMIT)} of iterations`,
      note: `${pct(droppedShare)} of ${dropped + iterations} iterations${notSent ? ': the load engine could not start them on time (every VU busy waiting on slow responses, or a starved rig), so the system never saw this load' : ''}`,
    },
    rigDetail(health, saturatedMs),
    ...cpuWaitDetail(health),
    ...lagDetail(health),
    ...health.failedProbes.slice(0, 3).map((p): CheckDetail => ({
      name: `probe ${p.stage} ${p.experiment}`,
      status: 'pass',
      figure: 'failed',
      limit: '-',
      note: `warning: steady state "${p.probe}" did not hold${p.detail ? ` (${p.detail})` : ''}`,
    })),
  ];
  const figure = [notSent ? `${dropped} iterations dropped` : 'load sent', saturatedMs ? `saturated ${(saturatedMs / 1000).toFixed(0)}s` : 'never saturated'].join(', ');
  const result: CheckResult = { id: RIG_CHECK_ID, title: TITLE, status: notSent ? 'inconclusive' : 'pass', figure, limit: 'load sent, rig not saturated', details };
  if (notSent) result.reason = `the load was not fully sent: ${dropped} iterations dropped (${pct(droppedShare)})`;
  return result;
}

function rigDetail(health: RigHealth, saturatedMs: number): CheckDetail {
  const cpu = health.samples.flatMap((s) => (s.cpuBusy !== undefined ? [s.cpuBusy] : []));
  const loop = Math.max(0, ...health.samples.map((s) => s.loopDelayP99Ms));
  const figure = health.samples.length ? `cpu max ${cpu.length ? pct(Math.max(...cpu)) : 'n/a'}, loop p99 max ${ms(loop)}` : 'not measured';
  const first = health.saturated[0];
  return {
    name: 'rig not saturated',
    status: 'pass',
    figure,
    limit: `cpu < ${pct(SATURATED_CPU_SHARE)}, delays < ${SATURATED_DELAY_MS}ms`,
    ...(first ? { note: `warning: saturated ${(saturatedMs / 1000).toFixed(0)}s in ${health.saturated.length} stretches, first ${first.why}` } : {}),
  };
}

/** The processes that waited longest for a core, as the judge's wait estimates read them. */
function cpuWaitDetail(health: RigHealth): CheckDetail[] {
  const worst = new Map<string, number>();
  for (const s of health.samples) for (const [service, share] of Object.entries(s.cpuWait ?? {})) worst.set(service, Math.max(worst.get(service) ?? 0, share));
  if (!worst.size) return [];
  const top = [...worst].sort((a, b) => b[1] - a[1]).slice(0, 3);
  return [
    {
      name: 'waiting for a core',
      status: 'pass',
      figure: top.map(([service, share]) => `${service} ${pct(share)}`).join(', '),
      limit: '-',
      note: "the largest share of a second each process spent runnable but not running (run-queue delay); a latency miss on a saturated rig is INCONCLUSIVE when this wait, charged to each request's hops, accounts for it",
    },
  ];
}

function lagDetail(health: RigHealth): CheckDetail[] {
  if (!health.lag.requests) return [];
  return [{ name: 'iteration start lag', status: 'pass', figure: `p95 ${ms(health.lag.p95)}, max ${ms(health.lag.max)}`, limit: '-', note: `${health.lag.requests} arrival-rate requests` }];
}

/**
 * The judge's use of the rig: a failing latency detail whose judged interval was saturated becomes
 * INCONCLUSIVE with the evidence when the rig can account for the miss:
 * - the system's processes waited for a core long enough that, with each request's estimated wait
 *   taken out (src/verify/cpu-wait-estimate.ts), the figure is within the limit;
 * - the drill's own delay there (its event loop) is at least the miss;
 * - or, when no process's CPU wait could be read, the miss is in the tail only (a p95 or max over
 *   the limit while the same requests' median held it): on a bundled stack the system shares the
 *   starved cores, and CPU starvation stretches a tail far beyond the rig's event-loop delay, while
 *   a regression moves the middle. Where the wait was read, it decides: a tail that stays over the
 *   limit without it (requests stalled on a dead dependency) is the system's.
 * A miss beyond all three stays a FAIL, and says by how much the wait fell short of explaining it:
 * a service asleep on a slow dependency is rarely runnable, so its requests are charged little
 * wait however starved the host. A check left with no failing detail, only inconclusive ones, is
 * INCONCLUSIVE.
 */
export function withRigDoubt(check: CheckResult, health: RigHealth): CheckResult {
  if (check.status !== 'fail' || check.id === RIG_CHECK_ID) return check;
  let changed = false;
  const details = check.details.map((d): CheckDetail => {
    if (d.status !== 'fail' || !d.timing) return d;
    const rig = rigDelayDuring(health, d.timing);
    if (!rig.saturated) return d;
    const because = doubtOf(d.timing, rig.delayMs);
    changed = true;
    if (!because) {
      const wait = d.timing.cpuWait;
      if (!wait) return d;
      const beyond = `the rig was saturated, but the estimated CPU wait (median ${ms(wait.medianMs)} a request) explains only part of it: without it the figure is still ${ms(wait.withoutOverMs)} over the limit`;
      return { ...d, note: d.note ? `${d.note}; ${beyond}` : beyond };
    }
    const doubt = `inconclusive: the rig was saturated (${rig.why.join('; ')}); ${because}`;
    return { ...d, status: 'inconclusive', note: d.note ? `${d.note}; ${doubt}` : doubt };
  });
  if (!changed) return check;
  const stillFailing = details.find((d) => d.status === 'fail');
  if (stillFailing) return { ...check, details };
  const first = details.find((d) => d.status === 'inconclusive')!;
  return { ...check, details, status: 'inconclusive', reason: `${first.name}: ${first.figure} (limit ${first.limit}); ${first.note ?? ''}` };
}

/** Why the rig accounts for a latency miss on its saturated stretch; undefined: it does not. */
function doubtOf(timing: NonNullable<CheckDetail['timing']>, delayMs: number): string | undefined {
  const wait = timing.cpuWait;
  if (wait && wait.withoutOverMs <= 0) {
    return `the system's processes waited for a core an estimated ${ms(wait.medianMs)} of the median request (p95 ${ms(wait.p95Ms)}), and without that wait the figure is within the limit (by ${ms(-wait.withoutOverMs)})`;
  }
  if (delayMs >= timing.overMs) return `its typical delay there of ${ms(delayMs)} accounts for the ${ms(timing.overMs)} miss`;
  // only where no process's wait was read (a system whose processes are not on this host, a run
  // recorded before the estimate): a measured estimate that leaves the tail over the limit says the
  // tail is the system's (a request stalled on a dead dependency is asleep, not starved)
  if (!wait && timing.medianOverMs !== undefined && timing.medianOverMs <= 0) {
    return `the miss is in the tail only: the same requests' median held the limit by ${ms(-timing.medianOverMs)}, and a starved CPU stretches a tail while a regression moves the middle`;
  }
  return undefined;
}
