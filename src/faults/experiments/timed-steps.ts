import type { Clock } from '../../util/clock.js';
import type { ChaosStep } from './schedule.js';
import type { ChaosAction } from './schema.js';

/**
 * The experiment's timed parts on an injected clock: the method's steps (schedule.ts) and the
 * `during` probes' cadence. FaultSession is what they act on in a run; a test passes a fake one
 * and a virtual clock.
 */

/** Puts a fault in; returns how to undo it. */
export interface FaultSwitch {
  apply(action: ChaosAction): Promise<() => Promise<void>>;
}

/** How many faults are on, and a stamp that is undefined mid-change and new after every change. */
export interface FaultState {
  readonly activeCount: number;
  stamp(): number | undefined;
}

/** Walks `steps` from now: each at its offset, a revert no sooner than its hold after the fault was in place. Stops on abort. */
export async function runSteps(steps: readonly ChaosStep[], actions: readonly ChaosAction[], faults: FaultSwitch, clock: Clock, signal?: AbortSignal): Promise<void> {
  const reverts = new Map<number, () => Promise<void>>();
  const appliedAt = new Map<number, number>();
  const start = clock.now();
  for (const step of steps) {
    const notBefore = step.holdMs === undefined ? 0 : (appliedAt.get(step.action) ?? 0) + step.holdMs;
    await pause(clock, Math.max(start + step.atMs, notBefore) - clock.now(), signal);
    if (signal?.aborted) return;
    if (step.kind === 'revert') {
      await reverts.get(step.action)?.();
      continue;
    }
    reverts.set(step.action, await faults.apply(actions[step.action]!));
    appliedAt.set(step.action, clock.now());
  }
}

/**
 * Every `intervalMs` until `stop`, while a fault is on, runs `check`; true when every check held.
 * `check` is told whether a pass counts: only if the faults stood still, fully applied, for the
 * whole probe (one that passed while a fault was still being applied or already being lifted
 * proves nothing about "during"); a failure always counts.
 */
export async function probeWhileFaulted(faults: FaultState, check: (counts: () => boolean) => Promise<boolean>, intervalMs: number, clock: Clock, stop: AbortSignal): Promise<boolean> {
  let ok = true;
  while (!stop.aborted) {
    await pause(clock, intervalMs, stop);
    if (stop.aborted || faults.activeCount === 0) continue;
    const stamp = faults.stamp();
    ok = (await check(() => stamp !== undefined && faults.stamp() === stamp)) && ok;
  }
  return ok;
}

export async function pause(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return;
  await clock.sleep(ms, signal);
}
