import type { Budgets } from '../budgets/types.js';
import type { CheckResult } from '../run/records.js';
import { BASELINE_CHECK_ID, checkBaseline } from './baseline.js';
import { checkBudgets } from './budgets.js';
import type { Check, JudgeOptions } from './check.js';
import { checkCleanup } from './cleanup.js';
import { checkIntegrity } from './integrity.js';
import { checkIsolation } from './isolation.js';
import { assessRig, checkRig, RIG_CHECK_ID, withRigDoubt } from './rig.js';
import type { RunData } from '../run/run-data.js';
import type { Interruption } from '../run/timeline.js';
import { checkScaleOut } from './scale-out.js';
import { checkThresholds } from './thresholds.js';
import { checkTracing } from './tracing.js';

export type { Check, JudgeOptions } from './check.js';

interface RegisteredCheck {
  id: string;
  title: string;
  check: Check;
  /** a check judged only when asked for (by its input); otherwise it is not listed at all */
  askedFor?: (options: JudgeOptions) => boolean;
}

/**
 * Every check, in the order reports list them. Adding one: a file exporting a `Check` with a
 * stable id, and one line here.
 */
export const checkRegistry: readonly RegisteredCheck[] = [
  { id: 'thresholds', title: "Script's thresholds", check: checkThresholds, askedFor: (o) => o.scriptThresholds === true },
  { id: 'budgets', title: 'Performance budgets', check: checkBudgets },
  { id: 'tracing', title: 'Tracing', check: checkTracing },
  { id: 'scale-out', title: 'Scale-out', check: checkScaleOut },
  { id: 'isolation', title: 'Isolation', check: checkIsolation },
  { id: 'integrity', title: 'Data integrity', check: checkIntegrity },
  { id: 'cleanup', title: 'Clean-up', check: checkCleanup },
  { id: RIG_CHECK_ID, title: 'Test rig', check: checkRig },
  { id: BASELINE_CHECK_ID, title: 'Baseline comparison', check: checkBaseline, askedFor: (o) => o.baseline !== undefined },
];

export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'interrupted';

/** The judge's answer: every check's result, and the one verdict made from them. */
export interface Judgement {
  checks: CheckResult[];
  verdict: Verdict;
  /** `--baseline FILE`: which report this run was compared with, and how that came out */
  baseline?: { file: string; status: CheckResult['status']; tolerance: Budgets['baseline'] };
  /** the run stopped before its end: the checks judged what was measured until then */
  interrupted?: Interruption;
}

/**
 * The only place a verdict is made: runs every check asked for on the run's data. A check that
 * throws fails with the error, so one unreadable input does not hide the other checks' results.
 */
export function judge(data: RunData, budgets: Budgets, options: JudgeOptions = {}): Judgement {
  const listed = checkRegistry.filter((c) => (c.askedFor?.(options) ?? true) && (options.only?.includes(c.id) ?? true));
  const rig = assessRig(data);
  const checks = listed.map((c) => withRigDoubt(runCheck(c, data, budgets, options), rig));
  // an interrupted run is never a pass or a fail of the system: its checks show what was
  // measured until the interruption, and the verdict says it was cut short
  const judged: Judgement = { checks, verdict: data.interrupted ? 'interrupted' : verdictOf(checks) };
  if (data.interrupted) judged.interrupted = data.interrupted;
  const compared = checks.find((c) => c.id === BASELINE_CHECK_ID);
  if (options.baseline && compared) judged.baseline = { file: options.baseline.file, status: compared.status, tolerance: budgets.baseline };
  return judged;
}

function runCheck({ id, title, check }: RegisteredCheck, data: RunData, budgets: Budgets, options: JudgeOptions): CheckResult {
  try {
    return check(data, budgets, options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { id, title, status: 'fail', figure: 'error', limit: '-', details: [], reason: `the check could not read the run: ${message}` };
  }
}

/**
 * fail when a check failed; inconclusive when none failed but one could not tell (the rig was
 * starved, or the load was not fully sent: never a pass on a load the system did not get); pass
 * when something was judged: skips do not fail a run, but a run where every check skipped proved
 * nothing, and a CI gate must not read that as a pass. The rig's own row is not a judgement of the
 * system, so it does not count as something judged.
 */
export function verdictOf(checks: readonly CheckResult[]): Exclude<Verdict, 'interrupted'> {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.some((c) => c.status === 'inconclusive')) return 'inconclusive';
  return checks.some((c) => c.status === 'pass' && c.id !== RIG_CHECK_ID) ? 'pass' : 'fail';
}
