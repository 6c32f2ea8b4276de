import { timingSafeEqual } from 'node:crypto';
import type { Product } from '../../lib/catalog-data.js';
import { envBool, envNumber, envString, identity } from '../../lib/env.js';
import { upstreamFromEnv, UpstreamError, type Upstream, type UpstreamResponse } from '../../lib/http-client.js';
import { HttpError, runService, type Handler, type Reply, type RequestContext } from '../../lib/http-server.js';
import { circuitBreakerState, recommendationsDegraded } from '../../lib/metrics.js';
import { defectOn } from '../../lib/defects.js';
import { optionalDependency, unguardedDependency } from '../../lib/resilience.js';
import { Router } from '../../lib/router.js';
import { TokenBuckets } from './rate-limit.js';

/**
 * Gateway: the public API (/api/...). Routes to the services, with a deadline on every upstream,
 * a token-bucket rate limit per client address, an optional bearer-token check, and the product
 * page's guarded call to recommendations (timeout, circuit breaker, concurrency cap): when that
 * fails the page still answers 200, without recommendations, marked degraded.
 */

export async function start() {
  const timeoutMs = envNumber('GATEWAY_TIMEOUT_MS', 5000, { min: 1 });
  const catalog = upstreamFromEnv('catalog', timeoutMs);
  const search = upstreamFromEnv('search', timeoutMs);
  const cart = upstreamFromEnv('cart', timeoutMs);
  const checkout = upstreamFromEnv('checkout', envNumber('GATEWAY_CHECKOUT_TIMEOUT_MS', 15_000, { min: 1 }));
  const orders = upstreamFromEnv('orders', timeoutMs);
  // the seeded defect: recommendations unguarded, under the generic deadline (resilience.ts)
  const unguarded = defectOn('product-unguarded-recommendations');
  const recommendations = upstreamFromEnv('recommendations', unguarded ? timeoutMs : 1000);
  const breakerGauge = circuitBreakerState();
  breakerGauge.set({ service: identity.service, upstream: 'recommendations' }, 0);
  const guard = unguarded ? unguardedDependency() : optionalDependency({
    timeoutMs: envNumber('RECOMMENDATIONS_TIMEOUT_MS', 150, { min: 1, max: 200 }),
    maxConcurrent: envNumber('RECOMMENDATIONS_MAX_CONCURRENT', 32, { min: 1, integer: true }),
    consecutiveFailures: envNumber('RECOMMENDATIONS_BREAKER_FAILURES', 5, { min: 1, integer: true }),
    halfOpenAfterMs: envNumber('RECOMMENDATIONS_BREAKER_HALF_OPEN_MS', 5000, { min: 1 }),
    onStateChange: (state) => breakerGauge.set({ service: identity.service, upstream: 'recommendations' }, state),
  });
  const degraded = recommendationsDegraded();

  const rate = envNumber('GATEWAY_RATE_LIMIT_RPS', 5000, { min: 0 });
  const buckets = rate > 0 ? new TokenBuckets(rate, envNumber('GATEWAY_RATE_LIMIT_BURST', rate * 2, { min: 1 })) : undefined;
  const token = envString('GATEWAY_AUTH_TOKEN', '');
  const authRequired = envBool('GATEWAY_AUTH', token !== '');
  if (authRequired && token === '') throw new Error('GATEWAY_AUTH=true needs GATEWAY_AUTH_TOKEN; set the token clients must send as "Authorization: Bearer <token>"');
  const expected = Buffer.from(`Bearer ${token}`);

  /** Rate limit, then auth, then the route. */
  const guarded =
    (handler: Handler): Handler =>
    (ctx) => {
      if (buckets) {
        const wait = buckets.take(ctx.remoteAddress, Date.now());
        if (wait > 0) {
          throw new HttpError(429, `rate limit of ${rate} requests/s per client exceeded; retry after the Retry-After seconds or raise GATEWAY_RATE_LIMIT_RPS`, {}, { 'retry-after': String(Math.ceil(wait)) });
        }
      }
      if (authRequired) {
        const given = Buffer.from(String(ctx.headers.authorization ?? ''));
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          throw new HttpError(401, 'missing or wrong bearer token; send "Authorization: Bearer <GATEWAY_AUTH_TOKEN>"', {}, { 'www-authenticate': 'Bearer' });
        }
      }
      return handler(ctx);
    };

  const router = new Router<Handler>()
    .add('GET', '/api/products', guarded(async (ctx) => relay(await forward(ctx, catalog, 'GET', `/products${search_(ctx)}`))))
    .add('GET', '/api/products/:id', guarded(async (ctx) => {
      const id = encodeURIComponent(ctx.params.id!);
      const found = await forward(ctx, catalog, 'GET', `/products/${id}`);
      if (found.status !== 200) return relay(found);
      const recs = await guard.execute(async (signal) => {
        const res = await recommendations.call<{ items: Product[] }>('GET', `/recommendations/${id}?limit=4`, { signal, trace: ctx.trace });
        if (res.status !== 200) throw new Error(`recommendations answered ${res.status}`);
        return res.body.items;
      });
      const product = (found.body as { product: Product }).product;
      if (recs.ok) return { body: { product, recommendations: recs.value, degraded: false } };
      degraded.inc({ service: identity.service, reason: recs.reason });
      return {
        body: { product, recommendations: [], degraded: true },
        headers: { 'x-peakready-degraded': 'true', 'x-peakready-degraded-reason': recs.reason },
      };
    }))
    .add('GET', '/api/search', guarded(async (ctx) => relay(await forward(ctx, search, 'GET', `/search${search_(ctx)}`))))
    .add('GET', '/api/cart/:cartId', guarded(async (ctx) => relay(await forward(ctx, cart, 'GET', `/carts/${encodeURIComponent(ctx.params.cartId!)}`))))
    .add('POST', '/api/cart/:cartId/items', guarded(async (ctx) => {
      const body = await ctx.json();
      return relay(await forward(ctx, cart, 'POST', `/carts/${encodeURIComponent(ctx.params.cartId!)}/items`, body));
    }))
    .add('POST', '/api/checkout', guarded(async (ctx) => {
      const key = ctx.headers['idempotency-key'];
      if (typeof key !== 'string' || key.trim() === '') {
        throw new HttpError(400, 'the Idempotency-Key header is required; send a unique key per purchase (e.g. a UUID) and reuse it on retries');
      }
      const body = await ctx.json();
      // sold out (409) and a declined card (402) are checkout's answers to the buyer, not failures of the call
      return relay(await forward(ctx, checkout, 'POST', '/checkout', body, { 'idempotency-key': key }, [402, 409]));
    }))
    .add('GET', '/api/orders/:id', guarded(async (ctx) => relay(await forward(ctx, orders, 'GET', `/orders/${encodeURIComponent(ctx.params.id!)}`))));

  return runService({
    name: 'gateway',
    router,
    traceResponse: true,
    close: async () => {
      await Promise.all([catalog, search, cart, checkout, orders, recommendations].map((u) => u.close()));
    },
  });
}

function search_(ctx: RequestContext): string {
  const text = ctx.query.toString();
  return text ? `?${text}` : '';
}

async function forward(ctx: RequestContext, upstream: Upstream, method: string, path: string, body?: unknown, headers?: Record<string, string>, expected?: readonly number[]) {
  try {
    return await upstream.call(method, path, { trace: ctx.trace, ...(body === undefined ? {} : { body }), ...(headers ? { headers } : {}), ...(expected ? { expected } : {}) });
  } catch (error) {
    if (error instanceof UpstreamError) throw new HttpError(error.kind === 'timeout' ? 504 : 502, error.message);
    throw error;
  }
}

/** The upstream's status, JSON body and x-peakready-* headers, as the client's answer. */
function relay(res: UpstreamResponse<unknown>): Reply {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (name.startsWith('x-peakready-') && typeof value === 'string') headers[name] = value;
  }
  if (res.status >= 500) headers['x-peakready-upstream-status'] = String(res.status);
  return { status: res.status, body: res.body ?? {}, headers };
}
