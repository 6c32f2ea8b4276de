import { rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../run/records.js';
import { RunDirectory } from '../run/run-dir.js';
import { startFakeKubeApi, type FakeKubeApi } from '../../test/support/fake-kube-api.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { watchCluster } from './cluster-watch.js';
import { hpaLimitedBy } from './k8s-events.js';
import { listK8sHpas, loadKubeConfig, startK8sWatcher } from './k8s-watcher.js';

let api: FakeKubeApi;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  dir = tempDir('peakready-k8s-');
  api = await startFakeKubeApi(dir);
  kubeconfig = api.kubeconfig;
});

afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Kubernetes watcher on recorded API responses', () => {
  it('records scale decisions from HPA status changes and replicas from Deployment status', async () => {
    api.reset();
    const run = RunDirectory.create('k8s-test', dir);
    const events: TimelineEvent[] = [];
    const watcher = await startK8sWatcher({ kubeconfig, context: 'recorded', namespace: 'shop', runDir: run, onEvent: (e) => events.push(e) });
    try {
      const until = Date.now() + 5000;
      while (events.filter((e) => e.type === 'replicas').length < 6 || events.filter((e) => e.type === 'scale-decision').length < 4) {
        if (Date.now() > until) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await watcher.stop();
    }
    const decisions = events.filter((e): e is Extract<TimelineEvent, { type: 'scale-decision' }> => e.type === 'scale-decision');
    expect(decisions.map((d) => [d.current, d.desired, d.utilization, d.limitedBy])).toEqual([
      [3, 3, 41, 'min'],
      [3, 6, 142, 'policy'],
      [6, 9, 88, 'none'],
      [9, 9, 31, 'stabilization'],
    ]);
    expect(decisions.every((d) => d.service === 'catalog' && d.target === 60)).toBe(true);
    expect(decisions[1]!.reason).toContain('increasing faster than the maximum scale rate');
    const replicas = events.filter((e): e is Extract<TimelineEvent, { type: 'replicas' }> => e.type === 'replicas');
    expect(replicas.map((r) => [r.from, r.to, r.ready])).toEqual([
      [3, 3, 3],
      [3, 6, 3],
      [6, 6, 5],
      [6, 6, 6],
      [6, 9, 6],
      [9, 9, 9],
    ]);
    // the same events are in the run's timeline, and the watch resumed from the list's resourceVersion
    expect(run.timeline()).toEqual(events);
    expect(api.requests.some((r) => r.includes('/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers?') && r.includes('watch=true') && r.includes('resourceVersion=48211'))).toBe(true);
    expect(api.requests.every((r) => r.endsWith('auth=Bearer recorded-token'))).toBe(true);
  });

  it('scale watch --kube-context: uses the context\'s namespace, prints one line per change and records the run', async () => {
    api.reset();
    const run = RunDirectory.create('load', dir);
    run.appendTimeline({ t: Date.now(), type: 'run', state: 'start', command: 'run' });
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    let stop!: () => void;
    const until = new Promise<void>((r) => (stop = r));
    const watching = watchCluster({ kubeconfig, context: 'recorded', run: run.root, out, until });
    const deadline = Date.now() + 5000;
    // the HPA and Deployment watches are separate streams: wait for the end of both
    const decisions = () => run.timeline().filter((e) => e.type === 'scale-decision').length;
    while ((!text.includes('replicas 9 -> 9 ready=9') || decisions() < 4) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    stop();
    await watching;
    expect(text).toContain('in namespace shop on http://127.0.0.1:');
    expect(text).toMatch(/hpa catalog current=3 desired=6 cpu=142%\/60% limitedBy=policy/);
    expect(text).toContain('deployment catalog replicas 6 -> 9 ready=6');
    expect(run.timeline().filter((e) => e.type === 'scale-decision')).toHaveLength(4);
    expect(run.timeline()[0]).toMatchObject({ type: 'run', state: 'start' });
  });

  it('re-lists and resumes when the server ends a watch, without recording anything twice', async () => {
    api.reset();
    api.endWatches = true;
    const before = api.requests.length;
    const events: TimelineEvent[] = [];
    const watcher = await startK8sWatcher({ kubeconfig, context: 'recorded', retryMs: 50, onEvent: (e) => events.push(e) });
    try {
      const deadline = Date.now() + 5000;
      const lists = () => api.requests.slice(before).filter((r) => r.includes('/horizontalpodautoscalers') && !r.includes('watch=true')).length;
      const count = (type: string) => events.filter((e) => e.type === type).length;
      // both kinds replayed (separate streams) and the HPAs re-listed twice
      while ((lists() < 3 || count('scale-decision') < 4 || count('replicas') < 6) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(lists()).toBeGreaterThanOrEqual(3);
    } finally {
      await watcher.stop();
      api.endWatches = false;
    }
    // re-listing returned states already recorded, and the watch resumed after them: only the
    // real changes are events, each once
    expect(events.filter((e) => e.type === 'scale-decision')).toHaveLength(4);
    expect(events.filter((e) => e.type === 'replicas')).toHaveLength(6);
    const resumed = api.requests.slice(before).filter((r) => r.includes('/horizontalpodautoscalers?') && r.includes('watch=true'));
    expect(resumed.at(-1)).toContain('resourceVersion=48290');
  });

  it('names the context that is missing and the API error', async () => {
    expect(() => loadKubeConfig({ kubeconfig, context: 'prod' })).toThrow(/no context "prod".*other, recorded/);
    await expect(startK8sWatcher({ kubeconfig, context: 'recorded', namespace: 'elsewhere' })).rejects.toThrow(/cannot list HorizontalPodAutoscalers in namespace elsewhere/);
  });

  it('a refused list is one line in the API\'s own words, and the other kind\'s watch is closed', async () => {
    api.reset();
    api.forbidden.add('hpa');
    const before = api.requests.length;
    const failure = (await startK8sWatcher({ kubeconfig, context: 'recorded' }).then(
      () => new Error('started'),
      (e: unknown) => e,
    )) as Error;
    expect(failure.message).toMatch(/^Kubernetes API http:\/\/127\.0\.0\.1:\d+: cannot list HorizontalPodAutoscalers in namespace shop: HTTP 403: horizontalpodautoscalers.autoscaling is forbidden/);
    expect(failure.message).not.toContain('\n');
    // the Deployments were listed and may have started watching: that watch was stopped, so it
    // is never re-listed or re-opened, and it asked the server to end it (timeoutSeconds) even
    // where the HTTP client's abort leaves the socket to the server
    await new Promise((r) => setTimeout(r, 1500));
    const watches = api.requests.slice(before).filter((r) => r.includes('/deployments?') && r.includes('watch=true'));
    expect(watches.length).toBeLessThanOrEqual(1);
    expect(watches.every((r) => r.includes('timeoutSeconds=300'))).toBe(true);
    expect(api.requests.slice(before).filter((r) => r.includes('/deployments auth='))).toHaveLength(1);
  });

  it('follows only the named Deployments and the HPAs that scale them', async () => {
    api.reset('stuck');
    const events: TimelineEvent[] = [];
    const watcher = await startK8sWatcher({ kubeconfig, context: 'recorded', workloads: ['checkout'], onEvent: (e) => events.push(e) });
    try {
      const until = Date.now() + 5000;
      while (events.filter((e) => e.type === 'scale-decision').length < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await watcher.stop();
    }
    expect(new Set(events.map((e) => ('service' in e ? e.service : e.type)))).toEqual(new Set(['checkout']));
  });

  it('lists the HPAs once for a dry run, and gives up on an API that does not answer', async () => {
    api.reset();
    const listed = await listK8sHpas({ kubeconfig, context: 'recorded', timeoutMs: 5000 });
    expect(listed).toEqual({ server: api.url, namespace: 'shop', hpas: [{ name: 'catalog', deployment: 'catalog', minReplicas: 3, maxReplicas: 50, targetCpuPercent: 60 }] });
    api.hang = true;
    const started = Date.now();
    await expect(listK8sHpas({ kubeconfig, context: 'recorded', timeoutMs: 300 })).rejects.toThrow(/cannot list HorizontalPodAutoscalers in namespace shop: .*(abort|timeout)/i);
    expect(Date.now() - started).toBeLessThan(3000);
    api.reset();
  });

  it('maps the HPA conditions to the limiting rule', () => {
    const cond = (type: string, status: string, reason: string) => ({ status: { conditions: [{ type, status, reason }] } });
    expect(hpaLimitedBy(cond('ScalingLimited', 'True', 'TooManyReplicas'))).toBe('max');
    expect(hpaLimitedBy(cond('ScalingLimited', 'True', 'ScaleDownLimit'))).toBe('policy');
    expect(hpaLimitedBy(cond('ScalingActive', 'False', 'FailedGetResourceMetric'))).toBe('no-metrics');
    expect(hpaLimitedBy({})).toBe('none');
  });
});
