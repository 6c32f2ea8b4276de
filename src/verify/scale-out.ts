import type { Budgets } from '../budgets/types.js';
import type { CheckResult, TimelineEvent } from '../run/records.js';
import type { RunDirectory } from '../run/run-dir.js';
import { fromDetails, skipped } from './check-result.js';
import { readRunData } from './run-data.js';

const ID = 'scale-out';
const TITLE = 'Scale-out';

type Replicas = Extract<TimelineEvent, { type: 'replicas' }>;
type Decision = Extract<TimelineEvent, { type: 'scale-decision' }>;

/**
 * Did the system scale out in time, and without flapping? Two separate questions, because on a
 * small machine "the controller decided right" can hold while "capacity grew" cannot: the first
 * decision to add replicas after the surge began (the controller), and the first added replica
 * that became ready (capacity), both within `checks.scale-out.reaction`; and no scale-down within
 * `flapWindow` of a scale-up of the same service.
 */
export function checkScaleOut(run: RunDirectory, budgets: Budgets): CheckResult {
  const limits = budgets.scaleOut;
  if (!limits.enabled) return skipped(ID, TITLE, `disabled in ${budgets.file}`);
  const { timeline, intervals, span } = readRunData(run);
  const decisions = timeline.filter((e): e is Decision => e.type === 'scale-decision');
  const changes = timeline.filter((e): e is Replicas => e.type === 'replicas');
  if (!decisions.length && !changes.length) return skipped(ID, TITLE, 'no autoscaler ran (no scale-decision or replicas events in the timeline)');
  const surge = intervals.get('surge')?.[0];
  const from = surge?.start ?? span.start;
  const fromWhat = surge ? 'surge start' : 'run start';
  const bound = `<= ${limits.reactionMs / 1000}s`;

  const firstUp = decisions.find((d) => d.t >= from && d.desired > d.current);
  const firstGrown = changes.find((c) => c.t >= from && c.to > c.from);
  const details: CheckResult['details'] = [
    firstUp
      ? reaction('controller decided to scale out', firstUp.t - from, limits.reactionMs, `${firstUp.service} ${firstUp.current} -> ${firstUp.desired} at ${round(firstUp.utilization)}% of ${firstUp.target}% CPU, after ${fromWhat}`)
      : { name: 'controller decided to scale out', status: 'fail', figure: 'never', limit: bound, note: `no decision to add replicas after ${fromWhat}` },
    firstGrown
      ? reaction('capacity grew', firstGrown.t - from, limits.reactionMs, `${firstGrown.service} ${firstGrown.from} -> ${firstGrown.to} replicas (${firstGrown.ready} ready)`)
      : { name: 'capacity grew', status: 'fail', figure: 'never', limit: bound, note: 'no replica was added' },
  ];

  const flaps: string[] = [];
  const lastUp = new Map<string, number>();
  for (const c of changes) {
    if (c.to > c.from) lastUp.set(c.service, c.t);
    else if (c.to < c.from && lastUp.has(c.service) && c.t - lastUp.get(c.service)! < limits.flapWindowMs) {
      flaps.push(`${c.service} down ${Math.round((c.t - lastUp.get(c.service)!) / 1000)}s after scaling up`);
    }
  }
  details.push({
    name: 'no flapping',
    status: flaps.length ? 'fail' : 'pass',
    figure: `${flaps.length} flaps`,
    limit: `0 within ${limits.flapWindowMs / 1000}s`,
    ...(flaps.length ? { note: flaps.slice(0, 3).join('; ') } : {}),
  });
  const peak = new Map<string, number>();
  for (const c of changes) peak.set(c.service, Math.max(peak.get(c.service) ?? 0, c.to));
  const figure = firstGrown ? `+${((firstGrown.t - from) / 1000).toFixed(1)}s, peak ${[...peak].map(([s, n]) => `${s} ${n}`).join(', ')}` : 'no scale-out';
  return fromDetails(ID, TITLE, figure, bound, details);
}

function reaction(name: string, elapsed: number, bound: number, note: string): CheckResult['details'][number] {
  return { name, status: elapsed <= bound ? 'pass' : 'fail', figure: `${(elapsed / 1000).toFixed(1)}s`, limit: `<= ${bound / 1000}s`, note };
}

function round(v: number | null): string {
  return v === null ? '?' : String(Math.round(v));
}
