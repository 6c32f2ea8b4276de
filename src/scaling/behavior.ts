import type { HpaBehavior, ScalingPolicy, ScalingRules } from './hpa-spec.js';

/**
 * autoscaling/v2 `behavior`: the stabilization window and the rate policies, as the Kubernetes
 * HPA controller applies them after the metrics' proposal (horizontal.go, read, not copied).
 * Pure: the controller's memory (recent recommendations and scale events) is a value passed in
 * and returned, and `now` is a number, so simulated time runs in microseconds.
 */

export interface BehaviorMemory {
  /** every proposal of the last max(up, down) stabilization window */
  recommendations: ReadonlyArray<{ t: number; replicas: number }>;
  /** replicas added (scale-up) or removed (scale-down) per rescale, within the longest policy period */
  scaleUpEvents: ReadonlyArray<{ t: number; change: number }>;
  scaleDownEvents: ReadonlyArray<{ t: number; change: number }>;
}

export const emptyMemory = (): BehaviorMemory => ({ recommendations: [], scaleUpEvents: [], scaleDownEvents: [] });

export interface Stabilized {
  replicas: number;
  /** true when a recent recommendation overrode the proposal */
  stabilized: boolean;
  /** the lowest recommendation of the scale-up window and the highest of the scale-down window, the proposal included */
  lowestUp: number;
  highestDown: number;
  memory: BehaviorMemory;
}

/**
 * As `recordInitialRecommendation`: on its first pass over an HPA the controller remembers the
 * current replica count as a recommendation, so a new HPA does not scale down within its window.
 */
export function recordInitialRecommendation(memory: BehaviorMemory, now: number, current: number): BehaviorMemory {
  return memory.recommendations.length > 0 ? memory : { ...memory, recommendations: [{ t: now, replicas: current }] };
}

/**
 * As `stabilizeRecommendationWithBehaviors`: both windows at once. The lowest recommendation of
 * the scale-up window is how far up the count may go, the highest of the scale-down window how
 * far down; the current count moves into that range and no further (so it stays put when it lies
 * inside). A window includes recommendations strictly newer than now − window.
 */
export function stabilize(behavior: HpaBehavior, memory: BehaviorMemory, now: number, current: number, proposal: number): Stabilized {
  const upCutoff = now - behavior.scaleUp.stabilizationWindowSeconds * 1000;
  const downCutoff = now - behavior.scaleDown.stabilizationWindowSeconds * 1000;
  let lowestUp = proposal;
  let highestDown = proposal;
  for (const rec of memory.recommendations) {
    if (rec.t > upCutoff) lowestUp = Math.min(lowestUp, rec.replicas);
    if (rec.t > downCutoff) highestDown = Math.max(highestDown, rec.replicas);
  }
  const replicas = Math.min(Math.max(current, lowestUp), highestDown);
  // a recommendation older than both windows is of no further use
  const kept = memory.recommendations.filter((r) => r.t >= Math.min(upCutoff, downCutoff));
  return {
    replicas,
    stabilized: replicas !== proposal,
    lowestUp,
    highestDown,
    memory: { ...memory, recommendations: [...kept, { t: now, replicas: proposal }] },
  };
}

export interface RateLimited {
  replicas: number;
  /** 'none' | 'policy:Pods' | 'policy:Percent' | 'disabled' | 'max' | 'min' */
  limitedBy: string;
  reason: string;
}

function changeWithin(events: BehaviorMemory['scaleUpEvents'], now: number, periodSeconds: number): number {
  let sum = 0;
  for (const e of events) if (e.t > now - periodSeconds * 1000) sum += e.change;
  return sum;
}

interface Limit {
  replicas: number;
  policy?: ScalingPolicy;
}

/** The highest count scale-up may reach now: each policy from the replicas at its period's start. */
export function scaleUpLimit(rules: ScalingRules, memory: BehaviorMemory, now: number, current: number): Limit {
  if (rules.selectPolicy === 'Disabled') return { replicas: current };
  let best: Limit | undefined;
  for (const policy of rules.policies) {
    const start = current - changeWithin(memory.scaleUpEvents, now, policy.periodSeconds) + changeWithin(memory.scaleDownEvents, now, policy.periodSeconds);
    // Percent rounds up, so that a small deployment can always grow by at least one
    const proposed = policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100));
    const better = rules.selectPolicy === 'Min' ? proposed < (best?.replicas ?? Infinity) : proposed > (best?.replicas ?? -Infinity);
    if (better) best = { replicas: proposed, policy };
  }
  return best ?? { replicas: current };
}

/** The lowest count scale-down may reach now. */
export function scaleDownLimit(rules: ScalingRules, memory: BehaviorMemory, now: number, current: number): Limit {
  if (rules.selectPolicy === 'Disabled') return { replicas: current };
  let best: Limit | undefined;
  for (const policy of rules.policies) {
    const start = current + changeWithin(memory.scaleDownEvents, now, policy.periodSeconds) - changeWithin(memory.scaleUpEvents, now, policy.periodSeconds);
    // Percent truncates the remaining count (removes the rounded-up share), as Kubernetes' int32 conversion
    const proposed = policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100));
    const better = rules.selectPolicy === 'Min' ? proposed > (best?.replicas ?? -Infinity) : proposed < (best?.replicas ?? Infinity);
    if (better) best = { replicas: proposed, policy };
  }
  return best ?? { replicas: current };
}

/** Applies the rate policies and min/max to a stabilized recommendation. */
export function limitRate(
  behavior: HpaBehavior,
  memory: BehaviorMemory,
  now: number,
  current: number,
  desired: number,
  bounds: { minReplicas: number; maxReplicas: number },
): RateLimited {
  if (desired > current) {
    const limit = scaleUpLimit(behavior.scaleUp, memory, now, current);
    const allowed = Math.max(limit.replicas, current);
    if (bounds.maxReplicas > allowed) {
      if (desired > allowed) {
        if (behavior.scaleUp.selectPolicy === 'Disabled') return { replicas: current, limitedBy: 'disabled', reason: 'scale-up is disabled (selectPolicy: Disabled)' };
        return { replicas: allowed, limitedBy: `policy:${limit.policy?.type ?? 'Pods'}`, reason: rateReason('up', limit, allowed) };
      }
    } else if (desired > bounds.maxReplicas) {
      return { replicas: bounds.maxReplicas, limitedBy: 'max', reason: `desired ${desired} is above maxReplicas ${bounds.maxReplicas}` };
    }
  } else if (desired < current) {
    const limit = scaleDownLimit(behavior.scaleDown, memory, now, current);
    const allowed = Math.min(limit.replicas, current);
    if (bounds.minReplicas < allowed) {
      if (desired < allowed) {
        if (behavior.scaleDown.selectPolicy === 'Disabled') return { replicas: current, limitedBy: 'disabled', reason: 'scale-down is disabled (selectPolicy: Disabled)' };
        return { replicas: allowed, limitedBy: `policy:${limit.policy?.type ?? 'Pods'}`, reason: rateReason('down', limit, allowed) };
      }
    } else if (desired < bounds.minReplicas) {
      return { replicas: bounds.minReplicas, limitedBy: 'min', reason: `desired ${desired} is below minReplicas ${bounds.minReplicas}` };
    }
  }
  return { replicas: desired, limitedBy: 'none', reason: 'within range' };
}

function rateReason(direction: 'up' | 'down', limit: Limit, allowed: number): string {
  const p = limit.policy;
  const what = p ? `${p.type} ${p.value}${p.type === 'Percent' ? '%' : ''} per ${p.periodSeconds}s` : 'policy';
  return `scale-${direction} rate limited by ${what} to ${allowed}`;
}

/** Remembers a rescale for the rate policies; events older than the longest policy period are dropped. */
export function recordRescale(behavior: HpaBehavior, memory: BehaviorMemory, now: number, from: number, to: number): BehaviorMemory {
  if (from === to) return memory;
  const longest = (r: ScalingRules) => Math.max(0, ...r.policies.map((p) => p.periodSeconds)) * 1000;
  const upKeep = longest(behavior.scaleUp);
  const downKeep = longest(behavior.scaleDown);
  const up = memory.scaleUpEvents.filter((e) => e.t > now - upKeep);
  const down = memory.scaleDownEvents.filter((e) => e.t > now - downKeep);
  return to > from
    ? { ...memory, scaleUpEvents: [...up, { t: now, change: to - from }], scaleDownEvents: down }
    : { ...memory, scaleUpEvents: up, scaleDownEvents: [...down, { t: now, change: from - to }] };
}

/**
 * The controller's path for an HPA without `behavior` (the API server leaves it nil): the highest
 * recommendation of the downscale window in either direction, then scale-up capped at
 * max(2 × current, 4) and min/max.
 */
export function legacyNormalize(
  memory: BehaviorMemory,
  now: number,
  current: number,
  proposal: number,
  bounds: { minReplicas: number; maxReplicas: number },
  windowSeconds: number,
): { stabilized: Stabilized; limited: RateLimited } {
  const windowMs = windowSeconds * 1000;
  let replicas = proposal;
  for (const rec of memory.recommendations) if (rec.t >= now - windowMs && rec.replicas > replicas) replicas = rec.replicas;
  const stabilized: Stabilized = {
    replicas,
    stabilized: replicas !== proposal,
    lowestUp: proposal,
    highestDown: replicas,
    memory: { ...memory, recommendations: [...memory.recommendations.filter((r) => r.t >= now - windowMs), { t: now, replicas: proposal }] },
  };
  const scaleUpLimit = Math.max(2 * current, 4);
  let limited: RateLimited;
  if (replicas < bounds.minReplicas) limited = { replicas: bounds.minReplicas, limitedBy: 'min', reason: `desired ${replicas} is below minReplicas ${bounds.minReplicas}` };
  else if (bounds.maxReplicas > scaleUpLimit && replicas > scaleUpLimit) {
    limited = { replicas: scaleUpLimit, limitedBy: 'scale-up-limit', reason: `scale-up limited to max(2 × ${current}, 4) = ${scaleUpLimit} (no behavior: the controller's fixed rate)` };
  } else if (replicas > bounds.maxReplicas) limited = { replicas: bounds.maxReplicas, limitedBy: 'max', reason: `desired ${replicas} is above maxReplicas ${bounds.maxReplicas}` };
  else limited = { replicas, limitedBy: 'none', reason: 'within range' };
  return { stabilized, limited };
}
