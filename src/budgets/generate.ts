import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderBudgetsDashboard, type BudgetsDashboardOptions } from './dashboard.js';
import { PROMETHEUS_RULE_FILE, renderPrometheusRule, type PrometheusRuleOptions } from './prometheus-rule.js';
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

/** `peakready budgets alerts FILE --format prometheus-rule --out DIR`: the manifest for the Prometheus Operator. */
export function writePrometheusRule(budgets: Budgets, source: string, outDir: string, options: PrometheusRuleOptions = {}): string[] {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, PROMETHEUS_RULE_FILE);
  writeFileSync(file, renderPrometheusRule(budgets, source, options));
  return [file];
}

/** `peakready budgets dashboard FILE --out FILE`. */
export function dashboardJson(budgets: Budgets, source: string, options: BudgetsDashboardOptions = {}): { text: string; skipped: string[] } {
  const { dashboard, skipped } = renderBudgetsDashboard(budgets, source, options);
  return { text: JSON.stringify(dashboard, null, 2) + '\n', skipped };
}

export function writeDashboard(budgets: Budgets, source: string, outFile: string, options: BudgetsDashboardOptions = {}): { file: string; skipped: string[] } {
  const { text, skipped } = dashboardJson(budgets, source, options);
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, text);
  return { file: outFile, skipped };
}
