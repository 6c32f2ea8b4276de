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
  id: 'metrics' | 'reaction' | 'peak' | 'flapping' | 'stabilization' | 'capacity';
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
  const start = input.timeline[0]?.t ?? 0;
  const at = (t: number) => `+${secs(t - start)}`;
  const analysed = services.map((service) => analyzeService({ input, service, mine: decisions.filter((d) => d.service === service), tolerance, at }));
  const items = analysed.flatMap((a) => a.items);
  const controllerDecidedRight = verdictPart(items, ['metrics', 'reaction', 'peak', 'flapping', 'stabilization']);
  const capacityGrew = verdictPart(items, ['capacity']);
  if (input.capacityShowable && !input.capacityShowable.supported) capacityGrew.evidence.push(`this machine cannot show capacity growth: ${input.capacityShowable.reason}`);
  const status = services.length === 0 ? 'skip' : controllerDecidedRight.status === 'fail' || capacityGrew.status === 'fail' ? 'fail' : 'pass';
  return { status, controllerDecidedRight, capacityGrew, items, services: analysed.map((a) => a.summary) };
}

/** One service's decisions, and how the items about it describe an instant. */
interface ServiceRun {
  input: ScaleOutInput;
  service: string;
  mine: readonly Decision[];
  tolerance: number;
  /** "+12.5s" from the run's start */
  at: (t: number) => string;
}

type ServiceSummary = ScaleOutVerdict['services'][number];

function analyzeService(run: ServiceRun): { items: ScaleOutItem[]; summary: ServiceSummary } {
  const { input, service, mine } = run;
  const above = firstAboveTarget(service, mine, input.cpu, mine[0]!.target, run.tolerance, input.syncPeriodMs);
  const firstUp = mine.find((d) => d.desired > d.current && (above === undefined || d.t >= above.t));
  const replicaTo = input.timeline.filter((e): e is Extract<TimelineEvent, { type: 'replicas' }> => e.type === 'replicas' && e.service === service).map((e) => e.to);
  const peak = Math.max(...mine.map((d) => Math.max(d.current, d.desired)), ...replicaTo);
  const summary: ServiceSummary = { service, peakReplicas: peak, hitMax: mine.some((d) => d.limitedBy === 'max') };
  const rescales = mine.filter((d) => d.desired !== d.current);
  const items = [metricsItem(run), reactionItem(run, above, firstUp, summary), peakItem(run, summary), flappingItem(run, rescales), stabilizationItem(run, rescales)];
  if (firstUp) items.push(capacityItem(run, above, firstUp, summary));
  return { items, summary };
}

type AboveTarget = ReturnType<typeof firstAboveTarget>;

/** The first syncs of a run may find no metrics yet (replicas still warming up), as on a cluster. */
const WARM_UP_SYNCS = 2;

/**
 * Could the controller see its metric at all? An HPA that cannot compute utilisation (no CPU
 * request on the pods, no metrics for them: Kubernetes' ScalingActive=False) holds the replica
 * count whatever the load, so the workload can never scale out. More than half its syncs after
 * the warm-up without metrics fails, naming the controller's own reason.
 */
function metricsItem(run: ServiceRun): ScaleOutItem {
  const judged = run.mine.slice(WARM_UP_SYNCS);
  const blind = judged.filter((d) => d.limitedBy === 'no-metrics' || d.limitedBy === 'invalid-metrics');
  const status = judged.length > 0 && blind.length * 2 > judged.length ? 'fail' : 'pass';
  const reasons = [...new Set(blind.map((d) => d.reason))].slice(0, 2);
  return {
    id: 'metrics',
    service: run.service,
    status,
    figure: `${blind.length}/${judged.length} syncs without metrics`,
    limit: 'at most half',
    evidence: status === 'fail' ? [`the autoscaler could not compute a replica count from its metric, so it can never scale out: ${reasons.join('; ')}`] : [],
  };
}

function reactionItem(run: ServiceRun, above: AboveTarget, firstUp: Decision | undefined, summary: ServiceSummary): ScaleOutItem {
  const { input, service, mine, at } = run;
  const target = mine[0]!.target;
  const limit = `<= ${secs(input.limits.maxReactionMs)}`;
  if (!above) return { id: 'reaction', service, status: 'skip', figure: 'n/a', limit, evidence: [`utilisation never rose above ${target}% × ${1 + run.tolerance}`] };
  summary.firstAboveTargetAt = above.t;
  const reaction = firstUp ? firstUp.t - above.t : undefined;
  const alreadyAtMax = !firstUp && mine.some((d) => d.t >= above.t && d.limitedBy === 'max');
  if (firstUp) Object.assign(summary, { firstScaleOutAt: firstUp.t, reactionMs: reaction });
  return {
    id: 'reaction',
    service,
    status: alreadyAtMax ? 'skip' : reaction !== undefined && reaction <= input.limits.maxReactionMs ? 'pass' : 'fail',
    figure: reaction !== undefined ? secs(reaction) : alreadyAtMax ? 'at max' : 'never',
    limit,
    evidence: [
      `utilisation ${Math.round(above.utilization)}% above target ${target}% at ${at(above.t)} (${above.source})`,
      firstUp
        ? `first scale-out ${firstUp.current} → ${firstUp.desired} at ${at(firstUp.t)} (${firstUp.limitedBy}: ${firstUp.reason}); ${(reaction! / input.syncPeriodMs).toFixed(1)} sync periods`
        : alreadyAtMax
          ? 'already at maxReplicas'
          : 'no decision to add replicas afterwards',
    ],
  };
}

/** The peak reached, against the expected one; hitting maxReplicas is a capacity risk. */
function peakItem(run: ServiceRun, summary: ServiceSummary): ScaleOutItem {
  const { peakReplicas: peak, hitMax } = summary;
  const expected = run.input.limits.expectedPeak?.[run.service];
  const peakOk = expected === undefined || peak >= expected;
  return {
    id: 'peak',
    service: run.service,
    status: !peakOk ? 'fail' : hitMax ? 'warn' : 'pass',
    figure: `${peak} replicas`,
    limit: expected !== undefined ? `>= ${expected}, below max` : 'below max',
    evidence: [
      ...(expected !== undefined ? [`expected peak ${expected}, reached ${peak}`] : []),
      ...(hitMax ? [`maxReplicas reached (limitedBy max ${run.mine.filter((d) => d.limitedBy === 'max').length}×): demand beyond it was not served — capacity risk`] : []),
    ],
  };
}

/**
 * A scale-down within the flap window after a scale-up: the controller gave back what it had just
 * added (what Kubernetes' scale-down stabilization exists to prevent). A scale-up soon after a
 * scale-down is not a flap: it answers new load, as it should.
 */
function flappingItem(run: ServiceRun, rescales: readonly Decision[]): ScaleOutItem {
  const { flapWindowMs } = run.input.limits;
  const flaps: string[] = [];
  for (let i = 1; i < rescales.length; i++) {
    const a = rescales[i - 1]!;
    const b = rescales[i]!;
    const gaveBack = a.desired > a.current && b.desired < b.current;
    if (gaveBack && b.t - a.t < flapWindowMs) flaps.push(`${a.current}→${a.desired} at ${run.at(a.t)} then ${b.current}→${b.desired} at ${run.at(b.t)}`);
  }
  return { id: 'flapping', service: run.service, status: flaps.length ? 'fail' : 'pass', figure: `${flaps.length} flaps`, limit: `0 within ${secs(flapWindowMs)}`, evidence: flaps.slice(0, 5) };
}

/** No recommendation above the new count within the window before a scale-down. */
function stabilizationItem(run: ServiceRun, rescales: readonly Decision[]): ScaleOutItem {
  const windowMs = run.input.scaleDownStabilizationMs;
  const violations: string[] = [];
  const downs = rescales.filter((d) => d.desired < d.current);
  for (const down of downs) {
    const within = run.mine.filter((d) => d.t < down.t && d.t > down.t - windowMs);
    const higher = within.map((d) => ({ d, rec: recommendation(d, run.tolerance) })).find((x) => x.rec !== undefined && x.rec > down.desired);
    if (higher) violations.push(`${down.current}→${down.desired} at ${run.at(down.t)} although ${higher.rec} was recommended at ${run.at(higher.d.t)}`);
  }
  return {
    id: 'stabilization',
    service: run.service,
    status: downs.length === 0 ? 'skip' : violations.length ? 'fail' : 'pass',
    figure: `${downs.length} scale-downs, ${violations.length} early`,
    limit: `window ${secs(windowMs)}`,
    evidence: violations.length ? violations : downs.slice(0, 3).map((d) => `${d.current}→${d.desired} at ${run.at(d.t)}`),
  };
}

function capacityItem(run: ServiceRun, above: AboveTarget, firstUp: Decision, summary: ServiceSummary): ScaleOutItem {
  const { input, service } = run;
  const capacity = capacityEvidence({ service, scaleOutAt: firstUp.t, ...(above ? { loadRoseAt: above.t } : {}), timeline: input.timeline, samples: input.cpu, requests: input.requests, syncPeriodMs: input.syncPeriodMs });
  summary.capacity = capacity;
  const unshowable = (input.capacityShowable && !input.capacityShowable.supported) || capacity.spareBefore === true;
  const status: ItemStatus = capacity.grew === undefined ? 'skip' : capacity.grew ? 'pass' : unshowable ? 'warn' : 'fail';
  return { id: 'capacity', service, status, figure: capacity.figure, limit: 'throughput up, latency recovered, or headroom added', evidence: capacity.evidence };
}

/** A part of the verdict over some items: any fail fails; a pass with a warn warns. */
function verdictPart(items: readonly ScaleOutItem[], ids: ReadonlyArray<ScaleOutItem['id']>): { status: ItemStatus; evidence: string[] } {
  const mine = items.filter((i) => ids.includes(i.id));
  const has = (status: ItemStatus) => mine.some((i) => i.status === status);
  const status: ItemStatus = has('fail') ? 'fail' : has('pass') ? (has('warn') ? 'warn' : 'pass') : has('warn') ? 'warn' : 'skip';
  return { status, evidence: mine.filter((i) => i.status !== 'skip').map((i) => `${i.service} ${i.id}: ${i.status} (${i.figure}) ${i.evidence[0] ?? ''}`.trim()) };
}

/**
 * The first time the service's average utilisation was beyond the tolerance above target and
 * stayed there for a sync period: the controller reads a metric averaged over its window at each
 * sync, so one scrape over the line (67 % for a sync that read 66 %, inside a 60 % target's 10 %
 * tolerance) is not load it was bound to answer.
 */
function firstAboveTarget(
  service: string,
  decisions: readonly Decision[],
  samples: readonly MetricSample[],
  target: number,
  tolerance: number,
  syncPeriodMs: number,
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
  const series = [...byTime.keys()].sort((a, b) => a - b).map((t) => {
    const e = byTime.get(t)!;
    return { t, utilization: e.request > 0 ? (e.usage / e.request) * 100 : 0 };
  });
  for (let i = 0; i < series.length; i++) {
    const first = series[i]!;
    if (first.utilization <= threshold) continue;
    // held above the line until a sample a sync period later (or the last one, at the run's end)
    let j = i + 1;
    while (j < series.length && series[j]!.utilization > threshold && series[j]!.t - first.t < syncPeriodMs) j++;
    const held = j >= series.length || (series[j]!.utilization > threshold && series[j]!.t - first.t >= syncPeriodMs);
    if (held) return { t: first.t, utilization: first.utilization, source: 'cpu samples' };
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
