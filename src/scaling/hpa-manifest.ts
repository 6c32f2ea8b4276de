import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { parseYamlText, yamlToData } from '../config/load-yaml.js';
import { readUserText } from '../config/user-file.js';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { completeBehavior, CONTROLLER_DEFAULTS, type HpaSpec, type MetricTarget } from './hpa-spec.js';
import { parseQuantityMilli } from './quantity.js';

/**
 * The YAML edge of the scaling room: an autoscaling/v2 HorizontalPodAutoscaler manifest, alone or
 * inside a multi-document file (reference-stack/k8s/<service>.yaml holds Deployment, Service,
 * HPA and PDB), validated as the API server would, with file:line:field errors.
 */

const quantity = z.union([z.string(), z.number()]).refine((v) => parseQuantityMilli(v) !== undefined, {
  message: 'not a Kubernetes quantity; write it like "500m", "2", "100Mi"',
});

const target = z.object({
  type: z.enum(['Utilization', 'AverageValue', 'Value']),
  averageUtilization: z.number().int().positive().optional(),
  averageValue: quantity.optional(),
  value: quantity.optional(),
});

const metricSpec = z
  .object({
    type: z.enum(['Resource', 'ContainerResource', 'Pods', 'Object', 'External']),
    resource: z.object({ name: z.string().min(1), target }).optional(),
    containerResource: z.object({ name: z.string().min(1), container: z.string(), target }).optional(),
    pods: z.object({ metric: z.object({ name: z.string().min(1) }), target }).optional(),
    object: z.object({ metric: z.object({ name: z.string().min(1) }), target }).optional(),
    external: z.object({ metric: z.object({ name: z.string().min(1) }), target }).optional(),
  })
  .superRefine((m, ctx) => {
    const key = ({ Resource: 'resource', ContainerResource: 'containerResource', Pods: 'pods', Object: 'object', External: 'external' } as const)[m.type];
    const source = m[key];
    if (!source) return ctx.addIssue({ code: 'custom', path: [key], message: `type ${m.type} needs a "${key}" block` });
    const t = source.target;
    const field = t.type === 'Utilization' ? 'averageUtilization' : t.type === 'AverageValue' ? 'averageValue' : 'value';
    if (t[field] === undefined) ctx.addIssue({ code: 'custom', path: [key, 'target', field], message: `target type ${t.type} needs ${field}` });
    if (t.type === 'Utilization' && key !== 'resource' && key !== 'containerResource') {
      ctx.addIssue({ code: 'custom', path: [key, 'target', 'type'], message: 'Utilization is only valid for Resource metrics; use AverageValue' });
    }
    if (t.type === 'Value' && key !== 'object' && key !== 'external') {
      ctx.addIssue({ code: 'custom', path: [key, 'target', 'type'], message: `Value is only valid for Object and External metrics; a ${m.type} metric is averaged over pods: use ${key === 'pods' ? 'AverageValue' : 'Utilization or AverageValue'}` });
    }
  });

const policy = z.object({
  type: z.enum(['Pods', 'Percent']),
  value: z.number().int().positive(),
  periodSeconds: z.number().int().min(1).max(1800),
});
const rules = z.object({
  stabilizationWindowSeconds: z.number().int().min(0).max(3600).optional(),
  selectPolicy: z.enum(['Max', 'Min', 'Disabled']).optional(),
  policies: z.array(policy).min(1, { message: 'must specify at least one policy (or leave policies out for the defaults)' }).optional(),
  tolerance: z.union([z.number(), z.string()]).optional(),
});

export const hpaManifestSchema = z
  .object({
    apiVersion: z.literal('autoscaling/v2', { message: 'expected apiVersion autoscaling/v2 (convert v1 targetCPUUtilizationPercentage to spec.metrics)' }),
    kind: z.literal('HorizontalPodAutoscaler'),
    metadata: z.object({ name: z.string().min(1), namespace: z.string().optional() }),
    spec: z.object({
      scaleTargetRef: z.object({ apiVersion: z.string().optional(), kind: z.string(), name: z.string().min(1) }),
      minReplicas: z.number().int().min(0).default(1),
      maxReplicas: z.number().int().min(1),
      metrics: z.array(metricSpec).optional(),
      behavior: z.object({ scaleUp: rules.optional(), scaleDown: rules.optional() }).optional(),
    }),
  })
  .superRefine((m, ctx) => {
    if (m.spec.maxReplicas < m.spec.minReplicas) {
      ctx.addIssue({ code: 'custom', path: ['spec', 'maxReplicas'], message: `must be ≥ minReplicas (${m.spec.minReplicas})` });
    }
    for (const dir of ['scaleUp', 'scaleDown'] as const) {
      const tol = m.spec.behavior?.[dir]?.tolerance;
      if (tol !== undefined && (parseQuantityMilli(tol) ?? -1) < 0) {
        ctx.addIssue({ code: 'custom', path: ['spec', 'behavior', dir, 'tolerance'], message: 'must be a non-negative quantity such as "0.05" or "50m"' });
      }
    }
  });

export type HpaManifest = z.output<typeof hpaManifestSchema>;

export interface LoadedHpa {
  spec: HpaSpec;
  manifest: HpaManifest;
  /** false when the manifest has no `behavior` (the controller then takes its nil-behavior path) */
  behaviorGiven: boolean;
  /** summed CPU request (millicores) of the scale target's containers, if the file holds its Deployment */
  podCpuRequestMilli?: number;
  file: string;
}

/** Loads the HPA of a (multi-document) YAML file; `name` picks one when there are several. */
export function loadHpaFile(path: string, name?: string): LoadedHpa {
  const { text, file } = readUserText(path);
  return parseHpaText(text, file, name);
}

export function parseHpaText(text: string, file: string, name?: string): LoadedHpa {
  const docs = parseAllDocuments(text);
  const objects = docs.map((d) => ({ doc: d, value: d.errors.length ? undefined : (yamlToData(d, file) as Record<string, unknown> | null) }));
  const hpas = objects.filter((o) => o.value?.kind === 'HorizontalPodAutoscaler');
  const named = name ? hpas.filter((o) => (o.value?.metadata as { name?: string } | undefined)?.name === name) : hpas;
  if (named.length !== 1) {
    const found = hpas.map((o) => (o.value?.metadata as { name?: string } | undefined)?.name ?? '?');
    const broken = objects.find((o) => o.doc.errors.length > 0);
    if (broken && named.length === 0) return parseDocument(text, broken.doc.range, file);
    const message =
      named.length === 0
        ? name
          ? `no HorizontalPodAutoscaler named "${name}" (found: ${found.join(', ') || 'none'})`
          : 'no HorizontalPodAutoscaler in this file (expected a document with kind: HorizontalPodAutoscaler)'
        : `${named.length} HorizontalPodAutoscalers (${found.join(', ')}); pick one with --name`;
    throw new ConfigError([{ file, message }]);
  }
  const loaded = parseDocument(text, named[0]!.doc.range, file);
  const deployment = objects.find(
    (o) => o.value?.kind === loaded.manifest.spec.scaleTargetRef.kind && (o.value?.metadata as { name?: string } | undefined)?.name === loaded.manifest.spec.scaleTargetRef.name,
  );
  const cpu = deployment ? podCpuRequest(deployment.value) : undefined;
  return cpu !== undefined ? { ...loaded, podCpuRequestMilli: cpu } : loaded;
}

/** Validates one document of the file, keeping line numbers relative to the whole file. */
function parseDocument(text: string, range: [number, number, number], file: string): LoadedHpa {
  const lineOffset = text.slice(0, range[0]).split('\n').length - 1;
  let manifest: HpaManifest;
  try {
    manifest = parseYamlText(text.slice(range[0], range[2]), hpaManifestSchema, file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(error.issues.map((i): ConfigIssue => (i.line !== undefined ? { ...i, line: i.line + lineOffset } : i)));
  }
  return { spec: toSpec(manifest), manifest, file, behaviorGiven: manifest.spec.behavior !== undefined };
}

function toSpec(m: HpaManifest): HpaSpec {
  const metrics: MetricTarget[] = (m.spec.metrics ?? [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]).map(
    (metric) => {
      const source = (metric.resource ?? metric.containerResource ?? metric.pods ?? metric.object ?? metric.external)!;
      const metricName = 'metric' in source ? source.metric.name : source.name;
      const t = source.target;
      const base = { name: metricName, source: metric.type };
      if (t.type === 'Utilization') return { ...base, type: 'Utilization', averageUtilization: t.averageUtilization! };
      if (t.type === 'AverageValue') return { ...base, type: 'AverageValue', averageValue: parseQuantityMilli(t.averageValue!)! };
      return { ...base, type: 'Value', value: parseQuantityMilli(t.value!)! };
    },
  );
  const b = m.spec.behavior;
  const direction = (r: z.output<typeof rules> | undefined) =>
    r && {
      ...(r.stabilizationWindowSeconds !== undefined ? { stabilizationWindowSeconds: r.stabilizationWindowSeconds } : {}),
      ...(r.selectPolicy ? { selectPolicy: r.selectPolicy } : {}),
      ...(r.policies ? { policies: r.policies } : {}),
      ...(r.tolerance !== undefined ? { tolerance: parseQuantityMilli(r.tolerance)! / 1000 } : {}),
    };
  return {
    name: m.metadata.name,
    minReplicas: m.spec.minReplicas,
    maxReplicas: m.spec.maxReplicas,
    metrics,
    behavior: completeBehavior({ scaleUp: direction(b?.scaleUp), scaleDown: direction(b?.scaleDown) }),
    tolerance: CONTROLLER_DEFAULTS.tolerance,
  };
}

function podCpuRequest(workload: Record<string, unknown> | null | undefined): number | undefined {
  const containers = (workload as { spec?: { template?: { spec?: { containers?: Array<{ resources?: { requests?: { cpu?: string | number } } }> } } } })?.spec
    ?.template?.spec?.containers;
  if (!containers?.length) return undefined;
  let total = 0;
  for (const c of containers) {
    const cpu = c.resources?.requests?.cpu;
    if (cpu === undefined) return undefined;
    const milli = parseQuantityMilli(cpu);
    if (milli === undefined) return undefined;
    total += milli;
  }
  return total;
}
