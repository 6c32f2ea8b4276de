import type { ChaosAction, ChaosExperiment, ChaosProbe } from './schema.js';

/**
 * When an experiment does what, as plain data: the probes of each stage, and the method's actions
 * as timed steps (each put in at its offset, undone when its duration is over). Pure: the runner
 * (runner.ts, fault-phase.ts) walks it on a clock.
 */

export type Stage = 'before' | 'during' | 'after';

/** One timed change of the method. */
export interface ChaosStep {
  /** ms after the method started */
  atMs: number;
  kind: 'inject' | 'revert';
  /** index of the action in the experiment's method */
  action: number;
  /**
   * revert only: the fault stays at least this long after it was in place, so a slow API call
   * that applied it late does not shorten it (the timeline's on/off events are that far apart)
   */
  holdMs?: number;
}

export interface ChaosPlan {
  /** before: once, before any fault; during: every intervalMs while a fault is on; after: settleMs after the rollback */
  probes: Record<Stage, ChaosProbe[]>;
  steps: ChaosStep[];
  /** real time: the drill compresses the method, not how often a probe may run */
  intervalMs: number;
  settleMs: number;
}

/** The plan of `experiment` with every `at` and `duration` multiplied by `timeScale`. */
export function chaosPlan(experiment: ChaosExperiment, timeScale: number): ChaosPlan {
  const hypothesis = experiment['steady-state-hypothesis'];
  const stage = (s: Stage) => hypothesis.probes.filter((p) => p.when.includes(s));
  return {
    probes: { before: stage('before'), during: stage('during'), after: stage('after') },
    steps: methodSteps(experiment.method, timeScale),
    intervalMs: hypothesis.interval,
    settleMs: hypothesis.settle,
  };
}

/** The method's steps in time order; at the same instant a revert goes before an inject. */
export function methodSteps(actions: readonly ChaosAction[], timeScale: number): ChaosStep[] {
  const steps = actions.flatMap((action, i): ChaosStep[] => {
    const inject: ChaosStep = { atMs: action.at * timeScale, kind: 'inject', action: i };
    if (action.duration === undefined) return [inject];
    const holdMs = action.duration * timeScale;
    return [inject, { atMs: (action.at + action.duration) * timeScale, kind: 'revert', action: i, holdMs }];
  });
  const order = (s: ChaosStep) => (s.kind === 'revert' ? 0 : 1);
  return steps.sort((a, b) => a.atMs - b.atMs || order(a) - order(b));
}
