import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntegritySnapshot } from '../src/run/records.js';
import { addToCart, buy, checkout, request, setStock, stockOf } from '../test/fixtures/reference-stack/client.js';
import { GENEROUS_TIMEOUTS, launchStack, type LaunchedStack } from '../test/fixtures/reference-stack/launcher.js';
import { startOtlpJsonSink } from '../test/fixtures/reference-stack/otlp-json-sink.js';

// The seeded defects of src/stack/defects.ts, each seen doing its harm on the real services. One
// stack with every service defect on (one start keeps the file short); the healthy behaviour of
// the same paths is held by stack.api.test.ts and the checkout-integrity suite, where all are off.
// Recommendations answer after 400 ms here, so the unguarded product page is visibly slow.
let stack: LaunchedStack;
let sink: Awaited<ReturnType<typeof startOtlpJsonSink>>;
const gw = () => stack.gatewayUrl;
const RECOMMENDATIONS_DELAY_MS = 400;

beforeAll(async () => {
  sink = await startOtlpJsonSink();
  stack = await launchStack({
    otlpEndpoint: sink.url,
    defects: ['checkout-double-charge', 'inventory-oversell', 'orders-ack-before-commit', 'product-unguarded-recommendations', 'checkout-calls-recommendations', 'trace-context-dropped'],
    env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100', PAYMENTS_LATENCY_MS: '5', PAYMENTS_JITTER_MS: '2', ...GENEROUS_TIMEOUTS },
    serviceEnv: { recommendations: { RECOMMENDATIONS_DELAY_MS: String(RECOMMENDATIONS_DELAY_MS) } },
  });
});
afterAll(async () => {
  await stack?.stop();
  await sink?.close();
});

const internal = <T>(service: 'orders' | 'payments' | 'inventory', path: string) => request<T>(`${stack.serviceUrl(service)}${path}`);

describe('seeded defects on the real services', () => {
  it('checkout-double-charge: two checkouts with the same key at once are both charged', async () => {
    const cartId = `cart-${randomUUID()}`;
    expect((await addToCart(gw(), cartId, 'sku-00100', 1)).status).toBe(200);
    const key = `dup-${randomUUID()}`;
    const answers = await Promise.all([checkout(gw(), cartId, key), checkout(gw(), cartId, key)]);
    expect(answers.every((a) => a.status === 200 || a.status === 201)).toBe(true);
    const { charges } = (await internal<Pick<IntegritySnapshot, 'charges'>>('payments', '/internal/charges')).body;
    const captured = charges.filter((c) => c.idempotencyKey === key && c.status === 'captured');
    expect(captured.length).toBeGreaterThanOrEqual(2);
  });

  it('inventory-oversell: 200 concurrent buyers of 20 units get more than 20 confirmed orders', async () => {
    const sku = 'sku-00300';
    await setStock(stack.serviceUrl('inventory'), sku, 20);
    const carts = Array.from({ length: 200 }, () => `cart-${randomUUID()}`);
    for (let i = 0; i < carts.length; i += 25) {
      const added = await Promise.all(carts.slice(i, i + 25).map((c) => addToCart(gw(), c, sku, 1)));
      expect(added.every((a) => a.status === 200)).toBe(true);
    }
    const answers = await Promise.all(carts.map((c) => checkout(gw(), c)));
    const confirmed = answers.filter((a) => a.status === 201).length;
    expect(confirmed).toBeGreaterThan(20);
    const stock = await stockOf(stack.serviceUrl('inventory'), sku);
    expect(stock.sold).toBeGreaterThanOrEqual(confirmed);
    expect(stock.sold).toBeGreaterThan(stock.initial);
    expect(stock.minObserved).toBeLessThan(0);
  });

  it('orders-ack-before-commit: a burst of acknowledged orders is only partly stored', async () => {
    const keys = Array.from({ length: 30 }, () => `ack-${randomUUID()}`);
    const item = { productId: 'sku-00200', quantity: 1, unitPriceCents: 100 };
    const answers = await Promise.all(
      keys.map((idempotencyKey) => request<{ order: { orderId: string } }>(`${stack.serviceUrl('orders')}/orders`, { body: { idempotencyKey, chargeId: 'ch_x', totalCents: 100, items: [item] } })),
    );
    expect(answers.every((a) => a.status === 201)).toBe(true);
    await new Promise((r) => setTimeout(r, 800)); // the write-behind buffer is flushed every 250 ms
    const { orders } = (await internal<Pick<IntegritySnapshot, 'orders'>>('orders', '/internal/orders')).body;
    const stored = orders.filter((o) => keys.includes(o.idempotencyKey)).length;
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(keys.length);
    const lost = answers.map((a) => a.body.order.orderId).find((id) => !orders.some((o) => o.orderId === id))!;
    expect((await internal('orders', `/orders/${lost}`)).status).toBe(404);
  });

  it('trace-context-dropped: payments starts a trace of its own instead of joining the checkout', async () => {
    await addToCart(gw(), 'cart-trace', 'sku-00800', 1);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await checkout(gw(), 'cart-trace', `key-${randomUUID()}`, {}, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    expect(res.status).toBe(201);
    const deadline = Date.now() + 10_000;
    const hop = () => sink.spans.find((s) => s.traceId === traceId && s.service === 'checkout' && s.kind === 3 && String(s.attributes['url.full']).endsWith('/charges'));
    const orphan = () => sink.spans.find((s) => s.service === 'payments' && s.kind === 2 && s.name === 'POST /charges' && s.parentSpanId === undefined);
    const ordersServer = () => sink.spans.find((s) => s.traceId === traceId && s.service === 'orders' && s.kind === 2);
    while (Date.now() < deadline && !(hop() && orphan() && ordersServer())) await new Promise((r) => setTimeout(r, 100));
    expect(hop()).toBeDefined(); // checkout still records its call ...
    expect(ordersServer()).toBeDefined(); // ... and its other hops still join the trace
    expect(sink.spans.some((s) => s.traceId === traceId && s.service === 'payments')).toBe(false);
    expect(orphan()!.traceId).not.toBe(traceId); // payments' span is a root of another trace
  });

  it('product-unguarded-recommendations: slow recommendations make the product page slow, not degraded', async () => {
    const started = Date.now();
    const page = await request<{ recommendations: unknown[]; degraded: boolean }>(`${gw()}/api/products/sku-00042`);
    expect(page.status).toBe(200);
    expect(page.body.degraded).toBe(false);
    expect(page.body.recommendations).toHaveLength(4);
    // the healthy gateway gives up after 150 ms and answers degraded
    expect(Date.now() - started).toBeGreaterThanOrEqual(RECOMMENDATIONS_DELAY_MS - 20);
    expect(page.headers.get('x-peakready-degraded')).toBeNull();
  });

  it('checkout-calls-recommendations: with recommendations down, checkout fails', async () => {
    await stack.stopService('recommendations');
    try {
      const res = await buy(gw(), 'sku-00600');
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(res.body.error).toMatch(/recommendations/);
    } finally {
      await stack.startService('recommendations');
    }
  });
});
