import { compare as k6Compare, parseMetricSelector, parseThresholdExpression as parseK6Expression } from '../load/metrics/threshold-parser.js';
import type { ThresholdOperator } from '../load/metrics/threshold-parser.js';

/**
 * Budgets speak k6's threshold language exactly, so they reuse the load room's parser
 * (src/load/metrics/threshold-parser.ts) and only turn its normalised aggregation string into a
 * typed value the evaluator can switch on.
 */
export type { ThresholdOperator };

export type Aggregation =
  | { kind: 'count' | 'rate' | 'value' | 'avg' | 'min' | 'max' | 'med' }
  | { kind: 'p'; percentile: number };

export interface ThresholdExpression {
  source: string;
  aggregation: Aggregation;
  operator: ThresholdOperator;
  value: number;
}

/** Parses one `aggregation operator value` expression; throws an Error whose message says the fix. */
export function parseThresholdExpression(source: string): ThresholdExpression {
  const parsed = parseK6Expression(source);
  const percentile = /^p\((.+)\)$/.exec(parsed.aggregation);
  const aggregation = percentile
    ? { kind: 'p' as const, percentile: Number(percentile[1]) }
    : { kind: parsed.aggregation as Exclude<Aggregation['kind'], 'p'> };
  return { source: parsed.source.trim(), aggregation, operator: parsed.operator, value: parsed.value };
}

/** `http_req_duration{name:checkout}` -> metric and tags, with k6's quoting and whitespace rules. */
export function parseMetricKey(key: string): { metric: string; tags: Record<string, string> } {
  const { metric, selector } = parseMetricSelector(key);
  return { metric, tags: { ...(selector?.tags ?? {}) } };
}

export function aggregationName(a: Aggregation): string {
  return a.kind === 'p' ? `p(${a.percentile})` : a.kind;
}

export const compare = k6Compare;
