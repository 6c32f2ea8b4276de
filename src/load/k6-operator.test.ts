import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { k6OperatorFixture as fixture, startFakeK6Operator, type FakeCluster } from '../../test/support/fake-k6-operator.js';
import { runShutdownHooks } from '../lifecycle/shutdown.js';
import { shipped } from '../paths.js';
import type { TimelineEvent } from '../run/records.js';
import { RunDirectory } from '../run/run-dir.js';
import { K6OperatorApi } from './k6-operator-api.js';
import { renderForOperator, runOnOperator, type OperatorRunOptions } from './k6-operator-run.js';

let fake: Awaited<ReturnType<typeof startFakeK6Operator>>;
let cluster: FakeCluster;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  fake = await startFakeK6Operator();
  ({ cluster, dir, kubeconfig } = fake);
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => fake.reset());

async function start(stagesFile: string, extra: Partial<OperatorRunOptions> = {}) {
  cluster.stages = JSON.parse(fixture(stagesFile)) as object[];
  const api = K6OperatorApi.open({ kubeconfig, context: 'recorded' });
  const rendered = await renderForOperator(shipped('scenarios/smoke.js'), { BASE_URL: 'http://gateway.shop.svc:7100' }, { parallelism: 3, runnerImage: 'grafana/k6:0.54.0' }, api.namespace);
  const run = RunDirectory.create('k6-operator-test', dir);
  const lines: string[] = [];
  const result = await runOnOperator({ api, rendered, durationMs: 60_000, pollMs: 5, runDir: run, log: (l) => lines.push(l), ...extra });
  const k8s = run.timeline().filter((e): e is Extract<TimelineEvent, { type: 'k8s-object' }> => e.type === 'k8s-object');
  return { result, rendered, lines, k8s: k8s.map((e) => `${e.action} ${e.kind} ${e.namespace}/${e.name}`) };
}

describe('a load on the k6-operator, against recorded Kubernetes API answers', () => {
  it('creates the ConfigMap and the TestRun, follows the stages to finished, then deletes both', async () => {
    const { result, rendered, lines, k8s } = await start('stages-finished.json');
    expect(result.outcome).toBe('finished');
    expect(result.stages.map((s) => s.stage)).toEqual(['pending', 'initialization', 'initialized', 'created', 'started', 'finished']);
    expect(result).toMatchObject({ namespace: 'load', leftovers: [] });
    expect(result.server).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(rendered.name).toMatch(/^smoke-[a-z0-9]{5}$/);
    const cm = `${rendered.name}-script`;
    // checked before creating; the TestRun deleted before its ConfigMap
    const writes = cluster.requests.filter((r) => !r.startsWith(`GET /apis/k6.io/v1alpha1/namespaces/load/testruns/`));
    expect(writes).toEqual([
      'GET /apis/k6.io/v1alpha1/namespaces/load/testruns',
      'POST /api/v1/namespaces/load/configmaps',
      'POST /apis/k6.io/v1alpha1/namespaces/load/testruns',
      `DELETE /apis/k6.io/v1alpha1/namespaces/load/testruns/${rendered.name}`,
      `DELETE /api/v1/namespaces/load/configmaps/${cm}`,
    ]);
    expect(cluster.objects.size).toBe(0);
    expect(k8s).toEqual([`created ConfigMap load/${cm}`, `created TestRun load/${rendered.name}`, `deleted TestRun load/${rendered.name}`, `deleted ConfigMap load/${cm}`]);
    expect(lines.join('\n')).toMatch(/TestRun smoke-\w+: started \(\d+ s after creation\)[\s\S]*: finished/);
    expect(rendered.testRun).toMatchObject({ spec: { parallelism: 3, script: { configMap: { name: cm, file: 'smoke.js' } }, runner: { image: 'grafana/k6:0.54.0' } } });
  });

  it('ends a load the operator put in stage error with the reason, and still deletes both', async () => {
    const { result, k8s } = await start('stages-error.json');
    expect(result.outcome).toBe('error');
    expect(result.reason).toMatch(/^the k6-operator put TestRun load\/smoke-\w+ in stage error; its runners' logs go with it/);
    expect(cluster.objects.size).toBe(0);
    expect(k8s.filter((e) => e.startsWith('deleted'))).toHaveLength(2);
  });

  it('without the operator\'s CRD: one line naming the server and the fix, before anything is created', async () => {
    cluster.crdInstalled = false;
    const error = await start('stages-finished.json').catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^Kubernetes API http:\/\/127\.0\.0\.1:\d+: no TestRun resource \(k6\.io\/v1alpha1 testruns answered 404\): install the k6-operator in the cluster \(https:/);
    expect((error as Error).message).not.toContain('\n');
    expect(cluster.requests).toEqual(['GET /apis/k6.io/v1alpha1/namespaces/load/testruns']);
  });

  it('names the server it cannot reach', async () => {
    const api = K6OperatorApi.open({ kubeconfig, context: 'other' });
    await expect(api.check()).rejects.toThrow(/^cannot reach the Kubernetes API at http:\/\/127\.0\.0\.1:1 \(.+\): check load\.k6Operator's kubeconfig and context \(now "other"\)$/);
  });

  it('gives up at the deadline, and deletes both', async () => {
    cluster.holdAt = 'started';
    const { result } = await start('stages-finished.json', { durationMs: 50, marginMs: 100 });
    expect(result.outcome).toBe('deadline');
    expect(result.reason).toContain('did not finish within');
    expect(cluster.objects.size).toBe(0);
  });

  it('interrupted (its signal): stops following and deletes both', async () => {
    cluster.holdAt = 'started';
    const abort = new AbortController();
    const { result, k8s } = await start('stages-finished.json', { signal: abort.signal, onTick: (t) => t.stage === 'started' && abort.abort() });
    expect(result.outcome).toBe('aborted');
    expect(cluster.objects.size).toBe(0);
    expect(k8s.filter((e) => e.startsWith('deleted'))).toHaveLength(2);
  });

  // last: the shutdown hooks run once per process
  it('Ctrl-C / SIGTERM (the shutdown hooks): deletes both before the process exits', async () => {
    cluster.holdAt = 'started';
    let hooks: Promise<void> | undefined;
    const { result, k8s } = await start('stages-finished.json', { onTick: (t) => void (t.stage === 'started' && (hooks ??= runShutdownHooks(() => undefined))) });
    await hooks;
    expect(result.outcome).toBe('aborted');
    expect(cluster.objects.size).toBe(0);
    expect(k8s.filter((e) => e.startsWith('deleted'))).toHaveLength(2);
  });
});
