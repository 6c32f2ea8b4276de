import { percentile } from '../budgets/evaluate.js';
import { faultWindows, inAny, OUTAGE, replicaStarts, union, type Interval } from '../run/timeline.js';
import type { Budgets } from '../budgets/types.js';
import type { CheckResult, RequestRecord } from '../run/records.js';
import { fromDetails, ms, operatorWithout, pct, skipped } from './check-result.js';
import { cpuWaitEstimator, cpuWaitTiming, type CpuWaitEstimator } from './cpu-wait-estimate.js';
import { nameMatcher, type RunData } from '../run/run-data.js';

const ID = 'isolation';
const TITLE = 'Isolation';
/** What to add when a game day injects faults but names nothing to protect. */
export const NOTHING_PROTECTED = 'no requests named to protect: add checks.isolation.protect: [the requests that must keep working] (their k6 name tags)';

type Limits = Budgets['isolation'];
type Detail = CheckResult['details'][number];
/** Requests of the reference phase (outside any fault) and of the outage. */
interface Sides {
  baseline: RequestRecord[];
  outage: RequestRecord[];
}
/** The windows every request is split by. */
interface Windows {
  baseline: readonly Interval[];
  outage: readonly Interval[];
}
/** One protected request's verdict: its detail lines and its part of the headline. */
interface Judged {
  figure: string;
  limit: string;
  details: Detail[];
}

/**
 * The requests the file protects (`checks.isolation.protect`) must not notice the outage: each
 * one's success rate and p95 while a fault was on, against the baseline phase, within the budget;
 * the requests allowed to degrade (`degraded`) may answer without the failing dependency
 * (`meta.degraded`) but must not fail more than they did at baseline. A name no request of the load
 * carries fails, naming the names it did carry: a typo must not pass.
 */
export function checkIsolation(data: RunData, budgets: Budgets): CheckResult {
  const limits = budgets.isolation;
  if (!limits.enabled) return skipped(ID, TITLE, `disabled in ${budgets.file}`);
  if (!data.requestsRecorded) return skipped(ID, TITLE, operatorWithout(data, 'request records') ?? 'the run recorded no requests');
  const outage = outageOf(data, limits.failing);
  if (!outage?.length) return noOutage(data, limits.failing);
  if (!limits.protect.length) return skipped(ID, TITLE, NOTHING_PROTECTED);
  const baseline = data.intervals.get(limits.baselinePhase);
  if (!baseline?.length) return skipped(ID, TITLE, `the timeline has no "${limits.baselinePhase}" phase to compare with (checks.isolation.baselinePhase)`);

  const windows: Windows = { baseline, outage };
  const seen = requestNames(data.requests);
  const judged = limits.protect.map((pattern) => judgeProtected(data, pattern, windows, limits, seen));
  const pages = limits.degraded.flatMap((pattern) => {
    const missing = unseen(pattern, 'degraded', seen);
    return missing ? [missing] : judgePages(pattern, split(data.requests.filter((r) => nameMatcher(pattern)(r.name)), windows), limits, cpuWaitEstimator(data));
  });
  const details = [...judged.flatMap((j) => j.details), ...pages];
  if (judged.length === 1) return fromDetails(ID, TITLE, judged[0]!.figure, judged[0]!.limit, details);
  const held = judged.filter((j) => j.details.every((d) => d.status !== 'fail')).length;
  return fromDetails(ID, TITLE, `${held}/${judged.length} protected requests held`, 'each within budget of its baseline', details);
}

/** One protected request: unseen in the load (fail), absent on one side (skip), or judged. */
function judgeProtected(data: RunData, pattern: string, windows: Windows, limits: Limits, seen: readonly string[]): Judged {
  const missing = unseen(pattern, 'protect', seen);
  if (missing) return { figure: 'not in the load', limit: 'requests to judge', details: [missing] };
  const { sides, leftOut } = protectedSides(data, pattern, windows);
  if (!sides.baseline.length || !sides.outage.length) {
    const which = sides.baseline.length ? 'during the outage' : `during ${limits.baselinePhase}`;
    const note = `no "${pattern}" requests ${which}, nothing to compare`;
    return { figure: '-', limit: '-', details: [{ name: `${pattern} during outage`, status: 'skip', figure: '-', limit: 'requests on both sides', note }] };
  }
  return judgeSides(pattern, sides, limits, leftOut, cpuWaitEstimator(data));
}

/** A name of the file that no request of the load carries: a failing detail naming the names seen. */
function unseen(pattern: string, key: 'protect' | 'degraded', seen: readonly string[]): Detail | undefined {
  const matches = nameMatcher(pattern);
  if (seen.some(matches)) return undefined;
  const shown = seen.length > 12 ? `${seen.slice(0, 12).join(', ')}, ... (${seen.length} in all)` : seen.join(', ');
  return {
    name: `${pattern} requests`,
    status: 'fail',
    figure: 'none in the load',
    limit: 'requests to judge',
    note: `checks.isolation.${key} names "${pattern}", but no request of the load carries that k6 name tag; the load's requests are named ${shown || 'nothing'}`,
  };
}

function requestNames(requests: readonly RequestRecord[]): string[] {
  return [...new Set(requests.map((r) => r.name))].sort();
}

/** While the failing dependency was faulted (checks.isolation.failing), else while any fault was on. */
function outageOf(data: RunData, failing: string | undefined): Interval[] | undefined {
  if (!failing) return data.intervals.get(OUTAGE);
  return union(faultWindows(data.timeline, data.span.end).filter((w) => w.proxy === failing));
}

/** No fault window: an experiment that was attempted but never injected its fault proved nothing, and fails. */
function noOutage(data: RunData, failing: string | undefined): CheckResult {
  const refused = data.timeline.find((e) => e.type === 'probe' && e.stage === 'before' && !e.ok);
  if (refused?.type !== 'probe' && data.interrupted) return skipped(ID, TITLE, 'the run was interrupted before any fault was injected');
  if (refused?.type !== 'probe') {
    return skipped(ID, TITLE, failing ? `no fault on "${failing}" in this run (checks.isolation.failing names the failing dependency's proxy)` : 'no fault was injected in this run (no fault on/off events in the timeline)');
  }
  return {
    id: ID,
    title: TITLE,
    status: 'fail',
    figure: 'no outage',
    limit: 'an outage to judge',
    details: [],
    reason: `the chaos experiment "${refused.experiment}" never injected its fault: steady-state probe "${refused.probe}" failed before it (${refused.detail ?? 'no detail'})`,
  };
}

/**
 * The protected requests on each side. Those in flight while a replica was starting are left out
 * of both sides: on the local stack a replica's start-up takes CPU from every process, and the
 * outage window is short, so one scale-out inside it would otherwise be charged to the fault
 * (unless that leaves a side empty: then every request counts).
 */
function protectedSides(data: RunData, pattern: string, windows: Windows): { sides: Sides; leftOut: number } {
  const matches = nameMatcher(pattern);
  const starting = replicaStarts(data.timeline, data.span.end);
  const all = data.requests.filter((r) => matches(r.name));
  const calm = all.filter((r) => !starting.some((i) => r.t < i.end && r.t + r.duration > i.start));
  const calmSplit = split(calm, windows);
  const allSplit = split(all, windows);
  const usable = calmSplit.baseline.length > 0 && calmSplit.outage.length > 0;
  const sides = usable ? calmSplit : allSplit;
  const leftOut = allSplit.baseline.length + allSplit.outage.length - sides.baseline.length - sides.outage.length;
  return { sides, leftOut };
}

/** Requests a p95 needs to be a figure rather than its few slowest (5 above it). */
const P95_SAMPLES = 100;

/**
 * The p95 during the outage against its limit. Below P95_SAMPLES requests a p95 is decided by its
 * few slowest requests (on 3 requests it is their maximum), so it is not judged as if it were
 * precise: the median is judged against the limit instead, and the row says so and shows both.
 * A miss carries its timing, for the rig's doubt.
 */
function p95Detail(pattern: string, sides: Sides, p95Base: number, p95Limit: number, limits: Limits, leftOut: number, estimate?: CpuWaitEstimator): Detail {
  const sorted = sortedDurations(sides.outage);
  const p95Outage = percentile(sorted, 95);
  const median = percentile(sorted, 50);
  const few = sorted.length < P95_SAMPLES;
  const judged = few ? median : p95Outage;
  const missed = judged > p95Limit;
  const note =
    `baseline p95 ${ms(p95Base)}; limit max(${limits.p95Ratio} x baseline, baseline + ${limits.p95SlackMs} ms)` +
    (few ? `; ${sorted.length} requests during the outage, fewer than the ${P95_SAMPLES} a p95 needs: judged by their median (their p95 was ${ms(p95Outage)})` : '') +
    (leftOut ? `; ${leftOut} "${pattern}" requests in flight while a replica was starting left out` : '');
  const first = sides.outage[0];
  const last = sides.outage.at(-1);
  const tail = few ? {} : { medianOverMs: median - p95Limit };
  // without the CPU wait on both sides: the baseline's requests waited too, and its p95 sets the limit
  const withoutWait = (outage: RequestRecord[]) => {
    const base = percentile(sortedDurations(sides.baseline.map((r) => ({ ...r, duration: Math.max(0, r.duration - estimate!(r)) }))), 95);
    const outageSorted = sortedDurations(outage);
    return percentile(outageSorted, few ? 50 : 95) - Math.max(base * limits.p95Ratio, base + limits.p95SlackMs);
  };
  const cpuWait = missed && estimate ? { cpuWait: cpuWaitTiming(sides.outage, estimate, withoutWait) } : {};
  const timing = missed && first && last ? { timing: { start: first.t, end: last.t + last.duration, overMs: judged - p95Limit, ...tail, ...cpuWait } } : {};
  const figure = few ? `median ${ms(median)}` : ms(p95Outage);
  return { name: `${pattern} p95 during outage`, status: missed ? 'fail' : 'pass', figure, limit: `<= ${ms(p95Limit)}`, note, ...timing };
}

/** A protected request's success rate and p95 during the outage against the baseline's, within the budget. */
function judgeSides(pattern: string, sides: Sides, limits: Limits, leftOut: number, estimate: CpuWaitEstimator | undefined): Judged {
  const okBase = successRate(sides.baseline);
  const okOutage = successRate(sides.outage);
  const p95Base = percentile(sortedDurations(sides.baseline), 95);
  const p95Outage = percentile(sortedDurations(sides.outage), 95);
  const p95Limit = Math.max(p95Base * limits.p95Ratio, p95Base + limits.p95SlackMs);
  const okLimit = pct(Math.max(0, okBase - limits.successRateDrop));
  const details: Detail[] = [
    {
      name: `${pattern} success rate during outage`,
      status: okOutage >= okBase - limits.successRateDrop ? 'pass' : 'fail',
      figure: pct(okOutage),
      limit: `>= ${okLimit}`,
      note: `baseline ${pct(okBase)}; ${sides.outage.length} requests during the outage, ${sides.baseline.length} at baseline`,
    },
    p95Detail(pattern, sides, p95Base, p95Limit, limits, leftOut, estimate),
  ];
  return { figure: `${pct(okOutage)} ok, p95 ${ms(p95Outage)}`, limit: `>= ${okLimit}, <= ${ms(p95Limit)}`, details };
}

/**
 * Requests allowed to degrade: during the outage they may answer without the failing dependency,
 * but not fail, and not hang on it: their p95 may rise at most `degradedSlackMs` over the
 * baseline's (a page that waits out the dependency's deadline has not degraded, it has stalled).
 */
function judgePages(pattern: string, pages: Sides, limits: Limits, estimate: CpuWaitEstimator | undefined): Detail[] {
  const name = `${pattern} pages during outage`;
  if (!pages.outage.length) return [{ name, status: 'skip', figure: '-', limit: 'degraded, not failed', note: `no "${pattern}" requests during the outage` }];
  const failBase = pages.baseline.length ? 1 - successRate(pages.baseline) : 0;
  const failOutage = 1 - successRate(pages.outage);
  const degraded = pages.outage.filter((r) => isDegraded(r)).length;
  const failures: Detail = {
    name,
    status: failOutage <= failBase + limits.successRateDrop ? 'pass' : 'fail',
    figure: `${pct(failOutage)} failed, ${pct(degraded / pages.outage.length)} degraded`,
    limit: `failed <= ${pct(failBase + limits.successRateDrop)}`,
    note: degraded ? `${degraded} of ${pages.outage.length} answered degraded (meta.degraded)` : `none of ${pages.outage.length} reported degraded: did the fault reach this path?`,
  };
  if (!pages.baseline.length) return [failures];
  const base = percentile(sortedDurations(pages.baseline), 95);
  const speed = p95Detail(pattern, pages, base, base + limits.degradedSlackMs, { ...limits, p95Ratio: 1, p95SlackMs: limits.degradedSlackMs }, 0, estimate);
  return [failures, { ...speed, name: `${pattern} p95 during outage (degraded, not stalled)` }];
}

function split(requests: RequestRecord[], { baseline, outage }: Windows): Sides {
  // a request during a fault is never reference data, even when the reference phase spans the fault
  return { baseline: requests.filter((r) => inAny(r.t, baseline) && !inAny(r.t, outage)), outage: requests.filter((r) => inAny(r.t, outage)) };
}

function successRate(requests: readonly RequestRecord[]): number {
  return requests.filter((r) => !r.failed).length / requests.length;
}

function sortedDurations(requests: readonly RequestRecord[]): number[] {
  return requests.map((r) => r.duration).sort((a, b) => a - b);
}

function isDegraded(r: RequestRecord): boolean {
  const value = r.meta?.degraded;
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}
