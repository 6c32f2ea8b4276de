import { readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeKubeconfig } from '../../test/support/kubeconfig.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { runShutdownHooks } from '../lifecycle/shutdown.js';
import { shipped } from '../paths.js';
import type { TimelineEvent } from '../run/records.js';
import { RunDirectory } from '../run/run-dir.js';
import { K6OperatorApi } from './k6-operator-api.js';
import { renderForOperator, runOnOperator, type OperatorRunOptions } from './k6-operator-run.js';

const fixtures = fileURLToPath(new URL('../../test/fixtures/k6-operator/', import.meta.url));
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');

/** The fake API server's state: whether the operator's CRD is installed, the objects, each TestRun's recorded statuses. */
const cluster = {
  crdInstalled: true,
  stages: [] as object[],
  /** stop the recorded statuses at this one (a load that runs until interrupted) */
  holdAt: undefined as string | undefined,
  objects: new Map<string, { body: Record<string, unknown>; reads: number }>(),
  requests: [] as string[],
};

let server: Server;
let dir: string;
let kubeconfig: string;

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(body);
}

async function bodyOf(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return JSON.parse(text) as Record<string, unknown>;
}

/** The API server's answers for the paths a k6-operator load takes, in namespace `load`. */
async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url!, 'http://x').pathname;
  cluster.requests.push(`${req.method} ${path}`);
  const m = /^\/(?:api\/v1|apis\/k6\.io\/v1alpha1)\/namespaces\/load\/(configmaps|testruns)(?:\/([^/]+))?$/.exec(path);
  if (!m || (m[1] === 'testruns' && !cluster.crdInstalled)) return send(res, 404, fixture('resource-not-served.json'));
  const [, plural, name] = m;
  if (!name && req.method === 'GET') return send(res, 200, fixture('testrun-list.json'));
  if (!name && req.method === 'POST') {
    const body = await bodyOf(req);
    const meta = body.metadata as { name: string };
    cluster.objects.set(`${plural}/${meta.name}`, { body, reads: 0 });
    return send(res, 201, JSON.stringify({ ...body, metadata: { ...meta, uid: 'c1a9e3f0-5b7d-4e21-8f6a-0d4c2b9e7a31', resourceVersion: '731205', creationTimestamp: '2024-11-29T09:00:00Z' } }));
  }
  const object = cluster.objects.get(`${plural}/${name}`);
  if (!object) return send(res, 404, fixture('object-not-found.json').replaceAll('%NAME%', name!));
  if (req.method === 'DELETE') {
    cluster.objects.delete(`${plural}/${name}`);
    return send(res, 200, plural === 'configmaps' ? fixture('configmap-deleted.json').replaceAll('%NAME%', name!) : JSON.stringify(object.body));
  }
  const status = cluster.stages[Math.min(object.reads++, cluster.stages.length - 1)] as { stage?: string };
  if (cluster.holdAt && status.stage === cluster.holdAt) object.reads--;
  send(res, 200, JSON.stringify({ ...object.body, status }));
}

beforeAll(async () => {
  dir = tempDir('peakready-k6-operator-');
  server = createServer((req, res) => void answer(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  kubeconfig = writeKubeconfig(dir, (server.address() as AddressInfo).port, 'load');
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  cluster.crdInstalled = true;
  cluster.holdAt = undefined;
  cluster.objects.clear();
  cluster.requests.length = 0;
});

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
