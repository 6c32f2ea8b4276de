import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { StackMetrics } from '../../src/stack/metric-names.js';

/**
 * The Prometheus metrics every replica exports on /metrics, named exactly as in
 * src/stack/metric-names.ts (dashboards, alert rules and the scraper are written against them),
 * plus prom-client's default runtime metrics (process CPU, event-loop lag, memory).
 */

export const registry = new Registry();
// event-loop lag sampled every 50 ms (prom-client's default, 10 ms, wakes every idle replica 100
// times a second: an idle stack spent about 6 ms of CPU per second per process on it)
collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 50 });

// OpenTelemetry's recommended HTTP duration buckets, with two finer ones for the low-ms services.
const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export const httpServerDuration = new Histogram({
  name: StackMetrics.httpServerDuration,
  help: 'Duration of HTTP server requests, by route template',
  labelNames: ['service', 'route', 'method', 'status_code'] as const,
  buckets: SECONDS_BUCKETS,
  registers: [registry],
});

export const httpServerActive = new Gauge({
  name: StackMetrics.httpServerActive,
  help: 'HTTP server requests in flight',
  labelNames: ['service'] as const,
  registers: [registry],
});

export const httpClientDuration = new Histogram({
  name: StackMetrics.httpClientDuration,
  help: 'Duration of HTTP requests to upstream services; status_code "0" means no response',
  labelNames: ['service', 'upstream', 'method', 'status_code'] as const,
  buckets: SECONDS_BUCKETS,
  registers: [registry],
});

export const dbDuration = new Histogram({
  name: StackMetrics.dbDuration,
  help: 'Duration of database queries and transactions',
  labelNames: ['service', 'operation'] as const,
  buckets: SECONDS_BUCKETS,
  registers: [registry],
});

/** Metrics only some services set; created on first use so others do not export empty families. */
let degraded: Counter<'service' | 'reason'> | undefined;
export function recommendationsDegraded(): Counter<'service' | 'reason'> {
  degraded ??= new Counter({
    name: StackMetrics.recommendationsDegraded,
    help: 'Product pages answered without recommendations, by reason',
    labelNames: ['service', 'reason'] as const,
    registers: [registry],
  });
  return degraded;
}

let breakerState: Gauge<'service' | 'upstream'> | undefined;
export function circuitBreakerState(): Gauge<'service' | 'upstream'> {
  breakerState ??= new Gauge({
    name: StackMetrics.circuitBreakerState,
    help: 'Circuit breaker state per upstream: 0 closed, 1 open, 2 half-open',
    labelNames: ['service', 'upstream'] as const,
    registers: [registry],
  });
  return breakerState;
}

let orders: Counter<'service' | 'result'> | undefined;
export function checkoutOrders(): Counter<'service' | 'result'> {
  orders ??= new Counter({
    name: StackMetrics.checkoutOrders,
    help: 'Checkout attempts by result',
    labelNames: ['service', 'result'] as const,
    registers: [registry],
  });
  return orders;
}

export function inventoryAvailable(collect: (gauge: Gauge<'service' | 'product_id'>) => Promise<void>): Gauge<'service' | 'product_id'> {
  return new Gauge({
    name: StackMetrics.inventoryAvailable,
    help: 'Units available per doorbuster SKU',
    labelNames: ['service', 'product_id'] as const,
    registers: [registry],
    async collect() {
      await collect(this);
    },
  });
}
