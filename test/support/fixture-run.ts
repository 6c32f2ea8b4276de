import { mkdirSync, rmSync } from 'node:fs';
import { RunDirectory, type RunFile } from '../../src/run/run-dir.js';
import type { CleanupSnapshot, IntegritySnapshot, MetricSample, RequestRecord, SpanRecord, TimelineEvent } from '../../src/run/records.js';
import { runDataOf, type RunData, type RunRecords } from '../../src/run/run-data.js';

/**
 * A drill-shaped run for tests of checks and reports, built from the record types (records.ts)
 * alone: 80 s with baseline 0-20 s, surge 20-60 s, cool-down 60-80 s, the recommendations proxy
 * disabled 30-45 s, checkout and product requests every 100 ms (slower 20-27 s, until catalog's
 * scale-out is ready), a trace per request, stored orders, a clean stop. Each `breaks` entry
 * spoils one thing a check must catch; `omit` leaves record files out (a `--target` run has no
 * integrity.json). In memory (`fixtureRunData`) for the checks, on disk (`writeFixtureRun`) for
 * the reports and the CLI.
 */
export type FixtureBreak =
  | 'bad-minute'
  | 'checkout-fails-in-outage'
  | 'checkout-slow-in-outage'
  | 'replica-start-in-outage'
  | 'pages-fail-in-outage'
  | 'lost-order'
  | 'double-charge'
  | 'oversold'
  | 'leftovers'
  | 'missing-traces'
  | 'no-orders-span'
  | 'no-scale-out'
  | 'flap'
  | 'late-scale-down'
  | 'chaos-refused';

export const FIXTURE_T0 = Date.UTC(2026, 10, 27, 9, 0, 0);

export function fixtureRunData(breaks: readonly FixtureBreak[] = [], omit: readonly RunFile[] = []): RunData {
  return runDataOf(fixtureRecords(breaks, omit));
}

export function writeFixtureRun(root: string, breaks: readonly FixtureBreak[] = [], omit: readonly RunFile[] = []): RunDirectory {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const run = new RunDirectory(root);
  const records = fixtureRecords(breaks, omit);
  if (records.metrics) run.appendMetrics(records.metrics);
  if (!omit.includes('timeline')) records.timeline.forEach((e) => run.appendTimeline(e));
  if (records.requests) run.appendRequests(records.requests);
  if (records.spans) run.appendSpans(records.spans);
  for (const file of ['integrity', 'cleanup', 'config', 'summary'] as const) if (records[file] !== undefined) run.writeJson(file, records[file]);
  return run;
}

export function fixtureRecords(breaks: readonly FixtureBreak[] = [], omit: readonly RunFile[] = []): RunRecords {
  const broken = new Set(breaks);
  const traffic = fixtureTraffic(broken);
  // the read-back contract's and the SQL invariants' evidence is built by their own tests (src/verify/integrity.test.ts)
  const all: Required<Omit<RunRecords, 'unreadable' | 'readback' | 'sqlChecks'>> = {
    timeline: fixtureTimeline(broken),
    requests: traffic.requests,
    spans: traffic.spans,
    metrics: fixtureCpu(),
    config: { command: 'drill', profile: 'smoke', timeScale: 0.1, target: null },
    summary: fixtureSummary(traffic.requests),
    integrity: fixtureIntegrity(broken, traffic),
    cleanup: fixtureCleanup(broken),
  };
  const fileOf: Record<keyof typeof all, RunFile> = {
    timeline: 'timeline', requests: 'requests', spans: 'traces', metrics: 'metrics', config: 'config', summary: 'summary', integrity: 'integrity', cleanup: 'cleanup',
  };
  const kept: RunRecords = { timeline: omit.includes('timeline') ? [] : all.timeline };
  for (const key of Object.keys(fileOf) as Array<keyof typeof all>) {
    if (key !== 'timeline' && !omit.includes(fileOf[key])) Object.assign(kept, { [key]: all[key] });
  }
  return kept;
}

const at = (s: number) => FIXTURE_T0 + s * 1000;

function fixtureTimeline(broken: ReadonlySet<FixtureBreak>): TimelineEvent[] {
  const timeline: TimelineEvent[] = [
    { t: at(0), type: 'run', state: 'start', command: 'drill' },
    { t: at(0), type: 'phase', state: 'start', phase: 'baseline' },
    { t: at(20), type: 'phase', state: 'end', phase: 'baseline' },
    { t: at(20), type: 'phase', state: 'start', phase: 'surge' },
    { t: at(30), type: 'fault', state: 'on', experiment: 'recommendations-outage', proxy: 'recommendations', kind: 'disable' },
    { t: at(45), type: 'fault', state: 'off', experiment: 'recommendations-outage', proxy: 'recommendations', kind: 'disable' },
    { t: at(60), type: 'phase', state: 'end', phase: 'surge' },
    { t: at(60), type: 'phase', state: 'start', phase: 'cooldown' },
    { t: at(80), type: 'phase', state: 'end', phase: 'cooldown' },
  ];
  if (broken.has('chaos-refused')) {
    // the experiment's steady-state probe failed, so the fault was never injected
    for (let i = timeline.length - 1; i >= 0; i--) if (timeline[i]!.type === 'fault') timeline.splice(i, 1);
    timeline.push({ t: at(30), type: 'probe', experiment: 'Recommendations outage', probe: 'product page answers 200 within 500 ms', stage: 'before', ok: false, value: null, detail: 'Headers Timeout Error' });
  }
  if (!broken.has('no-scale-out')) {
    timeline.push(
      { t: at(25), type: 'scale-decision', service: 'catalog', current: 1, desired: 3, utilization: 142, target: 60, limitedBy: 'policy:Pods', reason: 'cpu above target' },
      { t: at(25), type: 'replicas', service: 'catalog', from: 1, to: 3, ready: 1 },
      { t: at(27), type: 'replicas', service: 'catalog', from: 3, to: 3, ready: 3 },
    );
  }
  if (broken.has('replica-start-in-outage')) {
    // a scale-out replica starting inside the outage window (its start-up takes CPU from everyone)
    timeline.push(
      { t: at(35), type: 'replica', service: 'search', replica: 'search-2', pid: 1002, state: 'started' },
      { t: at(37), type: 'replica', service: 'search', replica: 'search-2', pid: 1002, state: 'ready' },
    );
  }
  if (broken.has('flap')) {
    // 4 s after the scale-up: inside the 60 s flap window compressed by the fixture's ×0.1 clock
    timeline.push(
      { t: at(29), type: 'scale-decision', service: 'catalog', current: 3, desired: 1, utilization: 10, target: 60, limitedBy: 'tolerance', reason: 'cpu below target' },
      { t: at(29), type: 'replicas', service: 'catalog', from: 3, to: 1, ready: 1 },
    );
  }
  if (broken.has('late-scale-down')) {
    // 30 s after the scale-up: after the autoscaler's own (×0.1) scale-down stabilization
    timeline.push(
      { t: at(55), type: 'scale-decision', service: 'catalog', current: 3, desired: 1, utilization: 10, target: 60, limitedBy: 'tolerance', reason: 'cpu below target' },
      { t: at(55), type: 'replicas', service: 'catalog', from: 3, to: 1, ready: 1 },
    );
  }
  timeline.push({ t: at(80), type: 'run', state: 'end', command: 'drill' });
  return timeline.sort((a, b) => a.t - b.t);
}

interface Traffic {
  requests: RequestRecord[];
  spans: SpanRecord[];
  orders: IntegritySnapshot['orders'];
  charges: IntegritySnapshot['charges'];
  sold: number;
}

/** 800 requests, every other one a checkout, each with its trace and (for a checkout) its order. */
function fixtureTraffic(broken: ReadonlySet<FixtureBreak>): Traffic {
  const traffic: Traffic = { requests: [], spans: [], orders: [], charges: [], sold: 0 };
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 800; i++) {
    const s = i / 10;
    const isCheckout = i % 2 === 0;
    const record = fixtureRequest(broken, i, isCheckout, random());
    if (isCheckout && !record.failed) {
      const orderId = `ord-${i}`;
      record.meta = { 'order-id': orderId };
      traffic.orders.push({ orderId, idempotencyKey: `key-${i}`, chargeId: `ch-${i}`, status: 'confirmed', items: [{ productId: 'tv-65', quantity: 1 }] });
      traffic.charges.push({ chargeId: `ch-${i}`, idempotencyKey: `key-${i}`, amountCents: 49_900, status: 'captured' });
      traffic.sold++;
    } else if (!isCheckout && s >= 30 && s < 45 && !broken.has('pages-fail-in-outage')) {
      record.meta = { degraded: 'recommendations' };
    }
    traffic.requests.push(record);
    if (broken.has('missing-traces') && i % 5 === 0) continue;
    traffic.spans.push(...fixtureTrace(record, isCheckout, broken.has('no-orders-span')));
  }
  return traffic;
}

/** The i-th request (one every 100 ms), slowed or failed as the breaks say. */
function fixtureRequest(broken: ReadonlySet<FixtureBreak>, i: number, isCheckout: boolean, jitter: number): RequestRecord {
  const s = i / 10;
  const scenario = s < 20 ? 'baseline' : s < 60 ? 'surge' : 'cooldown';
  const inOutage = s >= 30 && s < 45;
  const traceId = (i + 1).toString(16).padStart(32, '0');
  let duration = isCheckout ? 40 + jitter * 20 : 20 + jitter * 10;
  // the surge bites before catalog scales out (25 s) and its replicas are ready (27 s)
  if (s >= 20 && s < 27) duration += 60;
  if (broken.has('checkout-slow-in-outage') && isCheckout && inOutage) duration += 300;
  if (broken.has('replica-start-in-outage') && isCheckout && s >= 35 && s < 37) duration += 300;
  if (broken.has('bad-minute') && isCheckout && s >= 50 && s < 54) duration = 1500;
  const record: RequestRecord = { t: at(s), scenario, name: isCheckout ? 'checkout' : 'product', method: isCheckout ? 'POST' : 'GET', status: isCheckout ? 201 : 200, duration, failed: false, traceId };
  if (isCheckout && broken.has('checkout-fails-in-outage') && inOutage && i % 4 === 0) Object.assign(record, { status: 503, failed: true });
  if (!isCheckout && inOutage && broken.has('pages-fail-in-outage')) Object.assign(record, { status: 502, failed: true });
  return record;
}

/** The stored truth; the last 10 acknowledged orders are lost, or a charge is taken twice, as broken. */
function fixtureIntegrity(broken: ReadonlySet<FixtureBreak>, traffic: Traffic): IntegritySnapshot {
  const orders = broken.has('lost-order') ? traffic.orders.slice(0, -10) : traffic.orders;
  const charges = broken.has('double-charge') ? [...traffic.charges, { ...traffic.charges[0]!, chargeId: 'ch-dup' }] : traffic.charges;
  const { sold } = traffic;
  return {
    t: at(81),
    orders,
    charges,
    stock: [{ productId: 'tv-65', initial: broken.has('oversold') ? sold - 3 : 1000, available: broken.has('oversold') ? -3 : 1000 - sold, sold }],
  };
}

function fixtureCleanup(broken: ReadonlySet<FixtureBreak>): CleanupSnapshot {
  return broken.has('leftovers')
    ? { t: at(82), processes: [{ pid: 4242, name: 'catalog-2' }], ports: [{ port: 7101, owner: 'catalog' }], toxics: [{ proxy: 'recommendations', toxic: 'latency_downstream' }], disabledProxies: ['recommendations'], kubernetes: [{ kind: 'TestRun', name: 'black-friday-k3x9a', namespace: 'load' }] }
    : { t: at(82), processes: [], ports: [], toxics: [], disabledProxies: [] };
}

/** catalog's CPU, per its one replica: quiet until the surge bites at 21 s */
function fixtureCpu(): MetricSample[] {
  return Array.from({ length: 80 }, (_, sec): MetricSample => ({
    t: at(sec),
    source: 'cpu',
    service: 'catalog',
    replica: 'catalog-1',
    pid: 1001,
    cpuSeconds: sec * 0.2,
    utilization: sec >= 21 ? 150 : 30,
    requestMillicores: 200,
  }));
}

/**
 * The spans a request leaves, shaped as the reference stack's: a gateway SERVER span continuing
 * the load engine's context, and for a checkout the gateway -> checkout -> inventory, payments,
 * orders hops, each SERVER span a child of its caller's CLIENT span.
 */
function fixtureTrace(record: RequestRecord, isCheckout: boolean, withoutOrders: boolean): SpanRecord[] {
  const traceId = record.traceId!;
  const start = BigInt(record.t) * 1_000_000n;
  const end = start + BigInt(Math.round(record.duration * 1e6));
  const route = isCheckout ? '/api/checkout' : '/api/products/:id';
  const status = record.failed ? 'ERROR' : 'UNSET';
  let n = 0;
  const span = (service: string, kind: string, name: string, parentSpanId: string, attributes: SpanRecord['attributes'] = {}): SpanRecord => ({
    traceId,
    spanId: `${traceId.slice(20)}${(++n).toString(16).padStart(4, '0')}`,
    parentSpanId,
    name,
    kind,
    service,
    startTimeUnixNano: String(start + BigInt(n) * 1000n),
    endTimeUnixNano: String(end - BigInt(n) * 1000n),
    status,
    attributes,
  });
  const root = span('gateway', 'SERVER', `${record.method} ${route}`, 'f'.repeat(16), { 'http.request.method': record.method, 'http.route': route, 'http.response.status_code': record.status });
  if (!isCheckout) return [root, span('gateway', 'CLIENT', 'GET', root.spanId, { 'http.request.method': 'GET' })];
  const toCheckout = span('gateway', 'CLIENT', 'POST', root.spanId);
  const checkout = span('checkout', 'SERVER', `POST /checkout`, toCheckout.spanId);
  const out = [root, toCheckout, checkout];
  for (const upstream of withoutOrders ? ['inventory', 'payments'] : ['inventory', 'payments', 'orders']) {
    const client = span('checkout', 'CLIENT', 'POST', checkout.spanId);
    out.push(client, span(upstream, 'SERVER', `POST /${upstream}`, client.spanId));
  }
  return out;
}

/** A k6 handleSummary-shaped summary of the fixture's requests (what the load room writes). */
function fixtureSummary(requests: readonly RequestRecord[]) {
  const durations = requests.map((r) => r.duration).sort((a, b) => a - b);
  const failed = requests.filter((r) => r.failed).length;
  const p = (q: number) => durations[Math.min(durations.length - 1, Math.floor(q * durations.length))]!;
  return {
    metrics: {
      http_reqs: { type: 'counter', contains: 'default', values: { count: requests.length, rate: requests.length / 80 } },
      http_req_failed: { type: 'rate', contains: 'default', values: { rate: failed / requests.length, passes: failed, fails: requests.length - failed } },
      http_req_duration: { type: 'trend', contains: 'time', values: { avg: durations.reduce((a, b) => a + b, 0) / durations.length, min: durations[0], med: p(0.5), max: durations.at(-1), 'p(90)': p(0.9), 'p(95)': p(0.95) } },
    },
    root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [], checks: [] },
    options: { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'], summaryTimeUnit: '', noColor: false },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 80_000 },
  };
}
