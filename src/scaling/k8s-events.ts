import type { TimelineEvent } from '../run/records.js';

/**
 * Pure: how a Kubernetes HPA's status and a Deployment's status, as the API returns them, become
 * the same timeline events the local autoscaler writes. The watcher (k8s-watcher.ts) feeds it
 * objects; it remembers the last state per object and emits only real changes.
 */

export interface HpaObject {
  metadata?: { name?: string; namespace?: string };
  spec?: {
    scaleTargetRef?: { name?: string };
    minReplicas?: number;
    maxReplicas?: number;
    metrics?: Array<{ type?: string; resource?: { name?: string; target?: { averageUtilization?: number } } }>;
  };
  status?: {
    currentReplicas?: number;
    desiredReplicas?: number;
    lastScaleTime?: string | Date;
    currentMetrics?: Array<{ type?: string; resource?: { name?: string; current?: { averageUtilization?: number } } }> | null;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }> | null;
  };
}

export interface DeploymentObject {
  metadata?: { name?: string };
  spec?: { replicas?: number };
  status?: { replicas?: number; readyReplicas?: number; updatedReplicas?: number };
}

type ScaleDecisionEvent = Extract<TimelineEvent, { type: 'scale-decision' }>;
type ReplicasEvent = Extract<TimelineEvent, { type: 'replicas' }>;

/** Kubernetes' condition reasons, in the local autoscaler's limitedBy vocabulary. */
const LIMIT_REASONS: Record<string, string> = {
  TooManyReplicas: 'max',
  TooFewReplicas: 'min',
  ScaleUpLimit: 'policy',
  ScaleDownLimit: 'policy',
  ScaleUpStabilized: 'stabilization',
  ScaleDownStabilized: 'stabilization',
};

export function hpaLimitedBy(hpa: HpaObject): string {
  const conditions = hpa.status?.conditions ?? [];
  const limited = conditions.find((c) => c.type === 'ScalingLimited' && c.status === 'True');
  if (limited?.reason && LIMIT_REASONS[limited.reason]) return LIMIT_REASONS[limited.reason]!;
  const able = conditions.find((c) => c.type === 'AbleToScale');
  if (able?.reason && LIMIT_REASONS[able.reason]) return LIMIT_REASONS[able.reason]!;
  const active = conditions.find((c) => c.type === 'ScalingActive' && c.status === 'False');
  if (active) return active.reason === 'ScalingDisabled' ? 'scaled-to-zero' : 'no-metrics';
  return 'none';
}

function cpuUtilization(hpa: HpaObject): { current: number | null; target: number } {
  const metric = hpa.spec?.metrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
  const current = hpa.status?.currentMetrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
  return { current: current?.resource?.current?.averageUtilization ?? null, target: metric?.resource?.target?.averageUtilization ?? 0 };
}

export class K8sTimelineTranslator {
  private readonly hpas = new Map<string, string>();
  private readonly deployments = new Map<string, { replicas: number; ready: number }>();

  /** A scale-decision event when the HPA's decision (desired, current, limit, utilisation) changed. */
  hpa(object: HpaObject, t: number, phase: 'ADDED' | 'MODIFIED' | 'DELETED' | string): ScaleDecisionEvent | undefined {
    const name = object.metadata?.name;
    if (!name) return undefined;
    if (phase === 'DELETED') {
      this.hpas.delete(name);
      return undefined;
    }
    const status = object.status ?? {};
    const { current: utilization, target } = cpuUtilization(object);
    const limitedBy = hpaLimitedBy(object);
    // lists come back deserialized (lastScaleTime a Date), watch events as JSON (a string)
    const lastScale = status.lastScaleTime ? new Date(status.lastScaleTime).toISOString() : '';
    const key = JSON.stringify([status.currentReplicas, status.desiredReplicas, utilization, limitedBy, lastScale]);
    if (this.hpas.get(name) === key) return undefined;
    this.hpas.set(name, key);
    if (status.desiredReplicas === undefined) return undefined;
    const messages = (status.conditions ?? []).filter((c) => c.message).map((c) => `${c.type}: ${c.reason} (${c.message})`);
    return {
      t,
      type: 'scale-decision',
      service: object.spec?.scaleTargetRef?.name ?? name,
      current: status.currentReplicas ?? 0,
      desired: status.desiredReplicas,
      utilization,
      target,
      limitedBy,
      reason: messages.join('; ') || 'HPA status changed',
    };
  }

  /** A replicas event when a Deployment's running or ready count changed. */
  deployment(object: DeploymentObject, t: number, phase: string): ReplicasEvent | undefined {
    const name = object.metadata?.name;
    if (!name) return undefined;
    if (phase === 'DELETED') {
      this.deployments.delete(name);
      return undefined;
    }
    const replicas = object.status?.replicas ?? 0;
    const ready = object.status?.readyReplicas ?? 0;
    const before = this.deployments.get(name);
    this.deployments.set(name, { replicas, ready });
    if (before && before.replicas === replicas && before.ready === ready) return undefined;
    return { t, type: 'replicas', service: name, from: before?.replicas ?? replicas, to: replicas, ready };
  }
}
