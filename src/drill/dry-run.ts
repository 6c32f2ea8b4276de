import { request } from 'undici';
import { chaosPlan } from '../faults/experiments/schedule.js';
import { pingDatabase } from '../readback/sql-checks.js';
import { redactUrl } from '../stack/environment.js';
import { reachable } from '../telemetry/traces/backends/index.js';
import { PeakreadyError } from '../errors.js';
import { NOTHING_PROTECTED } from '../verify/isolation.js';
import { kubernetesFix, OPERATOR_GIVES_NO_SUMMARY, type DrillPlan, type ScalingFromKubernetes } from './plan.js';
import { mmss } from '../util/duration.js';

/** One endpoint the game-day file names, and whether it answered. */
export interface Reach {
  what: string;
  url: string;
  ok: boolean;
  detail: string;
  /** what to do when it does not answer (default: check it runs and the URL is right; '' when the detail names it) */
  fix?: string;
}

/**
 * `drill FILE --dry-run`: the plan as a reader checks it before a game day. The system, the load
 * and its phases, when each fault goes on and off (from the experiment's own schedule), and what
 * each check will read. Pure: it starts nothing.
 */
export function describePlan(plan: DrillPlan): string[] {
  const { gameDay } = plan;
  const lines = [
    `game day: ${gameDay.name}${gameDay.profile ? ` (profile ${gameDay.profile})` : ''} — ${gameDay.file}`,
    `system:   ${plan.withStack ? `the bundled shop, started as local processes at ${plan.scriptEnv.BASE_URL}` : plan.scriptEnv.BASE_URL}`,
    `load:     ${plan.script} (${plan.engine} engine, TIME_SCALE ${plan.timeScale}), ${mmss(plan.totalMs)} in all`,
    ...operatorLines(plan),
    'phases:',
    ...plan.phases.map((p) => `  ${p.name.padEnd(12)} ${mmss(p.startMs)} - ${mmss(p.startMs + p.durationMs)}`),
    `faults:   ${plan.experiments.length ? `through ${plan.toxiproxyUrl ?? 'the embedded fault proxy'}` : 'none'}`,
    ...plan.experiments.flatMap((e) => faultLines(e, plan.timeScale)),
    'checks:',
    ...evidenceLines(plan).map(([check, source]) => `  ${check.padEnd(12)} ${source}`),
    ...sqlLines(plan),
  ];
  return lines;
}

/** The TestRun the drill will create (its name gets fresh random characters at each run) and what it cannot give back. */
function operatorLines(plan: DrillPlan): string[] {
  const op = plan.k6Operator;
  if (!op) return [];
  const { settings } = op;
  const runners = `parallelism ${settings.parallelism}${settings.separate ? ', one per node' : ''}${settings.runnerImage ? `, image ${settings.runnerImage}` : ''}`;
  return [
    `cluster:  TestRun ${op.rendered.name} (k6.io/v1alpha1) and ConfigMap ${op.rendered.name}-script in namespace ${op.namespace} on ${op.server} (context ${op.context}): ${runners}`,
    `          created when the load starts, followed until finished/error or ${mmss(plan.totalMs)} + 5 min, then both deleted`,
    `          ${OPERATOR_GIVES_NO_SUMMARY}`,
  ];
}

function faultLines(timed: DrillPlan['experiments'][number], timeScale: number): string[] {
  const { experiment } = timed;
  const steps = chaosPlan(experiment, timeScale).steps;
  return [
    `  "${experiment.title}" (${timed.file}) from ${mmss(timed.startMs)} in the ${timed.during}:`,
    ...steps.map((s) => {
      const action = experiment.method[s.action]!;
      return `    ${mmss(timed.startMs + s.atMs)} ${s.kind === 'inject' ? 'on ' : 'off'} ${action.action} ${action.proxy}`;
    }),
  ];
}

/** For each check, where its evidence comes from on this system. */
function evidenceLines(plan: DrillPlan): Array<[string, string]> {
  const { budgets } = plan;
  const off = (enabled: boolean, text: string) => (enabled ? text : 'off');
  const backend = plan.traceBackend;
  const receiver = backend
    ? `traces fetched by id from ${backend.kind} at ${backend.url} after the load`
    : `spans exported to the drill's OTLP receiver on 127.0.0.1:${plan.receiverPort}`;
  return [
    loadEvidence(plan),
    ['tracing', off(budgets.tracing.enabled, plan.k6Operator ? `${receiver}; trace rules over the spans received; completeness skipped (the runners give back no trace ids of the requests sent)` : `${receiver}; complete >= ${budgets.tracing.completeness * 100}%`)],
    ['scale-out', off(budgets.scaleOut.enabled, scalingEvidence(plan))],
    ['isolation', off(budgets.isolation.enabled, plan.k6Operator ? 'skipped: it compares request records, which the k6-operator\'s runners do not give back' : isolationEvidence(plan))],
    ['integrity', off(budgets.integrity.enabled, integrityEvidence(plan))],
    ['cleanup', off(budgets.cleanup.enabled, cleanupEvidence(plan))],
  ];
}

function isolationEvidence(plan: DrillPlan): string {
  const { protect, degraded, failing, baselinePhase } = plan.budgets.isolation;
  if (!plan.experiments.length) return 'no fault is injected on this system (skipped)';
  if (!protect.length) return `${NOTHING_PROTECTED} (skipped)`;
  const names = (list: readonly string[]) => list.map((n) => `"${n}"`).join(', ');
  const allowed = degraded.length ? `; ${names(degraded)} may degrade, not fail` : '';
  return `requests named ${names(protect)} while ${failing ? `${failing} is faulted` : 'a fault is on'}, against the ${baselinePhase} phase${allowed}`;
}

/** The thresholds or budgets: over what the load engine gives back, which the k6-operator does not. */
function loadEvidence(plan: DrillPlan): [string, string] {
  const { budgets } = plan;
  if (plan.scriptThresholds) {
    return ['thresholds', plan.k6Operator ? "skipped: the k6-operator gives no summary back, so the script's thresholds cannot be read" : "the script's own thresholds, as the load engine evaluates them (no budgets file)"];
  }
  return ['budgets', plan.k6Operator ? `skipped: ${budgets.thresholds.length} thresholds of ${budgets.file} need request records, which the k6-operator's runners do not give back` : `${budgets.thresholds.length} thresholds of ${budgets.file}, over the load engine's request records`];
}

function scalingEvidence(plan: DrillPlan): string {
  const fromPrometheus = plan.scalingFromPrometheus;
  const fromKubernetes = plan.scalingFromKubernetes;
  if (plan.autoscaler) return `the local autoscaler (Kubernetes' HPA algorithm, sync every ${plan.autoscaler.syncPeriodMs / 1000} s)`;
  if (fromPrometheus) {
    return `kube-state-metrics and cAdvisor series of ${fromPrometheus.workloads.map((w) => w.deployment).join(', ')} in namespace ${fromPrometheus.namespace}, from ${fromPrometheus.url ?? 'the Prometheus started with the shop'}`;
  }
  if (fromKubernetes) {
    const which = fromKubernetes.workloads ? `of ${fromKubernetes.workloads.join(', ')}` : 'of every Deployment';
    return `HPA decisions and Deployment replicas ${which} in namespace ${fromKubernetes.namespace}, watched through the Kubernetes API of context "${fromKubernetes.context}" (${fromKubernetes.server}) during the load`;
  }
  return 'not observed on this system (skipped): add observe.scaling';
}

function integrityEvidence(plan: DrillPlan): string {
  if (plan.readBackUnavailable) return `read-back skipped: ${plan.readBackUnavailable}`;
  const contract = plan.readBack?.contract;
  const readBack = contract ? `every acknowledged "${contract.request}" read back through ${contract.readUrl} (${plan.readBack!.concurrency} in flight at most)` : undefined;
  const stored = plan.withStack ? "the bundled shop's stored orders, charges and stock" : undefined;
  const sql = plan.sqlChecks ? `${plan.sqlChecks.invariants.length} SQL invariants (below)` : undefined;
  return [readBack, stored, sql].filter(Boolean).join('; ') || 'nothing to read on this system (skipped): add checks.integrity.readBack or checks.integrity.sql';
}

/** The SQL invariants: where they run, and each by name with its timeout. */
function sqlLines(plan: DrillPlan): string[] {
  const spec = plan.sqlChecks;
  if (!spec || !plan.budgets.integrity.enabled) return [];
  const { database } = spec;
  const where =
    database.kind === 'none'
      ? 'NOT RUN: no database URL; SQL checks need a PostgreSQL URL: give --database-url or checks.integrity.databaseUrl (e.g. "${DATABASE_URL}")'
      : database.url
        ? `on ${redactUrl(database.url)} (${database.from})`
        : "on the bundled shop's embedded PGlite, through its PostgreSQL protocol while the stack still runs (PGlite does not enforce statement_timeout: the client stops waiting instead)";
  return [
    `  sql          each must return 0 rows, in its own READ ONLY transaction, rolled back; ${where}`,
    ...spec.invariants.map((i) => `    ${i.name.padEnd(28)} timeout ${i.timeoutMs / 1000} s${i.description ? ` — ${i.description}` : ''}`),
  ];
}

function cleanupEvidence(plan: DrillPlan): string {
  if (plan.withStack) return 'processes, ports, toxics and proxies left';
  const left = [plan.toxiproxyUrl ? `toxics and proxies left on ${plan.toxiproxyUrl}` : undefined, plan.k6Operator ? `the ConfigMap and TestRun left in namespace ${plan.k6Operator.namespace}` : undefined].filter(Boolean);
  return left.join('; ') || 'nothing of this system is touched without a Toxiproxy (skipped)';
}

/** Every endpoint the plan names that exists before the drill starts, asked once with a short timeout. */
export async function reachEndpoints(plan: DrillPlan, timeoutMs = 1500): Promise<Reach[]> {
  const checks: Array<Promise<Reach>> = [];
  if (!plan.withStack) checks.push(reach('target', plan.scriptEnv.BASE_URL!, '', timeoutMs));
  if (plan.toxiproxyUrl) checks.push(reach('Toxiproxy', plan.toxiproxyUrl, '/version', timeoutMs));
  const prometheus = new Set([plan.prometheus, plan.scalingFromPrometheus?.url].filter((u): u is string => typeof u === 'string'));
  for (const url of prometheus) checks.push(reach('Prometheus', url, '/api/v1/status/buildinfo', timeoutMs));
  if (plan.otlpForwardUrl) checks.push(reach('OTLP forward', plan.otlpForwardUrl, '', timeoutMs));
  const database = plan.sqlChecks?.database;
  if (database && database.kind !== 'none' && database.url) checks.push(reachDatabase(database.url, database.from ?? '--database-url', timeoutMs));
  if (plan.k6Operator) checks.push(reachOperator(plan.k6Operator));
  // an API server behind an auth plugin or a VPN answers slower than a local endpoint
  if (plan.scalingFromKubernetes) checks.push(reachKubernetes(plan.scalingFromKubernetes, Math.max(timeoutMs, 5000)));
  const backend = plan.traceBackend;
  if (backend) {
    checks.push(
      reachable(backend, { timeoutMs }).then((r) => ({ what: backend.kind === 'tempo' ? 'Tempo' : 'Jaeger', url: backend.url, ok: r.ok, detail: r.ok ? 'answers' : r.reason })),
    );
  }
  return Promise.all(checks);
}

/** The SQL checks' database answers SELECT 1; else one line naming it and the fix. */
async function reachDatabase(url: string, from: string, timeoutMs: number): Promise<Reach> {
  const answer = await pingDatabase(url, Math.max(timeoutMs, 3000));
  const fix = `start it, or fix ${from} (a PostgreSQL URL the SQL checks may read, e.g. postgres://reader:\${PGPASSWORD}@127.0.0.1:5432/shop)`;
  return { what: 'database', url: redactUrl(url), ok: answer.ok, detail: answer.ok ? answer.detail : `no answer (${answer.detail})`, ...(answer.ok ? {} : { fix }) };
}

/** The namespace's HPAs listed once: which of them the scale-out check will read. */
async function reachKubernetes(k8s: ScalingFromKubernetes, timeoutMs: number): Promise<Reach> {
  const what = 'Kubernetes API';
  try {
    const { listK8sHpas } = await import('../scaling/k8s-watcher.js');
    const { hpas } = await listK8sHpas({ ...k8s, timeoutMs });
    const read = k8s.workloads ? hpas.filter((h) => k8s.workloads!.includes(h.deployment)) : hpas;
    const unscaled = (k8s.workloads ?? []).filter((w) => !hpas.some((h) => h.deployment === w));
    const described = read.map((h) => `${h.name} → Deployment ${h.deployment}, ${h.minReplicas}-${h.maxReplicas} replicas${h.targetCpuPercent ? `, cpu ${h.targetCpuPercent}%` : ''}`);
    const detail = `${read.length} HPAs read in namespace ${k8s.namespace}${described.length ? ` (${described.join('; ')})` : ''}${unscaled.length ? `; no HPA scales ${unscaled.join(', ')}` : ''}`;
    if (read.length > 0) return { what, url: k8s.server, ok: true, detail };
    return { what, url: k8s.server, ok: false, detail, fix: `the scale-out check would have nothing to judge: name Deployments an HPA scales in observe.scaling.kubernetes.workloads, or the namespace they are in` };
  } catch (error) {
    if (!(error instanceof PeakreadyError)) throw error;
    const detail = `context "${k8s.context}": ${error.message.replace(/^Kubernetes API \S+: /, '')}`;
    return { what, url: k8s.server, ok: false, detail, fix: kubernetesFix(k8s) };
  }
}

/** One endpoint's line of the dry run: whether it answered, and what to do when it did not. */
export function formatReach(r: Reach): string {
  return `  ${r.ok ? 'ok  ' : 'FAIL'} ${r.what.padEnd(12)} ${r.url} — ${r.detail}${r.ok ? '' : r.fix === undefined ? '; is it running, and is the URL in the file right?' : r.fix ? `; ${r.fix}` : ''}`;
}

/** Any HTTP answer means the endpoint is there (a target may well answer 404 on /); only a 5xx or no answer is a problem. */
async function reach(what: string, base: string, path: string, timeoutMs: number): Promise<Reach> {
  const url = base.replace(/\/+$/, '') + path;
  try {
    const res = await request(url, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
    await res.body.dump();
    return { what, url, ok: res.statusCode < 500, detail: `HTTP ${res.statusCode}` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name;
    return { what, url, ok: false, detail: `no answer (${code})` };
  }
}

/** The API answers from the kubeconfig's context and serves TestRuns (the k6-operator's CRD is installed). */
async function reachOperator(op: NonNullable<DrillPlan['k6Operator']>): Promise<Reach> {
  const what = 'k6-operator';
  try {
    const { K6OperatorApi } = await import('../load/k6-operator-api.js');
    await K6OperatorApi.open({ kubeconfig: op.settings.kubeconfig, context: op.settings.context, namespace: op.namespace }).check();
    return { what, url: op.server, ok: true, detail: `TestRuns (k6.io/v1alpha1) served in namespace ${op.namespace}` };
  } catch (error) {
    // the operator's errors name their own fix (install the operator, check the context)
    return { what, url: op.server, ok: false, detail: error instanceof Error ? error.message : String(error), fix: '' };
  }
}
