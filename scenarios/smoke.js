// Smoke: a minute of light traffic across every route, to prove the stack answers correctly.
// Knobs: BASE_URL, TIME_SCALE.
import { sleep } from 'k6';
import { browseProducts, buy, discoverCatalog, getCart, newCartId, pick, scaled, searchProducts, think, viewProduct } from './lib/shop.js';

export const options = {
  scenarios: {
    smoke: { executor: 'constant-vus', vus: 2, duration: scaled(60), gracefulStop: '5s' },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    http_req_duration: ['p(95)<500'],
  },
};

export function setup() {
  return discoverCatalog();
}

export default function (catalog) {
  browseProducts();
  searchProducts();
  viewProduct(pick(catalog.products));
  getCart(newCartId());
  buy(pick(catalog.products));
  sleep(think(1));
}
