/**
 * A Grafana Explore link that opens one trace in a Tempo data source, in the URL format current
 * Grafana (10+) reads: `/explore?schemaVersion=1&panes={...}&orgId=1`, one pane whose query is a
 * TraceQL query holding the trace id. `range` (epoch ms) narrows the search window around the
 * trace; without it Grafana searches the last hour.
 */
export function grafanaTraceLink(baseUrl: string, traceId: string, datasourceUid: string, range?: { from: number; to: number }, orgId = 1): string {
  const pane = {
    datasource: datasourceUid,
    queries: [{ refId: 'A', datasource: { type: 'tempo', uid: datasourceUid }, queryType: 'traceql', limit: 20, tableType: 'traces', query: traceId }],
    range: range ? { from: String(Math.floor(range.from)), to: String(Math.ceil(range.to)) } : { from: 'now-1h', to: 'now' },
  };
  const base = baseUrl.replace(/\/+$/, '');
  return `${base}/explore?schemaVersion=1&panes=${encodeURIComponent(JSON.stringify({ trace: pane }))}&orgId=${orgId}`;
}
