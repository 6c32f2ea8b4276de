import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getGlobalDispatcher, MockAgent, setGlobalDispatcher, type Dispatcher } from 'undici';
import type { TimelineEvent } from '../run/records.js';
import type { KubeSeries, KubeWorkloadRef } from './kube-evidence.js';
import { evidenceStepMs, prometheusScaleOutEvidence, rateWindowMs, reachable, scaleOutQueries, type PrometheusScaleOutOptions } from './prometheus-evidence.js';
import { analyzeScaleOut } from './scale-out-analysis.js';

/** Recorded query_range answers (test/fixtures/scaling/prometheus/README.md), served by undici's MockAgent: no socket. */
const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../test/fixtures/scaling/prometheus/${name}.json`, import.meta.url)), 'utf8');
const FILES: Record<keyof KubeSeries, string> = {
  hpa: 'hpa',
  hpaTarget: 'hpa-target',
  deployment: 'deployment',
  cpuRate: 'cpu-rate',
  cpuRequests: 'cpu-requests',
  cpuTotal: 'cpu-total',
};
const EMPTY = '{"status":"success","data":{"resultType":"matrix","result":[]}}';

const URL_ = 'http://prometheus.test:9090';
const T0 = Date.UTC(2026, 0, 1);
const WORKLOADS: KubeWorkloadRef[] = [{ deployment: 'catalog' }, { deployment: 'checkout', hpa: 'checkout-hpa' }];
const OPTIONS: PrometheusScaleOutOptions = { prometheusUrl: URL_, namespace: 'shop', workloads: WORKLOADS, from: T0, to: T0 + 120_000 };

let agent: MockAgent;
let previous: Dispatcher;

/** Answers each family's query (as asked for `options`) with its recorded file, or with `overrides` (a body, or an error). */
function serve(overrides: Partial<Record<keyof KubeSeries, string | Error>> = {}, options: PrometheusScaleOutOptions = OPTIONS): string[] {
  const asked: string[] = [];
  const queries = scaleOutQueries(options, evidenceStepMs(options.to - options.from));
  const pool = agent.get(URL_);
  for (const [family, query] of Object.entries(queries) as Array<[keyof KubeSeries, string]>) {
    const interceptor = pool
      .intercept({
        path: '/api/v1/query_range',
        method: 'POST',
        body: (body: string) => {
          const params = new URLSearchParams(body);
          if (params.get('query') !== query) return false;
          asked.push(`${family} start=${params.get('start')} end=${params.get('end')} step=${params.get('step')}`);
          return true;
        },
      });
    const answer = overrides[family];
    const scope = answer instanceof Error ? interceptor.replyWithError(answer) : interceptor.reply(200, answer ?? fixture(FILES[family]), { headers: { 'content-type': 'application/json' } });
    scope.persist();
  }
  return asked;
}

beforeEach(() => {
  previous = getGlobalDispatcher();
  agent = new MockAgent();
  agent.disableNetConnect();
  setGlobalDispatcher(agent);
});
afterEach(async () => {
  setGlobalDispatcher(previous);
  await agent.close();
});

describe('step and rate window', () => {
  it('steps no finer than the scrape interval, and coarser only for long runs (≤ 1000 points)', () => {
    expect(evidenceStepMs(120_000)).toBe(15_000);
    expect(evidenceStepMs(240_000, 1000)).toBe(1000);
    expect(evidenceStepMs(10 * 3600_000)).toBe(36_000);
    expect(evidenceStepMs(10_000, 250)).toBe(1000);
  });

  it('rates over four scrapes, or a step and a scrape when the step is longer', () => {
    expect(rateWindowMs(15_000)).toBe(60_000);
    expect(rateWindowMs(36_000)).toBe(60_000);
    expect(rateWindowMs(60_000)).toBe(75_000);
    expect(rateWindowMs(1000, 1000)).toBe(4000);
  });

  it('asks exact names (dots escaped) and each Deployment’s pods by prefix', () => {
    const q = scaleOutQueries({ namespace: 'shop', workloads: [{ deployment: 'web.v2', container: 'app' }, { deployment: 'api' }] }, 15_000);
    expect(q.hpa).toBe(
      '{__name__=~"kube_horizontalpodautoscaler_status_current_replicas|kube_horizontalpodautoscaler_status_desired_replicas|kube_horizontalpodautoscaler_spec_min_replicas|kube_horizontalpodautoscaler_spec_max_replicas", namespace="shop", horizontalpodautoscaler=~"web\\\\.v2|api"}',
    );
    expect(q.cpuRate).toBe('sum by (pod, container) (rate(container_cpu_usage_seconds_total{namespace="shop", container=~"app|api", pod=~"(web\\\\.v2|api)-.+"}[60s]))');
    expect(q.cpuRequests).toContain('kube_pod_container_resource_requests{namespace="shop", container=~"app|api", pod=~"(web\\\\.v2|api)-.+", resource="cpu", unit="core"}');
  });
});

describe('prometheusScaleOutEvidence over recorded query_range answers', () => {
  it('asks every family over the run with the chosen step', async () => {
    const asked = serve();
    await prometheusScaleOutEvidence(OPTIONS);
    expect(asked.sort()).toEqual(
      ['cpuRate', 'cpuRequests', 'cpuTotal', 'deployment', 'hpa', 'hpaTarget'].map((f) => `${f} start=${T0 / 1000} end=${T0 / 1000 + 120} step=15`),
    );
  });

  it('gives the HPA decisions as the local autoscaler writes them: a new desired count is decided from the count the HPA saw', async () => {
    serve();
    const evidence = await prometheusScaleOutEvidence(OPTIONS);
    const decisions = evidence.timeline.filter((e): e is Extract<TimelineEvent, { type: 'scale-decision' }> => e.type === 'scale-decision');
    expect(decisions.map((d) => [d.service, (d.t - T0) / 1000, d.current, d.desired, d.limitedBy])).toEqual([
      ['catalog', 0, 2, 2, 'min'],
      ['checkout', 0, 3, 3, 'min'],
      ['catalog', 45, 2, 5, 'none'],
      ['catalog', 60, 5, 5, 'none'],
    ]);
    const up = decisions[2]!;
    expect(up).toMatchObject({ target: 60, reason: 'HPA catalog: 2 → 5 replicas (min 2, max 10), from kube-state-metrics' });
    expect(up.utilization).toBeCloseTo(90, 5);
    expect(decisions[1]).toMatchObject({ target: 80, utilization: 48 });
    expect(evidence.notes).toEqual([
      'catalog: CPU target 60% (kube_horizontalpodautoscaler_spec_target_metric)',
      "checkout: CPU target 80% (no kube_horizontalpodautoscaler_spec_target_metric: Kubernetes' default; give the workload's target to change it)",
    ]);
    expect(evidence.stepMs).toBe(15_000);
  });

  it('gives the Deployment’s pod and ready counts as replicas events, and one cpu sample per pod and step', async () => {
    const options = { ...OPTIONS, workloads: [{ deployment: 'catalog', targetCpuPercent: 70 }] };
    serve({}, options);
    const evidence = await prometheusScaleOutEvidence(options);
    const replicas = evidence.timeline.filter((e) => e.type === 'replicas');
    expect(replicas.map((e) => e.type === 'replicas' && [(e.t - T0) / 1000, e.from, e.to, e.ready])).toEqual([
      [0, 2, 2, 2],
      [60, 2, 5, 2],
      [75, 5, 5, 3],
      [90, 5, 5, 5],
    ]);
    expect(evidence.cpu).toHaveLength(2 * 9 + 3 * 5);
    expect(evidence.cpu[0]).toEqual({ t: T0, source: 'cpu', service: 'catalog', replica: 'catalog-7d4b9c6f8-abcde', pid: 0, cpuSeconds: 43, utilization: 50, requestMillicores: 200 });
    expect(evidence.timeline.find((e) => e.type === 'scale-decision')).toMatchObject({ target: 70 });
    expect(evidence.notes).toEqual(['catalog: CPU target 70% (given)']);
  });

  it('is exactly what analyzeScaleOut reads: reaction, peak and capacity judged without a second code path', async () => {
    serve();
    const evidence = await prometheusScaleOutEvidence(OPTIONS);
    const verdict = analyzeScaleOut({
      timeline: evidence.timeline,
      cpu: evidence.cpu,
      requests: [],
      limits: { maxReactionMs: 30_000, flapWindowMs: 300_000 },
      syncPeriodMs: evidence.stepMs,
      scaleDownStabilizationMs: 300_000,
    });
    const catalog = verdict.services.find((s) => s.service === 'catalog')!;
    expect(catalog).toMatchObject({ firstAboveTargetAt: T0 + 30_000, firstScaleOutAt: T0 + 45_000, reactionMs: 15_000, peakReplicas: 5, hitMax: false });
    expect(verdict.items.find((i) => i.service === 'catalog' && i.id === 'reaction')?.status).toBe('pass');
    // before: the steps at +15, +30 and +45 s (200m, 360m, 360m); after: from a step past all ready (+90 s), 400m
    expect(verdict.items.find((i) => i.service === 'catalog' && i.id === 'capacity')?.figure).toBe('CPU 307m → 400m');
    expect(verdict.controllerDecidedRight.status).toBe('pass');
  });
});

describe('what goes wrong is one line naming the query and the fix', () => {
  it('no HPA series for a workload: is kube-state-metrics scraped?', async () => {
    const options = { ...OPTIONS, workloads: [{ deployment: 'catalog' }, { deployment: 'checkout' }] };
    serve({}, options);
    const error = await prometheusScaleOutEvidence(options).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(
      /^Prometheus at http:\/\/prometheus\.test:9090 has no kube_horizontalpodautoscaler_status_current_replicas \/ kube_horizontalpodautoscaler_status_desired_replicas for HPA checkout in namespace shop from 2026-01-01T00:00:00\.000Z to 2026-01-01T00:02:00\.000Z \(query: \{__name__=~.*\}\); is kube-state-metrics scraped, and is the HPA named so in that namespace\?$/,
    );
  });

  it('no cAdvisor series: is cAdvisor scraped?', async () => {
    serve({ cpuRate: EMPTY, cpuTotal: EMPTY });
    await expect(prometheusScaleOutEvidence(OPTIONS)).rejects.toThrow(
      /has no container_cpu_usage_seconds_total for container catalog \(pods catalog-…\), checkout \(pods checkout-…\) .*rate\(container_cpu_usage_seconds_total.*is cAdvisor \(the kubelet's \/metrics\/cadvisor\) scraped/,
    );
  });

  it('no CPU requests: a CPU HPA needs them', async () => {
    serve({ cpuRequests: EMPTY });
    await expect(prometheusScaleOutEvidence(OPTIONS)).rejects.toThrow(/kube_pod_container_resource_requests\{resource="cpu"\} .*does the container declare a CPU request/);
  });

  it('an unreachable Prometheus names it and the query', async () => {
    serve({ hpa: new Error('connect ECONNREFUSED 10.0.0.9:9090') });
    await expect(prometheusScaleOutEvidence(OPTIONS)).rejects.toThrow(
      /^scale-out evidence \(query: \{__name__=~"kube_horizontalpodautoscaler_.*\}\): Prometheus at http:\/\/prometheus\.test:9090 is not reachable \(connect ECONNREFUSED 10\.0\.0\.9:9090\); check --prometheus$/,
    );
  });

  it('a PromQL error is Prometheus’ own words', async () => {
    serve({ deployment: '{"status":"error","errorType":"bad_data","error":"parse error"}' });
    await expect(prometheusScaleOutEvidence(OPTIONS)).rejects.toThrow(/scale-out evidence \(query: \{__name__=~"kube_deployment_.*\): Prometheus rejected .*bad_data: parse error/);
  });

  it('a span that ends before it starts, or no workload, is a usage error', async () => {
    await expect(prometheusScaleOutEvidence({ ...OPTIONS, to: T0 })).rejects.toThrow(/needs a span that ends after it starts/);
    await expect(prometheusScaleOutEvidence({ ...OPTIONS, workloads: [] })).rejects.toThrow(/at least one workload/);
  });
});

describe('reachable (dry run)', () => {
  it('a Prometheus that answers a query', async () => {
    agent
      .get(URL_)
      .intercept({ path: '/api/v1/query?query=vector(1)', method: 'GET' })
      .reply(200, '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1767225600,"1"]}]}}');
    expect(await reachable(`${URL_}/`)).toEqual({ ok: true, detail: `Prometheus at ${URL_}/ answers queries` });
  });

  it('something else, or nothing, with the fix', async () => {
    agent.get(URL_).intercept({ path: '/api/v1/query?query=vector(1)', method: 'GET' }).reply(404, '<html>not found</html>');
    expect(await reachable(URL_)).toEqual({
      ok: false,
      detail: `${URL_} answered HTTP 404 to a PromQL query, not the Prometheus API; check the Prometheus URL (the server's root, without /api/v1)`,
    });
    agent.get(URL_).intercept({ path: '/api/v1/query?query=vector(1)', method: 'GET' }).replyWithError(new Error('getaddrinfo ENOTFOUND prometheus.test'));
    expect(await reachable(URL_)).toEqual({ ok: false, detail: `Prometheus at ${URL_} is not reachable (getaddrinfo ENOTFOUND prometheus.test); start it or fix the Prometheus URL` });
  });
});
