import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackMetrics } from '../src/stack/metric-names.js';
import { checkoutIntegritySuite } from '../test/fixtures/reference-stack/checkout-suite.js';
import { addToCart, buy, checkout, request, setStock, stockOf } from '../test/fixtures/reference-stack/client.js';
import { GENEROUS_TIMEOUTS, launchStack, type LaunchedStack } from '../test/fixtures/reference-stack/launcher.js';
import { startOtlpJsonSink } from '../test/fixtures/reference-stack/otlp-json-sink.js';

// The whole reference stack on embedded PGlite, real processes and sockets, tracing exported as
// OTLP/HTTP JSON to a sink in this test. Started once for the file.
let stack: LaunchedStack;
let sink: Awaited<ReturnType<typeof startOtlpJsonSink>>;
const gw = () => stack.gatewayUrl;
type Json = Record<string, unknown>;

beforeAll(async () => {
  sink = await startOtlpJsonSink();
  stack = await launchStack({
    otlpEndpoint: sink.url,
    env: { LOG_LEVEL: 'debug', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100', PAYMENTS_LATENCY_MS: '5', PAYMENTS_JITTER_MS: '2', ...GENEROUS_TIMEOUTS },
  });
});
afterAll(async () => {
  await stack?.stop();
  await sink?.close();
});

describe('products and search', () => {
  it('lists at least 1,000 generated products, paged, filtered and sorted', async () => {
    const all = await request<{ items: Json[]; total: number; page: number; pageSize: number }>(`${gw()}/api/products`);
    expect(all.status).toBe(200);
    expect(all.body.total).toBeGreaterThanOrEqual(1000);
    expect(all.body).toMatchObject({ page: 1, pageSize: 20 });
    expect(all.body.items).toHaveLength(20);
    const cheap = await request<{ items: Array<{ priceCents: number; category: string }> }>(`${gw()}/api/products?category=audio&sort=price&pageSize=50&maxPrice=20000`);
    const prices = cheap.body.items.map((p) => p.priceCents);
    expect(prices.length).toBeGreaterThan(0);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(cheap.body.items.every((p) => p.category === 'audio' && p.priceCents <= 20000)).toBe(true);
    const page2 = await request<{ items: Json[] }>(`${gw()}/api/products?page=2&pageSize=20`);
    expect(page2.body.items[0]).not.toEqual(all.body.items[0]);
  });

  it('lists the limited-stock doorbuster SKUs', async () => {
    const door = await request<{ items: Array<{ id: string; doorbuster: boolean }>; total: number }>(`${gw()}/api/products?doorbuster=true`);
    expect(door.body.total).toBeGreaterThanOrEqual(3);
    expect(door.body.total).toBeLessThan(20);
    expect(door.body.items.every((p) => p.doorbuster)).toBe(true);
    expect(door.body.items.map((p) => p.id)).toContain('sku-00001');
  });

  it.each([
    ['page=0', 'page'],
    ['pageSize=1000', 'pageSize'],
    ['sort=cheapest', 'sort'],
    ['category=spaceships', 'category'],
    ['minPrice=500&maxPrice=100', 'minPrice'],
    ['doorbuster=maybe', 'doorbuster'],
  ])('answers 400 naming the field for ?%s', async (query, field) => {
    const res = await request<{ error: string }>(`${gw()}/api/products?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toContain(field);
  });

  it('shows a product page with recommendations, and 404 for an unknown id', async () => {
    // recommendations has 150 ms before the page degrades: a cold replica on a busy machine may
    // miss it once (the page then answers degraded, as designed), so allow a few tries
    type Page = { product: { id: string }; recommendations: Json[]; degraded: boolean };
    let page = await request<Page>(`${gw()}/api/products/sku-00042`);
    for (let attempt = 1; attempt < 5 && page.body.degraded; attempt++) page = await request<Page>(`${gw()}/api/products/sku-00042`);
    expect(page.status).toBe(200);
    expect(page.body.product.id).toBe('sku-00042');
    expect(page.body.recommendations).toHaveLength(4);
    expect(page.body.degraded).toBe(false);
    expect(page.headers.get('x-peakready-degraded')).toBeNull();
    const missing = await request<{ error: string }>(`${gw()}/api/products/sku-99999`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatch(/sku-99999.*not found/);
  });

  it('searches with ranked results; a missing or empty query is a 400', async () => {
    const res = await request<{ query: string; results: Array<{ id: string; name: string; score: number; priceCents: number; category: string }>; total: number }>(
      `${gw()}/api/search?q=wireless%20headphones&limit=5`,
    );
    expect(res.status).toBe(200);
    expect(res.body.query).toBe('wireless headphones');
    expect(res.body.results).toHaveLength(5);
    expect(res.body.total).toBeGreaterThanOrEqual(5);
    expect(res.body.results[0]!.name.toLowerCase()).toContain('headphones');
    const scores = res.body.results.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(Object.keys(res.body.results[0]!).sort()).toEqual(['category', 'id', 'name', 'priceCents', 'score']);
    for (const q of ['', '?q=', '?q=%20%20']) {
      const bad = await request<{ error: string }>(`${gw()}/api/search${q}`);
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatch(/q:/);
    }
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await request<{ error: string }>(`${gw()}/api/nothing-here`);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatch(/no route/);
  });
});

describe('cart and checkout', () => {
  it('adds items to a cart (quantities add up) and reads it back; an unknown cart is empty', async () => {
    const first = await addToCart(gw(), 'cart-api-1', 'sku-00300', 1);
    expect(first.status).toBe(200);
    const second = await addToCart(gw(), 'cart-api-1', 'sku-00300', 2);
    const line = (second.body.items as Array<{ productId: string; quantity: number; unitPriceCents: number }>)[0]!;
    expect(line).toMatchObject({ productId: 'sku-00300', quantity: 3 });
    expect(second.body.totalCents).toBe(3 * line.unitPriceCents);
    expect((await request(`${gw()}/api/cart/cart-api-1`)).body).toEqual(second.body);
    expect((await request(`${gw()}/api/cart/never-used`)).body).toEqual({ cartId: 'never-used', items: [], totalCents: 0 });
  });

  it('rejects malformed JSON, bad fields and unknown products with clear 4xx answers', async () => {
    const malformed = await request<{ error: string }>(`${gw()}/api/cart/c-bad/items`, { method: 'POST', rawBody: '{"productId": ', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/malformed JSON/);
    const badQuantity = await request<{ error: string }>(`${gw()}/api/cart/c-bad/items`, { body: { productId: 'sku-00001', quantity: 0 } });
    expect(badQuantity.status).toBe(400);
    expect(badQuantity.body.error).toMatch(/quantity/);
    const unknown = await addToCart(gw(), 'c-bad', 'sku-99999', 1);
    expect(unknown.status).toBe(404);
    expect(String(unknown.body.error)).toMatch(/sku-99999/);
  });

  it('checks out once per key: 201 with the order id header, then 200 replays; GET /api/orders/:id finds it', async () => {
    await addToCart(gw(), 'cart-api-2', 'sku-00400', 2);
    const first = await checkout(gw(), 'cart-api-2', 'key-api-2', { customerId: 'c-1' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'confirmed', items: [{ productId: 'sku-00400', quantity: 2 }] });
    expect(first.headers.get('x-peakready-order-id')).toBe(first.body.orderId);
    const replay = await checkout(gw(), 'cart-api-2', 'key-api-2', { customerId: 'c-1' });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('x-peakready-idempotent-replay')).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect((await request(`${gw()}/api/orders/${first.body.orderId}`)).status).toBe(200);
    expect((await request(`${gw()}/api/orders/ord_missing`)).status).toBe(404);
  });

  it('needs an Idempotency-Key and a non-empty cart', async () => {
    const noKey = await request<{ error: string }>(`${gw()}/api/checkout`, { body: { cartId: 'cart-x' } });
    expect(noKey.status).toBe(400);
    expect(noKey.body.error).toMatch(/Idempotency-Key/);
    const empty = await checkout(gw(), 'cart-empty');
    expect(empty.status).toBe(400);
    expect(String(empty.body.error)).toMatch(/empty/);
    const badBody = await checkout(gw(), '');
    expect(badBody.status).toBe(400);
  });

  checkoutIntegritySuite(() => stack, ['sku-00001', 'sku-00002']);
});

describe('resilience', () => {
  it('with recommendations stopped, product pages answer 200 degraded and checkout is unaffected', async () => {
    await stack.stopService('recommendations');
    try {
      const reasons: string[] = [];
      for (let i = 0; i < 8; i++) {
        const page = await request<{ recommendations: Json[]; degraded: boolean }>(`${gw()}/api/products/sku-00${500 + i}`);
        expect(page.status).toBe(200);
        expect(page.body).toMatchObject({ recommendations: [], degraded: true });
        expect(page.headers.get('x-peakready-degraded')).toBe('true');
        reasons.push(page.headers.get('x-peakready-degraded-reason') ?? '');
      }
      // consecutive failures open the breaker: later pages fail fast without calling recommendations
      expect(reasons.at(-1)).toBe('breaker_open');
      const order = await buy(gw(), 'sku-00600');
      expect(order.status).toBe(201);
      const metrics = await (await fetch(`${gw()}/metrics`)).text();
      expect(metrics).toMatch(/recommendations_degraded_total\{service="gateway",reason="breaker_open"\} [1-9]/);
      expect(metrics).toMatch(/circuit_breaker_state\{service="gateway",upstream="recommendations"\} 1/);
    } finally {
      await stack.startService('recommendations');
    }
  });

  it('rate-limits per client with 429 + Retry-After, and checks a bearer token when configured', async () => {
    const strict = await stack.startExtraReplica('gateway', { GATEWAY_RATE_LIMIT_RPS: '1', GATEWAY_RATE_LIMIT_BURST: '3', GATEWAY_AUTH_TOKEN: 's3cret' });
    try {
      // the limit applies before the token check: this refused request takes one of the 3 tokens
      const denied = await request<{ error: string }>(`${strict.url}/api/products`);
      expect(denied.status).toBe(401);
      expect(denied.headers.get('www-authenticate')).toBe('Bearer');
      const auth = { authorization: 'Bearer s3cret' };
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await request<{ error?: string }>(`${strict.url}/api/products?pageSize=1`, { headers: auth }));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
      expect(Number(answers[2]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(answers[2]!.body.error).toMatch(/rate limit/);
    } finally {
      await strict.stop();
    }
  });

  it('a payment provider error releases the reservation and charges nothing; the retry with the key succeeds', async () => {
    const failing = await stack.startExtraReplica('payments', { PAYMENTS_FAILURE_RATE: '1' });
    const checkoutViaFailing = await stack.startExtraReplica('checkout', { PAYMENTS_URL: failing.url });
    try {
      await setStock(stack.serviceUrl('inventory'), 'sku-00003', 3);
      await addToCart(gw(), 'cart-provider', 'sku-00003', 2);
      const attempt = await request<{ error: string }>(`${checkoutViaFailing.url}/checkout`, { body: { cartId: 'cart-provider' }, headers: { 'idempotency-key': 'key-provider' } });
      expect(attempt.status).toBe(502);
      expect(attempt.body.error).toMatch(/nothing was charged, retry with the same Idempotency-Key/);
      expect(await stockOf(stack.serviceUrl('inventory'), 'sku-00003')).toMatchObject({ available: 3 });
      const charges = (await request<{ charges: Array<{ idempotencyKey: string }> }>(`${stack.serviceUrl('payments')}/internal/charges`)).body.charges;
      expect(charges.some((c) => c.idempotencyKey === 'key-provider')).toBe(false);
      const retry = await checkout(gw(), 'cart-provider', 'key-provider');
      expect(retry.status).toBe(201);
      expect(await stockOf(stack.serviceUrl('inventory'), 'sku-00003')).toMatchObject({ available: 1 });
    } finally {
      await checkoutViaFailing.stop();
      await failing.stop();
    }
  });

  it('a payment without an answer keeps the hold; the retry with the same key finds the charge and confirms', async () => {
    const slow = await stack.startExtraReplica('payments', { PAYMENTS_LATENCY_MS: '1500', PAYMENTS_JITTER_MS: '0' });
    const impatient = await stack.startExtraReplica('checkout', { PAYMENTS_URL: slow.url, CHECKOUT_PAYMENTS_TIMEOUT_MS: '300' });
    try {
      await addToCart(gw(), 'cart-timeout', 'sku-00004', 1);
      const first = await request<{ error: string }>(`${impatient.url}/checkout`, { body: { cartId: 'cart-timeout' }, headers: { 'idempotency-key': 'key-timeout' } });
      expect(first.status).toBe(503);
      expect(first.body.error).toMatch(/payment outcome unknown.*retry with the same Idempotency-Key/);
      const held = await stockOf(stack.serviceUrl('inventory'), 'sku-00004');
      // the slow provider finishes the charge after the caller gave up
      const chargesUrl = `${stack.serviceUrl('payments')}/internal/charges`;
      const charged = async () => (await request<{ charges: Array<{ idempotencyKey: string }> }>(chargesUrl)).body.charges.filter((c) => c.idempotencyKey === 'key-timeout');
      for (let i = 0; i < 50 && (await charged()).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await charged()).toHaveLength(1);
      const retry = await checkout(gw(), 'cart-timeout', 'key-timeout');
      expect(retry.status).toBe(201);
      expect(await charged()).toHaveLength(1);
      expect((await stockOf(stack.serviceUrl('inventory'), 'sku-00004')).available).toBe(held.available);
    } finally {
      await impatient.stop();
      await slow.stop();
    }
  });

  it('releases holds nobody finished after INVENTORY_HOLD_TTL_MS', async () => {
    // its own schema, so the quick sweep cannot touch the holds of the other tests
    const sweeping = await stack.startExtraReplica('inventory', { DB_SCHEMA: 'inventory_sweep', INVENTORY_HOLD_TTL_MS: '300', INVENTORY_SWEEP_INTERVAL_MS: '100' });
    try {
      const hold = await request(`${sweeping.url}/reservations`, { body: { reservationId: 'abandoned', items: [{ productId: 'sku-00005', quantity: 4 }] } });
      expect(hold.body).toMatchObject({ status: 'reserved' });
      expect((await stockOf(sweeping.url, 'sku-00005')).available).toBe(46);
      let available = 46;
      for (let i = 0; i < 50 && available !== 50; i++) {
        await new Promise((r) => setTimeout(r, 100));
        available = (await stockOf(sweeping.url, 'sku-00005')).available;
      }
      expect(available).toBe(50);
      // a late commit takes the units again
      expect((await request(`${sweeping.url}/reservations/abandoned/commit`, { method: 'POST' })).body).toMatchObject({ status: 'committed' });
      expect((await stockOf(sweeping.url, 'sku-00005')).available).toBe(46);
    } finally {
      await sweeping.stop();
    }
  });

  it('refuses to start with a bad setting, naming the variable', async () => {
    await expect(stack.startExtraReplica('payments', { PAYMENTS_FAILURE_RATE: '2' })).rejects.toThrow(/PAYMENTS_FAILURE_RATE="2" is not a number between 0 and 1/);
  });

  it('serves /healthz and /readyz on every replica', async () => {
    for (const name of ['gateway', 'catalog', 'inventory'] as const) {
      expect((await request(`${stack.serviceUrl(name)}/healthz`)).body).toMatchObject({ status: 'ok', replica: `${name}-1` });
      expect((await request(`${stack.serviceUrl(name)}/readyz`)).status).toBe(200);
    }
  });

  it('drains in-flight requests on SIGTERM before exiting', async () => {
    const slow = await stack.startExtraReplica('recommendations', { RECOMMENDATIONS_DELAY_MS: '600' });
    const inFlight = request(`${slow.url}/recommendations/sku-00010`);
    await new Promise((r) => setTimeout(r, 150));
    const stopped = slow.stop();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    await stopped;
    await expect(fetch(`${slow.url}/healthz`)).rejects.toThrow();
  });
});

describe('telemetry', () => {
  it('exports the metric names of src/stack/metric-names.ts on /metrics', async () => {
    await buy(gw(), 'sku-00700');
    const gateway = await (await fetch(`${gw()}/metrics`)).text();
    for (const name of [StackMetrics.httpServerDuration, StackMetrics.httpServerActive, StackMetrics.httpClientDuration, StackMetrics.processCpu, StackMetrics.eventLoopLag]) {
      expect(gateway).toContain(`# TYPE ${name}`);
    }
    expect(gateway).toMatch(/http_server_request_duration_seconds_count\{service="gateway",route="\/api\/products\/:id",method="GET",status_code="200"\} \d+/);
    const checkoutMetrics = await (await fetch(`${stack.serviceUrl('checkout')}/metrics`)).text();
    expect(checkoutMetrics).toMatch(/checkout_orders_total\{service="checkout",result="confirmed"\} [1-9]/);
    const inventory = await (await fetch(`${stack.serviceUrl('inventory')}/metrics`)).text();
    expect(inventory).toMatch(/inventory_available_units\{service="inventory",product_id="sku-00001"\} \d+/);
    expect(inventory).toMatch(/db_client_operation_duration_seconds_count\{service="inventory",operation="transaction"\} [1-9]/);
  });

  it('carries the client trace id through every hop of a checkout, down to the database', async () => {
    await addToCart(gw(), 'cart-trace', 'sku-00800', 1);
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const res = await checkout(gw(), 'cart-trace', 'key-trace', {}, { traceparent: `00-${traceId}-b7ad6b7169203331-01` });
    expect(res.status).toBe(201);
    expect(res.headers.get('traceresponse')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const wanted = ['gateway', 'checkout', 'cart', 'inventory', 'payments', 'orders'];
    const deadline = Date.now() + 10_000;
    let spans = sink.spans.filter((s) => s.traceId === traceId);
    while (Date.now() < deadline && !wanted.every((w) => spans.some((s) => s.service === w && s.kind === 2 && s.attributes['http.route']))) {
      await new Promise((r) => setTimeout(r, 100));
      spans = sink.spans.filter((s) => s.traceId === traceId);
    }
    expect(sink.contentTypes.has('application/json')).toBe(true);
    const servers = spans.filter((s) => s.kind === 2);
    expect(new Set(servers.map((s) => s.service))).toEqual(new Set(wanted));
    const gatewayServer = servers.find((s) => s.service === 'gateway')!;
    expect(gatewayServer.parentSpanId).toBe('b7ad6b7169203331');
    expect(gatewayServer.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.path': '/api/checkout', 'http.route': '/api/checkout', 'http.response.status_code': 201 });
    expect(servers.find((s) => s.service === 'inventory' && s.attributes['http.route'] === '/reservations')).toBeDefined();
    // every server span below the gateway is the child of a client span of its caller
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    for (const server of servers.filter((s) => s !== gatewayServer)) {
      const parent = byId.get(server.parentSpanId ?? '');
      expect(parent?.kind, `${server.service} ${server.name}`).toBe(3);
      expect(String(parent?.attributes['url.full'])).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    }
    const dbSpans = spans.filter((s) => s.attributes['db.system.name'] === 'postgresql');
    expect(new Set(dbSpans.map((s) => s.service))).toEqual(new Set(['cart', 'inventory', 'payments', 'orders']));
    // database semconv: the statement as written (placeholders, no values), its operation, the server
    const insertOrder = dbSpans.find((s) => s.service === 'orders' && s.attributes['db.operation.name'] === 'INSERT');
    expect(insertOrder).toMatchObject({ kind: 3, name: expect.stringMatching(/^INSERT /) });
    expect(insertOrder?.attributes).toMatchObject({ 'db.query.text': expect.stringContaining('VALUES ($1, $2'), 'server.address': '127.0.0.1', 'server.port': expect.any(Number) });
    expect(byId.get(insertOrder?.parentSpanId ?? '')).toMatchObject({ service: 'orders', kind: 2, name: 'POST /orders' });
    // HTTP semconv status: checkout's idempotency lookup answered 404, the answer it expects when the
    // key is new, so not even its client span is an error (semconv's SHOULD, left to the caller)
    const lookup = spans.find((s) => s.service === 'checkout' && s.kind === 3 && String(s.attributes['url.full']).includes('/orders/by-key/'))!;
    expect(lookup).toMatchObject({ name: 'GET', status: { code: 0 } });
    expect(lookup.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 404, 'server.address': '127.0.0.1' });
    expect(lookup.attributes['error.type']).toBeUndefined();
    const lookupServer = servers.find((s) => s.parentSpanId === lookup.spanId)!;
    expect(lookupServer).toMatchObject({ service: 'orders', name: 'GET /orders/by-key/:key', status: { code: 0 } });
    expect(lookupServer.attributes).toMatchObject({ 'http.route': '/orders/by-key/:key', 'http.response.status_code': 404, 'url.scheme': 'http' });
    expect(lookupServer.attributes['error.type']).toBeUndefined();
    expect(spans.some((s) => s.service === 'recommendations')).toBe(false);
    // the JSON log lines of the hops carry the same trace id
    const paymentsLog = readFileSync(join(stack.logDir, 'payments.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Json);
    const line = paymentsLog.find((l) => l.trace_id === traceId && l.route === '/charges');
    expect(line).toMatchObject({ level: 'debug', service: 'payments', status: 201, span_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });
});
