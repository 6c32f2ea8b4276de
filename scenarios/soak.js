// Soak: a steady, moderate arrival rate for an hour (compressed by TIME_SCALE) to surface leaks,
// pool exhaustion and slow drift. Knobs: BASE_URL, TIME_SCALE, SOAK_RPS (default 50).
import { browseProducts, buy, discoverCatalog, knob, pick, scaled, searchProducts, viewProduct } from './lib/shop.js';

const RATE = Math.round(knob('SOAK_RPS', 50));

export const options = {
  scenarios: {
    soak: { executor: 'constant-arrival-rate', rate: RATE, timeUnit: '1s', duration: scaled(3600), preAllocatedVUs: Math.max(5, Math.ceil(RATE / 5)), maxVUs: RATE * 2, gracefulStop: '10s' },
  },
  thresholds: {
    http_req_failed: ['rate<0.005'],
    http_req_duration: ['p(95)<500', 'p(99)<1500'],
    iteration_intended_latency: ['p(95)<1000'],
    checks: ['rate>0.995'],
    dropped_iterations: ['count<10'],
  },
};

export function setup() {
  return discoverCatalog();
}

export default function (catalog) {
  const roll = Math.random();
  if (roll < 0.4) browseProducts();
  else if (roll < 0.65) searchProducts();
  else if (roll < 0.95) viewProduct(pick(catalog.products));
  else buy(pick(catalog.products));
}
