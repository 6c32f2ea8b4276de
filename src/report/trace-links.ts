/**
 * A Grafana Explore link that opens one trace in a Tempo data source. Kept here, one function,
 * until the telemetry room exports its `grafanaTraceLink`; the URL shape is Grafana's Explore
 * "panes" state (Grafana 10+), with the trace id as a TraceQL query.
 */
export function traceLink(grafanaUrl: string | undefined, traceId: string, datasourceUid = 'tempo'): string | undefined {
  if (!grafanaUrl) return undefined;
  const panes = {
    a: {
      datasource: datasourceUid,
      queries: [{ refId: 'A', datasource: { type: 'tempo', uid: datasourceUid }, queryType: 'traceql', query: traceId }],
      range: { from: 'now-24h', to: 'now' },
    },
  };
  return `${grafanaUrl.replace(/\/+$/, '')}/explore?schemaVersion=1&panes=${encodeURIComponent(JSON.stringify(panes))}&orgId=1`;
}
