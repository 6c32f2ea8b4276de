import { StackMetrics as M, SupervisorMetrics as S } from '../../stack/metric-names.js';
import { dashboard, faultAnnotation, Grid, prom, stat, steps, timeseries, type Dashboard } from './panels.js';

const HTTP = M.httpServerDuration;
const GW = 'service="gateway"';
const CHECKOUT = `${GW}, route="/api/checkout"`;
const RATE = '$__rate_interval';

/** Black Friday overview: what the shop's users see at the gateway, and the checkout SLO. */
export function overviewDashboard(): Dashboard {
  const g = new Grid();
  const panels = [
    g.row('Traffic at the gateway'),
    stat(g, 'Requests/s', prom(`sum(rate(${HTTP}_count{${GW}}[${RATE}]))`), { unit: 'reqps', decimals: 0 }),
    stat(g, 'Error ratio (5xx)', prom(`sum(rate(${HTTP}_count{${GW}, status_code=~"5.."}[${RATE}])) / sum(rate(${HTTP}_count{${GW}}[${RATE}]))`), {
      unit: 'percentunit',
      decimals: 2,
      thresholds: steps('green', [0.001, 'orange'], [0.01, 'red']),
    }),
    stat(g, 'p95 latency (all routes)', prom(`histogram_quantile(0.95, sum by (le) (rate(${HTTP}_bucket{${GW}}[${RATE}])))`), {
      unit: 's',
      thresholds: steps('green', [0.5, 'orange'], [1, 'red']),
    }),
    stat(g, 'Orders confirmed/s', prom(`sum(rate(${M.checkoutOrders}{result="confirmed"}[${RATE}]))`), { unit: 'short', decimals: 1 }),
    timeseries(g, 'Requests/s by route', [prom(`sum by (route) (rate(${HTTP}_count{${GW}}[${RATE}]))`, '{{route}}')], { unit: 'reqps', stack: true }),
    timeseries(g, 'Errors/s by route (5xx)', [prom(`sum by (route, status_code) (rate(${HTTP}_count{${GW}, status_code=~"5.."}[${RATE}]))`, '{{route}} {{status_code}}')], { unit: 'reqps' }),
    timeseries(g, 'p95 latency by route', [prom(`histogram_quantile(0.95, sum by (le, route) (rate(${HTTP}_bucket{${GW}}[${RATE}])))`, '{{route}}')], { unit: 's', w: 24 }),
    g.row('Checkout SLO (POST /api/checkout at the gateway)'),
    stat(g, 'Availability (5m)', prom(`1 - (sum(rate(${HTTP}_count{${CHECKOUT}, status_code=~"5.."}[5m])) / sum(rate(${HTTP}_count{${CHECKOUT}}[5m])))`), {
      unit: 'percentunit',
      decimals: 3,
      description: 'Share of checkouts answered without a 5xx. Objective 99.9 %.',
      thresholds: steps('red', [0.999, 'green']),
    }),
    stat(g, 'Under 500 ms (5m)', prom(`sum(rate(${HTTP}_bucket{${CHECKOUT}, le="0.5"}[5m])) / sum(rate(${HTTP}_count{${CHECKOUT}}[5m]))`), {
      unit: 'percentunit',
      decimals: 2,
      description: 'Share of checkouts answered within 500 ms (latency SLO: 99 %).',
      thresholds: steps('red', [0.99, 'green']),
    }),
    stat(g, 'Checkout p99', prom(`histogram_quantile(0.99, sum by (le) (rate(${HTTP}_bucket{${CHECKOUT}}[5m])))`), { unit: 's' }),
    stat(g, 'Active faults', prom(`sum(${S.faultActive}) or vector(0)`), {
      thresholds: steps('green', [1, 'red']),
    }),
    timeseries(g, 'Checkout results/s', [prom(`sum by (result) (rate(${M.checkoutOrders}[${RATE}]))`, '{{result}}')], { unit: 'ops', stack: true }),
    timeseries(g, 'Doorbuster stock left', [prom(`sum by (product_id) (${M.inventoryAvailable})`, '{{product_id}}')], { unit: 'short', min: 0 }),
  ];
  return dashboard(
    { uid: 'peakready-overview', title: 'peakready / Black Friday overview', description: 'Requests, errors and latency at the gateway, and the checkout SLO.', tags: ['overview'] },
    panels,
    { annotations: [faultAnnotation(S.faultActive)] },
  );
}
