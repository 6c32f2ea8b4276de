import { readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeKubeconfig } from './kubeconfig.js';
import { tempDir } from './temp-dir.js';

const fixtures = fileURLToPath(new URL('../fixtures/k6-operator/', import.meta.url));
export const k6OperatorFixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');
const fixture = k6OperatorFixture;

/** The fake API server's state: whether the operator's CRD is installed, the objects, each TestRun's recorded statuses. */
export interface FakeCluster {
  crdInstalled: boolean;
  stages: object[];
  /** stop the recorded statuses at this one (a load that runs until interrupted) */
  holdAt: string | undefined;
  objects: Map<string, { body: Record<string, unknown>; reads: number }>;
  requests: string[];
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(body);
}

async function bodyOf(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return JSON.parse(text) as Record<string, unknown>;
}

/** The API server's answers (test/fixtures/k6-operator/) for the paths a k6-operator load takes, in namespace `load`. */
async function answer(cluster: FakeCluster, req: IncomingMessage, res: ServerResponse): Promise<void> {
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

/**
 * A fake Kubernetes API server with the k6-operator's TestRun resource, serving recorded answers,
 * and a kubeconfig for it (context `recorded`, namespace `load`).
 */
export async function startFakeK6Operator(): Promise<{ cluster: FakeCluster; kubeconfig: string; dir: string; reset(): void; close(): Promise<void> }> {
  const cluster: FakeCluster = { crdInstalled: true, stages: [], holdAt: undefined, objects: new Map(), requests: [] };
  const dir = tempDir('peakready-k6-operator-');
  const server = createServer((req, res) => void answer(cluster, req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const kubeconfig = writeKubeconfig(dir, (server.address() as AddressInfo).port, 'load');
  const reset = () => {
    Object.assign(cluster, { crdInstalled: true, holdAt: undefined });
    cluster.objects.clear();
    cluster.requests.length = 0;
  };
  const close = async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  };
  return { cluster, kubeconfig, dir, reset, close };
}
