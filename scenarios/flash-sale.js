// Flash sale: thousands of buyers go for one limited-stock doorbuster at the same instant.
// The shop must sell exactly its stock (the drill's integrity check counts it) and turn the
// rest away with 409, fast. Knobs: BASE_URL, BUYERS (default 2000).
import { addToCart, BASE_URL, checkout, discoverCatalog, knob, newCartId, viewOrder } from './lib/shop.js';

const BUYERS = Math.round(knob('BUYERS', 2000));

export const options = {
  scenarios: {
    // every VU runs one purchase; all start together
    doorbuster: { executor: 'per-vu-iterations', vus: BUYERS, iterations: 1, maxDuration: '2m', gracefulStop: '10s' },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{name:checkout}': ['p(95)<3000'],
    'http_req_duration{name:cart_add}': ['p(95)<2000'],
    checks: ['rate>0.99'],
  },
  setupTimeout: '60s',
};

export function setup() {
  const catalog = discoverCatalog();
  if (catalog.doorbusters.length === 0) throw new Error(`no doorbuster SKU at ${BASE_URL}/api/products?doorbuster=true`);
  return { sku: catalog.doorbusters[0] };
}

export default function (data) {
  const cartId = newCartId();
  const added = addToCart(cartId, data.sku, 1);
  if (added.status !== 200) return;
  const res = checkout(cartId);
  if (res.status === 201) viewOrder(res.json('orderId'));
}
