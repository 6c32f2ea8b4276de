import { z } from 'zod';
import { defectOn } from '../../lib/defects.js';
import { envNumber } from '../../lib/env.js';
import { upstreamFromEnv, type Upstream } from '../../lib/http-client.js';
import { HttpError, runService, type Handler } from '../../lib/http-server.js';
import { Router } from '../../lib/router.js';
import { parseInput } from '../../lib/validate.js';
import { placeOrder, type CheckoutUpstreams } from './place-order.js';

export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

const checkoutBody = z.object({
  cartId: z.string({ message: 'is required' }).regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -'),
  customerId: z.string().max(200).optional(),
  paymentToken: z.string().max(200).optional(),
});

/** Checkout: cart -> stock reservation -> payment -> order, idempotent by key (see place-order.ts). */
export async function start() {
  const timeoutMs = envNumber('CHECKOUT_UPSTREAM_TIMEOUT_MS', 5000, { min: 1 });
  const upstreams: CheckoutUpstreams = {
    cart: upstreamFromEnv('cart', timeoutMs),
    inventory: upstreamFromEnv('inventory', timeoutMs),
    // the seeded defect `trace-context-dropped`: this hop sends no traceparent
    payments: upstreamFromEnv('payments', envNumber('CHECKOUT_PAYMENTS_TIMEOUT_MS', 8000, { min: 1 }), { propagate: !defectOn('trace-context-dropped') }),
    orders: upstreamFromEnv('orders', timeoutMs),
    // the seeded defect `checkout-calls-recommendations` (place-order.ts); its RECOMMENDATIONS_URL comes with it
    ...(defectOn('checkout-calls-recommendations') ? { recommendations: upstreamFromEnv('recommendations', timeoutMs) } : {}),
  };
  const router = new Router<Handler>().add('POST', '/checkout', async (ctx) => {
    const key = ctx.headers['idempotency-key'];
    if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
      throw new HttpError(400, 'the Idempotency-Key header is missing or invalid; send a unique key (1-200 visible ASCII characters) per purchase and reuse it on retries');
    }
    const input = parseInput(checkoutBody, await ctx.json(), 'checkout request', '{"cartId":"cart-1","customerId":"c-1","paymentToken":"tok_visa"}');
    const result = await placeOrder(upstreams, { key, ...input }, ctx.trace);
    const headers: Record<string, string> = { 'x-peakready-order-id': result.order.orderId };
    if (result.replayed) headers['x-peakready-idempotent-replay'] = 'true';
    return { status: result.replayed ? 200 : 201, body: result.order, headers };
  });
  return runService({
    name: 'checkout',
    router,
    close: async () => {
      await Promise.all(Object.values(upstreams).map((u: Upstream) => u.close()));
    },
  });
}
