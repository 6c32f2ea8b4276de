import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderBudgetsDashboard } from './dashboard.js';
import { renderSloRules, renderSloRuleTests } from './slo-rules.js';
import type { Budgets } from './types.js';

export const RULES_FILE = 'budgets.rules.yml';
export const RULES_TEST_FILE = 'budgets.test.yml';

/** `peakready budgets alerts FILE --out DIR`: the rules and their promtool tests, side by side. */
export function writeSloRules(budgets: Budgets, source: string, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const rules = join(outDir, RULES_FILE);
  const tests = join(outDir, RULES_TEST_FILE);
  writeFileSync(rules, renderSloRules(budgets, source));
  writeFileSync(tests, renderSloRuleTests(budgets, source, RULES_FILE));
  return [rules, tests];
}

/** `peakready budgets dashboard FILE --out FILE`. */
export function dashboardJson(budgets: Budgets, source: string): { text: string; skipped: string[] } {
  const { dashboard, skipped } = renderBudgetsDashboard(budgets, source);
  return { text: JSON.stringify(dashboard, null, 2) + '\n', skipped };
}

export function writeDashboard(budgets: Budgets, source: string, outFile: string): { file: string; skipped: string[] } {
  const { text, skipped } = dashboardJson(budgets, source);
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, text);
  return { file: outFile, skipped };
}
