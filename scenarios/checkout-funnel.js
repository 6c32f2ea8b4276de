// Checkout funnel: shoppers walk the whole path with think time — list, product, cart, pay,
// order — ramping up and down. Each step has its own latency budget.
// Knobs: BASE_URL, TIME_SCALE, SHOPPERS (peak VUs, default 20).
import { group, sleep } from 'k6';
import { addToCart, browseProducts, checkout, discoverCatalog, getCart, knob, newCartId, pick, scaled, think, viewOrder, viewProduct } from './lib/shop.js';

const SHOPPERS = Math.round(knob('SHOPPERS', 20));

export const options = {
  scenarios: {
    funnel: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: scaled(60), target: SHOPPERS },
        { duration: scaled(180), target: SHOPPERS },
        { duration: scaled(60), target: 0 },
      ],
      gracefulRampDown: '10s',
      gracefulStop: '10s',
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{name:products}': ['p(95)<500'],
    'http_req_duration{name:product}': ['p(95)<500'],
    'http_req_duration{name:cart_add}': ['p(95)<500'],
    'http_req_duration{name:checkout}': ['p(95)<1500'],
    'group_duration{group:::checkout}': ['p(95)<3000'],
    checks: ['rate>0.99'],
  },
};

export function setup() {
  return discoverCatalog();
}

export default function (catalog) {
  const cartId = newCartId();
  group('browse', () => {
    browseProducts();
    sleep(think(1));
    viewProduct(pick(catalog.products));
    sleep(think(1));
  });
  group('cart', () => {
    addToCart(cartId, pick(catalog.products), 1 + Math.floor(Math.random() * 2));
    getCart(cartId);
    sleep(think(1));
  });
  group('checkout', () => {
    const res = checkout(cartId);
    if (res.status === 201) viewOrder(res.json('orderId'));
  });
  sleep(think(2));
}
