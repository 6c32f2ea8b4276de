import type { Budgets } from '../budgets/types.js';
import type { CheckResult } from '../run/records.js';
import type { Baseline } from './baseline-file.js';
import type { RunData } from '../run/run-data.js';
import type { LoadedTraceRules } from './trace-rules-file.js';

/** What the judge is given besides the run and its budgets: user input, read at the edge. */
export interface JudgeOptions {
  /** `--baseline FILE`: an earlier run's figures (loadBaseline) */
  baseline?: Baseline;
  /** the trace rules the budgets name (loadTraceRulesFor), for the tracing check */
  traceRules?: LoadedTraceRules;
  /** a plain `peakready run`: judge the script's own thresholds (summary.json) */
  scriptThresholds?: boolean;
  /** judge only these checks (ids); default every check asked for */
  only?: readonly string[];
}

/**
 * A check: a function of the run's data, the budgets and the judge's options. It never starts
 * anything, never prints and never writes; the judge (index.ts) runs it and makes the verdict.
 */
export type Check = (data: RunData, budgets: Budgets, options: JudgeOptions) => CheckResult;
