import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeakreadyError } from '../../errors.js';
import { RunDirectory } from '../../run/run-dir.js';
import type { MetricSample } from '../../run/records.js';
import { StackMetrics } from '../../stack/metric-names.js';
import { parseExposition } from './exposition.js';
import { queryPrometheus, queryRange } from './prometheus-api.js';
import { prometheusInstalled, startPrometheus } from './prometheus-server.js';
import { startPrometheusSampler } from './prometheus-sampler.js';
import { startMetricsScraper } from './scraper.js';
import { tempDir } from '../../../test/support/temp-dir.js';

/** A replica-like /metrics endpoint served by prom-client, with the stack's metric names. */
function stackRegistry(service: string) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({ name: StackMetrics.httpServerDuration, help: 'h', labelNames: ['service', 'route', 'method', 'status_code'], buckets: [0.01, 0.1, 1], registers: [registry] });
  const orders = new Counter({ name: StackMetrics.checkoutOrders, help: 'c', labelNames: ['service', 'result'], registers: [registry] });
  const other = new Gauge({ name: 'unrelated_gauge', help: 'g', registers: [registry] });
  duration.observe({ service, route: '/api/checkout', method: 'POST', status_code: '200' }, 0.05);
  duration.observe({ service, route: '/api/checkout', method: 'POST', status_code: '200' }, 0.5);
  duration.observe({ service, route: '/api/products/:id', method: 'GET', status_code: '200' }, 0.005);
  orders.inc({ service, result: 'confirmed' }, 3);
  other.set(1);
  return { registry, orders };
}

let server: Server;
let port: number;
let registry: Registry;
let orders: Counter;

beforeAll(async () => {
  ({ registry, orders } = stackRegistry('checkout'));
  server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('Prometheus text format', () => {
  it('parses prom-client output: labelled histograms keep labels, _sum and _count', async () => {
    const samples = parseExposition(await registry.metrics());
    const count = samples.find((s) => s.name === `${StackMetrics.httpServerDuration}_count` && s.labels.route === '/api/checkout');
    expect(count).toMatchObject({ family: StackMetrics.httpServerDuration, type: 'histogram', value: 2, labels: { service: 'checkout', method: 'POST', status_code: '200' } });
    const inf = samples.find((s) => s.name.endsWith('_bucket') && s.labels.le === '+Inf' && s.labels.route === '/api/checkout');
    expect(inf!.value).toBe(2);
    expect(samples.find((s) => s.name === 'checkout_orders_total')).toMatchObject({ family: 'checkout_orders_total', type: 'counter', value: 3 });
    expect(samples.some((s) => s.name === StackMetrics.processCpu)).toBe(true);
  });

  it('handles escapes, special values, timestamps and reports bad lines', () => {
    const samples = parseExposition('# TYPE g gauge\ng{a="x\\"y\\\\z\\n",b="2"} +Inf 1700000000000\ng{a=""} NaN\nuntyped_one -1.5e3\n');
    expect(samples[0]).toMatchObject({ labels: { a: 'x"y\\z\n', b: '2' }, value: Infinity, timestampMs: 1700000000000 });
    expect(samples[1]!.value).toBeNaN();
    expect(samples[2]).toMatchObject({ type: 'untyped', value: -1500 });
    expect(() => parseExposition('ok 1\nbad{a="1" 2\n')).toThrow(/line 2: /);
    expect(() => parseExposition('x one')).toThrow(/bad value "one"/);
  });
});

describe('metrics scraper', () => {
  it('scrapes a real prom-client endpoint into metrics.ndjson, keeping only the stack families', async () => {
    const run = new RunDirectory(tempDir('peakready-scrape-'));
    const scraper = startMetricsScraper({
      targets: () => [
        { service: 'checkout', replica: 'checkout-1', url: `http://127.0.0.1:${port}/metrics` },
        { service: 'checkout', replica: 'checkout-2', url: 'http://127.0.0.1:9/metrics' },
      ],
      intervalMs: 60_000,
      runDir: run,
    });
    // the first scrape starts at once; stop() waits for it
    await scraper.stop();
    const samples = run.readLines<MetricSample>('metrics').filter((s): s is Extract<MetricSample, { source: 'scrape' }> => s.source === 'scrape');
    const from1 = samples.filter((s) => s.replica === 'checkout-1');
    expect(from1.some((s) => s.name === 'unrelated_gauge')).toBe(false);
    expect(from1.find((s) => s.name === 'checkout_orders_total')).toMatchObject({ service: 'checkout', labels: { service: 'checkout', result: 'confirmed' }, value: 3 });
    expect(from1.filter((s) => s.name === `${StackMetrics.httpServerDuration}_count`)).toHaveLength(2);
    // buckets are summed over routes: one series per `le`
    const buckets = from1.filter((s) => s.name === `${StackMetrics.httpServerDuration}_bucket`);
    expect(buckets.map((b) => [b.labels, b.value])).toEqual([
      [{ le: '0.01' }, 1],
      [{ le: '0.1' }, 2],
      [{ le: '1' }, 3],
      [{ le: '+Inf' }, 3],
    ]);
    expect(from1.find((s) => s.name === StackMetrics.eventLoopLag)).toBeDefined();
    expect(from1.find((s) => s.name === 'up')!.value).toBe(1);
    expect(samples.filter((s) => s.replica === 'checkout-2').map((s) => [s.name, s.value])).toEqual([['up', 0]]);
    expect(scraper.stats()).toMatchObject({ scrapes: 1, failures: 1 });
  });
});

describe.runIf(prometheusInstalled())("Debian's Prometheus", () => {
  it('starts with a generated file_sd configuration, scrapes the target and answers PromQL', async () => {
    const run = new RunDirectory(tempDir('peakready-prom-'));
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const promPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const prometheus = await startPrometheus({
      targets: () => [{ service: 'checkout', replica: 'checkout-1', url: `http://127.0.0.1:${port}/metrics` }],
      port: promPort,
      runDir: run,
      scrapeIntervalMs: 1000,
    });
    try {
      await expect
        .poll(async () => (await queryPrometheus(prometheus.url, `sum by (service, replica) (${StackMetrics.checkoutOrders}{result="confirmed"})`))[0], { timeout: 30_000, interval: 500 })
        .toMatchObject({ metric: { service: 'checkout', replica: 'checkout-1' }, value: 3 });
      orders.inc({ service: 'checkout', result: 'confirmed' }, 2);
      await expect.poll(async () => (await queryPrometheus(prometheus.url, `sum(${StackMetrics.checkoutOrders})`))[0]?.value, { timeout: 30_000, interval: 500 }).toBe(5);
      const end = Date.now();
      const series = await queryRange(prometheus.url, 'up{job="peakready"}', end - 10_000, end, 1000);
      expect(series[0]!.metric).toMatchObject({ service: 'checkout', replica: 'checkout-1' });
      expect(series[0]!.points.at(-1)!.value).toBe(1);
      await expect(queryPrometheus(prometheus.url, 'sum(')).rejects.toThrow(PeakreadyError);
    } finally {
      await prometheus.stop();
    }
    await expect(queryPrometheus(prometheus.url, 'up')).rejects.toThrow(/not reachable/);
  });

  it('drill --prometheus: the PromQL sampler writes the same samples a direct scrape of the replica writes', async () => {
    const direct = new RunDirectory(tempDir('peakready-direct-'));
    const viaPrometheus = new RunDirectory(tempDir('peakready-promql-'));
    const target = { service: 'checkout', replica: 'checkout-1', url: `http://127.0.0.1:${port}/metrics` };
    const families = [StackMetrics.httpServerDuration, StackMetrics.checkoutOrders];
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const promPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const prometheus = await startPrometheus({ targets: [target], port: promPort, scrapeIntervalMs: 1000 });
    try {
      await expect.poll(async () => (await queryPrometheus(prometheus.url, `${StackMetrics.checkoutOrders}`)).length, { timeout: 30_000, interval: 500 }).toBe(1);
      const sampler = startPrometheusSampler({ url: prometheus.url, intervalMs: 60_000, runDir: viaPrometheus, families });
      await sampler.stop();
      expect(sampler.stats()).toMatchObject({ scrapes: 1, failures: 0 });
      await startMetricsScraper({ targets: () => [target], intervalMs: 60_000, runDir: direct, families }).stop();
    } finally {
      await prometheus.stop();
    }
    const comparable = (run: RunDirectory) =>
      run
        .readLines<MetricSample>('metrics')
        .flatMap((s) => (s.source === 'scrape' && s.name !== 'up' && s.name !== 'scrape_duration_seconds' ? [`${s.service} ${s.replica} ${s.name}${JSON.stringify(Object.entries(s.labels).sort())} ${s.value}`] : []))
        .sort();
    expect(comparable(viaPrometheus)).toEqual(comparable(direct));
    expect(comparable(direct).length).toBeGreaterThan(8);
  });

  it('a Prometheus that is not there counts as a failed round, not a crash', async () => {
    const run = new RunDirectory(tempDir('peakready-promql-'));
    const sampler = startPrometheusSampler({ url: 'http://127.0.0.1:9', intervalMs: 60_000, runDir: run });
    await sampler.stop();
    expect(sampler.stats()).toMatchObject({ scrapes: 0, failures: 1, lastError: expect.stringMatching(/not reachable/) });
  });
});
