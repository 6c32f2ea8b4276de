/**
 * The parts of an autoscaling/v2 HorizontalPodAutoscaler the replica calculator needs, as plain
 * data (already validated: see hpa-manifest.ts for the YAML edge). Field names follow the API so
 * that a reader can hold the manifest next to the code.
 */

export type ScalingPolicyType = 'Pods' | 'Percent';
export type SelectPolicy = 'Max' | 'Min' | 'Disabled';

export interface ScalingPolicy {
  type: ScalingPolicyType;
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: SelectPolicy;
  policies: ScalingPolicy[];
  /** HPAConfigurableTolerance (Kubernetes 1.33+): overrides the controller's 0.1 for this direction */
  tolerance?: number;
}

export interface HpaBehavior {
  scaleUp: ScalingRules;
  scaleDown: ScalingRules;
}

/** `spec.metrics[].type`: where the metric comes from. */
export type MetricSource = 'Resource' | 'ContainerResource' | 'Pods' | 'Object' | 'External';

/**
 * One metric of `spec.metrics`. Resource, ContainerResource and Pods metrics are measured per pod
 * and go through the per-pod path with Kubernetes' unready and missing-pod rules; Object and
 * External metrics give one value for the whole target (External: the sum of its series).
 * `source` defaults by target type: Utilization → Resource, AverageValue → Pods, Value → External.
 */
export type MetricTarget = { name: string; source?: MetricSource } & (
  | { type: 'Utilization'; averageUtilization: number }
  | { type: 'AverageValue'; averageValue: number }
  | { type: 'Value'; value: number }
);

export function metricSource(target: MetricTarget): MetricSource {
  return target.source ?? (target.type === 'Utilization' ? 'Resource' : target.type === 'AverageValue' ? 'Pods' : 'External');
}

/** Measured pod by pod (the replica calculator's per-pod path), as opposed to one value for the target. */
export function isPerPodMetric(target: MetricTarget): boolean {
  const source = metricSource(target);
  return source === 'Resource' || source === 'ContainerResource' || source === 'Pods';
}

export interface HpaSpec {
  name: string;
  minReplicas: number;
  maxReplicas: number;
  metrics: MetricTarget[];
  behavior: HpaBehavior;
  /** kube-controller-manager --horizontal-pod-autoscaler-tolerance */
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period (default 5 min), ms */
  cpuInitializationPeriodMs?: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (default 30 s), ms */
  initialReadinessDelayMs?: number;
  /**
   * Only for an HPA whose manifest has no `behavior`: 'documented' applies the defaults the
   * Kubernetes documentation states (the `behavior` above); 'controller' follows the controller's
   * own code path for a nil behavior (scale-up capped at max(2 × current, 4) per sync, the highest
   * recommendation of the last 300 s in both directions). They differ below 4 replicas.
   */
  nilBehavior?: 'documented' | 'controller';
}

/**
 * kube-controller-manager defaults: tolerance 0.1, sync period 15 s, downscale stabilization 5 min,
 * CPU initialization period 5 min, initial readiness delay 30 s.
 */
export const CONTROLLER_DEFAULTS = {
  tolerance: 0.1,
  syncPeriodMs: 15_000,
  downscaleStabilizationSeconds: 300,
  cpuInitializationPeriodMs: 300_000,
  initialReadinessDelayMs: 30_000,
} as const;

/** As the Kubernetes documentation states the default behavior (autoscaling/v2 `behavior` absent). */
export function defaultScaleUp(): ScalingRules {
  return {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

export function defaultScaleDown(): ScalingRules {
  return {
    stabilizationWindowSeconds: CONTROLLER_DEFAULTS.downscaleStabilizationSeconds,
    selectPolicy: 'Max',
    policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  };
}

export function defaultBehavior(): HpaBehavior {
  return { scaleUp: defaultScaleUp(), scaleDown: defaultScaleDown() };
}

/**
 * Fills what a partial `behavior` leaves out, as the API server's defaulting does: a direction
 * without rules gets the default rules; a missing field gets the default field.
 */
export function completeBehavior(partial?: { scaleUp?: Partial<ScalingRules>; scaleDown?: Partial<ScalingRules> }): HpaBehavior {
  const fill = (given: Partial<ScalingRules> | undefined, base: ScalingRules): ScalingRules => ({
    stabilizationWindowSeconds: given?.stabilizationWindowSeconds ?? base.stabilizationWindowSeconds,
    selectPolicy: given?.selectPolicy ?? base.selectPolicy,
    policies: given?.policies && given.policies.length > 0 ? given.policies : base.policies,
    ...(given?.tolerance !== undefined ? { tolerance: given.tolerance } : {}),
  });
  return { scaleUp: fill(partial?.scaleUp, defaultScaleUp()), scaleDown: fill(partial?.scaleDown, defaultScaleDown()) };
}

/**
 * Compressed drills run the controller faster than real time: every period and window is
 * multiplied by `timeScale` (a 1 s sync instead of 15 s is timeScale 1/15), so the shape of the
 * decisions is kept.
 */
export function scaleBehaviorTime(behavior: HpaBehavior, timeScale: number): HpaBehavior {
  if (timeScale === 1) return behavior;
  const scale = (r: ScalingRules): ScalingRules => ({
    ...r,
    stabilizationWindowSeconds: r.stabilizationWindowSeconds * timeScale,
    policies: r.policies.map((p) => ({ ...p, periodSeconds: p.periodSeconds * timeScale })),
  });
  return { scaleUp: scale(behavior.scaleUp), scaleDown: scale(behavior.scaleDown) };
}
