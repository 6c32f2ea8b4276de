import { percentile } from '../budgets/evaluate.js';
import { faultWindows, inAny, OUTAGE, replicaStarts, union, type Interval } from '../run/timeline.js';
import type { Budgets } from '../budgets/types.js';
import type { CheckResult, RequestRecord } from '../run/records.js';
import { fromDetails, ms, operatorWithout, pct, skipped } from './check-result.js';
import { nameMatcher, type RunData } from '../run/run-data.js';

const ID = 'isolation';
const TITLE = 'Checkout isolation';

type Limits = Budgets['isolation'];
type Detail = CheckResult['details'][number];
/** Requests of the reference phase (outside any fault) and of the outage. */
interface Sides {
  baseline: RequestRecord[];
  outage: RequestRecord[];
}

/**
 * Checkout must not notice the outage: its success rate and p95 while a fault was on, against the
 * baseline phase, within the budget; product pages may lose recommendations (`meta.degraded`) but
 * must not fail more than they did at baseline.
 */
export function checkIsolation(data: RunData, budgets: Budgets): CheckResult {
  const limits = budgets.isolation;
  if (!limits.enabled) return skipped(ID, TITLE, `disabled in ${budgets.file}`);
  if (!data.requestsRecorded) return skipped(ID, TITLE, operatorWithout(data, 'request records') ?? 'the run recorded no requests');
  const outage = outageOf(data, limits.failing);
  if (!outage?.length) return noOutage(data, limits.failing);
  const baseline = data.intervals.get(limits.baselinePhase);
  if (!baseline?.length) return skipped(ID, TITLE, `the timeline has no "${limits.baselinePhase}" phase to compare with (checks.isolation.baselinePhase)`);

  const { checkout, leftOut } = checkoutSides(data, limits, baseline, outage);
  if (!checkout.baseline.length || !checkout.outage.length) {
    const which = checkout.baseline.length ? 'during the outage' : `during ${limits.baselinePhase}`;
    return skipped(ID, TITLE, `no "${limits.checkout}" requests ${which} (checks.isolation.checkout names the checkout requests' k6 name tag)`);
  }
  const judged = judgeCheckout(checkout, limits, leftOut);
  const pages = limits.degraded.map((pattern) => judgePages(pattern, split(data.requests.filter((r) => nameMatcher(pattern)(r.name)), baseline, outage), limits));
  return fromDetails(ID, TITLE, judged.figure, judged.limit, [...judged.details, ...pages]);
}

/** While the failing dependency was faulted (checks.isolation.failing), else while any fault was on. */
function outageOf(data: RunData, failing: string | undefined): Interval[] | undefined {
  if (!failing) return data.intervals.get(OUTAGE);
  return union(faultWindows(data.timeline, data.span.end).filter((w) => w.proxy === failing));
}

/** No fault window: an experiment that was attempted but never injected its fault proved nothing, and fails. */
function noOutage(data: RunData, failing: string | undefined): CheckResult {
  const refused = data.timeline.find((e) => e.type === 'probe' && e.stage === 'before' && !e.ok);
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
 * The checkouts on each side. Those in flight while a replica was starting are left out of both
 * sides: on the local stack a replica's start-up takes CPU from every process, and the outage
 * window is short, so one scale-out inside it would otherwise be charged to the fault (unless that
 * leaves a side empty: then every checkout counts).
 */
function checkoutSides(data: RunData, limits: Limits, baseline: readonly Interval[], outage: readonly Interval[]): { checkout: Sides; leftOut: number } {
  const isCheckout = nameMatcher(limits.checkout);
  const starting = replicaStarts(data.timeline, data.span.end);
  const allCheckouts = data.requests.filter((r) => isCheckout(r.name));
  const calmCheckouts = allCheckouts.filter((r) => !starting.some((i) => r.t < i.end && r.t + r.duration > i.start));
  const calmSplit = split(calmCheckouts, baseline, outage);
  const allSplit = split(allCheckouts, baseline, outage);
  const usable = calmSplit.baseline.length > 0 && calmSplit.outage.length > 0;
  const checkout = usable ? calmSplit : allSplit;
  const leftOut = allSplit.baseline.length + allSplit.outage.length - checkout.baseline.length - checkout.outage.length;
  return { checkout, leftOut };
}

/** Checkout's success rate and p95 during the outage against the baseline's, within the budget. */
function judgeCheckout(checkout: Sides, limits: Limits, leftOut: number): { figure: string; limit: string; details: Detail[] } {
  const okBase = successRate(checkout.baseline);
  const okOutage = successRate(checkout.outage);
  const p95Base = percentile(sortedDurations(checkout.baseline), 95);
  const p95Outage = percentile(sortedDurations(checkout.outage), 95);
  const p95Limit = Math.max(p95Base * limits.p95Ratio, p95Base + limits.p95SlackMs);
  const okLimit = pct(Math.max(0, okBase - limits.successRateDrop));
  const details: Detail[] = [
    {
      name: 'checkout success rate during outage',
      status: okOutage >= okBase - limits.successRateDrop ? 'pass' : 'fail',
      figure: pct(okOutage),
      limit: `>= ${okLimit}`,
      note: `baseline ${pct(okBase)}; ${checkout.outage.length} requests during the outage, ${checkout.baseline.length} at baseline`,
    },
    {
      name: 'checkout p95 during outage',
      status: p95Outage <= p95Limit ? 'pass' : 'fail',
      figure: ms(p95Outage),
      limit: `<= ${ms(p95Limit)}`,
      note:
        `baseline p95 ${ms(p95Base)}; limit max(${limits.p95Ratio} x baseline, baseline + ${limits.p95SlackMs} ms)` +
        (leftOut ? `; ${leftOut} checkouts in flight while a replica was starting left out` : ''),
    },
  ];
  return { figure: `${pct(okOutage)} ok, p95 ${ms(p95Outage)}`, limit: `>= ${okLimit}, <= ${ms(p95Limit)}`, details };
}

/** Pages allowed to degrade: they may answer without the failing dependency, not fail more than at baseline. */
function judgePages(pattern: string, pages: Sides, limits: Limits): Detail {
  const name = `${pattern} pages during outage`;
  if (!pages.outage.length) return { name, status: 'skip', figure: '-', limit: 'degraded, not failed', note: `no "${pattern}" requests during the outage` };
  const failBase = pages.baseline.length ? 1 - successRate(pages.baseline) : 0;
  const failOutage = 1 - successRate(pages.outage);
  const degraded = pages.outage.filter((r) => isDegraded(r)).length;
  return {
    name,
    status: failOutage <= failBase + limits.successRateDrop ? 'pass' : 'fail',
    figure: `${pct(failOutage)} failed, ${pct(degraded / pages.outage.length)} degraded`,
    limit: `failed <= ${pct(failBase + limits.successRateDrop)}`,
    note: degraded ? `${degraded} of ${pages.outage.length} answered without recommendations` : `none of ${pages.outage.length} reported degraded: did the fault reach this path?`,
  };
}

function split(requests: RequestRecord[], baseline: readonly Interval[], outage: readonly Interval[]): Sides {
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
