import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Histogram, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryPrometheus } from '../../telemetry/metrics/prometheus-api.js';
import { prometheusInstalled, startPrometheus } from '../../telemetry/metrics/prometheus-server.js';
import { runProbe } from './probes.js';
import type { ChaosProbe } from './schema.js';

/** A service stand-in: /metrics from prom-client (labelled histogram and counter), /slow after 80 ms, /missing 404. */
const registry = new Registry();
const duration = new Histogram({ name: 'http_server_request_duration_seconds', help: 'h', labelNames: ['route', 'status_code'], buckets: [0.1, 1], registers: [registry] });
const degraded = new Counter({ name: 'recommendations_degraded_total', help: 'c', labelNames: ['reason'], registers: [registry] });
duration.observe({ route: '/api/checkout', status_code: '200' }, 0.05);
duration.observe({ route: '/api/checkout', status_code: '200' }, 0.2);
duration.observe({ route: '/api/products/:id', status_code: '200' }, 0.01);
degraded.inc({ reason: 'timeout' }, 4);
degraded.inc({ reason: 'breaker_open' }, 2);

let server: Server;
let base: string;
let lastHeaders: IncomingHttpHeaders = {};
beforeAll(async () => {
  server = createServer((req, res) => {
    lastHeaders = req.headers;
    if (req.url === '/metrics') return void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
    if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end('ok'), 80);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const probe = (p: Omit<ChaosProbe, 'name' | 'when'>): ChaosProbe => ({ name: 'p', when: ['before', 'during', 'after'], ...p });
const vars = () => ({ gateway: base });

describe('chaos probes on real endpoints', () => {
  it('http: status and latency tolerances, and a traceparent of its own so the probe is never an orphan trace', async () => {
    const ok = await runProbe(probe({ http: { url: '${gateway}/slow', method: 'GET', timeout: 3000 }, tolerance: { status: [200], latency: 2000 } }), { vars: vars() });
    expect(ok).toMatchObject({ ok: true, detail: expect.stringMatching(/^status 200 in [\d.]+ ms$/) });
    expect(ok.value).toBeGreaterThanOrEqual(75);
    expect(lastHeaders.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const slow = await runProbe(probe({ http: { url: '${gateway}/slow', method: 'GET', timeout: 3000 }, tolerance: { latency: 10 } }), { vars: vars() });
    expect(slow).toMatchObject({ ok: false, detail: expect.stringContaining('(over 10 ms)') });
    const missing = await runProbe(probe({ http: { url: '${gateway}/missing', method: 'GET', timeout: 3000 }, tolerance: { status: [200] } }), { vars: vars() });
    expect(missing).toMatchObject({ ok: false, detail: 'status 404 in ' + String(missing.value) + ' ms (expected 200)' });
  });

  it("metric: sums a labelled histogram's _count and a counter's _total over the matching series", async () => {
    const count = await runProbe(probe({ metric: { url: '${gateway}/metrics', name: 'http_server_request_duration_seconds_count', labels: { route: '/api/checkout' } }, tolerance: { max: 2 } }), { vars: vars() });
    expect(count).toMatchObject({ ok: true, value: 2 });
    const all = await runProbe(probe({ metric: { url: '${gateway}/metrics', name: 'recommendations_degraded_total' }, tolerance: { max: 5 } }), { vars: vars() });
    expect(all).toMatchObject({ ok: false, value: 6, detail: '6 is not at most 5' });
    const none = await runProbe(probe({ metric: { url: '${gateway}/metrics', name: 'recommendations_degraded_total', labels: { reason: 'bulkhead_full' } } }), { vars: vars() });
    expect(none).toMatchObject({ ok: false, detail: expect.stringContaining('no recommendations_degraded_total series with labels') });
  });

  it.runIf(prometheusInstalled())("prometheus: a PromQL query's first value, against Debian's Prometheus", async () => {
    const probePort = createServer();
    await new Promise<void>((resolve) => probePort.listen(0, '127.0.0.1', resolve));
    const port = (probePort.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probePort.close(() => resolve()));
    const prometheus = await startPrometheus({ targets: [{ service: 'gateway', replica: 'gateway-1', url: `${base}/metrics` }], port, scrapeIntervalMs: 1000 });
    try {
      await expect.poll(async () => (await queryPrometheus(prometheus.url, 'recommendations_degraded_total')).length, { timeout: 30_000, interval: 500 }).toBe(2);
      const outcome = await runProbe(probe({ prometheus: { url: prometheus.url, query: 'sum(recommendations_degraded_total{reason="timeout"})' }, tolerance: { min: 4, max: 4 } }), { vars: vars() });
      expect(outcome).toMatchObject({ ok: true, value: 4 });
      const empty = await runProbe(probe({ prometheus: { url: prometheus.url, query: 'nothing_here' } }), { vars: vars() });
      expect(empty).toMatchObject({ ok: false, detail: 'Prometheus query returned no series: nothing_here' });
    } finally {
      await prometheus.stop();
    }
  });
});
