import { StackMetrics as M, SupervisorMetrics as S } from '../../stack/metric-names.js';
import { dashboard, datasourceVariable, faultAnnotation, Grid, prom, tempoTable, timeseries, type Dashboard } from './panels.js';

/**
 * Traces: Tempo searches for failing and slow checkouts, and latency with exemplars (enable
 * exemplar storage in Prometheus and link its data source to Tempo to jump from a point to the
 * trace).
 */
export function tracesDashboard(): Dashboard {
  const g = new Grid();
  const panels = [
    g.row('Tempo search'),
    tempoTable(g, 'Checkouts with an error', '{ resource.service.name = "gateway" && name = "POST /api/checkout" && status = error }'),
    tempoTable(g, 'Slowest checkouts (> 500 ms)', '{ resource.service.name = "gateway" && name = "POST /api/checkout" && duration > 500ms }'),
    tempoTable(g, 'Any span with an error', '{ status = error }', { w: 24 }),
    g.row('Latency with exemplars'),
    timeseries(
      g,
      'Checkout p95 (exemplars link to traces)',
      [prom(`histogram_quantile(0.95, sum by (le) (rate(${M.httpServerDuration}_bucket{service="gateway", route="/api/checkout"}[$__rate_interval])))`, 'p95', { exemplar: true })],
      { unit: 's', w: 24 },
    ),
  ];
  const d = dashboard(
    { uid: 'peakready-traces', title: 'peakready / Traces', description: 'Tempo searches for failing and slow checkouts, and latency with exemplars.', tags: ['traces'] },
    panels,
    { annotations: [faultAnnotation(S.faultActive)] },
  );
  d.templating.list.push(datasourceVariable('tempo', 'tempo', 'Tempo'));
  return d;
}
