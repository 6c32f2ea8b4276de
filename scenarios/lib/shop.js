// Shared pieces of the peakready scenarios: knobs, catalog discovery and one function per
// customer action against the gateway API. Valid for real k6 and for peakready's engine.
import http from 'k6/http';
import { check } from 'k6';

/** Gateway base URL (`-e BASE_URL=...` or `peakready run --target`). */
export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:7100').replace(/\/$/, '');

/** Time compression: 0.1 runs every phase ten times faster (the drill uses it). */
export const TIME_SCALE = Number(__ENV.TIME_SCALE || 1);
if (!(TIME_SCALE > 0)) throw new Error(`TIME_SCALE must be a positive number, got "${__ENV.TIME_SCALE}"`);

/** A duration in k6 syntax, compressed by TIME_SCALE (never below one second). */
export function scaled(seconds) {
  return `${Math.max(1, Math.round(seconds * TIME_SCALE))}s`;
}

/** Think time in seconds, compressed by TIME_SCALE. */
export function think(seconds) {
  return seconds * TIME_SCALE;
}

/** A positive number knob from the environment. */
export function knob(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(value > 0)) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const SEARCH_TERMS = ['laptop', 'phone', 'headphones', 'camera', 'console', 'coffee', 'running', 'tent', 'lego', 'jacket', 'speaker', 'tv'];
const CATEGORIES = ['laptops', 'phones', 'audio', 'cameras', 'gaming', 'home', 'kitchen', 'fitness', 'outdoor', 'toys', 'books', 'fashion'];

/** Finds product ids through the API (setup()), instead of hard-coding them. */
export function discoverCatalog() {
  const ids = [];
  for (let page = 1; page <= 3; page++) {
    const res = http.get(`${BASE_URL}/api/products?page=${page}&pageSize=100`, { tags: { name: 'products' } });
    if (res.status !== 200) throw new Error(`GET /api/products answered ${res.status}: is the stack up at ${BASE_URL}? (${res.error || res.body})`);
    const body = /** @type {{ items: Array<{ id: string }>, total: number }} */ (res.json());
    for (const item of body.items) ids.push(item.id);
    if (ids.length >= body.total) break;
  }
  const door = http.get(`${BASE_URL}/api/products?doorbuster=true&pageSize=100`, { tags: { name: 'products' } });
  const doorbusters = door.status === 200 ? /** @type {{ items: Array<{ id: string }> }} */ (door.json()).items.map((p) => p.id) : [];
  if (ids.length === 0) throw new Error(`the catalog at ${BASE_URL} is empty`);
  return { products: ids, doorbusters };
}

export function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

export function browseProducts() {
  const page = 1 + Math.floor(Math.random() * 3);
  const category = Math.random() < 0.5 ? `&category=${pick(CATEGORIES)}` : '';
  const res = http.get(`${BASE_URL}/api/products?page=${page}&pageSize=20${category}`, { tags: { name: 'products' } });
  check(res, { 'products 200': (r) => r.status === 200 });
  return res;
}

export function searchProducts() {
  const res = http.get(`${BASE_URL}/api/search?q=${pick(SEARCH_TERMS)}&limit=20`, { tags: { name: 'search' } });
  check(res, { 'search 200': (r) => r.status === 200 });
  return res;
}

export function viewProduct(id) {
  const res = http.get(`${BASE_URL}/api/products/${id}`, { tags: { name: 'product' } });
  check(res, { 'product 200': (r) => r.status === 200 });
  return res;
}

export function newCartId() {
  return `cart-${__VU}-${__ITER}-${Math.random().toString(36).slice(2, 10)}`;
}

export function addToCart(cartId, productId, quantity = 1) {
  const res = http.post(`${BASE_URL}/api/cart/${cartId}/items`, JSON.stringify({ productId, quantity }), {
    headers: JSON_HEADERS,
    tags: { name: 'cart_add' },
    // a sold-out product is a business answer, not a failure of the system
    responseCallback: http.expectedStatuses({ min: 200, max: 299 }, 409),
  });
  check(res, { 'cart add ok': (r) => r.status === 200 || r.status === 409 });
  return res;
}

export function getCart(cartId) {
  const res = http.get(`${BASE_URL}/api/cart/${cartId}`, { tags: { name: 'cart_get' } });
  check(res, { 'cart 200': (r) => r.status === 200 });
  return res;
}

/** A share (0..1) knob from the environment: how often something happens. */
export function share(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(value >= 0 && value <= 1)) throw new Error(`${name} must be a share from 0 to 1, got "${raw}"`);
  return value;
}

/**
 * How a client retries a checkout with the same Idempotency-Key, as real clients do on a timeout:
 * `again`, the share sent a second time after the first answer (as if it had been lost); `atOnce`,
 * the share sent twice at the same moment (a double click, a retry racing the original). The
 * duplicates are named `<name>_retry`, so the everyday checkout's budgets judge first attempts.
 */
export const NO_RETRIES = { again: 0, atOnce: 0 };

/**
 * Places an order; 409 (sold out) and 402 (declined) are answers the shop is meant to give.
 * `name` tags the request: a journey with its own budget (a doorbuster rush) gets its own name.
 * With `retries`, some purchases are sent again under the same key (see NO_RETRIES): every
 * acknowledged answer for one key must carry the same order, and the shop must store it once.
 */
export function checkout(cartId, name = 'checkout', retries = NO_RETRIES) {
  const key = `idem-${__VU}-${__ITER}-${Math.random().toString(36).slice(2, 12)}`;
  const url = `${BASE_URL}/api/checkout`;
  const body = JSON.stringify({ cartId, customerId: `customer-${__VU}`, paymentToken: 'tok_visa' });
  const params = {
    headers: { ...JSON_HEADERS, 'Idempotency-Key': key },
    tags: { name },
    responseCallback: http.expectedStatuses({ min: 200, max: 299 }, 402, 409),
  };
  const retry = { ...params, tags: { name: `${name}_retry` } };
  const roll = Math.random();
  if (roll < retries.atOnce) {
    const [first, second] = http.batch([
      ['POST', url, body, params],
      ['POST', url, body, retry],
    ]);
    checkAnswered(first);
    checkAnswered(second);
    checkSameOrder(first, second);
    return first;
  }
  const res = http.post(url, body, params);
  checkAnswered(res);
  if (roll < retries.atOnce + retries.again) checkSameOrder(res, http.post(url, body, retry));
  return res;
}

function checkAnswered(res) {
  check(res, { 'checkout answered': (r) => r.status === 201 || r.status === 200 || r.status === 402 || r.status === 409 });
}

function acknowledged(res) {
  return res.status === 201 || res.status === 200;
}

/** Two answers for one Idempotency-Key: when both acknowledged the purchase, it is one order. */
function checkSameOrder(a, b) {
  check(b, { 'a retried checkout answers the same order': () => !acknowledged(a) || !acknowledged(b) || a.json('orderId') === b.json('orderId') });
}

export function viewOrder(orderId) {
  const res = http.get(`${BASE_URL}/api/orders/${orderId}`, { tags: { name: 'order' } });
  check(res, { 'order 200': (r) => r.status === 200 });
  return res;
}

/** The whole purchase: add to cart, look at the cart, pay (tagged `checkoutName`, retried as `retries` says), read the order back. */
export function buy(productId, checkoutName = 'checkout', retries = NO_RETRIES) {
  const cartId = newCartId();
  const added = addToCart(cartId, productId, 1);
  if (added.status !== 200) return added;
  getCart(cartId);
  const res = checkout(cartId, checkoutName, retries);
  if (acknowledged(res)) viewOrder(res.json('orderId'));
  return res;
}
