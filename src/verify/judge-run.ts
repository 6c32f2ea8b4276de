import type { Budgets } from '../budgets/types.js';
import type { RunDirectory } from '../run/run-dir.js';
import { BASELINE_CHECK_ID } from './baseline.js';
import type { JudgeOptions } from './check.js';
import { judge, type Judgement } from './index.js';
import { readRunData, type RunData } from '../run/run-data.js';
import { loadTraceRulesFor } from './trace-rules-file.js';

/**
 * The judge's thin shell for a finished run: reads its directory once and the trace rules the
 * budgets name, judges, and records checks.json. checks.json holds the run's own checks, as it always has; a comparison with an
 * earlier run (`--baseline`) is part of the judgement and of report.json, not of checks.json.
 */
export function judgeRun(run: RunDirectory, budgets: Budgets, options: Pick<JudgeOptions, 'baseline' | 'scriptThresholds' | 'only'> = {}): { data: RunData; judged: Judgement } {
  const data = readRunData(run);
  const judged = judge(data, budgets, { ...options, traceRules: loadTraceRulesFor(budgets) });
  run.writeJson(
    'checks',
    judged.checks.filter((c) => c.id !== BASELINE_CHECK_ID),
  );
  return { data, judged };
}
