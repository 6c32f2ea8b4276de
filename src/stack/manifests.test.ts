import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../paths.js';
import { referenceStack, servicePort } from './definition.js';
import { K8S_DIR, POSTGRES_PORT, renderManifests } from './manifests.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const API_VERSIONS: Record<string, string> = {
  Namespace: 'v1',
  Service: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  PodDisruptionBudget: 'policy/v1',
  Kustomization: 'kustomize.config.k8s.io/v1beta1',
};

const def = referenceStack();
const rendered = renderManifests(def);
const docs: Obj[] = [...rendered.values()].flatMap((text) => {
  const parsed = parseAllDocuments(text);
  if (!Array.isArray(parsed)) throw new Error('not a document stream');
  for (const d of parsed) expect(d.errors).toEqual([]);
  return parsed.map((d) => d.toJS() as Obj);
});
const find = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata?.name === name);
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('Kubernetes manifests rendered from the stack definition', () => {
  it('every document has a known kind, its apiVersion and a name', () => {
    for (const d of docs) {
      expect(API_VERSIONS[d.kind], `kind ${d.kind}`).toBeDefined();
      expect(d.apiVersion).toBe(API_VERSIONS[d.kind]);
      if (d.kind !== 'Kustomization') expect(d.metadata.name).toMatch(/^[a-z][a-z0-9-]*$/);
    }
  });

  it.each(def.services.map((s) => [s.name, s] as const))('%s: Deployment, Service, HPA and PDB agree with each other and the definition', (name, s) => {
    const deployment = find('Deployment', name)!;
    const service = find('Service', name)!;
    const hpa = find('HorizontalPodAutoscaler', name)!;
    const pdb = find('PodDisruptionBudget', name)!;
    const podLabels = deployment.spec.template.metadata.labels;
    expect(matches(deployment.spec.selector.matchLabels, podLabels)).toBe(true);
    expect(matches(service.spec.selector, podLabels)).toBe(true);
    expect(matches(pdb.spec.selector.matchLabels, podLabels)).toBe(true);
    expect(pdb.spec.maxUnavailable ?? pdb.spec.minAvailable).toBeDefined();

    expect(deployment.spec.replicas).toBe(s.hpa!.minReplicas);
    const [container] = deployment.spec.template.spec.containers as Obj[];
    const containerPort = (container!.ports as Obj[]).find((p) => p.name === service.spec.ports[0].targetPort);
    expect(containerPort, 'Service targetPort names a container port').toBeDefined();
    expect(service.spec.ports[0].port).toBe(servicePort(def, name));
    expect(container!.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container!.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container!.resources).toEqual({
      requests: { cpu: `${s.resources.requests.cpuMillicores}m`, memory: `${s.resources.requests.memoryMiB}Mi` },
      limits: { cpu: `${s.resources.limits.cpuMillicores}m`, memory: `${s.resources.limits.memoryMiB}Mi` },
    });
    const env = container!.env as Obj[];
    expect(env.find((e) => e.name === 'PORT')?.value).toBe(String(containerPort!.containerPort));

    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
    expect(hpa.spec.minReplicas).toBe(3);
    expect(hpa.spec.maxReplicas).toBe(50);
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }]);
  });

  it('every dependency URL names a Service that exists, on that Service\'s port', () => {
    let checked = 0;
    for (const deployment of docs.filter((d) => d.kind === 'Deployment')) {
      const s = def.services.find((x) => x.name === deployment.metadata.name)!;
      const env = deployment.spec.template.spec.containers[0].env as Obj[];
      const urls = env.filter((e) => /_URL$/.test(e.name));
      expect(urls.map((e) => e.name).sort()).toEqual(
        s.dependsOn.map((d) => (d === 'postgres' ? 'DATABASE_URL' : `${d.toUpperCase()}_URL`)).sort(),
      );
      for (const e of urls) {
        const url = new URL(e.value);
        const target = find('Service', url.hostname);
        expect(target, `${s.name} ${e.name} -> Service ${url.hostname}`).toBeDefined();
        expect((target!.spec.ports as Obj[]).map((p) => p.port)).toContain(Number(url.port));
        checked++;
      }
      const dbUrl = env.find((e) => e.name === 'DATABASE_URL');
      if (dbUrl) {
        expect(dbUrl.value).toContain('$(POSTGRES_PASSWORD)');
        // the kubelet expands $(VAR) only for variables defined earlier in the list
        expect(env.findIndex((e) => e.name === 'POSTGRES_PASSWORD')).toBeLessThan(env.indexOf(dbUrl));
      }
    }
    expect(checked).toBe(def.services.reduce((n, s) => n + s.dependsOn.length, 0));
  });

  it('runs the database as a StatefulSet behind the postgres Service', () => {
    const sts = find('StatefulSet', 'postgres')!;
    const svc = find('Service', 'postgres')!;
    expect(sts.spec.serviceName).toBe('postgres');
    expect(matches(svc.spec.selector, sts.spec.template.metadata.labels)).toBe(true);
    expect(svc.spec.ports[0].port).toBe(POSTGRES_PORT);
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe(sts.spec.template.spec.containers[0].volumeMounts[0].name);
  });

  it('kustomization.yaml lists every other rendered file', () => {
    const k = docs.find((d) => d.kind === 'Kustomization')!;
    expect([...k.resources].sort()).toEqual([...rendered.keys()].filter((f) => f !== 'kustomization.yaml').sort());
  });

  it('the committed reference-stack/k8s/ equals a fresh rendering (run `npm run render:k8s` after changing the definition)', () => {
    const dir = join(packageRoot, K8S_DIR);
    const committed = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
    expect(committed).toEqual([...rendered.keys()].sort());
    for (const [file, text] of rendered) expect(readFileSync(join(dir, file), 'utf8'), file).toBe(text);
  });
});
