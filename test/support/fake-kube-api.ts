import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { writeKubeconfig } from './kubeconfig.js';

/**
 * A Kubernetes API server that serves the recorded responses under test/fixtures/scaling/k8s/ (a
 * story: its HPA and Deployment lists and watch streams) for namespace `shop`, and a kubeconfig
 * pointing at it. Lists return the current state and its resourceVersion, as the API server does;
 * a watch replays the recorded events newer than the requested resourceVersion, one by one, then
 * stays open (or ends, as a server-side timeout does, with `endWatches`).
 *
 * The kubeconfig's contexts: `recorded` (this server, namespace shop, token `recorded-token`) and
 * `other` (the current one: a server on 127.0.0.1:1, where nothing answers).
 */
export interface FakeKubeApi {
  url: string;
  kubeconfig: string;
  /** `METHOD path?query auth=…` of every request */
  readonly requests: string[];
  /** when true, a watch ends after its recorded events */
  endWatches: boolean;
  /** kinds answered 403 Forbidden (as RBAC without `list` on them) */
  readonly forbidden: Set<Kind>;
  /** when true, lists are never answered */
  hang: boolean;
  /** watches open now */
  openWatches(): number;
  /** the state at the start of a story: `''` (catalog scales 3 → 6 → 9) or a subfolder, e.g. `stuck` */
  reset(story?: string): void;
  close(): Promise<void>;
}

type Kind = 'hpa' | 'deployment';

interface WatchLine {
  type: string;
  object: { metadata: { name?: string; resourceVersion: string } };
}

const FIXTURES = join(packageRoot, 'test/fixtures/scaling/k8s');

export async function startFakeKubeApi(dir: string): Promise<FakeKubeApi> {
  let story = '';
  const fixture = (name: string) => readFileSync(join(FIXTURES, story, name), 'utf8');
  const state: Record<Kind, { rv: string; items: Map<string, unknown> }> = { hpa: { rv: '', items: new Map() }, deployment: { rv: '', items: new Map() } };
  const openWatches = new Set<ServerResponse>();
  const hung = new Set<ServerResponse>();
  const api: Omit<FakeKubeApi, 'url' | 'kubeconfig' | 'close'> = {
    requests: [],
    endWatches: false,
    forbidden: new Set(),
    hang: false,
    openWatches: () => openWatches.size,
    reset(name = '') {
      story = name;
      api.forbidden.clear();
      api.hang = false;
      for (const kind of ['hpa', 'deployment'] as const) {
        const list = JSON.parse(fixture(`${kind}-list.json`)) as { metadata: { resourceVersion: string }; items: Array<{ metadata: { name: string } }> };
        state[kind] = { rv: list.metadata.resourceVersion, items: new Map(list.items.map((item) => [item.metadata.name, item])) };
      }
    },
  };
  api.reset();

  const watch = (res: ServerResponse, kind: Kind, from: number) => {
    openWatches.add(res);
    res.on('close', () => openWatches.delete(res));
    const lines = fixture(`${kind}-watch.ndjson`)
      .trim()
      .split('\n')
      .filter((l) => l && Number((JSON.parse(l) as WatchLine).object.metadata.resourceVersion) > from);
    let i = 0;
    const next = () => {
      if (res.destroyed) return;
      if (i >= lines.length) {
        if (api.endWatches) res.end();
        return;
      }
      const line = lines[i++]!;
      const event = JSON.parse(line) as WatchLine;
      state[kind].rv = event.object.metadata.resourceVersion;
      if (event.type !== 'BOOKMARK') state[kind].items.set(event.object.metadata.name!, event.object);
      res.write(line + '\n');
      setTimeout(next, 5);
    };
    next();
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    api.requests.push(`${req.method} ${url.pathname}${url.search} auth=${req.headers.authorization ?? ''}`);
    const kind = url.pathname.endsWith('/horizontalpodautoscalers') ? 'hpa' : url.pathname.endsWith('/deployments') ? 'deployment' : undefined;
    if (!kind || !url.pathname.includes('/namespaces/shop/')) return status(res, 404, 'NotFound', `the server could not find the requested resource`);
    if (api.forbidden.has(kind)) return status(res, 403, 'Forbidden', `${kind === 'hpa' ? 'horizontalpodautoscalers.autoscaling' : 'deployments.apps'} is forbidden: User "tester" cannot list resource in the namespace "shop"`);
    if (url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return watch(res, kind, Number(url.searchParams.get('resourceVersion') ?? 0));
    }
    if (api.hang) {
      hung.add(res);
      return;
    }
    const list = JSON.parse(fixture(`${kind}-list.json`)) as { metadata: object };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...list, metadata: { resourceVersion: state[kind].rv }, items: [...state[kind].items.values()] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const kubeconfig = writeKubeconfig(dir, port);
  const close = async () => {
    for (const res of [...openWatches, ...hung]) res.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return Object.assign(api, { url, kubeconfig, close });
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code }));
}
