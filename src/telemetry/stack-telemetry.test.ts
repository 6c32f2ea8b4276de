import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shipped } from '../paths.js';
import { RunDirectory } from '../run/run-dir.js';
import type { RequestRecord, SpanRecord } from '../run/records.js';
import { privateDatabase, privateStateDir } from '../../test/support/stack.js';
import { startStack, type RunningStack } from '../supervisor/supervisor.js';
import { dashboardRegistry } from './dashboards/index.js';
import { queryPrometheus } from './metrics/prometheus-api.js';
import { prometheusInstalled, startPrometheus } from './metrics/prometheus-server.js';
import { startOtlpReceiver, type OtlpReceiver } from './otlp/receiver.js';
import { assembleTraces, evaluateTraceRules, findPropagationProblems, loadTraceRules, tracingCompleteness } from './traces/index.js';

const BASE = 26_100;

/**
 * End to end against the real reference stack: its services export with the real OpenTelemetry
 * SDK to our receiver, and the traces of client-started checkouts pass the shipped drill rules,
 * are complete, and show no broken propagation.
 */
describe('telemetry of the real reference stack', () => {
  let stack: RunningStack | undefined;
  let receiver: OtlpReceiver;
  let database: Awaited<ReturnType<typeof privateDatabase>>;
  let run: RunDirectory;

  beforeAll(async () => {
    run = RunDirectory.create('telemetry-e2e', privateStateDir());
    receiver = await startOtlpReceiver({ port: 0, runDir: run });
    database = await privateDatabase('telemetry_e2e');
    stack = await startStack({
      basePort: BASE,
      databaseUrl: database.url,
      runDir: run,
      otlpEndpoint: receiver.url,
      stateFile: false,
      env: { OTEL_BSP_SCHEDULE_DELAY: '200' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
    await database?.drop();
  });

  it('checkout traces continue the client traceparent and pass scenarios/trace-rules.yaml', async () => {
    const products = (await (await fetch(`${stack!.gatewayUrl}/api/products?pageSize=2`)).json()) as { items: Array<{ id: string }> };
    const requests: RequestRecord[] = [];
    for (let i = 0; i < 3; i++) {
      const traceId = randomBytes(16).toString('hex');
      const spanId = randomBytes(8).toString('hex');
      const cart = `telemetry-e2e-${i}-${Date.now()}`;
      await fetch(`${stack!.gatewayUrl}/api/cart/${cart}/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ productId: products.items[0]!.id, quantity: 1 }),
      });
      const t = Date.now();
      const res = await fetch(`${stack!.gatewayUrl}/api/checkout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `${cart}-key`, traceparent: `00-${traceId}-${spanId}-01` },
        body: JSON.stringify({ cartId: cart }),
      });
      expect(res.status).toBe(201);
      requests.push({ t, scenario: 'e2e', name: 'checkout', method: 'POST', status: res.status, duration: Date.now() - t, failed: false, traceId, spanId });
    }
    // the services export in batches: wait until every checkout trace reached its orders span
    await expect
      .poll(() => requests.every((r) => (receiver.store.trace(r.traceId!) ?? []).some((s) => s.service === 'orders' && s.kind === 'SERVER')), { timeout: 20_000, interval: 250 })
      .toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 600));
    receiver.flush();

    const spans = run.readLines<SpanRecord>('traces').filter((s) => requests.some((r) => r.traceId === s.traceId));
    const traces = assembleTraces(spans);
    const results = evaluateTraceRules(traces, loadTraceRules(shipped('scenarios/trace-rules.yaml')));
    expect(results.map((r) => ({ id: r.id, status: r.status, checked: r.tracesChecked, failures: r.failures.map((f) => f.message) }))).toEqual([
      { id: 'checkout-trace-complete', status: 'pass', checked: 3, failures: [] },
      { id: 'checkout-no-errors', status: 'pass', checked: 3, failures: [] },
    ]);
    expect(tracingCompleteness(requests, traces)).toMatchObject({ sent: 3, complete: 3, ratio: 1 });
    expect(findPropagationProblems(traces)).toEqual([]);
    expect(spans.every((s) => s.service !== 'unknown_service' && /^[0-9a-f]{16}$/.test(s.spanId))).toBe(true);
  });

  it.runIf(prometheusInstalled())('every dashboard query is valid PromQL and finds the stack\'s series in a real Prometheus', async () => {
    const targets = () => [
      ...stack!.state().services.flatMap((svc) => svc.replicas.filter((r) => r.state === 'ready').map((r) => ({ service: svc.name, replica: r.id, url: `http://127.0.0.1:${r.port}/metrics` }))),
      { service: 'supervisor', replica: 'supervisor', url: stack!.metricsUrl },
    ];
    const prometheus = await startPrometheus({ targets, port: BASE + 390, runDir: run, scrapeIntervalMs: 1000 });
    try {
      const byRoute = 'sum by (route) (rate(http_server_request_duration_seconds_count{service="gateway"}[1m]))';
      await expect.poll(async () => (await queryPrometheus(prometheus.url, byRoute)).map((s) => s.metric.route), { timeout: 30_000, interval: 500 }).toContain('/api/checkout');
      // the supervisor's gauges keep their own service label (honor_labels)
      const replicas = await queryPrometheus(prometheus.url, 'sum by (service) (peakready_replicas)');
      expect(replicas.map((s) => s.metric.service)).toEqual(expect.arrayContaining(['gateway', 'checkout', 'payments']));
      expect((await queryPrometheus(prometheus.url, 'sum(checkout_orders_total{result="confirmed"})'))[0]!.value).toBeGreaterThanOrEqual(3);
      // rate() needs two scrapes of every replica
      await expect.poll(async () => (await queryPrometheus(prometheus.url, 'sum(rate(checkout_orders_total[1m]))')).length, { timeout: 20_000, interval: 500 }).toBe(1);
      const queries = Object.values(dashboardRegistry).flatMap((build) => {
        const d = build();
        return [...d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)), ...(d.annotations.list as Array<{ expr?: string }>).map((a) => a.expr)].filter((e): e is string => typeof e === 'string');
      });
      const mayBeEmpty = /fault_active|recommendations_degraded|circuit_breaker|cpu_utilization|5\.\.|status_code=~"5\.\.\|0"|inventory_available|== 1|le="0.5"/;
      const promql = queries.map((q) => q.replaceAll('$__rate_interval', '1m').replaceAll('$service', '.*'));
      const emptyOnes = async (candidates: string[]) => {
        const empty: string[] = [];
        for (const q of candidates) if ((await queryPrometheus(prometheus.url, q)).length === 0) empty.push(q);
        return empty;
      };
      // every replica is scraped at its own offset in the interval, so a service's rate() may need
      // one more scrape than checkout's did; a query that never finds its series still fails here
      const mustMatch = promql.filter((q) => !mayBeEmpty.test(q));
      await expect.poll(() => emptyOnes(mustMatch), { timeout: 20_000, interval: 1000 }).toEqual([]);
      // the exempt ones must at least be valid PromQL (queryPrometheus throws on a parse error)
      await emptyOnes(promql.filter((q) => mayBeEmpty.test(q)));
    } finally {
      await prometheus.stop();
    }
  });
});
