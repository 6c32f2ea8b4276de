import type { MetricSample, RequestRecord, TimelineEvent } from '../run/records.js';
import type { RunDirectory } from '../run/run-dir.js';
import { capacityEvidence, type CapacityEvidence } from './capacity-evidence.js';

/**
 * Pure judgement of a run's autoscaling, with evidence, in two separate parts because a small
 * machine can show one and not the other:
 *   the controller decided right — scale-out started within a bound after utilisation rose above
 *     target, the expected peak was reached (hitting maxReplicas is flagged as a capacity risk),
 *     no flapping, every scale-down waited out the stabilization window;
 *   capacity grew — after the new replicas were ready the service really did more: its CPU and
 *     throughput rose, or latency recovered.
 */

export interface ScaleOutLimits {
  maxReactionMs: number;
  flapWindowMs: number;
  expectedPeak?: Partial<Record<string, number>>;
}

export interface ScaleOutInput {
  timeline: readonly TimelineEvent[];
  /** metrics.ndjson samples: `cpu` ones (required for capacity), `scrape` request counters if any */
  cpu: readonly MetricSample[];
  requests: readonly RequestRecord[];
  limits: ScaleOutLimits;
  syncPeriodMs: number;
  scaleDownStabilizationMs: number;
  /** HPA tolerance: utilisation counts as "above target" beyond target × (1 + tolerance) */
  tolerance?: number;
  /** can this machine make more replicas mean more CPU (per-replica CPU limits, spare cores)? */
  capacityShowable?: { supported: boolean; reason: string };
}

export type ItemStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface ScaleOutItem {
  id: 'reaction' | 'peak' | 'flapping' | 'stabilization' | 'capacity';
  service: string;
  status: ItemStatus;
  figure: string;
  limit: string;
  evidence: string[];
}

export interface ScaleOutVerdict {
  status: 'pass' | 'fail' | 'skip';
  controllerDecidedRight: { status: ItemStatus; evidence: string[] };
  capacityGrew: { status: ItemStatus; evidence: string[] };
  items: ScaleOutItem[];
  services: Array<{ service: string; firstAboveTargetAt?: number; firstScaleOutAt?: number; reactionMs?: number; peakReplicas: number; hitMax: boolean; capacity?: CapacityEvidence }>;
}

type Decision = Extract<TimelineEvent, { type: 'scale-decision' }>;

const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export function analyzeScaleOut(input: ScaleOutInput): ScaleOutVerdict {
  const tolerance = input.tolerance ?? 0.1;
  const decisions = input.timeline.filter((e): e is Decision => e.type === 'scale-decision');
  const services = [...new Set(decisions.map((d) => d.service))];
  const items: ScaleOutItem[] = [];
  const summaries: ScaleOutVerdict['services'] = [];
  const start = input.timeline[0]?.t ?? 0;
  const at = (t: number) => `+${secs(t - start)}`;

  for (const service of services) {
    const mine = decisions.filter((d) => d.service === service);
    const target = mine[0]!.target;
    const above = firstAboveTarget(service, mine, input.cpu, target, tolerance);
    const firstUp = mine.find((d) => d.desired > d.current && (above === undefined || d.t >= above.t));
    const replicaTo = input.timeline.filter((e): e is Extract<TimelineEvent, { type: 'replicas' }> => e.type === 'replicas' && e.service === service).map((e) => e.to);
    const peak = Math.max(...mine.map((d) => Math.max(d.current, d.desired)), ...replicaTo);
    const hitMax = mine.some((d) => d.limitedBy === 'max');
    const summary: ScaleOutVerdict['services'][number] = { service, peakReplicas: peak, hitMax };
    summaries.push(summary);

    // reaction
    if (!above) {
      items.push({ id: 'reaction', service, status: 'skip', figure: 'n/a', limit: `<= ${secs(input.limits.maxReactionMs)}`, evidence: [`utilisation never rose above ${target}% × ${1 + tolerance}`] });
    } else {
      summary.firstAboveTargetAt = above.t;
      const reaction = firstUp ? firstUp.t - above.t : undefined;
      const alreadyAtMax = !firstUp && mine.some((d) => d.t >= above.t && d.limitedBy === 'max');
      if (firstUp) Object.assign(summary, { firstScaleOutAt: firstUp.t, reactionMs: reaction });
      items.push({
        id: 'reaction',
        service,
        status: alreadyAtMax ? 'skip' : reaction !== undefined && reaction <= input.limits.maxReactionMs ? 'pass' : 'fail',
        figure: reaction !== undefined ? secs(reaction) : alreadyAtMax ? 'at max' : 'never',
        limit: `<= ${secs(input.limits.maxReactionMs)}`,
        evidence: [
          `utilisation ${Math.round(above.utilization)}% above target ${target}% at ${at(above.t)} (${above.source})`,
          firstUp
            ? `first scale-out ${firstUp.current} → ${firstUp.desired} at ${at(firstUp.t)} (${firstUp.limitedBy}: ${firstUp.reason}); ${(reaction! / input.syncPeriodMs).toFixed(1)} sync periods`
            : alreadyAtMax
              ? 'already at maxReplicas'
              : 'no decision to add replicas afterwards',
        ],
      });
    }

    // peak and max
    const expected = input.limits.expectedPeak?.[service];
    const peakOk = expected === undefined || peak >= expected;
    items.push({
      id: 'peak',
      service,
      status: !peakOk ? 'fail' : hitMax ? 'warn' : expected === undefined ? 'pass' : 'pass',
      figure: `${peak} replicas`,
      limit: expected !== undefined ? `>= ${expected}, below max` : 'below max',
      evidence: [
        ...(expected !== undefined ? [`expected peak ${expected}, reached ${peak}`] : []),
        ...(hitMax ? [`maxReplicas reached (limitedBy max ${mine.filter((d) => d.limitedBy === 'max').length}×): demand beyond it was not served — capacity risk`] : []),
      ],
    });

    // flapping: a rescale in the opposite direction within the window
    const rescales = mine.filter((d) => d.desired !== d.current);
    const flaps: string[] = [];
    for (let i = 1; i < rescales.length; i++) {
      const a = rescales[i - 1]!;
      const b = rescales[i]!;
      const dirA = Math.sign(a.desired - a.current);
      const dirB = Math.sign(b.desired - b.current);
      if (dirA !== dirB && b.t - a.t < input.limits.flapWindowMs) flaps.push(`${a.current}→${a.desired} at ${at(a.t)} then ${b.current}→${b.desired} at ${at(b.t)}`);
    }
    items.push({ id: 'flapping', service, status: flaps.length ? 'fail' : 'pass', figure: `${flaps.length} flaps`, limit: `0 within ${secs(input.limits.flapWindowMs)}`, evidence: flaps.slice(0, 5) });

    // stabilization: no recommendation above the new count within the window before a scale-down
    const violations: string[] = [];
    const downs = rescales.filter((d) => d.desired < d.current);
    for (const down of downs) {
      const within = mine.filter((d) => d.t < down.t && d.t > down.t - input.scaleDownStabilizationMs);
      const higher = within.map((d) => ({ d, rec: recommendation(d, tolerance) })).find((x) => x.rec !== undefined && x.rec > down.desired);
      if (higher) violations.push(`${down.current}→${down.desired} at ${at(down.t)} although ${higher.rec} was recommended at ${at(higher.d.t)}`);
    }
    items.push({
      id: 'stabilization',
      service,
      status: downs.length === 0 ? 'skip' : violations.length ? 'fail' : 'pass',
      figure: `${downs.length} scale-downs, ${violations.length} early`,
      limit: `window ${secs(input.scaleDownStabilizationMs)}`,
      evidence: violations.length ? violations : downs.slice(0, 3).map((d) => `${d.current}→${d.desired} at ${at(d.t)}`),
    });

    // capacity
    if (firstUp) {
      const capacity = capacityEvidence({ service, scaleOutAt: firstUp.t, ...(above ? { loadRoseAt: above.t } : {}), timeline: input.timeline, samples: input.cpu, requests: input.requests, syncPeriodMs: input.syncPeriodMs });
      summary.capacity = capacity;
      const unshowable = (input.capacityShowable && !input.capacityShowable.supported) || capacity.spareBefore === true;
      const status: ItemStatus = capacity.grew === undefined ? 'skip' : capacity.grew ? 'pass' : unshowable ? 'warn' : 'fail';
      items.push({ id: 'capacity', service, status, figure: capacity.figure, limit: 'throughput up, latency recovered, or headroom added', evidence: capacity.evidence });
    }
  }

  const part = (ids: ScaleOutItem['id'][]) => {
    const mine = items.filter((i) => ids.includes(i.id));
    const status: ItemStatus = mine.some((i) => i.status === 'fail') ? 'fail' : mine.some((i) => i.status === 'pass') ? (mine.some((i) => i.status === 'warn') ? 'warn' : 'pass') : mine.some((i) => i.status === 'warn') ? 'warn' : 'skip';
    return { status, evidence: mine.filter((i) => i.status !== 'skip').map((i) => `${i.service} ${i.id}: ${i.status} (${i.figure}) ${i.evidence[0] ?? ''}`.trim()) };
  };
  const controllerDecidedRight = part(['reaction', 'peak', 'flapping', 'stabilization']);
  const capacityGrew = part(['capacity']);
  if (input.capacityShowable && !input.capacityShowable.supported) capacityGrew.evidence.push(`this machine cannot show capacity growth: ${input.capacityShowable.reason}`);
  const status = services.length === 0 ? 'skip' : controllerDecidedRight.status === 'fail' || capacityGrew.status === 'fail' ? 'fail' : 'pass';
  return { status, controllerDecidedRight, capacityGrew, items, services: summaries };
}

/** The first time the service's average utilisation was beyond the tolerance above target. */
function firstAboveTarget(
  service: string,
  decisions: readonly Decision[],
  samples: readonly MetricSample[],
  target: number,
  tolerance: number,
): { t: number; utilization: number; source: string } | undefined {
  const threshold = target * (1 + tolerance);
  const byTime = new Map<number, { usage: number; request: number }>();
  for (const s of samples) {
    if (s.source !== 'cpu' || s.service !== service || !Number.isFinite(s.utilization)) continue;
    const entry = byTime.get(s.t) ?? { usage: 0, request: 0 };
    entry.usage += (s.utilization / 100) * s.requestMillicores;
    entry.request += s.requestMillicores;
    byTime.set(s.t, entry);
  }
  for (const t of [...byTime.keys()].sort((a, b) => a - b)) {
    const e = byTime.get(t)!;
    const utilization = e.request > 0 ? (e.usage / e.request) * 100 : 0;
    if (utilization > threshold) return { t, utilization, source: 'cpu samples' };
  }
  const d = decisions.find((x) => x.utilization !== null && x.utilization > threshold);
  return d ? { t: d.t, utilization: d.utilization!, source: 'scale decisions' } : undefined;
}

/** The count the metric recommended at a decision (before stabilization), from its utilisation. */
function recommendation(d: Decision, tolerance: number): number | undefined {
  if (d.utilization === null || d.target <= 0) return undefined;
  const ratio = d.utilization / d.target;
  if (Math.abs(ratio - 1) <= tolerance) return d.current;
  return Math.ceil(ratio * d.current);
}

/** analyzeScaleOut over a run directory's timeline, metrics and requests. */
export function analyzeRunScaleOut(run: RunDirectory, options: Omit<ScaleOutInput, 'timeline' | 'cpu' | 'requests'>): ScaleOutVerdict {
  return analyzeScaleOut({
    ...options,
    timeline: run.timeline(),
    cpu: run.readLines<MetricSample>('metrics'),
    requests: run.readLines<RequestRecord>('requests'),
  });
}
