import type { MetricType } from '../metrics/types.js';
import type { VuContext } from '../vu-context.js';
import type { K6Module } from './k6-module.js';

/**
 * k6's metric name rule since v0.48 (the Prometheus/OpenTelemetry-compatible one, enforced when the
 * metric is created): an ASCII letter or `_`, then 1 to 128 ASCII letters, digits or `_`. Spaces,
 * dots, dashes and a one-character name are refused, as k6 refuses them.
 */
export function isValidMetricName(name: unknown): name is string {
  return typeof name === 'string' && /^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/.test(name);
}

/** `k6/metrics`: custom Counter, Gauge, Rate and Trend, declared to the sink when constructed. */
export const metricsModule: K6Module = {
  specifier: 'k6/metrics',
  blocking: [],
  create(vu) {
    const make = (type: MetricType) =>
      class CustomMetric {
        readonly name: string;
        constructor(name: string, isTime = false) {
          if (!isValidMetricName(name)) {
            throw new TypeError(
              `k6/metrics: invalid metric name "${String(name)}": as k6 (since v0.48), a name starts with an ASCII letter or _ and goes on with up to 128 ASCII letters, digits or _`,
            );
          }
          this.name = name;
          vu.instance.sink.define({ name, type, contains: type === 'trend' && isTime ? 'time' : 'default' });
        }
        add(value: number | boolean, tags?: Record<string, string>): boolean {
          addSample(vu, this.name, type, value, tags);
          return true;
        }
      };
    const api = { Counter: make('counter'), Gauge: make('gauge'), Rate: make('rate'), Trend: make('trend') };
    return { ...api, default: api };
  },
};

function addSample(vu: VuContext, name: string, type: MetricType, value: number | boolean, tags?: Record<string, string>): void {
  let v = typeof value === 'boolean' ? (value ? 1 : 0) : Number(value);
  if (type === 'rate') v = v ? 1 : 0;
  if (!Number.isFinite(v)) throw new TypeError(`metric ${name}: ${String(value)} is not a number`);
  vu.emit(name, v, vu.tags(tags));
}
