import { randomUUID } from 'node:crypto';

/**
 * A small client of the reference stack's public API (and its internal integrity endpoints), for
 * tests and benches. Answers are returned whole (status, headers, JSON) so callers assert on them.
 */

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export async function request<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as T };
}

export interface OrderAnswer {
  orderId: string;
  status: string;
  totalCents: number;
  items: Array<{ productId: string; quantity: number; unitPriceCents: number }>;
  error?: string;
}

export function addToCart(gatewayUrl: string, cartId: string, productId: string, quantity = 1) {
  return request(`${gatewayUrl}/api/cart/${cartId}/items`, { body: { productId, quantity } });
}

export function checkout(gatewayUrl: string, cartId: string, key: string = randomUUID(), extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return request<OrderAnswer>(`${gatewayUrl}/api/checkout`, { body: { cartId, ...extra }, headers: { 'idempotency-key': key, ...headers } });
}

/** One buyer: a fresh cart with one product, then a checkout. */
export async function buy(gatewayUrl: string, productId: string, quantity = 1, extra: Record<string, unknown> = {}) {
  const cartId = `cart-${randomUUID()}`;
  const added = await addToCart(gatewayUrl, cartId, productId, quantity);
  if (added.status !== 200) throw new Error(`adding ${productId} to ${cartId} answered ${added.status}: ${JSON.stringify(added.body)}`);
  return checkout(gatewayUrl, cartId, randomUUID(), extra);
}

export async function setStock(inventoryUrl: string, productId: string, available: number): Promise<void> {
  const res = await request(`${inventoryUrl}/internal/stock`, { body: { productId, available } });
  if (res.status !== 200) throw new Error(`setting stock of ${productId} answered ${res.status}: ${JSON.stringify(res.body)}`);
}

export interface StockAnswer {
  productId: string;
  initial: number;
  available: number;
  sold: number;
  minObserved: number;
}

export async function stockOf(inventoryUrl: string, productId: string): Promise<StockAnswer> {
  return (await request<StockAnswer>(`${inventoryUrl}/stock/${productId}`)).body;
}
