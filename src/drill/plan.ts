import { loadBudgets } from '../budgets/load.js';
import type { Budgets } from '../budgets/types.js';
import { loadExperiment, type ChaosExperiment } from '../faults/experiments/index.js';
import { shipped } from '../paths.js';
import { referenceStack, type StackDefinition } from '../stack/definition.js';
import { assertLoopbackTarget } from '../util/loopback.js';
import { loadBaseline, type Baseline } from '../verify/baseline-file.js';
import type { DrillOptions } from './drill-options.js';
import type { DrillProfile } from './profiles.js';

/**
 * Everything a drill needs to know before it starts anything, read and validated up front: a typo
 * in a user's file must not cost a stack start-up.
 */
export interface DrillPlan {
  profile: DrillProfile;
  /** TIME_SCALE of the scenario */
  timeScale: number;
  budgets: Budgets;
  baseline?: Baseline;
  /** the k6 script, as an absolute path */
  script: string;
  /** the scenario's environment; BASE_URL is added once the system is up */
  scriptEnv: Record<string, string>;
  /** true: the bundled stack is started; false: the drill drives the user's --target */
  withStack: boolean;
  /** the bundled stack's definition (its ports also place the trace receiver on a --target run) */
  definition: StackDefinition;
  /** the Toxiproxy the user named (else the bundled stack's embedded one, if any) */
  toxiproxyUrl?: string;
  /** the chaos experiment, when there is a Toxiproxy to run it through */
  experiment?: ChaosExperiment;
  /** the local autoscaler's time compression: Kubernetes' 15 s sync period -> the profile's */
  autoscalerTimeScale: number;
  /** metrics twice per autoscaler sync, so every decision has a sample on each side */
  scrapeIntervalMs: number;
}

export function planDrill(options: DrillOptions): DrillPlan {
  const profile = options.profile;
  const timeScale = options.timeScale ?? profile.timeScale;
  if (options.target) assertLoopbackTarget(options.target, options.allowRemote ?? false);
  const budgets = loadBudgets(options.budgetsFile);
  const baseline = options.baselineFile ? loadBaseline(options.baselineFile) : undefined;
  const withStack = !options.target;
  const toxiproxyUrl = options.toxiproxyUrl;
  const experiment = withStack || toxiproxyUrl ? loadExperiment(shipped(profile.chaos)) : undefined;
  return {
    profile,
    timeScale,
    budgets,
    ...(baseline ? { baseline } : {}),
    script: shipped(profile.script),
    scriptEnv: { TIME_SCALE: String(timeScale), PEAK_RPS: String(profile.peakRps), ...options.env },
    withStack,
    definition: referenceStack(options.basePort),
    ...(toxiproxyUrl ? { toxiproxyUrl } : {}),
    ...(experiment ? { experiment } : {}),
    autoscalerTimeScale: profile.syncPeriodMs / 15_000,
    scrapeIntervalMs: Math.max(1000, Math.round(profile.syncPeriodMs / 2)),
  };
}
