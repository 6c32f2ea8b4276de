import { stringify } from 'yaml';
import { StackMetrics } from '../stack/metric-names.js';
import type { Budgets } from './types.js';

/**
 * The budgets' SLOs as Prometheus rules, the multi-window multi-burn-rate way (Google SRE
 * workbook; Sloth and Pyrra generate the same shape): recording rules for the error ratio over
 * each window, and alerts that fire when a long and a short window both burn the error budget
 * faster than a factor. Factors come from the share of the budget a window may spend:
 * page 2 % in 1h (×14.4 for 30 days) and 5 % in 6h (×6), ticket 10 % in 1d (×3) and in 3d (×1).
 */
export interface BurnWindow {
  severity: 'page' | 'ticket';
  long: string;
  short: string;
  /** share of the whole error budget this long window may consume */
  budgetShare: number;
}

export const BURN_WINDOWS: readonly BurnWindow[] = [
  { severity: 'page', long: '1h', short: '5m', budgetShare: 0.02 },
  { severity: 'page', long: '6h', short: '30m', budgetShare: 0.05 },
  { severity: 'ticket', long: '1d', short: '2h', budgetShare: 0.1 },
  { severity: 'ticket', long: '3d', short: '6h', budgetShare: 0.1 },
];

const HOURS: Record<string, number> = { m: 1 / 60, h: 1, d: 24, w: 168 };
const hours = (window: string) => Number(window.slice(0, -1)) * HOURS[window.slice(-1)]!;

/** Burn-rate factor of a window pair for an SLO period (30d: 14.4, 6, 3, 1). */
export function burnFactor(w: BurnWindow, sloWindow: string): number {
  return Number(((w.budgetShare * hours(sloWindow)) / hours(w.long)).toFixed(4));
}

export interface SloDefinition {
  /** the `slo` label, e.g. checkout-availability */
  id: string;
  alertPrefix: string;
  objective: number;
  description: string;
  /** PromQL error ratio over a `[WINDOW]` placeholder */
  errorRatio: (window: string) => string;
}

/** The two SLOs a budgets file promises for checkout: availability (no 5xx) and latency. */
export function sloDefinitions(budgets: Budgets): SloDefinition[] {
  const { slo } = budgets;
  const selector = `service="${slo.service}", route="${slo.route}", method="${slo.method}"`;
  const count = `${StackMetrics.httpServerDuration}_count`;
  const bucket = `${StackMetrics.httpServerDuration}_bucket`;
  const le = String(slo.latency.thresholdSeconds);
  return [
    {
      id: 'checkout-availability',
      alertPrefix: 'CheckoutAvailability',
      objective: slo.availability,
      description: `${slo.method} ${slo.route} answers without a 5xx`,
      // `or vector(0)`: no 5xx series at all means a ratio of 0, not "no data"
      errorRatio: (w) => `(sum(rate(${count}{${selector}, status_code=~"5.."}[${w}])) or vector(0))\n/\nsum(rate(${count}{${selector}}[${w}]))`,
    },
    {
      id: 'checkout-latency',
      alertPrefix: 'CheckoutLatency',
      objective: slo.latency.objective,
      description: `${slo.method} ${slo.route} answers within ${le} s`,
      errorRatio: (w) => `1 - (\n  sum(rate(${bucket}{${selector}, le="${le}"}[${w}]))\n  /\n  sum(rate(${count}{${selector}}[${w}]))\n)`,
    },
  ];
}

export const recordName = (window: string) => `slo:sli_error:ratio_rate${window}`;

const alertName = (slo: SloDefinition, severity: 'page' | 'ticket') => `${slo.alertPrefix}BudgetBurn${severity === 'page' ? 'Page' : 'Ticket'}`;

/** `value` is the alert's value as Prometheus templates it; tests pass the figure they expect. */
function annotations(slo: SloDefinition, severity: 'page' | 'ticket', budgets: Budgets, value = '{{ $value | humanizePercentage }}') {
  const spend = BURN_WINDOWS.filter((w) => w.severity === severity)
    .map((w) => `${Math.round(w.budgetShare * 100)} % of the ${budgets.slo.window} budget in ${w.long}`)
    .join(' or ');
  return {
    summary: `${slo.description}: the error budget burns too fast (${severity})`,
    description: `Objective ${Number((slo.objective * 100).toPrecision(6))} % over ${budgets.slo.window}; at this rate ${spend} is spent. Error ratio over the long window: ${value}.`,
    runbook_url: `${budgets.slo.runbookUrl}#${alertName(slo, severity).toLowerCase()}`,
  };
}

/** Prometheus' humanizePercentage (Go's %.4g of the ratio × 100) for the values the tests use. */
function humanizePercentage(ratio: number): string {
  return `${Number((ratio * 100).toPrecision(4))}%`;
}

/** alerts/budgets.rules.yml */
export function renderSloRules(budgets: Budgets, source: string): string {
  return header(source, 'Prometheus SLO rules (multi-window, multi-burn-rate)') + stringify({ groups: sloRuleGroups(budgets) }, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** The rule groups, as a Prometheus rule file and a PrometheusRule's spec both hold them. */
export function sloRuleGroups(budgets: Budgets): Array<{ name: string; rules: unknown[] }> {
  const windows = [...new Set(BURN_WINDOWS.flatMap((w) => [w.short, w.long]))].sort((a, b) => hours(a) - hours(b));
  const groups = sloDefinitions(budgets).map((slo) => {
    const labels = { slo: slo.id, slo_service: budgets.slo.service, slo_route: budgets.slo.route };
    const budget = Number((1 - slo.objective).toPrecision(6));
    const recording = windows.map((w) => ({ record: recordName(w), expr: slo.errorRatio(w) + '\n', labels }));
    const alerts = (['page', 'ticket'] as const).map((severity) => {
      const pairs = BURN_WINDOWS.filter((w) => w.severity === severity).map((w) => {
        const limit = `(${burnFactor(w, budgets.slo.window)} * ${budget})`;
        return `(\n  ${recordName(w.long)}{slo="${slo.id}"} > ${limit}\n  and\n  ${recordName(w.short)}{slo="${slo.id}"} > ${limit}\n)`;
      });
      return {
        alert: alertName(slo, severity),
        expr: pairs.join('\nor\n') + '\n',
        labels: { severity, slo: slo.id },
        annotations: annotations(slo, severity, budgets),
      };
    });
    return { name: `peakready-slo-${slo.id}`, rules: [...recording, ...alerts] };
  });
  return groups;
}

/** The input series and expected alerts the promtool cases are built from. */
function sloTestParts(budgets: Budgets) {
  const { slo } = budgets;
  const series = (name: string, extra: string) =>
    `${StackMetrics.httpServerDuration}_${name}{service="${slo.service}", route="${slo.route}", method="${slo.method}"${extra}}`;
  const le = String(slo.latency.thresholdSeconds);
  const [availabilitySlo, latencySlo] = sloDefinitions(budgets) as [SloDefinition, SloDefinition];
  return {
    le,
    // requests per minute; error counts chosen against the objectives
    availability: (errorsPerMinute: number) => [
      { series: series('count', ', status_code="201"'), values: `0+${1000 - errorsPerMinute}x300` },
      { series: series('count', ', status_code="503"'), values: `0+${errorsPerMinute}x300` },
    ],
    latency: (slowPerMinute: number) => [
      { series: series('count', ', status_code="201"'), values: '0+1000x300' },
      { series: series('bucket', `, status_code="201", le="${le}"`), values: `0+${1000 - slowPerMinute}x300` },
    ],
    fired: (which: 'availability' | 'latency', severity: 'page' | 'ticket', ratio: number) => {
      const def = which === 'availability' ? availabilitySlo : latencySlo;
      return {
        alertname: alertName(def, severity),
        exp_alerts: [{ exp_labels: { severity, slo: def.id, slo_service: slo.service, slo_route: slo.route }, exp_annotations: annotations(def, severity, budgets, humanizePercentage(ratio)) }],
      };
    },
    silent: (alertname: string) => ({ alertname, exp_alerts: [] }),
    /** the 5m error ratio record of checkout availability, and its labels */
    record: `${recordName('5m')}{slo="checkout-availability"}`,
    recordLabels: `{slo="checkout-availability", slo_service="${slo.service}", slo_route="${slo.route}"}`,
  };
}

/**
 * alerts/budgets.test.yml: `promtool test rules` cases that prove each alert fires on a fast
 * burn, a slow burn fires only the ticket, and healthy traffic fires nothing.
 */
export function renderSloRuleTests(budgets: Budgets, source: string, rulesFile = 'budgets.rules.yml'): string {
  const { availability, latency, fired, silent, record, recordLabels, le } = sloTestParts(budgets);
  // a fast burn: 50 x budget; a slow burn: 2 x budget (above the 3d ×1 ticket, below every page factor)
  const fast = Math.min(1000, Math.ceil((1 - budgets.slo.availability) * 50 * 1000));
  const slow = Math.ceil((1 - budgets.slo.availability) * 2 * 1000);
  const fastSlow = Math.min(1000, Math.ceil((1 - budgets.slo.latency.objective) * 50 * 1000));
  const everyAlert = ['CheckoutAvailabilityBudgetBurnPage', 'CheckoutAvailabilityBudgetBurnTicket', 'CheckoutLatencyBudgetBurnPage', 'CheckoutLatencyBudgetBurnTicket'];
  const tests = [
    {
      name: 'healthy checkout: no alert',
      interval: '1m',
      input_series: [...availability(0), ...latency(0)],
      alert_rule_test: everyAlert.map((a) => ({ eval_time: '4h', ...silent(a) })),
      promql_expr_test: [{ expr: record, eval_time: '4h', exp_samples: [{ labels: `${recordName('5m')}${recordLabels}`, value: 0 }] }],
    },
    {
      name: `fast availability burn (${fast} errors per 1000): page and ticket`,
      interval: '1m',
      input_series: availability(fast),
      alert_rule_test: [
        { eval_time: '20m', ...fired('availability', 'page', fast / 1000) },
        { eval_time: '20m', ...fired('availability', 'ticket', fast / 1000) },
      ],
      // rounded to 1/10000: the ratio of two extrapolated rates is not exact in binary
      promql_expr_test: [{ expr: `round(${record} * 10000)`, eval_time: '20m', exp_samples: [{ labels: recordLabels, value: fast * 10 }] }],
    },
    {
      name: `slow availability burn (${slow} errors per 1000): ticket only`,
      interval: '1m',
      input_series: availability(slow),
      alert_rule_test: [
        { eval_time: '4h', ...silent('CheckoutAvailabilityBudgetBurnPage') },
        { eval_time: '4h', ...fired('availability', 'ticket', slow / 1000) },
      ],
    },
    {
      name: `fast latency burn (${fastSlow} of 1000 slower than ${le} s): page`,
      interval: '1m',
      input_series: latency(fastSlow),
      alert_rule_test: [
        { eval_time: '20m', ...fired('latency', 'page', fastSlow / 1000) },
        { eval_time: '20m', ...silent('CheckoutAvailabilityBudgetBurnPage') },
      ],
    },
  ];
  return header(source, 'promtool unit tests of budgets.rules.yml') + stringify({ rule_files: [rulesFile], evaluation_interval: '1m', tests }, { lineWidth: 0, aliasDuplicateObjects: false });
}

export function header(source: string, what: string): string {
  return `# ${what}, generated by \`peakready budgets alerts ${source}\`.\n# Do not edit: change the budgets file and generate again. Check: promtool test rules budgets.test.yml\n`;
}
