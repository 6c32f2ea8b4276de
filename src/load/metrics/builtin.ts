import type { MetricDefinition } from './types.js';

/**
 * Latency measured from the moment an arrival-rate executor MEANT to start an iteration to the
 * moment the iteration ended. When every VU is busy, the iteration starts late; k6's
 * iteration_duration hides that wait (coordinated omission), this metric does not.
 * Recorded by arrival-rate executors only, with the same tags as iteration_duration.
 */
export const INTENDED_LATENCY_METRIC = 'iteration_intended_latency';

/** k6's built-in metrics with k6's types and value kinds, plus our coordinated-omission trend. */
export const builtinMetrics: readonly MetricDefinition[] = Object.freeze([
  { name: 'vus', type: 'gauge', contains: 'default' },
  { name: 'vus_max', type: 'gauge', contains: 'default' },
  { name: 'iterations', type: 'counter', contains: 'default' },
  { name: 'iteration_duration', type: 'trend', contains: 'time' },
  { name: 'dropped_iterations', type: 'counter', contains: 'default' },
  { name: 'checks', type: 'rate', contains: 'default' },
  { name: 'group_duration', type: 'trend', contains: 'time' },
  { name: 'http_reqs', type: 'counter', contains: 'default' },
  { name: 'http_req_failed', type: 'rate', contains: 'default' },
  { name: 'http_req_duration', type: 'trend', contains: 'time' },
  { name: 'http_req_blocked', type: 'trend', contains: 'time' },
  { name: 'http_req_connecting', type: 'trend', contains: 'time' },
  { name: 'http_req_tls_handshaking', type: 'trend', contains: 'time' },
  { name: 'http_req_sending', type: 'trend', contains: 'time' },
  { name: 'http_req_waiting', type: 'trend', contains: 'time' },
  { name: 'http_req_receiving', type: 'trend', contains: 'time' },
  { name: 'data_sent', type: 'counter', contains: 'data' },
  { name: 'data_received', type: 'counter', contains: 'data' },
  { name: INTENDED_LATENCY_METRIC, type: 'trend', contains: 'time' },
] satisfies MetricDefinition[]);

/** Built-ins by name, the `known` map `parseThresholds` wants before custom metrics are added. */
export function builtinMetricMap(): Map<string, MetricDefinition> {
  return new Map(builtinMetrics.map((d) => [d.name, d]));
}
