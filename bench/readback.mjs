// The read-back of the data-integrity contract (src/readback/) against its peer: 10,000
// acknowledged orders of the bundled shop read back through its API (GET /api/orders/{id}) at 50
// in flight, beside autocannon sending the same 10,000 GETs at the same 50 connections. Prints
// wall time, requests/s and the client's CPU per request of each, and the ratios.
//
// The orders are created first through the shop's API by the load engine itself, with the
// contract's capture on (cart add + POST /api/checkout, 32 VUs), so the read-back reads exactly
// what a drill records.
//
//   npm run build && node scripts/build.mjs --fixtures && node bench/readback.mjs [--orders 10000] [--rounds 3] [--concurrency 50]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '50' },
  },
});
const orders = Number(values.orders);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);

const { launchStack, GENEROUS_TIMEOUTS } = await import('../dist-test/test/fixtures/reference-stack/launcher.js');
const { runLoadTest } = await import('../dist/src/load/run.js');
const { readBack } = await import('../dist/src/readback/read-back.js');
const { RunDirectory } = await import('../dist/src/run/run-dir.js');

const contract = { request: 'checkout', id: '$.orderId', readUrl: '/api/orders/{id}', fields: ['status', 'totalCents', 'items'], idempotencyHeader: 'Idempotency-Key' };

// a purchase per iteration, a little over the goal so that a few sold-out or declined answers
// still leave `orders` acknowledged creates
const SCRIPT = `
import http from 'k6/http';
const H = { 'Content-Type': 'application/json' };
export const options = { scenarios: { create: { executor: 'shared-iterations', vus: 32, iterations: Number(__ENV.ITERATIONS), maxDuration: '10m' } } };
export function setup() {
  const res = http.get(__ENV.BASE_URL + '/api/products?pageSize=100');
  return res.json().items.map((p) => p.id);
}
export default function (products) {
  const cart = 'cart-' + __VU + '-' + __ITER;
  http.post(__ENV.BASE_URL + '/api/cart/' + cart + '/items', JSON.stringify({ productId: products[__ITER % products.length], quantity: 1 }), { headers: H, tags: { name: 'cart_add' } });
  http.post(__ENV.BASE_URL + '/api/checkout', JSON.stringify({ cartId: cart, paymentToken: 'tok_visa' }), {
    headers: { ...H, 'Idempotency-Key': 'bench-' + __VU + '-' + __ITER }, tags: { name: 'checkout' },
  });
}
`;

const work = mkdtempSync(join(tmpdir(), 'peakready-readback-bench-'));
const env = { ...GENEROUS_TIMEOUTS, GATEWAY_RATE_LIMIT_RPS: '0', LOG_LEVEL: 'warn', PAYMENTS_LATENCY_MS: '2', PAYMENTS_JITTER_MS: '1' };
const stack = await launchStack({ tracing: false, env });
try {
  const records = await createOrders(stack.gatewayUrl);
  const ids = records.map((r) => r.capture.id);
  console.log(`read back ${ids.length} acknowledged orders at ${concurrency} in flight, ${rounds} rounds alternating who goes first\n`);
  const results = { readBack: [], autocannon: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['readBack', 'autocannon'] : ['autocannon', 'readBack'];
    for (const who of order) {
      const r = who === 'readBack' ? await timedReadBack(stack.gatewayUrl, records) : await timedAutocannon(stack.gatewayUrl, ids);
      results[who].push(r);
      console.log(`round ${round + 1} ${who.padEnd(10)} ${(r.ms / 1000).toFixed(2).padStart(6)} s  ${Math.round(r.perSec).toString().padStart(6)} req/s  ${r.cpuUs.toFixed(1).padStart(6)} µs CPU/req  ${r.note}`);
    }
  }
  const median = (list, key) => list.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const [ours, peer] = [results.readBack, results.autocannon];
  console.log(
    `\nmedian  readBack ${(median(ours, 'ms') / 1000).toFixed(2)} s, ${Math.round(median(ours, 'perSec'))} req/s, ${median(ours, 'cpuUs').toFixed(1)} µs CPU/req` +
      `   autocannon ${(median(peer, 'ms') / 1000).toFixed(2)} s, ${Math.round(median(peer, 'perSec'))} req/s, ${median(peer, 'cpuUs').toFixed(1)} µs CPU/req`,
  );
  console.log(`ratio   time readBack/autocannon ${(median(ours, 'ms') / median(peer, 'ms')).toFixed(2)}   CPU/req readBack/autocannon ${(median(ours, 'cpuUs') / median(peer, 'cpuUs')).toFixed(2)}   goal: ${orders} under 30 s`);
} finally {
  await stack.stop();
  rmSync(work, { recursive: true, force: true });
}

/** Places orders through the shop's API with the load engine, the contract's capture on; the acknowledged ones. */
async function createOrders(baseUrl) {
  const script = join(work, 'create.js');
  writeFileSync(script, SCRIPT);
  const runDir = RunDirectory.create('readback-bench', work);
  const started = Date.now();
  const iterations = Math.ceil(orders * 1.02);
  await runLoadTest({ script, env: { BASE_URL: baseUrl, ITERATIONS: String(iterations) }, quiet: true, stdout: () => {}, runDir, captures: [contract] });
  const acknowledged = runDir.readLines('requests').filter((r) => r.name === 'checkout' && r.capture?.id);
  console.log(`created ${acknowledged.length} acknowledged orders of ${iterations} purchases in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (acknowledged.length < orders) console.log(`(fewer than ${orders}: reading back all ${acknowledged.length})`);
  return acknowledged.slice(0, orders);
}

async function timedReadBack(baseUrl, records) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const snapshot = await readBack(contract, records, { baseUrl, concurrency, replaySample: 0, timeoutMs: 30_000 });
  const ms = performance.now() - started;
  const t = snapshot.totals;
  const note = `matched ${t.matched}, mismatched ${t.mismatched}, missing ${t.missing}, errors ${t.errors}`;
  return { ms, perSec: (t.ids / ms) * 1000, cpuUs: cpuMicros(cpu) / t.ids, note };
}

async function timedAutocannon(baseUrl, ids) {
  let next = 0;
  let lastResponse = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: baseUrl,
        connections: concurrency,
        amount: ids.length,
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/orders/${encodeURIComponent(ids[next++ % ids.length])}` }) }],
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    // autocannon notices that `amount` is reached on its 1 s tick: time it to its last response
    instance.on('response', () => (lastResponse = performance.now()));
  });
  const ms = lastResponse - started;
  const count = result.requests.total;
  return { ms, perSec: (count / ms) * 1000, cpuUs: cpuMicros(cpu) / count, note: `2xx ${result['2xx']}, non-2xx ${result.non2xx}, errors ${result.errors}` };
}

function cpuMicros(since) {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}
