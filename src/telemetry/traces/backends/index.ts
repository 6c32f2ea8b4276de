/** Traces fetched by id from the user's trace backend (Grafana Tempo, Jaeger): the room's public surface. */
export { fetchTraces, TraceBackendError, type FetchProgress, type FetchTracesOptions, type FetchTracesResult, type TraceFetchError } from './fetch-traces.js';
export { reachable } from './reachable.js';
export { traceApiRegistry } from './registry.js';
export type { TimeWindow, TraceApi, TraceApiId, TraceBackend, TraceBackendKind } from './trace-api.js';
