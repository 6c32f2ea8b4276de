import { dirname, resolve } from 'node:path';
import type { Budgets } from '../budgets/types.js';
import { shipped } from '../paths.js';
import { loadTraceRules, type TraceRule } from '../telemetry/traces/index.js';

export const DEFAULT_TRACE_RULES = 'scenarios/trace-rules.yaml';

/** The trace rules the tracing check holds traces to, or why their file would not load. */
export type LoadedTraceRules = { rules: TraceRule[] } | { error: string };

/**
 * Reads the rules file the budgets name (`checks.tracing.rules`, relative to the budgets file;
 * default scenarios/trace-rules.yaml). A file that does not load is not a usage error here: it
 * fails the tracing check with the file's own message, and the other checks still judge the run.
 */
export function loadTraceRulesFor(budgets: Budgets): LoadedTraceRules {
  const file = budgets.tracing.rules ? resolve(dirname(budgets.file), budgets.tracing.rules) : shipped(DEFAULT_TRACE_RULES);
  try {
    return { rules: loadTraceRules(file) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
