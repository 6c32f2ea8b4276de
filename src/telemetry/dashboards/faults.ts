import { StackMetrics as M, SupervisorMetrics as S } from '../../stack/metric-names.js';
import { dashboard, faultAnnotation, Grid, prom, timeseries, type Dashboard } from './panels.js';

const RATE = '$__rate_interval';

/** Faults and what they did: fault windows as annotations over errors, breakers and fallbacks. */
export function faultsDashboard(): Dashboard {
  const g = new Grid();
  const H = M.httpServerDuration;
  const C = M.httpClientDuration;
  const panels = [
    g.row('Fault windows (also shown as annotations on every panel)'),
    timeseries(g, 'Active faults by proxy', [prom(`max by (proxy, kind) (${S.faultActive})`, '{{proxy}} ({{kind}})')], { unit: 'short', min: 0, max: 1, w: 24, h: 6 }),
    g.row('Blast radius'),
    timeseries(g, 'Gateway errors/s by route (5xx)', [prom(`sum by (route) (rate(${H}_count{service="gateway", status_code=~"5.."}[${RATE}]))`, '{{route}}')], { unit: 'reqps' }),
    timeseries(
      g,
      'Failed upstream calls/s (5xx or no response)',
      [prom(`sum by (service, upstream) (rate(${C}_count{status_code=~"5..|0"}[${RATE}]))`, '{{service}} → {{upstream}}')],
      { unit: 'reqps' },
    ),
    timeseries(g, 'Circuit breakers open', [prom(`max by (service, upstream) (${M.circuitBreakerState}) == 1`, '{{service}} → {{upstream}}')], { unit: 'short', min: 0 }),
    timeseries(g, 'Recommendations degraded/s by reason', [prom(`sum by (reason) (rate(${M.recommendationsDegraded}[${RATE}]))`, '{{reason}}')], { unit: 'ops' }),
    timeseries(
      g,
      'Checkout p95 during faults',
      [prom(`histogram_quantile(0.95, sum by (le) (rate(${H}_bucket{service="gateway", route="/api/checkout"}[${RATE}])))`, 'p95')],
      { unit: 's' },
    ),
    timeseries(g, 'Checkout results/s', [prom(`sum by (result) (rate(${M.checkoutOrders}[${RATE}]))`, '{{result}}')], { unit: 'ops', stack: true }),
  ];
  return dashboard(
    { uid: 'peakready-faults', title: 'peakready / Faults', description: 'Fault windows from the fault proxy and their effect on errors, breakers and fallbacks.', tags: ['faults'] },
    panels,
    { annotations: [faultAnnotation(S.faultActive)] },
  );
}
