import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeKubeconfig } from '../../test/support/kubeconfig.js';
import type { TimelineEvent } from '../run/records.js';
import { RunDirectory } from '../run/run-dir.js';
import { PassThrough } from 'node:stream';
import { watchCluster } from './cluster-watch.js';
import { hpaLimitedBy } from './k8s-events.js';
import { loadKubeConfig } from '../config/kubeconfig.js';
import { startK8sWatcher } from './k8s-watcher.js';

const fixtures = fileURLToPath(new URL('../../test/fixtures/scaling/k8s/', import.meta.url));
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');

let server: Server;
let dir: string;
let kubeconfig: string;
const requests: string[] = [];
/** when set, a watch ends after its recorded events (as a server-side timeout does) */
let endWatches = false;
const openWatches = new Set<ServerResponse>();

interface WatchLine {
  type: string;
  object: { metadata: { name?: string; resourceVersion: string } };
}
/** what the fake API server holds: per kind, the latest resourceVersion and objects */
const api: Record<'hpa' | 'deployment', { rv: string; items: Map<string, unknown> }> = {
  hpa: { rv: '', items: new Map() },
  deployment: { rv: '', items: new Map() },
};
function resetApi(): void {
  for (const kind of ['hpa', 'deployment'] as const) {
    const list = JSON.parse(fixture(`${kind}-list.json`)) as { metadata: { resourceVersion: string }; items: Array<{ metadata: { name: string } }> };
    api[kind] = { rv: list.metadata.resourceVersion, items: new Map(list.items.map((item) => [item.metadata.name, item])) };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'peakready-k8s-'));
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    requests.push(`${req.method} ${url.pathname}${url.search} auth=${req.headers.authorization ?? ''}`);
    const kind = url.pathname.endsWith('/horizontalpodautoscalers') ? 'hpa' : url.pathname.endsWith('/deployments') ? 'deployment' : undefined;
    if (!kind || !url.pathname.includes('/namespaces/shop/')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    const state = api[kind];
    if (url.searchParams.get('watch') !== 'true') {
      // a list returns the current state and its resourceVersion, as the API server does
      const list = JSON.parse(fixture(`${kind}-list.json`)) as { metadata: object };
      res.end(JSON.stringify({ ...list, metadata: { resourceVersion: state.rv }, items: [...state.items.values()] }));
      return;
    }
    // a watch: the recorded events newer than the requested resourceVersion, one by one; then the
    // connection stays open (or ends, as a server-side timeout does)
    openWatches.add(res);
    res.on('close', () => openWatches.delete(res));
    const from = Number(url.searchParams.get('resourceVersion') ?? 0);
    const lines = fixture(`${kind}-watch.ndjson`)
      .trim()
      .split('\n')
      .filter((l) => Number((JSON.parse(l) as WatchLine).object.metadata.resourceVersion) > from);
    let i = 0;
    const next = () => {
      if (res.destroyed) return;
      if (i >= lines.length) {
        if (endWatches) res.end();
        return;
      }
      const line = lines[i++]!;
      const event = JSON.parse(line) as WatchLine;
      state.rv = event.object.metadata.resourceVersion;
      if (event.type !== 'BOOKMARK') state.items.set(event.object.metadata.name!, event.object);
      res.write(line + '\n');
      setTimeout(next, 5);
    };
    next();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  kubeconfig = writeKubeconfig(dir, port);
});

afterAll(async () => {
  for (const res of openWatches) res.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('Kubernetes watcher on recorded API responses', () => {
  it('records scale decisions from HPA status changes and replicas from Deployment status', async () => {
    resetApi();
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
    expect(requests.some((r) => r.includes('/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers?') && r.includes('watch=true') && r.includes('resourceVersion=48211'))).toBe(true);
    expect(requests.every((r) => r.endsWith('auth=Bearer recorded-token'))).toBe(true);
  });

  it('scale watch --kube-context: uses the context\'s namespace, prints one line per change and records the run', async () => {
    resetApi();
    const run = RunDirectory.create('load', dir);
    run.appendTimeline({ t: Date.now(), type: 'run', state: 'start', command: 'run' });
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    let stop!: () => void;
    const until = new Promise<void>((r) => (stop = r));
    const watching = watchCluster({ kubeconfig, context: 'recorded', run: run.root, out, until });
    const deadline = Date.now() + 5000;
    while (!text.includes('replicas 9 -> 9 ready=9') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    stop();
    await watching;
    expect(text).toContain('in namespace shop on http://127.0.0.1:');
    expect(text).toMatch(/hpa catalog current=3 desired=6 cpu=142%\/60% limitedBy=policy/);
    expect(text).toContain('deployment catalog replicas 6 -> 9 ready=6');
    expect(run.timeline().filter((e) => e.type === 'scale-decision')).toHaveLength(4);
    expect(run.timeline()[0]).toMatchObject({ type: 'run', state: 'start' });
  });

  it('re-lists and resumes when the server ends a watch, without recording anything twice', async () => {
    resetApi();
    endWatches = true;
    const before = requests.length;
    const events: TimelineEvent[] = [];
    const watcher = await startK8sWatcher({ kubeconfig, context: 'recorded', retryMs: 50, onEvent: (e) => events.push(e) });
    try {
      const deadline = Date.now() + 5000;
      const lists = () => requests.slice(before).filter((r) => r.includes('/horizontalpodautoscalers') && !r.includes('watch=true')).length;
      while (lists() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(lists()).toBeGreaterThanOrEqual(3);
    } finally {
      await watcher.stop();
      endWatches = false;
    }
    // re-listing returned states already recorded, and the watch resumed after them: only the
    // real changes are events, each once
    expect(events.filter((e) => e.type === 'scale-decision')).toHaveLength(4);
    expect(events.filter((e) => e.type === 'replicas')).toHaveLength(6);
    const resumed = requests.slice(before).filter((r) => r.includes('/horizontalpodautoscalers?') && r.includes('watch=true'));
    expect(resumed.at(-1)).toContain('resourceVersion=48290');
  });

  it('names the context that is missing and the API error', async () => {
    expect(() => loadKubeConfig({ kubeconfig, context: 'prod' })).toThrow(/no context "prod".*other, recorded/);
    await expect(startK8sWatcher({ kubeconfig, context: 'recorded', namespace: 'elsewhere' })).rejects.toThrow(/cannot list HorizontalPodAutoscalers in namespace elsewhere/);
  });

  it('maps the HPA conditions to the limiting rule', () => {
    const cond = (type: string, status: string, reason: string) => ({ status: { conditions: [{ type, status, reason }] } });
    expect(hpaLimitedBy(cond('ScalingLimited', 'True', 'TooManyReplicas'))).toBe('max');
    expect(hpaLimitedBy(cond('ScalingLimited', 'True', 'ScaleDownLimit'))).toBe('policy');
    expect(hpaLimitedBy(cond('ScalingActive', 'False', 'FailedGetResourceMetric'))).toBe('no-metrics');
    expect(hpaLimitedBy({})).toBe('none');
  });
});
