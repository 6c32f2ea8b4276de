import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../run/records.js';
import { startStack, type RunningStack } from '../supervisor/supervisor.js';
import { queryPrometheus } from '../telemetry/metrics/prometheus-api.js';
import { prometheusInstalled } from '../telemetry/metrics/prometheus-server.js';
import { fixtureStack } from '../../test/support/fixture-stack.js';
import { privateStateDir, TEST_DATABASE_URL } from '../../test/support/stack.js';
import { prometheusScaleOutEvidence, reachable } from './prometheus-evidence.js';

/**
 * The Prometheus path for real: the bundled stack's supervisor exports kube-state-metrics and
 * cAdvisor names, Debian's Prometheus scrapes them, and the evidence source reads a change of
 * replicas back through query_range.
 */

const BASE = 20_500; // fixed bases stay below 32768, where the ephemeral ports (port 0) begin
const SCRAPE_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const poll = { timeout: 30_000, interval: 250 };

describe.runIf(prometheusInstalled())('scale-out evidence from the bundled stack’s Prometheus', () => {
  let stack: RunningStack;
  let prometheusUrl: string;

  beforeAll(async () => {
    privateStateDir();
    stack = await startStack({ definition: fixtureStack(BASE), databaseUrl: TEST_DATABASE_URL, faultProxy: false, prometheus: true, prometheusScrapeIntervalMs: SCRAPE_MS });
    prometheusUrl = stack.state().prometheusUrl!;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const scraped = async (promql: string) => (await queryPrometheus(prometheusUrl, promql)).map((s) => s.value);

  it('reads a change of catalog’s replicas, made through the supervisor, back as a decision, replica counts and CPU per pod', async () => {
    await expect.poll(() => scraped('kube_deployment_status_replicas_ready{namespace="peakready", deployment="catalog"}'), poll).toEqual([1]);
    await expect.poll(() => scraped('count(rate(container_cpu_usage_seconds_total{namespace="peakready", container="catalog"}[4s]))'), poll).toEqual([1]);
    const from = Date.now();
    await sleep(2 * SCRAPE_MS);
    await stack.setReplicas('catalog', 3);
    await expect.poll(() => scraped('kube_deployment_status_replicas_ready{namespace="peakready", deployment="catalog"}'), poll).toEqual([3]);
    // two more scrapes, so every new pod has a CPU rate
    await expect.poll(() => scraped('count(rate(container_cpu_usage_seconds_total{namespace="peakready", container="catalog"}[4s]))'), poll).toEqual([3]);
    await sleep(2 * SCRAPE_MS);
    const to = Date.now();

    const evidence = await prometheusScaleOutEvidence({ prometheusUrl, namespace: 'peakready', workloads: [{ deployment: 'catalog' }], from, to, scrapeIntervalMs: SCRAPE_MS });
    expect(evidence.stepMs).toBe(1000);
    const decisions = evidence.timeline.filter((e): e is Extract<TimelineEvent, { type: 'scale-decision' }> => e.type === 'scale-decision');
    // with no autoscaler reporting, the HPA series show the live count: current and desired move
    // in the same scrape, and the decision is read as taken from the count before
    expect(decisions.map((d) => [d.current, d.desired])).toEqual([
      [1, 1],
      [1, 3],
    ]);
    expect(decisions[1]).toMatchObject({ service: 'catalog', target: 60, limitedBy: 'none' });
    const replicas = evidence.timeline.filter((e): e is Extract<TimelineEvent, { type: 'replicas' }> => e.type === 'replicas');
    expect(replicas[0]).toMatchObject({ from: 1, to: 1, ready: 1 });
    expect(replicas.at(-1)).toMatchObject({ to: 3, ready: 3 });
    expect(replicas.some((e) => e.from === 1 && e.to === 3)).toBe(true);
    expect(new Set(evidence.cpu.map((s) => s.replica))).toEqual(new Set(['catalog-1', 'catalog-2', 'catalog-3']));
    expect(evidence.cpu.every((s) => s.requestMillicores === 200 && s.utilization >= 0 && s.cpuSeconds > 0)).toBe(true);
    expect(evidence.notes).toEqual(['catalog: CPU target 60% (kube_horizontalpodautoscaler_spec_target_metric)']);
  });

  it('a workload the Prometheus has no series for is one line with the fix', async () => {
    await expect(
      prometheusScaleOutEvidence({ prometheusUrl, namespace: 'shop', workloads: [{ deployment: 'catalog' }], from: Date.now() - 10_000, to: Date.now(), scrapeIntervalMs: SCRAPE_MS }),
    ).rejects.toThrow(new RegExp(`^Prometheus at http://127\\.0\\.0\\.1:${BASE + 303} has no kube_horizontalpodautoscaler_.* for HPA catalog in namespace shop .*; is kube-state-metrics scraped`));
  });

  it('reachable: this Prometheus, a closed port, and a server that never answers (within the limit)', async () => {
    expect(await reachable(prometheusUrl)).toEqual({ ok: true, detail: `Prometheus at ${prometheusUrl} answers queries` });
    expect((await reachable('http://127.0.0.1:1')).detail).toMatch(/^Prometheus at http:\/\/127\.0\.0\.1:1 is not reachable \(.*ECONNREFUSED.*\); start it or fix the Prometheus URL$/);
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      expect(await reachable(`http://127.0.0.1:${port}`, 300)).toEqual({ ok: false, detail: `Prometheus at http://127.0.0.1:${port} is not reachable (no answer within 300 ms); start it or fix the Prometheus URL` });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
