// Black Friday: a baseline, a 10x surge within minutes, a hold at the peak, a cool-down.
// Each phase is its own scenario, chained with startTime, so the `scenario` tag IS the phase.
// As the peak passes, the last doorbuster goes live and a crowd of buyers rushes it at once: more
// buyers than units, so the shop must sell exactly its stock and turn the rest away. (It comes
// after the surge, so the surge stays the clean reference the isolation check compares with.)
// Knobs: BASE_URL, TIME_SCALE (0.1 = ten times faster), PEAK_RPS (visitor actions per second
// at the peak, about requests/s; the baseline is a tenth of it), DOORBUSTER_BUYERS (60; the
// bundled shop stocks 50 of each doorbuster), RETRY_SHARE (0.1) and CONCURRENT_RETRY_SHARE (0.05).
// Buyers retry as real clients do: a share of checkouts is sent again with the same
// Idempotency-Key after the first answer (as if it was lost to a timeout), and a share twice at
// the same moment (a double click, a retry racing the original), so "stored once" meets
// duplicates; the doorbuster's buyers do too.
import { sleep } from 'k6';
import { addToCart, browseProducts, buy, discoverCatalog, getCart, knob, newCartId, pick, scaled, searchProducts, share, think, viewProduct } from './lib/shop.js';

const PEAK = Math.round(knob('PEAK_RPS', 200));
const BASE = Math.max(1, Math.round(PEAK / 10));
const VUS = Math.max(10, Math.ceil(PEAK / 4));
const RUSH = Math.round(knob('DOORBUSTER_BUYERS', 60));
const RETRIES = { again: share('RETRY_SHARE', 0.1), atOnce: share('CONCURRENT_RETRY_SHARE', 0.05) };

export const options = {
  scenarios: {
    baseline: { executor: 'constant-arrival-rate', rate: BASE, timeUnit: '1s', duration: scaled(300), preAllocatedVUs: Math.ceil(VUS / 4), maxVUs: VUS * 4, gracefulStop: '5s' },
    surge: {
      executor: 'ramping-arrival-rate',
      startTime: scaled(300),
      startRate: BASE,
      timeUnit: '1s',
      // 10x within three minutes, then hold the peak
      stages: [
        { duration: scaled(180), target: PEAK },
        { duration: scaled(300), target: PEAK },
      ],
      preAllocatedVUs: VUS,
      maxVUs: VUS * 4,
      gracefulStop: '5s',
    },
    // the doorbuster drop: RUSH purchases of one SKU by up to 20 buyers at a time
    doorbuster: {
      executor: 'shared-iterations',
      exec: 'doorbusterRush',
      startTime: scaled(800),
      vus: Math.min(20, RUSH),
      iterations: RUSH,
      maxDuration: scaled(300),
      gracefulStop: '5s',
    },
    cooldown: {
      executor: 'ramping-arrival-rate',
      startTime: scaled(780),
      startRate: PEAK,
      timeUnit: '1s',
      stages: [{ duration: scaled(180), target: BASE }],
      preAllocatedVUs: Math.ceil(VUS / 2),
      maxVUs: VUS * 4,
      gracefulStop: '5s',
    },
  },
  // the budgets: what "it held" means
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    'http_req_duration{name:checkout}': ['p(95)<1500'],
    'http_req_duration{name:checkout_doorbuster}': ['p(95)<3000'],
    'http_req_duration{name:product}': ['p(95)<800'],
    'http_req_duration{name:search}': ['p(95)<800'],
    'http_req_duration{scenario:surge}': ['p(95)<1000'],
    dropped_iterations: ['count<' + Math.max(10, PEAK * 5)],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
};

export function setup() {
  return discoverCatalog();
}

// The visitor mix: most browse, search and look at products; few add to cart; fewer buy.
export default function (catalog) {
  const roll = Math.random();
  if (roll < 0.35) browseProducts();
  else if (roll < 0.6) searchProducts();
  else if (roll < 0.9) viewProduct(pick(catalog.products));
  else if (roll < 0.97) {
    // adds to the cart, looks at it, leaves
    const product = pick(catalog.products);
    viewProduct(product);
    const cartId = newCartId();
    addToCart(cartId, product, 1);
    getCart(cartId);
  } else {
    sleep(think(0.2));
    buy(pick(catalog.products), 'checkout', RETRIES);
  }
}

// The doorbuster rush: every iteration buys the headline deal (a 409 once it is sold out is an
// answer the shop is meant to give). Its checkouts are named apart: a thundering herd on one SKU
// has its own budget, and must not decide the budget of everyday checkouts.
export function doorbusterRush(catalog) {
  if (catalog.doorbusters.length === 0) return;
  // a crowd does not click in step: each buyer comes up to 300 ms after the last one of this VU,
  // so checkouts keep arriving while the last units are being paid for (buyers in lockstep come in
  // waves, and a sell-out that falls between two waves never meets a concurrent buyer)
  sleep(Math.random() * 0.3);
  buy(catalog.doorbusters[0], 'checkout_doorbuster', RETRIES);
}
