/** The trace room's public surface: assembly, propagation checks, rules, completeness, analysis. */
export { assembleTraces, ancestors, nanosToMs, spanDurationMs, spanEndMs, spanStartMs, type Trace } from './assemble.js';
export { findPropagationProblems, type PropagationOptions, type PropagationProblem, type PropagationProblemKind } from './propagation.js';
export { loadTraceRules, parseTraceRules, traceRuleSchema, type TraceRule, type TraceAssertion, type SpanSelector } from './rule-schema.js';
export { evaluateTraceRules, type RuleContext, type RuleFailure, type RuleResult } from './evaluate-rules.js';
export { tracingCompleteness, type CompletenessResult } from './completeness.js';
export { criticalPath, errorsByService, slowestTraces, summarizeTrace, type CriticalPathStep, type ServiceErrors, type TraceSummary } from './analysis.js';
export { grafanaTraceLink } from './grafana-link.js';
