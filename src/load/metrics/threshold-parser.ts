import type { MetricType, SubmetricSelector } from './types.js';

/** k6's threshold operators. `===` is accepted as k6 does and means the same as `==`. */
export type ThresholdOperator = '>' | '>=' | '<=' | '<' | '==' | '===' | '!=';

/** One parsed `aggregation operator value` expression, e.g. `p(95)<300`. */
export interface ThresholdExpression {
  /** the expression as the user wrote it (the key in summaries) */
  source: string;
  /** normalised aggregation: count, rate, value, avg, min, max, med, or p(N) */
  aggregation: string;
  operator: ThresholdOperator;
  value: number;
}

/** Which aggregations k6 allows on which metric type. */
export const aggregationsByType: Readonly<Record<MetricType, readonly string[]>> = {
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p(N)'],
};

export function parseThresholdExpression(_source: string): ThresholdExpression {
  throw new Error('not implemented yet');
}

export function parseMetricSelector(_key: string): { metric: string; selector?: SubmetricSelector } {
  throw new Error('not implemented yet');
}
