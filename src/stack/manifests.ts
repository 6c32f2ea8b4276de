import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { packageRoot, packageVersion } from '../paths.js';
import { referenceStack, servicePort, upstreamEnvVar, type ServiceDefinition, type StackDefinition } from './definition.js';

/**
 * Renders `reference-stack/k8s/` from THE stack definition: per service a Deployment, Service,
 * HorizontalPodAutoscaler (autoscaling/v2) and PodDisruptionBudget (policy/v1); the database as a
 * StatefulSet; a kustomization.yaml tying them together. The local supervisor reads the same
 * definition, so ports, edges and resources cannot drift apart (a test compares the committed
 * files with a fresh rendering; `npm run render:k8s` rewrites them).
 */

type Doc = Record<string, unknown>;

export const K8S_DIR = 'reference-stack/k8s';
export const IMAGE = 'peakready/reference-stack';
/** every container listens here; the Service maps the definition's port onto it */
export const CONTAINER_PORT = 8080;
/** in a cluster the database is a real PostgreSQL on its usual port */
export const POSTGRES_PORT = 5432;
const SECRET = 'postgres-credentials';
const TELEMETRY_CONFIG = 'peakready-telemetry';

const HEADER = '# Generated from src/stack/definition.ts by `npm run render:k8s`; edit the definition, not this file.\n';

function labels(def: StackDefinition, name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': def.name };
}

function selector(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name };
}

function quantity(r: { cpuMillicores: number; memoryMiB: number }): Doc {
  return { cpu: `${r.cpuMillicores}m`, memory: `${r.memoryMiB}Mi` };
}

/** The replica contract (contract.ts) in Kubernetes terms: cluster DNS names instead of proxies. */
export function containerEnv(def: StackDefinition, s: ServiceDefinition): Doc[] {
  const env: Doc[] = [
    { name: 'SERVICE_NAME', value: s.name },
    { name: 'OTEL_SERVICE_NAME', value: s.name },
    { name: 'REPLICA_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'HOST', value: '0.0.0.0' },
    { name: 'PORT', value: String(CONTAINER_PORT) },
    { name: 'CPU_REQUEST_MILLICORES', valueFrom: { resourceFieldRef: { containerName: s.name, resource: 'requests.cpu', divisor: '1m' } } },
    { name: 'LOG_LEVEL', value: 'info' },
    ...Object.entries(s.env).map(([name, value]) => ({ name, value })),
  ];
  for (const upstream of s.dependsOn) {
    if (upstream === 'postgres') continue;
    env.push({ name: upstreamEnvVar(upstream), value: `http://${upstream}:${servicePort(def, upstream)}` });
  }
  if (s.schema) {
    // $(POSTGRES_PASSWORD) is expanded by the kubelet because it is defined above DATABASE_URL
    env.push({ name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: SECRET, key: 'POSTGRES_PASSWORD' } } });
    env.push({
      name: 'DATABASE_URL',
      value: `postgres://${def.database.user}:$(POSTGRES_PASSWORD)@${def.database.name}:${POSTGRES_PORT}/${def.database.database}`,
    });
    env.push({ name: 'DB_SCHEMA', value: s.schema });
  }
  return env;
}

function deployment(def: StackDefinition, s: ServiceDefinition, version: string): Doc {
  const probe = (path: string, period: number) => ({ httpGet: { path, port: 'http' }, periodSeconds: period, timeoutSeconds: 2, failureThreshold: 3 });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: s.name, labels: labels(def, s.name), annotations: { 'peakready.dev/description': s.description } },
    spec: {
      replicas: s.hpa?.minReplicas ?? s.local.replicas,
      selector: { matchLabels: selector(s.name) },
      // never below the wanted count during a rollout
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels: labels(def, s.name) },
        spec: {
          // preStop sleep + the service's own 10 s drain on SIGTERM
          terminationGracePeriodSeconds: 20,
          securityContext: { runAsNonRoot: true, runAsUser: 1000 },
          containers: [
            {
              name: s.name,
              image: `${IMAGE}:${version}`,
              command: ['node', `dist/${s.entry}.js`],
              ports: [{ name: 'http', containerPort: CONTAINER_PORT, protocol: 'TCP' }],
              env: containerEnv(def, s),
              envFrom: [{ configMapRef: { name: TELEMETRY_CONFIG } }],
              resources: { requests: quantity(s.resources.requests), limits: quantity(s.resources.limits) },
              readinessProbe: probe('/readyz', 5),
              livenessProbe: { ...probe('/healthz', 10), initialDelaySeconds: 5 },
              // endpoints are removed asynchronously: keep serving until every node has stopped routing here
              lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
}

function service(def: StackDefinition, s: ServiceDefinition): Doc {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, labels: labels(def, s.name) },
    spec: { type: 'ClusterIP', selector: selector(s.name), ports: [{ name: 'http', port: servicePort(def, s.name), targetPort: 'http', protocol: 'TCP' }] },
  };
}

function autoscaler(def: StackDefinition, s: ServiceDefinition): Doc | undefined {
  if (!s.hpa) return undefined;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: s.name, labels: labels(def, s.name) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: s.name },
      minReplicas: s.hpa.minReplicas,
      maxReplicas: s.hpa.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: s.hpa.targetCPUUtilizationPercent } } }],
    },
  };
}

function disruptionBudget(def: StackDefinition, s: ServiceDefinition): Doc {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: s.name, labels: labels(def, s.name) },
    spec: { maxUnavailable: 1, selector: { matchLabels: selector(s.name) } },
  };
}

function database(def: StackDefinition): Doc[] {
  const name = def.database.name;
  const ready = { exec: { command: ['pg_isready', '-U', def.database.user, '-d', def.database.database] }, periodSeconds: 5, timeoutSeconds: 3 };
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, labels: labels(def, name) },
      spec: { type: 'ClusterIP', selector: selector(name), ports: [{ name: 'postgres', port: POSTGRES_PORT, targetPort: 'postgres', protocol: 'TCP' }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name, labels: labels(def, name) },
      spec: {
        serviceName: name,
        replicas: 1,
        selector: { matchLabels: selector(name) },
        template: {
          metadata: { labels: labels(def, name) },
          spec: {
            containers: [
              {
                name,
                image: 'postgres:16-alpine',
                ports: [{ name: 'postgres', containerPort: POSTGRES_PORT, protocol: 'TCP' }],
                env: [
                  { name: 'POSTGRES_USER', value: def.database.user },
                  { name: 'POSTGRES_DB', value: def.database.database },
                  { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: SECRET, key: 'POSTGRES_PASSWORD' } } },
                  { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
                ],
                resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
                readinessProbe: ready,
                livenessProbe: { ...ready, periodSeconds: 10, initialDelaySeconds: 10 },
                volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
              },
            ],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    },
  ];
}

function kustomization(def: StackDefinition, files: readonly string[], version: string): Doc {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: 'peakready',
    resources: ['namespace.yaml', ...files],
    images: [{ name: IMAGE, newTag: version }],
    // change the password before using this anywhere but a throw-away cluster
    secretGenerator: [{ name: SECRET, literals: ['POSTGRES_PASSWORD=peakready-change-me'] }],
    // to export traces: replace with OTEL_EXPORTER_OTLP_ENDPOINT=http://<your collector>:4318
    configMapGenerator: [{ name: TELEMETRY_CONFIG, literals: ['OTEL_SDK_DISABLED=true'] }],
  };
}

function yamlFile(docs: readonly Doc[]): string {
  return HEADER + docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}

/** file name -> YAML text, for every file of reference-stack/k8s/. */
export function renderManifests(def: StackDefinition = referenceStack(), version: string = packageVersion()): Map<string, string> {
  const out = new Map<string, string>();
  out.set('namespace.yaml', yamlFile([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'peakready', labels: { 'app.kubernetes.io/part-of': def.name } } }]));
  out.set(`${def.database.name}.yaml`, yamlFile(database(def)));
  for (const s of def.services) {
    const docs = [deployment(def, s, version), service(def, s), autoscaler(def, s), disruptionBudget(def, s)].filter((d): d is Doc => d !== undefined);
    out.set(`${s.name}.yaml`, yamlFile(docs));
  }
  const files = [...out.keys()].filter((f) => f !== 'namespace.yaml');
  out.set('kustomization.yaml', yamlFile([kustomization(def, files, version)]));
  return out;
}

/** Rewrites reference-stack/k8s/ (removing rendered files that no longer exist). Returns the files written. */
export function writeManifests(dir: string = join(packageRoot, K8S_DIR)): string[] {
  const rendered = renderManifests();
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith('.yaml') && !rendered.has(f)) rmSync(join(dir, f));
  for (const [file, text] of rendered) writeFileSync(join(dir, file), text);
  return [...rendered.keys()];
}
