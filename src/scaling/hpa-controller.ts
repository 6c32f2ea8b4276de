import { emptyMemory, legacyNormalize, limitRate, recordInitialRecommendation, recordRescale, stabilize, type BehaviorMemory, type Stabilized } from './behavior.js';
import { CONTROLLER_DEFAULTS, type HpaSpec } from './hpa-spec.js';
import { proposeReplicas, type CalculatorContext, type MetricFailure, type MetricInput, type MetricProposal } from './replica-calculator.js';

/**
 * One sync of the Kubernetes HPA controller for one HPA, as a pure function:
 * bounds check → per-metric proposals (largest wins) → stabilization → rate policies and min/max.
 * The caller keeps the returned memory for the next sync and applies `desired` when `rescale`.
 */

export interface ScaleDecision {
  t: number;
  hpa: string;
  current: number;
  /** the metrics' proposal before stabilization and policies (largest over metrics) */
  proposal: number;
  /** after the stabilization window */
  stabilized: number;
  desired: number;
  rescale: boolean;
  /** the first metric's current value: utilization percent (e.g. 83), or average value */
  utilization: number | null;
  /** the first metric's target */
  target: number;
  /**
   * What set the final number: 'none' (the proposal itself), 'tolerance', 'unready-pods',
   * 'missing-metrics', 'stabilization', 'policy:Pods', 'policy:Percent', 'disabled', 'max', 'min',
   * 'invalid-metrics', 'no-metrics', 'scaled-to-zero'
   */
  limitedBy: string;
  reason: string;
  metrics: Array<MetricProposal | MetricFailure>;
}

export interface SyncInput {
  now: number;
  /** the target's spec.replicas */
  currentReplicas: number;
  /** the target's status.replicas (pods created), for Object/External AverageValue targets; default currentReplicas */
  statusReplicas?: number;
  /** one input per `spec.metrics` entry, by metric name */
  metrics: Readonly<Record<string, MetricInput>>;
}

export interface SyncResult {
  decision: ScaleDecision;
  memory: BehaviorMemory;
}

export function hpaSync(spec: HpaSpec, previous: BehaviorMemory = emptyMemory(), input: SyncInput): SyncResult {
  const { now, currentReplicas: current } = input;
  const memory = recordInitialRecommendation(previous, now, current);
  const first = spec.metrics[0];
  const target = first ? (first.type === 'Utilization' ? first.averageUtilization : first.type === 'AverageValue' ? first.averageValue : first.value) : 0;
  const decide = (fields: Omit<ScaleDecision, 't' | 'hpa' | 'current' | 'rescale' | 'target'>, mem: BehaviorMemory): SyncResult => {
    const rescale = fields.desired !== current;
    return {
      decision: { t: now, hpa: spec.name, current, target, rescale, ...fields },
      memory: rescale ? recordRescale(spec.behavior, mem, now, current, fields.desired) : mem,
    };
  };

  // As Kubernetes: a target scaled to zero by hand is left alone; out-of-bounds counts are
  // brought back into bounds before any metric is read.
  if (current === 0 && spec.minReplicas !== 0) {
    return decide({ proposal: 0, stabilized: 0, desired: 0, utilization: null, limitedBy: 'scaled-to-zero', reason: 'scaling is disabled since the replica count of the target is zero', metrics: [] }, memory);
  }
  if (current > spec.maxReplicas || current < spec.minReplicas) {
    const desired = current > spec.maxReplicas ? spec.maxReplicas : spec.minReplicas;
    const which = current > spec.maxReplicas ? 'max' : 'min';
    return decide({ proposal: desired, stabilized: desired, desired, utilization: null, limitedBy: which, reason: `current replicas ${current} outside [${spec.minReplicas}, ${spec.maxReplicas}]`, metrics: [] }, memory);
  }

  const context: CalculatorContext = {
    now,
    currentReplicas: current,
    ...(input.statusReplicas !== undefined ? { statusReplicas: input.statusReplicas } : {}),
    tolerances: { up: spec.behavior.scaleUp.tolerance ?? spec.tolerance, down: spec.behavior.scaleDown.tolerance ?? spec.tolerance },
    cpuInitializationPeriodMs: spec.cpuInitializationPeriodMs ?? CONTROLLER_DEFAULTS.cpuInitializationPeriodMs,
    initialReadinessDelayMs: spec.initialReadinessDelayMs ?? CONTROLLER_DEFAULTS.initialReadinessDelayMs,
  };
  const results = spec.metrics.map((m) => proposeReplicas(m, input.metrics[m.name] ?? { kind: 'unavailable', reason: 'no sample' }, context));
  const valid = results.filter((r): r is MetricProposal => r.ok);
  const firstResult = results[0];
  const utilization = firstResult?.ok ? firstResult.current : null;
  if (valid.length === 0) {
    const why = results.map((r) => `${r.metric}: ${(r as MetricFailure).reason}`).join('; ') || 'no metrics in spec';
    return decide({ proposal: current, stabilized: current, desired: current, utilization, limitedBy: 'no-metrics', reason: `cannot compute a replica count (${why})`, metrics: results }, memory);
  }
  let winner = valid[0]!;
  for (const p of valid) if (p.replicas > winner.replicas) winner = p;
  const proposal = winner.replicas;
  // As Kubernetes: with a metric that could not be computed, never scale down on the others.
  if (valid.length < results.length && proposal < current) {
    return decide({ proposal, stabilized: current, desired: current, utilization, limitedBy: 'invalid-metrics', reason: 'a metric is unavailable and the others suggest a scale-down: not scaling down', metrics: results }, memory);
  }

  const legacy = spec.nilBehavior === 'controller' ? legacyNormalize(memory, now, current, proposal, spec, CONTROLLER_DEFAULTS.downscaleStabilizationSeconds) : undefined;
  const stable = legacy?.stabilized ?? stabilize(spec.behavior, memory, now, current, proposal);
  const limited = legacy?.limited ?? limitRate(spec.behavior, stable.memory, now, current, stable.replicas, spec);
  let limitedBy: string = limited.limitedBy;
  let reason = limited.reason;
  if (limitedBy === 'none') {
    if (stable.stabilized) {
      limitedBy = 'stabilization';
      reason = legacy ? `held at ${stable.replicas}: the highest recommendation of the last 300 s (no behavior: the controller's path)` : stabilizedReason(spec, stable, current, proposal);
    } else if (winner.limitedBy !== 'none') {
      limitedBy = winner.limitedBy;
      reason = `${winner.metric}: ${winner.reason}`;
    } else {
      reason = proposal === current ? `${winner.metric}: ${winner.reason}, steady` : `${winner.metric} ${proposal > current ? 'above' : 'below'} target: ${winner.reason}`;
    }
  }
  return decide({ proposal, stabilized: stable.replicas, desired: limited.replicas, utilization, limitedBy, reason, metrics: results }, stable.memory);
}

/** Which window held the count, in the words of the controller's ScaleUpStabilized / ScaleDownStabilized. */
function stabilizedReason(spec: HpaSpec, stable: Stabilized, current: number, proposal: number): string {
  const seconds = (w: number) => `${Number(w.toFixed(2))} s`;
  if (proposal >= current) {
    return `scale-up stabilized: the lowest recommendation of the last ${seconds(spec.behavior.scaleUp.stabilizationWindowSeconds)} is ${stable.lowestUp}, so ${stable.replicas} (proposal ${proposal})`;
  }
  return `scale-down stabilized: the highest recommendation of the last ${seconds(spec.behavior.scaleDown.stabilizationWindowSeconds)} is ${stable.highestDown}, so ${stable.replicas} (proposal ${proposal})`;
}
