import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { IntegritySnapshot } from '../../src/run/records.js';
import { addToCart, buy, checkout, request, setStock, stockOf } from './client.js';
import type { LaunchedStack } from './launcher.js';

/**
 * The checkout-integrity tests, run against a stack on embedded PGlite and on a real PostgreSQL
 * (the same assertions, so both databases are held to the same behaviour).
 */
export function checkoutIntegritySuite(stack: () => LaunchedStack, doorbusters: [string, string]): void {
  const gateway = () => stack().gatewayUrl;
  const inventory = () => stack().serviceUrl('inventory');

  it('the same Idempotency-Key sent 50 times at once creates exactly one order and one charge', async () => {
    const cartId = `cart-${randomUUID()}`;
    expect((await addToCart(gateway(), cartId, 'sku-00100', 2)).status).toBe(200);
    const key = `dup-${randomUUID()}`;
    const answers = await Promise.all(Array.from({ length: 50 }, () => checkout(gateway(), cartId, key)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    const ids = new Set(answers.map((a) => a.body.orderId));
    expect(ids.size).toBe(1);
    for (const a of answers.filter((x) => x.status === 200)) expect(a.headers.get('x-peakready-idempotent-replay')).toBe('true');

    const orders = (await request<Pick<IntegritySnapshot, 'orders'>>(`${stack().serviceUrl('orders')}/internal/orders`)).body.orders;
    const charges = (await request<Pick<IntegritySnapshot, 'charges'>>(`${stack().serviceUrl('payments')}/internal/charges`)).body.charges;
    expect(orders.filter((o) => o.idempotencyKey === key)).toHaveLength(1);
    expect(charges.filter((c) => c.idempotencyKey === key)).toHaveLength(1);
    const order = orders.find((o) => o.idempotencyKey === key)!;
    expect(order.chargeId).toBe(charges.find((c) => c.idempotencyKey === key)!.chargeId);
    expect(order.items).toEqual([{ productId: 'sku-00100', quantity: 2 }]);
  });

  it('200 concurrent buyers for a SKU with 20 units get exactly 20 orders; stock ends at 0, never below', async () => {
    const sku = doorbusters[0];
    await setStock(inventory(), sku, 20);
    // fill 200 carts first (25 at a time), then all 200 buyers check out at once
    const carts = Array.from({ length: 200 }, () => `cart-${randomUUID()}`);
    for (let i = 0; i < carts.length; i += 25) {
      const added = await Promise.all(carts.slice(i, i + 25).map((c) => addToCart(gateway(), c, sku, 1)));
      expect(added.every((a) => a.status === 200)).toBe(true);
    }
    const answers = await Promise.all(carts.map((c) => checkout(gateway(), c)));
    const byStatus = new Map<number, number>();
    for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
    expect(Object.fromEntries(byStatus)).toEqual({ 201: 20, 409: 180 });
    expect(answers.find((a) => a.status === 409)!.body.error).toMatch(/out of stock/);
    const stock = await stockOf(inventory(), sku);
    expect(stock).toMatchObject({ initial: 20, available: 0, sold: 20, minObserved: 0 });

    const snapshot = (await request<Pick<IntegritySnapshot, 'stock'>>(`${inventory()}/internal/stock`)).body.stock;
    expect(snapshot.find((s) => s.productId === sku)).toMatchObject({ initial: 20, available: 0, sold: 20 });
    const orders = (await request<Pick<IntegritySnapshot, 'orders'>>(`${stack().serviceUrl('orders')}/internal/orders`)).body.orders;
    const units = orders.flatMap((o) => o.items).filter((i) => i.productId === sku).reduce((n, i) => n + i.quantity, 0);
    expect(units).toBe(20);
  });

  it('a declined payment answers 402, stores the declined charge once and gives the reserved units back', async () => {
    const sku = doorbusters[1];
    await setStock(inventory(), sku, 5);
    const declined = await buy(gateway(), sku, 2, { paymentToken: 'tok_decline_insufficient_funds' });
    expect(declined.status).toBe(402);
    expect(declined.body.error).toMatch(/declined/);
    expect(await stockOf(inventory(), sku)).toMatchObject({ available: 5 });
    const ok = await buy(gateway(), sku, 5);
    expect(ok.status).toBe(201);
    expect(await stockOf(inventory(), sku)).toMatchObject({ available: 0, minObserved: 0 });
  });

  it('a checkout that crashed after charging finishes on retry with the same key, charging once', async () => {
    // the state a checkout replica leaves when it dies between the payment and the order
    const cartId = `cart-${randomUUID()}`;
    const key = `crash-${randomUUID()}`;
    const cart = await addToCart(gateway(), cartId, 'sku-00150', 1);
    const total = cart.body.totalCents as number;
    expect((await request(`${inventory()}/reservations`, { body: { reservationId: key, items: [{ productId: 'sku-00150', quantity: 1 }] } })).status).toBe(200);
    const charged = await request<{ charge: { chargeId: string } }>(`${stack().serviceUrl('payments')}/charges`, { body: { idempotencyKey: key, amountCents: total } });
    expect(charged.status).toBe(201);
    const before = await stockOf(inventory(), 'sku-00150');

    const retry = await checkout(gateway(), cartId, key);
    expect(retry.status).toBe(201);
    const charges = (await request<Pick<IntegritySnapshot, 'charges'>>(`${stack().serviceUrl('payments')}/internal/charges`)).body.charges;
    expect(charges.filter((c) => c.idempotencyKey === key)).toEqual([{ chargeId: charged.body.charge.chargeId, idempotencyKey: key, amountCents: total, status: 'captured' }]);
    const orders = (await request<Pick<IntegritySnapshot, 'orders'>>(`${stack().serviceUrl('orders')}/internal/orders`)).body.orders;
    expect(orders.filter((o) => o.idempotencyKey === key).map((o) => o.chargeId)).toEqual([charged.body.charge.chargeId]);
    // the units were held once, by the first attempt
    expect((await stockOf(inventory(), 'sku-00150')).available).toBe(before.available);
  });

  it('a checkout replayed after the cart was emptied returns the stored order', async () => {
    const cartId = `cart-${randomUUID()}`;
    await addToCart(gateway(), cartId, 'sku-00200', 1);
    const key = randomUUID();
    const first = await checkout(gateway(), cartId, key);
    expect(first.status).toBe(201);
    expect((await request(`${gateway()}/api/cart/${cartId}`)).body).toMatchObject({ items: [], totalCents: 0 });
    const again = await checkout(gateway(), cartId, key);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const stored = await request(`${gateway()}/api/orders/${first.body.orderId}`);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ orderId: first.body.orderId, status: 'confirmed', totalCents: first.body.totalCents });
  });
}
