import { z } from 'zod';
import { checkBlocks } from '../budgets/schema.js';
import { durationField } from '../config/duration-field.js';
import { strictObject } from '../config/strict-object.js';
import { readBackContractSchema } from '../readback/contract.js';
import { databaseUrlField, sqlInvariantSchema } from '../readback/sql-invariant.js';
import { isLoopbackHost } from '../util/loopback.js';
import { DEFECT_NAMES } from '../stack/defects.js';

/**
 * The game-day file: which system, which load, which faults when, where each check reads its
 * evidence, and which checks run with which limits. The bundled shop's own file is
 * `scenarios/gameday.yaml`; `scenarios/gameday.schema.json` is generated from this schema for
 * editors (`npm run gameday:schema`). Paths are relative to the file.
 */

const url = z.string().regex(/^https?:\/\/\S+$/, 'write a URL like "http://127.0.0.1:8474"');
const name = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, ".", "_" or "-" only');

/** `45%` of the phase, or a duration after the phase starts (in the script's own time). */
export const offsetField = z.union([z.string(), z.number()]).transform((value, ctx): { percent: number } | { ms: number } => {
  const percent = typeof value === 'string' ? /^(\d+(?:\.\d+)?)\s*%$/.exec(value.trim()) : null;
  if (percent) {
    const p = Number(percent[1]);
    if (p <= 100) return { percent: p };
  }
  const ms = durationField.safeParse(value);
  if (ms.success) return { ms: ms.data };
  ctx.addIssue({ code: 'custom', message: `"${value}" is not an offset; write a share of the phase like "45%" or a time after its start like "30s"` });
  return z.NEVER;
});

const bundledSystem = strictObject({
  basePort: z.number().int().min(1024).max(64_000).optional().describe('first port of the local stack (it uses the next ~400)'),
  databaseUrl: databaseUrlField.optional().describe('a real PostgreSQL instead of embedded PGlite: a URL, or `${DATABASE_URL}` to read it from the environment; the SQL checks read it too'),
  defects: z.array(z.enum(DEFECT_NAMES)).optional().describe('seeded defects to switch on in the shop (reference-stack/README.md, "Seeded defects"); each is a bug one check exists to catch'),
});

const system = strictObject({
  bundled: bundledSystem.optional().describe('the bundled reference shop, started as local processes'),
  target: url.optional().describe('the base URL of the user\'s own system'),
  allowRemote: z.boolean().default(false).describe('a target outside 127.0.0.0/8 and ::1 (only systems you own)'),
}).superRefine((s, ctx) => {
  if (Boolean(s.bundled) === Boolean(s.target)) {
    ctx.addIssue({ code: 'custom', message: 'say either `bundled: {}` (the reference shop) or `target: URL` (your system), not both or neither' });
  }
});

const declaredPhase = strictObject({
  name,
  start: durationField.describe('after the load starts, e.g. "2m"'),
  duration: durationField.describe('how long it lasts, e.g. "5m"'),
});

const k6Operator = strictObject({
  parallelism: z.number().int().min(1).max(1000).describe('k6 runner pods; each runs its share of the VUs and of the arrival rate'),
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a Kubernetes namespace: lower-case letters, digits and "-"').optional().describe('where the ConfigMap and the TestRun are created (default: the context\'s namespace)'),
  kubeconfig: z.string().min(1).optional().describe('the kubeconfig file, relative to this file (default: $KUBECONFIG or ~/.kube/config, as kubectl)'),
  context: z.string().min(1).optional().describe('the kubeconfig context (default: its current one)'),
  runnerImage: z.string().min(1).optional().describe('the runners\' image (spec.runner.image; default: the k6-operator\'s)'),
  separate: z.boolean().default(false).describe('one runner per node (spec.separate)'),
});

const load = strictObject({
  script: z.string().min(1).describe('the k6 script'),
  env: z.record(z.string(), z.string()).default({}).describe('its environment (`__ENV`); TIME_SCALE and BASE_URL are added by the drill'),
  engine: z.enum(['builtin', 'k6', 'k6-operator']).default('builtin').describe('`builtin` (peakready\'s own k6 runtime), `k6` (a k6 from PATH), or `k6-operator` (runner pods in the cluster through the k6-operator: `k6Operator`)'),
  k6Operator: k6Operator.optional().describe('engine k6-operator: the cluster (kubeconfig, context, namespace) and the runners (parallelism, image, one per node)'),
  timeScale: z.number().gt(0).default(1).describe('compresses the story: passed to the script as TIME_SCALE, and to the chaos experiments'),
  phases: z.union([z.literal('fromScript'), z.array(declaredPhase).min(1)]).default('fromScript').describe('the named phases the faults and checks refer to: the script\'s scenarios, or declared here'),
});

const experiment = strictObject({
  file: z.string().min(1).describe('a chaos experiment file (chaos/*.yaml)'),
  during: name.describe('the phase it starts in'),
  at: offsetField.prefault(0).describe('when in that phase'),
});

const faults = strictObject({
  toxiproxy: z.union([z.literal('embedded'), url]).default('embedded').describe('`embedded` (the bundled shop\'s own fault proxy) or the URL of your Toxiproxy API'),
  experiments: z.array(experiment).default([]),
});

const traceBackend = <K extends string>(apis: readonly [K, ...K[]]) =>
  strictObject({
    url: url.describe('the base URL of its query API'),
    api: z.enum(apis).optional().describe('the API version (default: the newest, falling back to the older one)'),
    headers: z.record(z.string(), z.string()).optional().describe('sent with every lookup, e.g. Authorization or X-Scope-OrgID'),
  });

const observe = strictObject({
  traces: strictObject({
    tempo: traceBackend(['v1', 'v2']).optional().describe('after the run, fetch each trace by id from Grafana Tempo'),
    jaeger: traceBackend(['v1', 'v3']).optional().describe('after the run, fetch each trace by id from Jaeger\'s query API'),
    receiver: strictObject({ port: z.number().int().min(1024).max(65_535).optional() }).optional().describe('the drill\'s own OTLP/HTTP receiver (your Collector exports to it)'),
    forward: url.optional().describe('also forward every OTLP request the receiver takes here'),
  }).prefault({ receiver: {} }).superRefine((t, ctx) => {
    if (t.tempo && t.jaeger) ctx.addIssue({ code: 'custom', message: 'fetch traces from one backend: `tempo` or `jaeger`, not both' });
  }),
  metrics: strictObject({
    prometheus: z.union([z.literal('started'), url]).optional().describe('metrics by PromQL: the URL of your Prometheus, or `started` (Debian\'s Prometheus started with the bundled shop); absent: every replica\'s /metrics is scraped (bundled shop)'),
  }).prefault({}),
  scaling: strictObject({
    prometheus: strictObject({
      url: url.optional().describe('the Prometheus that scrapes kube-state-metrics and cAdvisor (default: observe.metrics.prometheus)'),
      namespace: z.string().min(1).describe('the Kubernetes namespace of the workloads'),
      workloads: z
        .array(
          z.union([
            name,
            strictObject({
              deployment: name,
              hpa: name.optional(),
              container: name.optional(),
              targetCpuPercent: z.number().gt(0).optional(),
            }),
          ]),
        )
        .min(1)
        .describe('the Deployments (and their HPAs) to follow: a name, or { deployment, hpa, container, targetCpuPercent }'),
      scrapeInterval: durationField.default(15_000).describe('how often kube-state-metrics and cAdvisor are scraped'),
    }).optional().describe('after the run, replicas, desired replicas and CPU from Prometheus with kube-state-metrics and cAdvisor names'),
    kubernetes: strictObject({
      kubeconfig: z.string().min(1).optional().describe('the kubeconfig file, relative to this file or ~/… (default: $KUBECONFIG or ~/.kube/config, as kubectl)'),
      context: z.string().min(1).optional().describe('the kubeconfig context (default: its current context)'),
      namespace: z.string().min(1).optional().describe('the namespace of the HPAs and Deployments (default: the context\'s, else "default")'),
      workloads: z.array(name).min(1).optional().describe('only these Deployments and the HPAs that scale them (default: every one in the namespace)'),
    }).optional().describe('during the run, HPA decisions and Deployment replicas watched through the Kubernetes API (listed, then watched)'),
    local: strictObject({ syncPeriod: durationField.default(15_000) }).optional().describe('the local autoscaler (Kubernetes\' HPA algorithm) on the bundled shop; its sync period is compressed with the story'),
  }).prefault({}),
});

const checks = strictObject({
  budgets: z.string().min(1).optional().describe('the budgets file (thresholds, baseline tolerances, routes, SLOs)'),
  tracing: checkBlocks.tracing.optional(),
  'scale-out': checkBlocks['scale-out'].optional(),
  isolation: checkBlocks.isolation.optional(),
  integrity: strictObject({
      enabled: z.boolean().default(true),
      readBack: readBackContractSchema.optional().describe('creates read back through the system\'s own API after the load: { request, id, readUrl, fields, idempotencyHeader }'),
      concurrency: z.number().int().min(1).max(50).default(16).describe('read-back requests in flight at most (never a second load test)'),
      ratePerSecond: z.number().gt(0).optional().describe('read-back requests started per second at most'),
      replaySample: z.number().int().min(0).max(1000).default(20).describe('idempotency keys replayed, each must give back the same id'),
      sql: z
        .array(sqlInvariantSchema)
        .max(50)
        .default([])
        .describe('invariants as read-only SQL over the system\'s database, each must return zero rows: [{ name, query, description, timeout }]'),
      databaseUrl: databaseUrlField
        .optional()
        .describe('the database the SQL checks read on a target: a PostgreSQL URL, or `${DATABASE_URL}` / `postgres://shop:${PGPASSWORD}@db/shop` so the password stays out of the file; `drill --database-url` overrides it'),
    })
    .optional()
    .describe('stored data: every acknowledged create read back (readBack), SQL invariants over the database (sql), and the bundled shop\'s stored truth'),
  cleanup: checkBlocks.cleanup.optional(),
});

/** What a profile may change: the settings a shorter or longer version of the same game day needs. */
const profile = strictObject({
  description: z.string().optional(),
  load: strictObject({ timeScale: z.number().gt(0).optional(), env: z.record(z.string(), z.string()).optional() }).optional(),
  faults: strictObject({ at: offsetField.optional() }).optional().describe('moves every experiment to this point of its phase'),
  observe: strictObject({ scaling: strictObject({ local: strictObject({ syncPeriod: durationField.optional() }).optional() }).optional() }).optional(),
});

export const gameDaySchema = strictObject({
  $schema: z.string().optional().describe('for editors: the JSON Schema of this file'),
  name: z.string().min(1),
  description: z.string().optional(),
  system: system.describe('the system under test: `bundled: {}` (the reference shop) or `target: URL` (yours)'),
  load: load.describe('the k6 script that drives the traffic'),
  faults: faults.prefault({}).describe('the chaos experiments, when they start, and the Toxiproxy they go through'),
  observe: observe.prefault({}).describe('where each check reads its evidence on this system'),
  checks: checks.prefault({}).describe('each check\'s limits; a block left out comes from the budgets file'),
  profile: name.optional().describe('the profile played when none is asked for'),
  profiles: z.record(name, profile).default({}).describe('named variants of the game day (e.g. smoke: the same story in a minute): `--profile NAME`'),
}).superRefine((g, ctx) => {
  if (g.profile !== undefined && !(g.profile in g.profiles)) {
    ctx.addIssue({ code: 'custom', path: ['profile'], message: `"${g.profile}" is not among profiles (${Object.keys(g.profiles).join(', ') || 'none'})` });
  }
  if (g.system.target && g.faults.toxiproxy === 'embedded' && g.faults.experiments.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['faults', 'toxiproxy'], message: 'a target has no embedded fault proxy: give the URL of the Toxiproxy in front of its dependencies' });
  }
  const scalingSources = (['local', 'prometheus', 'kubernetes'] as const).filter((source) => g.observe.scaling[source]);
  if (scalingSources.length > 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['observe', 'scaling'],
      message: `read scaling from one place: the local autoscaler (\`local\`), Prometheus (\`prometheus\`) or the Kubernetes API (\`kubernetes\`), not ${scalingSources.map((s) => `\`${s}\``).join(' and ')}`,
    });
  }
  if (g.observe.scaling.prometheus && !g.observe.scaling.prometheus.url && !g.observe.metrics.prometheus) {
    ctx.addIssue({ code: 'custom', path: ['observe', 'scaling', 'prometheus', 'url'], message: 'give the URL of the Prometheus to read, here or as observe.metrics.prometheus' });
  }
  for (const issue of k6OperatorIssues(g.system, g.load)) ctx.addIssue({ code: 'custom', ...issue });
  if (g.system.target && g.observe.scaling.local) {
    ctx.addIssue({ code: 'custom', path: ['observe', 'scaling', 'local'], message: 'the local autoscaler scales the bundled shop only; drop it for a target' });
  }
  integrityRules(g, ctx);
  if (g.system.target && g.observe.metrics.prometheus === 'started') {
    ctx.addIssue({ code: 'custom', path: ['observe', 'metrics', 'prometheus'], message: '"started" starts a Prometheus for the bundled shop; for a target, give the URL of the Prometheus that scrapes it' });
  }
});

/** SQL invariants: distinct names; on the bundled shop they read its own database. */
function integrityRules(g: { system: { bundled?: unknown }; checks: { integrity?: { sql: Array<{ name: string }>; databaseUrl?: string } } }, ctx: z.RefinementCtx): void {
  const integrity = g.checks.integrity;
  if (!integrity) return;
  const seen = new Set<string>();
  integrity.sql.forEach((q, i) => {
    if (seen.has(q.name)) ctx.addIssue({ code: 'custom', path: ['checks', 'integrity', 'sql', i, 'name'], message: `"${q.name}" names another SQL check already; give each its own name` });
    seen.add(q.name);
  });
  if (g.system.bundled && integrity.databaseUrl !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['checks', 'integrity', 'databaseUrl'], message: "the bundled shop's SQL checks read its own database (embedded PGlite, or system.bundled.databaseUrl); drop this" });
  }
}

/** `engine: k6-operator` runs the load in a cluster: it needs its block, and a system the cluster can reach. */
function k6OperatorIssues(sut: z.output<typeof system>, traffic: z.output<typeof load>): Array<{ path: string[]; message: string }> {
  if (traffic.engine !== 'k6-operator') {
    return traffic.k6Operator ? [{ path: ['load', 'k6Operator'], message: 'is read only with `engine: k6-operator`; drop it or choose that engine' }] : [];
  }
  const issues: Array<{ path: string[]; message: string }> = [];
  if (!traffic.k6Operator) issues.push({ path: ['load', 'k6Operator'], message: 'engine k6-operator needs `k6Operator: { parallelism: N }` (and the namespace, context or kubeconfig of the cluster)' });
  if (sut.bundled) {
    issues.push({ path: ['load', 'engine'], message: "the bundled shop runs on this machine, out of the cluster's reach: use engine builtin or k6 for it, or drill your cluster's shop with `system.target`" });
  } else if (sut.target && isLoopbackHost(URL.parse(sut.target)?.hostname ?? '')) {
    issues.push({ path: ['system', 'target'], message: 'the runners run in the cluster, where 127.0.0.1 is the runner pod itself: give the URL the cluster reaches your system at (e.g. http://gateway.shop.svc:8080) and `allowRemote: true`' });
  }
  return issues;
}

export type GameDayFile = z.output<typeof gameDaySchema>;
export type GameDayProfile = z.output<typeof profile>;
export type Offset = z.output<typeof offsetField>;
