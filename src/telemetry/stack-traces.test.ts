import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shipped } from '../paths.js';
import { RunDirectory } from '../run/run-dir.js';
import type { RequestRecord, SpanRecord } from '../run/records.js';
import { privateDatabase, privateStateDir } from '../stack/test-support.js';
import { startStack, type RunningStack } from '../stack/supervisor.js';
import { startOtlpReceiver, type OtlpReceiver } from './otlp/receiver.js';
import { assembleTraces, evaluateTraceRules, findPropagationProblems, loadTraceRules, tracingCompleteness } from './traces/index.js';

const BASE = 26_100;

/**
 * End to end against the real reference stack: its services export with the real OpenTelemetry
 * SDK to our receiver, and the traces of client-started checkouts pass the shipped drill rules,
 * are complete, and show no broken propagation.
 */
describe('traces of the real reference stack', () => {
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
});
