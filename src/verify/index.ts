import type { Budgets } from '../budgets/types.js';
import type { CheckResult } from '../run/records.js';
import type { RunDirectory } from '../run/run-dir.js';
import { checkBudgets } from './budgets.js';
import { checkCleanup } from './cleanup.js';
import { checkIntegrity } from './integrity.js';
import { checkIsolation } from './isolation.js';
import { checkScaleOut } from './scale-out.js';
import { checkTracing } from './tracing.js';

/** A check reads only the run directory and the budgets; it never starts anything. */
export type Check = (run: RunDirectory, budgets: Budgets) => CheckResult;

/**
 * Every check, in the order reports list them. Adding one: a file exporting a `Check` with a
 * stable id, and one line here.
 */
export const checkRegistry: ReadonlyArray<{ id: string; title: string; check: Check }> = [
  { id: 'budgets', title: 'Performance budgets', check: checkBudgets },
  { id: 'tracing', title: 'Tracing', check: checkTracing },
  { id: 'scale-out', title: 'Scale-out', check: checkScaleOut },
  { id: 'isolation', title: 'Checkout isolation', check: checkIsolation },
  { id: 'integrity', title: 'Data integrity', check: checkIntegrity },
  { id: 'cleanup', title: 'Clean-up', check: checkCleanup },
];

/** Runs every check on a finished run and writes checks.json. A check that throws fails with the error. */
export function runChecks(run: RunDirectory, budgets: Budgets): CheckResult[] {
  const results = checkRegistry.map(({ id, title, check }): CheckResult => {
    try {
      return check(run, budgets);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { id, title, status: 'fail', figure: 'error', limit: '-', details: [], reason: `the check could not read the run: ${message}` };
    }
  });
  run.writeJson('checks', results);
  return results;
}

/**
 * pass when nothing failed and something was judged: skips do not fail a run, but a run where
 * every check skipped proved nothing, and a CI gate must not read that as a pass.
 */
export function verdictOf(checks: readonly CheckResult[]): 'pass' | 'fail' {
  return checks.some((c) => c.status === 'fail') || !checks.some((c) => c.status === 'pass') ? 'fail' : 'pass';
}
