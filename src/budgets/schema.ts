import { z } from 'zod';
import { durationField } from '../config/duration-field.js';
import { strictObject } from '../config/strict-object.js';
import { durationMs, notADuration } from '../util/duration.js';
import { parseMetricKey as parseK6MetricKey, parseThresholdExpression, type ThresholdExpression } from './threshold-expression.js';
import { DEFAULT_RUNBOOK_URL, BUDGET_METRICS, BUDGET_TAGS, type BudgetMetric, type BudgetTag, type Budgets, type ThresholdBudget } from './types.js';

/** The aggregations k6 allows per metric type (k6 docs, "Thresholds": threshold syntax). */
const AGGREGATIONS_BY_TYPE: Record<string, readonly string[]> = {
  counter: ['count', 'rate'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p'],
};

const ratio = z.number().min(0).max(1);

const budgetItem = z.union([
  z.string(),
  strictObject({
    threshold: z.string(),
    over: z.string().optional(),
    during: z.string().min(1).optional(),
    // accepted for k6 compatibility; a budget is judged after the run, so nothing aborts
    abortOnFail: z.boolean().optional(),
    delayAbortEval: z.string().optional(),
  }),
]);

const check = <T extends z.ZodRawShape>(shape: T, moved?: Parameters<typeof strictObject>[1]) => strictObject({ enabled: z.boolean().default(true), ...shape }, moved);

const requestNames = z.array(z.string().min(1, 'an empty name; write the k6 name tag of a request of the load'));

/** `checkout: buy` (one protected request) was the isolation block's key until it became the list `protect`. */
function checkoutMoved(input: Record<string, unknown>): string {
  const given = input.checkout;
  const example = typeof given === 'string' && given ? given : 'checkout';
  return `"checkout" is now a list: write protect: [${example}] (the requests that must keep working while the fault runs)`;
}

/** Each check's parameters, by the check's key; a game-day file (src/gameday/) may set any of them too. */
export const checkBlocks = {
  tracing: check({
    completeness: ratio.default(0.99),
    rules: z.string().optional(),
    entryService: z.string().min(1).optional().describe('the service whose SERVER span must start every trace (the one the load calls); default: any service'),
  }),
  'scale-out': check({ reaction: durationField.default(60_000), flapWindow: durationField.default(60_000) }),
  isolation: check({
    protect: requestNames.default([]).describe('the requests (k6 name tags, `*` wildcards) that must keep working while the fault runs: each judged against the baseline phase'),
    degraded: requestNames.default([]).describe('the requests allowed to degrade (answer without the failing dependency) but not fail'),
    successRateDrop: ratio.default(0.01),
    p95Ratio: z.number().min(1).default(1.5),
    p95Slack: durationField.default(50),
    degradedSlack: durationField.default(500).describe('a degraded request answers without the failing dependency, so quickly: its p95 during the outage may be at most this much above the baseline\'s'),
    baselinePhase: z.string().min(1).default('baseline'),
    failing: z.string().min(1).optional().describe('the failing dependency (its Toxiproxy proxy name): only its faults make the outage; default any fault'),
  }, { checkout: checkoutMoved }),
  integrity: check({}),
  cleanup: check({}),
};

export const checksSchema = strictObject({
  tracing: checkBlocks.tracing.prefault({}),
  'scale-out': checkBlocks['scale-out'].prefault({}),
  isolation: checkBlocks.isolation.prefault({}),
  integrity: checkBlocks.integrity.prefault({}),
  cleanup: checkBlocks.cleanup.prefault({}),
}).prefault({});

export const budgetsSchema = strictObject({
  // parsed here rather than after the whole object, so threshold problems are reported together
  // with every other problem of the file
  thresholds: z
    .record(z.string(), z.array(budgetItem))
    .default({})
    .transform((raw, ctx) => {
      const thresholds: ThresholdBudget[] = [];
      for (const [key, items] of Object.entries(raw)) {
        const parsedKey = parseMetricKey(key);
        if (typeof parsedKey === 'string') {
          ctx.addIssue({ code: 'custom', path: [key], message: parsedKey });
          continue;
        }
        items.forEach((item, index) => {
          const result = parseBudgetItem(item, parsedKey.metric);
          if (typeof result === 'string') ctx.addIssue({ code: 'custom', path: [key, index], message: result });
          else thresholds.push({ metricKey: key, ...parsedKey, ...result, label: labelOf(key, result) });
        });
      }
      return thresholds;
    }),
  checks: checksSchema,
  baseline: strictObject({
    alpha: z.number().gt(0).lt(1).default(0.01).describe('a route regressed only if the rank or tail test says "this run is slower" with p below this'),
    p95Increase: z.number().min(0).default(0.2).describe('... and its p95 rose by more than this fraction of the baseline p95 ...'),
    p95Slack: durationField.default(25).describe('... and by more than this many ms (a 27 ms p95 may become 52 ms)'),
    errorRateIncrease: ratio.default(0.01).describe('the error rate may rise this much (absolute)'),
    throughputDrop: ratio.default(0.1).describe('requests/s may fall this fraction'),
  })
    .prefault({})
    .describe('`--baseline FILE`: how much worse than the earlier run is still a pass'),
  // k6 name tag -> the server route it hits (and the service label it is measured under; no system's
  // service is assumed), so dashboards can draw the budgets on server metrics
  routes: z
    .record(z.string(), strictObject({ route: z.string().startsWith('/'), method: z.string().min(1).optional(), service: z.string().min(1) }))
    .default({}),
  slo: strictObject({
      window: z.string().regex(/^\d+[dhw]$/, 'write the SLO window like "30d"').default('30d'),
      service: z.string().min(1).default('gateway'),
      route: z.string().min(1).default('/api/checkout'),
      method: z.string().min(1).default('POST'),
      availability: z.number().gt(0).lt(1).default(0.999),
      latency: strictObject({ objective: z.number().gt(0).lt(1).default(0.99), threshold: durationField.default(500) }).prefault({}),
      runbookUrl: z
        .string()
        .min(1)
        .default(DEFAULT_RUNBOOK_URL)
        .describe("where the alerts' runbook lives; each alert's runbook_url annotation is this URL + #<alert name in lower case>"),
  }).prefault({}),
});

export type BudgetsInput = z.input<typeof budgetsSchema>;

/**
 * The whole file: the schema above, then every threshold parsed, each problem reported with the
 * path of the offending entry (`thresholds["http_req_duration{name:checkout}"][1]`).
 */
/** The whole file, mapped onto the typed Budgets the checks read. */
export const budgetsFileSchema = budgetsSchema.transform((raw): Omit<Budgets, 'file'> => {
  return {
    thresholds: raw.thresholds,
    ...checkParameters(raw.checks),
    baseline: baselineTolerance(raw.baseline),
    routes: raw.routes,
    slo: { ...raw.slo, latency: { objective: raw.slo.latency.objective, thresholdSeconds: raw.slo.latency.threshold / 1000 } },
  };
});

/** The `baseline` block as the baseline check reads it. */
function baselineTolerance({ p95Slack, ...rest }: z.output<typeof budgetsSchema>['baseline']): Budgets['baseline'] {
  return { ...rest, p95SlackMs: p95Slack };
}

/** A `checks` block as the checks read it. */
export function checkParameters(c: z.output<typeof checksSchema>): Pick<Budgets, 'tracing' | 'scaleOut' | 'isolation' | 'integrity' | 'cleanup'> {
  return {
    tracing: c.tracing,
    scaleOut: { enabled: c['scale-out'].enabled, reactionMs: c['scale-out'].reaction, flapWindowMs: c['scale-out'].flapWindow },
    isolation: { ...c.isolation, p95SlackMs: c.isolation.p95Slack, degradedSlackMs: c.isolation.degradedSlack },
    integrity: c.integrity,
    cleanup: c.cleanup,
  };
}

function parseMetricKey(key: string): { metric: BudgetMetric; tags: Partial<Record<BudgetTag, string>> } | string {
  let parsed: { metric: string; tags: Record<string, string> };
  try {
    parsed = parseK6MetricKey(key);
  } catch (error) {
    return (error as Error).message;
  }
  if (!(parsed.metric in BUDGET_METRICS)) {
    return `"${parsed.metric}" cannot be judged from the run's request records; budgets hold on ${Object.keys(BUDGET_METRICS).join(', ')} (put other k6 metrics in the script's own thresholds)`;
  }
  for (const tag of Object.keys(parsed.tags)) {
    if (!(BUDGET_TAGS as readonly string[]).includes(tag)) return `tag "${tag}" is not recorded per request; use one of ${BUDGET_TAGS.join(', ')}`;
  }
  return { metric: parsed.metric as BudgetMetric, tags: parsed.tags };
}

type ParsedItem = Pick<ThresholdBudget, 'expression' | 'aggregation' | 'operator' | 'value' | 'overMs' | 'during'>;

function parseBudgetItem(item: z.output<typeof budgetItem>, metric: BudgetMetric): ParsedItem | string {
  let text: string;
  let over: string | undefined;
  let during: string | undefined;
  if (typeof item === 'string') {
    // `p(95)<400 over 1m during surge`: the k6 expression, then our two optional suffixes
    const m = /^(.*?)(?:\s+over\s+(\S+))?(?:\s+during\s+(\S+))?\s*$/.exec(item)!;
    [text, over, during] = [m[1]!, m[2], m[3]];
  } else {
    [text, over, during] = [item.threshold, item.over, item.during];
  }
  let expression: ThresholdExpression;
  try {
    expression = parseThresholdExpression(text);
  } catch (error) {
    return (error as Error).message;
  }
  const type = BUDGET_METRICS[metric];
  if (!AGGREGATIONS_BY_TYPE[type]!.includes(expression.aggregation.kind)) {
    const allowed = AGGREGATIONS_BY_TYPE[type]!.map((a) => (a === 'p' ? 'p(N)' : a)).join(', ');
    return `"${expression.source}": ${metric} is a ${type}; its aggregations are ${allowed}`;
  }
  let overMs: number | undefined;
  if (over !== undefined) {
    overMs = durationMs(over);
    if (overMs === undefined) return `over: ${notADuration(over)}`;
    if (overMs < 1000) return `over ${over}: a window shorter than 1s says nothing; use e.g. "over 1m"`;
  }
  return {
    expression: expression.source,
    aggregation: expression.aggregation,
    operator: expression.operator,
    value: expression.value,
    ...(overMs !== undefined ? { overMs } : {}),
    ...(during !== undefined ? { during } : {}),
  };
}

function labelOf(key: string, item: ParsedItem): string {
  let label = `${key} ${item.expression}`;
  if (item.overMs !== undefined) label += ` over ${formatWindow(item.overMs)}`;
  if (item.during !== undefined) label += ` during ${item.during}`;
  return label;
}

function formatWindow(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}
