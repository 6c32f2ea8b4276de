import { request } from 'undici';
import { chaosPlan } from '../faults/experiments/schedule.js';
import { reachable } from '../telemetry/traces/backends/index.js';
import { PeakreadyError } from '../errors.js';
import { listK8sHpas } from '../scaling/k8s-watcher.js';
import { kubernetesFix, type DrillPlan, type ScalingFromKubernetes } from './plan.js';
import { mmss } from './progress.js';

/** One endpoint the game-day file names, and whether it answered. */
export interface Reach {
  what: string;
  url: string;
  ok: boolean;
  detail: string;
  /** what to do when it did not answer (default: start it, or correct its URL) */
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
    'phases:',
    ...plan.phases.map((p) => `  ${p.name.padEnd(12)} ${mmss(p.startMs)} - ${mmss(p.startMs + p.durationMs)}`),
    `faults:   ${plan.experiments.length ? `through ${plan.toxiproxyUrl ?? 'the embedded fault proxy'}` : 'none'}`,
    ...plan.experiments.flatMap((e) => faultLines(e, plan.timeScale)),
    'checks:',
    ...evidenceLines(plan).map(([check, source]) => `  ${check.padEnd(12)} ${source}`),
  ];
  return lines;
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
    plan.scriptThresholds
      ? ['thresholds', "the script's own thresholds, as the load engine evaluates them (no budgets file)"]
      : ['budgets', `${budgets.thresholds.length} thresholds of ${budgets.file}, over the load engine's request records`],
    ['tracing', off(budgets.tracing.enabled, `${receiver}; complete >= ${budgets.tracing.completeness * 100}%`)],
    ['scale-out', off(budgets.scaleOut.enabled, scalingEvidence(plan))],
    ['isolation', off(budgets.isolation.enabled, `requests named "${budgets.isolation.checkout}" while ${budgets.isolation.failing ? `${budgets.isolation.failing} is faulted` : 'a fault is on'}, against the ${budgets.isolation.baselinePhase} phase`)],
    ['integrity', off(budgets.integrity.enabled, integrityEvidence(plan))],
    ['cleanup', off(budgets.cleanup.enabled, plan.withStack ? 'processes, ports, toxics and proxies left' : plan.toxiproxyUrl ? `toxics and proxies left on ${plan.toxiproxyUrl}` : 'nothing of this system is touched without a Toxiproxy (skipped)')],
  ];
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
  const contract = plan.readBack?.contract;
  const readBack = contract ? `every acknowledged "${contract.request}" read back through ${contract.readUrl} (${plan.readBack!.concurrency} in flight at most)` : undefined;
  const stored = plan.withStack ? "the bundled shop's stored orders, charges and stock" : undefined;
  return [readBack, stored].filter(Boolean).join('; ') || 'nothing to read on this system (skipped): add checks.integrity.readBack';
}

/** Every endpoint the plan names that exists before the drill starts, asked once with a short timeout. */
export async function reachEndpoints(plan: DrillPlan, timeoutMs = 1500): Promise<Reach[]> {
  const checks: Array<Promise<Reach>> = [];
  if (!plan.withStack) checks.push(reach('target', plan.scriptEnv.BASE_URL!, '', timeoutMs));
  if (plan.toxiproxyUrl) checks.push(reach('Toxiproxy', plan.toxiproxyUrl, '/version', timeoutMs));
  const prometheus = new Set([plan.prometheus, plan.scalingFromPrometheus?.url].filter((u): u is string => typeof u === 'string'));
  for (const url of prometheus) checks.push(reach('Prometheus', url, '/api/v1/status/buildinfo', timeoutMs));
  if (plan.otlpForwardUrl) checks.push(reach('OTLP forward', plan.otlpForwardUrl, '', timeoutMs));
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

/** The namespace's HPAs listed once: which of them the scale-out check will read. */
async function reachKubernetes(k8s: ScalingFromKubernetes, timeoutMs: number): Promise<Reach> {
  const what = 'Kubernetes API';
  try {
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
  return `  ${r.ok ? 'ok  ' : 'FAIL'} ${r.what.padEnd(12)} ${r.url} — ${r.detail}${r.ok ? '' : `; ${r.fix ?? 'is it running, and is the URL in the file right?'}`}`;
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
