/**
 * Prometheus metric names and labels the reference stack exports on every replica's /metrics,
 * and that the supervisor exports on its own /metrics. Dashboards, alert rules and the scraper
 * are written against these names; a test checks every dashboard query names only these.
 * Names follow OpenTelemetry's HTTP semantic conventions as Prometheus exporters write them.
 */
export const StackMetrics = {
  /** histogram, labels: service, route (e.g. "/api/products/:id"), method, status_code */
  httpServerDuration: 'http_server_request_duration_seconds',
  /** gauge, labels: service */
  httpServerActive: 'http_server_active_requests',
  /** histogram, labels: service, upstream (e.g. "recommendations"), method, status_code ("0" = no response) */
  httpClientDuration: 'http_client_request_duration_seconds',
  /** counter, labels: service, reason ("timeout" | "breaker_open" | "error" | "bulkhead_full") */
  recommendationsDegraded: 'recommendations_degraded_total',
  /** gauge, labels: service, upstream; 0 closed, 1 open, 2 half-open */
  circuitBreakerState: 'circuit_breaker_state',
  /** counter, labels: service="checkout", result ("confirmed" | "replayed" | "out_of_stock" | "payment_declined" | "error") */
  checkoutOrders: 'checkout_orders_total',
  /** gauge, labels: service="inventory", product_id (doorbuster SKUs only) */
  inventoryAvailable: 'inventory_available_units',
  /** histogram, labels: service, operation ("query" | "transaction") */
  dbDuration: 'db_client_operation_duration_seconds',
  /** prom-client default metrics (prefix-free): process_cpu_seconds_total, nodejs_eventloop_lag_seconds, ... */
  processCpu: 'process_cpu_seconds_total',
  eventLoopLag: 'nodejs_eventloop_lag_seconds',
  eventLoopLagP99: 'nodejs_eventloop_lag_p99_seconds',
  residentMemory: 'process_resident_memory_bytes',
} as const;

/** Exported by the supervisor (one process for the whole local stack), labels: service. */
export const SupervisorMetrics = {
  replicas: 'peakready_replicas',
  readyReplicas: 'peakready_ready_replicas',
  desiredReplicas: 'peakready_desired_replicas',
  minReplicas: 'peakready_min_replicas',
  maxReplicas: 'peakready_max_replicas',
  /** average CPU utilisation of the service's replicas, ratio of request (0.6 = 60 %) */
  cpuUtilization: 'peakready_cpu_utilization_ratio',
  /** gauge 1 while a fault is active, labels: proxy, kind */
  faultActive: 'peakready_fault_active',
} as const;
