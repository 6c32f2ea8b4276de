import { StackMetrics as M } from '../../stack/metric-names.js';
import { dashboard, faultAnnotation, Grid, labelVariable, prom, timeseries, type Dashboard } from './panels.js';
import { SupervisorMetrics as S } from '../../stack/metric-names.js';

const SEL = 'service=~"$service"';
const RATE = '$__rate_interval';

/** Rate, errors, duration per service (variable `service`), its upstream calls and its runtime. */
export function serviceRedDashboard(): Dashboard {
  const g = new Grid();
  const H = M.httpServerDuration;
  const C = M.httpClientDuration;
  const panels = [
    g.row('$service: requests it serves'),
    timeseries(g, 'Rate by route', [prom(`sum by (service, route) (rate(${H}_count{${SEL}}[${RATE}]))`, '{{service}} {{route}}')], { unit: 'reqps', w: 8 }),
    timeseries(g, 'Errors by route (5xx)', [prom(`sum by (service, route) (rate(${H}_count{${SEL}, status_code=~"5.."}[${RATE}]))`, '{{service}} {{route}}')], { unit: 'reqps', w: 8 }),
    timeseries(
      g,
      'Duration p50 / p95 / p99',
      [0.5, 0.95, 0.99].map((q) => prom(`histogram_quantile(${q}, sum by (le, service) (rate(${H}_bucket{${SEL}}[${RATE}])))`, `{{service}} p${Math.round(q * 100)}`)),
      { unit: 's', w: 8 },
    ),
    timeseries(g, 'In flight', [prom(`sum by (service) (${M.httpServerActive}{${SEL}})`, '{{service}}')], { unit: 'short', w: 8 }),
    timeseries(g, 'p95 by route', [prom(`histogram_quantile(0.95, sum by (le, service, route) (rate(${H}_bucket{${SEL}}[${RATE}])))`, '{{service}} {{route}}')], { unit: 's', w: 16 }),
    g.row('$service: calls to its upstreams'),
    timeseries(g, 'Upstream calls/s', [prom(`sum by (service, upstream) (rate(${C}_count{${SEL}}[${RATE}]))`, '{{service}} → {{upstream}}')], { unit: 'reqps', w: 8 }),
    timeseries(
      g,
      'Upstream failures/s (5xx or no response)',
      [prom(`sum by (service, upstream, status_code) (rate(${C}_count{${SEL}, status_code=~"5..|0"}[${RATE}]))`, '{{service}} → {{upstream}} {{status_code}}')],
      { unit: 'reqps', w: 8 },
    ),
    timeseries(g, 'Upstream p95', [prom(`histogram_quantile(0.95, sum by (le, service, upstream) (rate(${C}_bucket{${SEL}}[${RATE}])))`, '{{service}} → {{upstream}}')], { unit: 's', w: 8 }),
    timeseries(g, 'Circuit breakers (0 closed, 1 open, 2 half-open)', [prom(`max by (service, upstream) (${M.circuitBreakerState}{${SEL}})`, '{{service}} → {{upstream}}')], { unit: 'short', w: 8, min: 0, max: 2 }),
    timeseries(g, 'Recommendations degraded/s', [prom(`sum by (service, reason) (rate(${M.recommendationsDegraded}{${SEL}}[${RATE}]))`, '{{service}} {{reason}}')], { unit: 'ops', w: 8 }),
    timeseries(g, 'Database p95', [prom(`histogram_quantile(0.95, sum by (le, service, operation) (rate(${M.dbDuration}_bucket{${SEL}}[${RATE}])))`, '{{service}} {{operation}}')], { unit: 's', w: 8 }),
    g.row('$service: runtime (per replica)'),
    timeseries(g, 'CPU (cores)', [prom(`sum by (service, replica) (rate(${M.processCpu}{${SEL}}[${RATE}]))`, '{{replica}}')], { unit: 'short', w: 8 }),
    timeseries(g, 'Event-loop lag p99', [prom(`max by (service, replica) (${M.eventLoopLagP99}{${SEL}})`, '{{replica}}')], { unit: 's', w: 8 }),
    timeseries(g, 'Resident memory', [prom(`max by (service, replica) (${M.residentMemory}{${SEL}})`, '{{replica}}')], { unit: 'bytes', w: 8 }),
  ];
  return dashboard(
    { uid: 'peakready-service-red', title: 'peakready / Service RED', description: 'Rate, errors and duration of each service, its upstream calls and its runtime.', tags: ['red'] },
    panels,
    { variables: [labelVariable('service', `${H}_count`, 'service')], annotations: [faultAnnotation(S.faultActive)] },
  );
}
