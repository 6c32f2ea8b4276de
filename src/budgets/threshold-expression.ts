/**
 * One k6 threshold expression, `aggregation operator value` (k6 docs, "Thresholds"), e.g.
 * `p(95)<400`, `rate<0.01`, `count>=100`, `avg <= 250.5`. Kept behind this one function so it can
 * be swapped for the load room's parser (src/load/metrics/) once that exports a single-expression
 * parser: budgets must accept exactly k6's syntax, no more.
 */
export type ThresholdOperator = '>' | '>=' | '<=' | '<' | '==' | '===' | '!=';

export type Aggregation =
  | { kind: 'count' }
  | { kind: 'rate' }
  | { kind: 'value' }
  | { kind: 'avg' }
  | { kind: 'min' }
  | { kind: 'max' }
  | { kind: 'med' }
  | { kind: 'p'; percentile: number };

export interface ThresholdExpression {
  source: string;
  aggregation: Aggregation;
  operator: ThresholdOperator;
  value: number;
}

// longest operators first so `<=` is not read as `<`
const OPERATORS: readonly ThresholdOperator[] = ['===', '>=', '<=', '==', '!=', '>', '<'];
const EXPRESSION = /^\s*([a-z]+(?:\(\s*[0-9.]+\s*\))?)\s*(===|==|!=|>=|<=|>|<)\s*(-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\s*$/;

/** Parses one expression; throws an Error whose message says what is wrong and how k6 writes it. */
export function parseThresholdExpression(source: string): ThresholdExpression {
  const match = EXPRESSION.exec(source);
  if (!match) {
    throw new Error(`"${source}" is not a k6 threshold expression; write "aggregation operator value", e.g. "p(95)<400" or "rate<0.01" (operators: ${OPERATORS.join(' ')})`);
  }
  return { source: source.trim(), aggregation: parseAggregation(match[1]!.replace(/\s+/g, '')), operator: match[2] as ThresholdOperator, value: Number(match[3]) };
}

function parseAggregation(text: string): Aggregation {
  const percentile = /^p\(([0-9]+(?:\.[0-9]+)?)\)$/.exec(text);
  if (percentile) {
    const n = Number(percentile[1]);
    if (n < 0 || n > 100) throw new Error(`p(${percentile[1]}): a percentile is between 0 and 100`);
    return { kind: 'p', percentile: n };
  }
  switch (text) {
    case 'count':
    case 'rate':
    case 'value':
    case 'avg':
    case 'min':
    case 'max':
    case 'med':
      return { kind: text };
    default:
      throw new Error(`"${text}" is not a k6 aggregation; use count, rate, value, avg, min, max, med or p(N)`);
  }
}

export function aggregationName(a: Aggregation): string {
  return a.kind === 'p' ? `p(${a.percentile})` : a.kind;
}

export function compare(actual: number, operator: ThresholdOperator, limit: number): boolean {
  switch (operator) {
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    case '<=':
      return actual <= limit;
    case '<':
      return actual < limit;
    case '==':
    case '===':
      return actual === limit;
    case '!=':
      return actual !== limit;
  }
}
