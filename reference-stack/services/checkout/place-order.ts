import { identity } from '../../lib/env.js';
import { UpstreamError, type Upstream, type UpstreamResponse } from '../../lib/http-client.js';
import { HttpError } from '../../lib/http-server.js';
import { errorMessage, log } from '../../lib/log.js';
import { checkoutOrders } from '../../lib/metrics.js';
import type { TraceContext } from '../../lib/telemetry.js';

/**
 * The checkout saga. Every step is keyed by the client's Idempotency-Key, so a retry (or a
 * concurrent duplicate) walks the same steps and finds each one already done:
 *
 *   1. orders: an order for the key exists -> replay it
 *   2. cart: read the lines (empty -> 400)
 *   3. inventory: reserve the units under the key (409 when not enough stock)
 *   4. payments: charge once per key. Declined -> release, 402. Provider error (nothing charged)
 *      -> release, 502. No answer (timeout: maybe charged) -> keep the hold, 503; the retry with
 *      the same key finds the charge and finishes.
 *   5. inventory: commit the hold (a hold released meanwhile is taken again, else refund, 409)
 *   6. orders: insert-or-return-existing by key; then the cart is emptied (best effort)
 *
 * Recommendations are never called here, unless the seeded defect `checkout-calls-recommendations`
 * is on (src/stack/defects.ts): then step 2 is followed by a synchronous cross-sell call whose
 * failure fails the checkout (nothing reserved yet).
 */

export interface CheckoutUpstreams {
  cart: Upstream;
  inventory: Upstream;
  payments: Upstream;
  orders: Upstream;
  /** only with the seeded defect `checkout-calls-recommendations` */
  recommendations?: Upstream;
}

export interface OrderBody {
  orderId: string;
  status: string;
  totalCents: number;
  items: Array<{ productId: string; quantity: number; unitPriceCents: number }>;
}

interface StoredOrder extends OrderBody {
  idempotencyKey: string;
}

type Result = 'confirmed' | 'replayed' | 'out_of_stock' | 'payment_declined' | 'error';

const publicOrder = (o: StoredOrder): OrderBody => ({ orderId: o.orderId, status: o.status, totalCents: o.totalCents, items: o.items });

type Input = { key: string; cartId: string; customerId?: string; paymentToken?: string };

/** `trace`: the checkout request's trace context, parent of every call of the saga */
export async function placeOrder(up: CheckoutUpstreams, input: Input, trace: TraceContext): Promise<{ order: OrderBody; replayed: boolean }> {
  let result: Result = 'error';
  try {
    const outcome = await steps(up, input, trace);
    result = outcome.replayed ? 'replayed' : 'confirmed';
    return outcome;
  } catch (error) {
    if (error instanceof HttpError && error.status === 409) result = 'out_of_stock';
    if (error instanceof HttpError && error.status === 402) result = 'payment_declined';
    throw error;
  } finally {
    checkoutOrders().inc({ service: identity.service, result });
  }
}

async function steps(up: CheckoutUpstreams, input: Input, trace: TraceContext) {
  const key = encodeURIComponent(input.key);
  // no order for the key yet is the usual answer (404): expected, so its span is no error
  const existing = await call(trace, up.orders, 'GET', `/orders/by-key/${key}`, undefined, [404]);
  if (existing.status === 200) return { order: publicOrder((existing.body as { order: StoredOrder }).order), replayed: true };
  expect(existing, [404], 'orders');

  const cart = await call(trace, up.cart, 'GET', `/carts/${encodeURIComponent(input.cartId)}`);
  expect(cart, [200], 'cart');
  const { items, totalCents } = cart.body as { items: OrderBody['items']; totalCents: number };
  if (items.length === 0) {
    // a duplicate of a checkout that just finished finds the cart already emptied: replay it
    const again = await call(trace, up.orders, 'GET', `/orders/by-key/${key}`, undefined, [404]);
    if (again.status === 200) return { order: publicOrder((again.body as { order: StoredOrder }).order), replayed: true };
    throw new HttpError(400, `cart "${input.cartId}" is empty; add items with POST /api/cart/${input.cartId}/items first`);
  }

  if (up.recommendations) {
    const crossSell = await call(trace, up.recommendations, 'GET', `/recommendations/${encodeURIComponent(items[0]!.productId)}?limit=4`);
    expect(crossSell, [200], 'recommendations');
  }

  // out of stock (409) is an answer a flash sale expects: the buyer is told, nothing failed
  const reservation = await call(
    trace,
    up.inventory,
    'POST',
    '/reservations',
    { reservationId: input.key, items: items.map((i) => ({ productId: i.productId, quantity: i.quantity })) },
    [409],
  );
  if (reservation.status === 409) {
    const productId = (reservation.body as { productId?: string }).productId;
    throw new HttpError(409, `out of stock: ${productId ?? 'a product in the cart'} has fewer units left than the cart holds; remove it or lower the quantity`, { productId });
  }
  expect(reservation, [200], 'inventory');

  const chargeId = await charge(up, input, totalCents, trace);

  const committed = await call(trace, up.inventory, 'POST', `/reservations/${key}/commit`, undefined, [409]);
  if (committed.status === 409) {
    await call(trace, up.payments, 'POST', `/charges/${key}/refund`).catch((error: unknown) =>
      log('error', 'refund after lost stock failed', { key: input.key, error: errorMessage(error) }, trace),
    );
    throw new HttpError(409, 'out of stock: the units were sold while the payment was retried; the charge was refunded');
  }
  expect(committed, [200], 'inventory');

  const created = await call(trace, up.orders, 'POST', '/orders', {
    idempotencyKey: input.key,
    customerId: input.customerId ?? null,
    chargeId,
    totalCents,
    items,
  });
  expect(created, [200, 201], 'orders');
  const { order, created: isNew } = created.body as { order: StoredOrder; created: boolean };
  if (isNew) {
    await call(trace, up.cart, 'DELETE', `/carts/${encodeURIComponent(input.cartId)}`).catch((error: unknown) =>
      log('warn', 'emptying the cart failed', { cartId: input.cartId, error: errorMessage(error) }, trace),
    );
  }
  return { order: publicOrder(order), replayed: !isNew };
}

async function charge(up: CheckoutUpstreams, input: { key: string; paymentToken?: string }, amountCents: number, trace: TraceContext): Promise<string> {
  const release = () =>
    call(trace, up.inventory, 'POST', `/reservations/${encodeURIComponent(input.key)}/release`).catch((error: unknown) =>
      log('error', 'releasing a reservation failed', { key: input.key, error: errorMessage(error) }, trace),
    );
  let res: UpstreamResponse<unknown>;
  try {
    // a declined card (402) is the provider's answer, not its failure
    res = await up.payments.call('POST', '/charges', { body: { idempotencyKey: input.key, amountCents, paymentToken: input.paymentToken ?? null }, trace, expected: [402] });
  } catch (error) {
    // no answer: the provider may have charged; keep the hold so a retry with the key can finish
    const message = error instanceof Error ? error.message : String(error);
    throw new HttpError(503, `payment outcome unknown (${message}); retry with the same Idempotency-Key`);
  }
  const body = res.body as { charge?: { chargeId: string; status: string }; error?: string };
  if (res.status === 402) {
    await release();
    throw new HttpError(402, 'payment declined; use another payment method and a new Idempotency-Key');
  }
  if ((res.status === 200 || res.status === 201) && body.charge?.status === 'captured') return body.charge.chargeId;
  if (body.charge?.status === 'refunded') {
    await release();
    throw new HttpError(409, 'out of stock: this purchase was refunded earlier because the units were sold; start a new checkout');
  }
  await release();
  throw new HttpError(502, `payment provider error (payments answered ${res.status}: ${body.error ?? 'no detail'}); nothing was charged, retry with the same Idempotency-Key`);
}

/** `expected`: 4xx answers this step takes in its stride (its CLIENT span is not failed for them) */
async function call(trace: TraceContext, upstream: Upstream, method: string, path: string, body?: unknown, expected?: readonly number[]): Promise<UpstreamResponse<unknown>> {
  try {
    return await upstream.call(method, path, { trace, ...(body === undefined ? {} : { body }), ...(expected ? { expected } : {}) });
  } catch (error) {
    if (error instanceof UpstreamError) {
      throw new HttpError(error.kind === 'timeout' ? 504 : 503, `${error.message}; retry with the same Idempotency-Key`);
    }
    throw error;
  }
}

function expect(res: UpstreamResponse<unknown>, statuses: number[], name: string): void {
  if (statuses.includes(res.status)) return;
  const detail = (res.body as { error?: string } | null)?.error ?? 'no detail';
  throw new HttpError(502, `${name} answered ${res.status} (${detail}); retry with the same Idempotency-Key`);
}
