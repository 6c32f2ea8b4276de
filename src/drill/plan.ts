import type { Budgets } from '../budgets/types.js';
import { UsageError } from '../errors.js';
import { loadExperiment, type ChaosExperiment } from '../faults/experiments/index.js';
import { budgetsFor } from '../gameday/budgets.js';
import { loadGameDay, type GameDay } from '../gameday/load.js';
import type { Offset } from '../gameday/schema.js';
import type { K6OperatorSettings } from '../load/k6-operator-run.js';
import type { RenderedTestRun } from '../load/k8s-testrun.js';
import { inspectScript } from '../load/run.js';
import { assertReportDir } from '../report/report-dir.js';
import type { ReadBackContract } from '../readback/contract.js';
import type { SqlInvariant } from '../readback/sql-invariant.js';
import type { KubeWorkloadRef } from '../scaling/kube-evidence.js';
import type { TraceBackend } from '../telemetry/traces/backends/index.js';
import { referenceStack, servicePort, type StackDefinition } from '../stack/definition.js';
import { parseDefects, withDefects, type DefectName } from '../stack/defects.js';
import { expandEnvReferences } from '../util/env-ref.js';
import { assertLoopbackTarget } from '../util/loopback.js';
import { assertComparable, loadBaseline, type Baseline } from '../verify/baseline-file.js';
import { loadTraceRulesFor } from '../verify/trace-rules-file.js';
import type { DrillOptions } from './drill-options.js';

/** A named stretch of the load, in ms from its start: a scenario of the script, or declared in the file. */
export interface PhaseWindow {
  name: string;
  startMs: number;
  durationMs: number;
}

/** A chaos experiment and the moment of the load (ms from its start) it begins. */
export interface TimedExperiment {
  experiment: ChaosExperiment;
  file: string;
  during: string;
  startMs: number;
}

/**
 * Everything a drill needs to know before it starts anything, read and validated up front from
 * the game-day file and the flags that override it: a typo must not cost a stack start-up.
 */
/** What the load was meant to reach: an arrival-rate scenario's peak, iterations per second (recorded in config.json). */
export interface IntendedPeak {
  iterationsPerSecond: number;
  scenario: string;
}

export interface DrillPlan {
  gameDay: GameDay;
  /** --report: checked now (a directory, or one that can be made, and writable), absolute */
  reportDir?: string;
  /** TIME_SCALE of the scenario */
  timeScale: number;
  budgets: Budgets;
  /** no budgets file anywhere: the script's own thresholds are judged (summary.json) */
  scriptThresholds: boolean;
  baseline?: Baseline;
  /** the k6 script, absolute */
  script: string;
  engine: GameDay['load']['engine'];
  /** the scenario's environment, BASE_URL included */
  scriptEnv: Record<string, string>;
  /** true: the bundled stack is started; false: the drill drives the user's target */
  withStack: boolean;
  /** the bundled stack's definition, as its seeded defects wire it */
  definition: StackDefinition;
  /** the seeded defects switched on (--defect and system.bundled.defects); none: the healthy shop */
  defects: DefectName[];
  /** the drill's OTLP receiver port */
  receiverPort: number;
  /** where the traces are fetched by id after the load, when they do not come to the receiver */
  traceBackend?: TraceBackend;
  /** the user's Toxiproxy (else the bundled stack's embedded one, if any) */
  toxiproxyUrl?: string;
  /** the phases the faults and checks refer to, and the load's whole length */
  phases: PhaseWindow[];
  /** phases declared in the file (not the script's scenarios): the drill writes their events */
  declaredPhases: boolean;
  totalMs: number;
  /** the highest arrival rate the script's scenarios ask for (none when every scenario is closed-model) */
  intendedPeak?: IntendedPeak;
  /** the chaos experiments, when there is a Toxiproxy to run them through */
  experiments: TimedExperiment[];
  /** engine k6-operator: the cluster (read from the kubeconfig at plan time) and the TestRun rendered for it */
  k6Operator?: { settings: K6OperatorSettings; server: string; context: string; namespace: string; rendered: RenderedTestRun };
  /** why the file's read-back contract is not played (the k6-operator gives no captures back) */
  readBackUnavailable?: string;
  /** the read-back contract and its bounds: creates captured during the load, read back after it */
  readBack?: { contract: ReadBackContract; concurrency: number; ratePerSecond?: number; replaySample: number };
  /** scale-out evidence read from Prometheus after the load; `url` undefined: the Prometheus started with the bundled shop */
  scalingFromPrometheus?: { url?: string; namespace: string; workloads: KubeWorkloadRef[]; scrapeIntervalMs: number };
  /** scale-out evidence watched through the Kubernetes API during the load (the kubeconfig read, its context resolved) */
  scalingFromKubernetes?: ScalingFromKubernetes;
  /** the local autoscaler's sync period and time compression (Kubernetes' 15 s -> this), if it runs */
  autoscaler?: { syncPeriodMs: number; timeScale: number };
  /** metrics twice per autoscaler sync, so every decision has a sample on each side */
  scrapeIntervalMs: number;
  /** the bundled stack's PostgreSQL (else embedded PGlite) */
  databaseUrl?: string;
  /** the SQL invariants (`checks.integrity.sql`), run after the load in read-only transactions */
  sqlChecks?: SqlChecksPlan;
  prometheus?: string | true;
  otlpForwardUrl?: string;
  allowRemote: boolean;
}

/**
 * Where the SQL invariants run: the bundled shop's own database (`stack`: embedded PGlite or its
 * PostgreSQL, asked while the stack still runs), a URL (a target's, from --database-url or
 * checks.integrity.databaseUrl), or `none` (a target without a URL: the check shows a skip).
 */
export interface SqlChecksPlan {
  invariants: SqlInvariant[];
  database: { kind: 'stack'; url?: string; from?: string } | { kind: 'url'; url: string; from: string } | { kind: 'none' };
}

/** A cluster's HPAs and Deployments, watched through its API: where, and which of them. */
export interface ScalingFromKubernetes {
  /** absolute; absent: $KUBECONFIG or ~/.kube/config */
  kubeconfig?: string;
  context: string;
  /** the context's API server */
  server: string;
  namespace: string;
  /** only these Deployments and their HPAs; absent: every one in the namespace */
  workloads?: string[];
}

/** What to try when the Kubernetes API cannot be read: the same request through kubectl, or the file's block. */
export function kubernetesFix(k8s: ScalingFromKubernetes): string {
  const kubeconfig = k8s.kubeconfig ? ` --kubeconfig ${k8s.kubeconfig}` : '';
  return `check that \`kubectl${kubeconfig} --context ${k8s.context} -n ${k8s.namespace} get hpa,deployments\` works from this machine, or correct observe.scaling.kubernetes`;
}

export async function planDrill(options: DrillOptions): Promise<DrillPlan> {
  const reportDir = options.reportDir ? assertReportDir(options.reportDir) : undefined;
  const gameDay = loadGameDay(options.gameDayFile, options.profile);
  const { system, load, observe } = gameDay;
  const target = options.target ?? (system.kind === 'target' ? system.url : undefined);
  const allowRemote = options.allowRemote || (system.kind === 'target' && system.allowRemote);
  if (target) assertLoopbackTarget(target, allowRemote);
  if (options.toxiproxyUrl) assertLoopbackTarget(options.toxiproxyUrl, allowRemote, '--toxiproxy');
  const budgets = budgetsFor(gameDay, options.budgetsFile);
  assertTraceRulesLoad(budgets);
  const baseline = options.baselineFile ? loadBaseline(options.baselineFile) : undefined;
  // what config.json will record of this drill (game-day.ts writeConfig)
  if (baseline) assertComparable(baseline, { command: 'drill', name: gameDay.name, profile: gameDay.profile ?? null, script: load.script });
  const withStack = !target;
  const defects = defectsOf(system, options.defects, withStack);
  const definition = withDefects(referenceStack(options.basePort ?? (system.kind === 'bundled' ? system.basePort : undefined)), defects);
  const toxiproxyUrl = options.toxiproxyUrl ?? (gameDay.faults.toxiproxy === 'embedded' ? undefined : gameDay.faults.toxiproxy);
  const timeScale = options.timeScale ?? load.timeScale;
  const baseUrl = target ?? `http://127.0.0.1:${servicePort(definition, 'gateway')}`;
  const scriptEnv = { TIME_SCALE: String(timeScale), ...load.env, ...options.env, BASE_URL: baseUrl };
  const { phases, totalMs, intendedPeak } = await phasesOf(gameDay, scriptEnv);
  const local = withStack ? observe.scaling.local : undefined;
  const syncPeriodMs = local?.syncPeriod ?? 15_000;
  const database = databaseOf(options, gameDay, withStack);
  const prometheus = options.prometheus ?? (observe.metrics.prometheus === 'started' ? true : observe.metrics.prometheus);
  const otlpForwardUrl = options.otlpForwardUrl ?? observe.traces.forward;
  return {
    gameDay,
    ...(reportDir ? { reportDir } : {}),
    timeScale,
    budgets,
    scriptThresholds: !options.budgetsFile && !gameDay.checks.budgets,
    ...(baseline ? { baseline } : {}),
    script: load.script,
    engine: load.engine,
    scriptEnv,
    withStack,
    definition,
    defects,
    receiverPort: observe.traces.receiver?.port ?? definition.basePort + definition.admin.otlpOffset,
    ...traceBackendOf(observe.traces),
    ...scalingFromPrometheusOf(observe, prometheus),
    ...(await scalingFromKubernetesOf(gameDay)),
    ...readBackOf(gameDay),
    ...(load.engine === 'k6-operator' ? { k6Operator: await operatorOf(gameDay, scriptEnv) } : {}),
    ...(toxiproxyUrl ? { toxiproxyUrl } : {}),
    phases,
    declaredPhases: load.phases !== 'fromScript',
    totalMs,
    ...(intendedPeak ? { intendedPeak } : {}),
    experiments: withStack || toxiproxyUrl ? timedExperiments(gameDay, phases) : [],
    ...(local ? { autoscaler: { syncPeriodMs, timeScale: syncPeriodMs / 15_000 } } : {}),
    scrapeIntervalMs: Math.max(1000, Math.round(syncPeriodMs / 2)),
    ...database,
    ...(prometheus ? { prometheus } : {}),
    ...(otlpForwardUrl ? { otlpForwardUrl } : {}),
    allowRemote,
  };
}

/** The trace rules the budgets name must load before anything starts, not fail the tracing check after the whole drill. */
function assertTraceRulesLoad(budgets: Budgets): void {
  if (!budgets.tracing.enabled) return;
  const loaded = loadTraceRulesFor(budgets);
  if ('error' in loaded) throw new UsageError(`${budgets.file} checks.tracing.rules: ${loaded.error}`);
}

async function phasesOf(gameDay: GameDay, env: Record<string, string>): Promise<{ phases: PhaseWindow[]; totalMs: number; intendedPeak?: IntendedPeak }> {
  const declared = gameDay.load.phases;
  const { scenarios } = await inspectScript(gameDay.load.script, env);
  const scriptEnd = Math.max(0, ...scenarios.map((s) => s.startMs + s.durationMs));
  const intendedPeak = intendedPeakOf(scenarios);
  if (declared === 'fromScript') {
    const phases = scenarios.map(({ name, startMs, durationMs }) => ({ name, startMs, durationMs })).sort((a, b) => a.startMs - b.startMs);
    return { phases, totalMs: scriptEnd, ...(intendedPeak ? { intendedPeak } : {}) };
  }
  const phases = declared.map((p) => ({ name: p.name, startMs: p.start, durationMs: p.duration }));
  return { phases, totalMs: Math.max(scriptEnd, ...phases.map((p) => p.startMs + p.durationMs)), ...(intendedPeak ? { intendedPeak } : {}) };
}

/** The highest arrival rate any open-model scenario asks for (closed-model scenarios ask for none). */
function intendedPeakOf(scenarios: ReadonlyArray<{ name: string; peakRatePerSecond?: number }>): IntendedPeak | undefined {
  let peak: IntendedPeak | undefined;
  for (const s of scenarios) {
    if (s.peakRatePerSecond !== undefined && (!peak || s.peakRatePerSecond > peak.iterationsPerSecond)) peak = { iterationsPerSecond: s.peakRatePerSecond, scenario: s.name };
  }
  return peak;
}

function timedExperiments(gameDay: GameDay, phases: readonly PhaseWindow[]): TimedExperiment[] {
  return gameDay.faults.experiments.map((e, index) => {
    const phase = phases.find((p) => p.name === e.during);
    if (!phase) {
      const known = phases.map((p) => p.name).join(', ') || 'none';
      throw new UsageError(`${gameDay.file} faults.experiments[${index}].during: "${e.during}" is not a phase of the load (its phases: ${known})`);
    }
    return { experiment: loadExperiment(e.file), file: e.file, during: e.during, startMs: phase.startMs + offsetMs(e.at, phase.durationMs) };
  });
}

function readBackOf(gameDay: GameDay): Pick<DrillPlan, 'readBack' | 'readBackUnavailable'> {
  const integrity = gameDay.checks.integrity;
  if (!integrity?.enabled || !integrity.readBack) return {};
  if (gameDay.load.engine === 'k6-operator') return { readBackUnavailable: OPERATOR_NO_CAPTURES };
  const { readBack: contract, concurrency, ratePerSecond, replaySample } = integrity;
  return { readBack: { contract, concurrency, replaySample, ...(ratePerSecond ? { ratePerSecond } : {}) } };
}

/** The stack's database (flag > file > $DATABASE_URL) and where the SQL invariants run. */
function databaseOf(options: DrillOptions, gameDay: GameDay, withStack: boolean): Pick<DrillPlan, 'databaseUrl' | 'sqlChecks'> {
  const { system, file } = gameDay;
  const integrity = gameDay.checks.integrity;
  const invariants = integrity?.enabled ? integrity.sql : [];
  if (withStack) {
    const fromFile = system.kind === 'bundled' && system.databaseUrl ? postgresUrl(system.databaseUrl, `${file} system.bundled.databaseUrl`) : undefined;
    const [url, from] = options.databaseUrl ? [options.databaseUrl, '--database-url'] : fromFile ? [fromFile, 'system.bundled.databaseUrl'] : [options.environmentDatabaseUrl, '$DATABASE_URL'];
    const sqlChecks: SqlChecksPlan | undefined = invariants.length ? { invariants, database: { kind: 'stack', ...(url ? { url, from } : {}) } } : undefined;
    return { ...(url ? { databaseUrl: url } : {}), ...(sqlChecks ? { sqlChecks } : {}) };
  }
  if (!invariants.length) {
    if (options.databaseUrl) throw new UsageError(`--database-url on a target is the database the SQL checks read, and ${file} declares none; add checks.integrity.sql or drop the flag`);
    return {};
  }
  const fromFile = integrity?.databaseUrl ? postgresUrl(integrity.databaseUrl, `${file} checks.integrity.databaseUrl`) : undefined;
  const database: SqlChecksPlan['database'] = options.databaseUrl
    ? { kind: 'url', url: options.databaseUrl, from: '--database-url' }
    : fromFile
      ? { kind: 'url', url: fromFile, from: 'checks.integrity.databaseUrl' }
      : { kind: 'none' };
  return { sqlChecks: { invariants, database } };
}

/** `${NAME}` expanded, and the result a PostgreSQL URL. */
function postgresUrl(value: string, where: string): string {
  const url = expandEnvReferences(value, where);
  if (!/^postgres(ql)?:\/\/\S+$/.test(url)) throw new UsageError(`${where} is not a PostgreSQL URL once expanded (it begins "${url.slice(0, 11)}"); write it like postgres://user:password@127.0.0.1:5432/dbname`);
  return url;
}

/** What a load on the k6-operator cannot give back, said once in the drill's output (and as a note in the run's timeline). */
export const OPERATOR_GIVES_NO_SUMMARY =
  "the k6-operator gives no summary, thresholds or request records back from its runners: the script's thresholds are not judged, and the checks read their evidence from the game-day file's `observe`";

/** Why a k6-operator load has no read-back: the read-back needs the creates' responses, which only peakready's own engine records. */
export const OPERATOR_NO_CAPTURES = "the k6-operator's runners give no request captures back (the read-back needs the creates' responses, which only the builtin engine records)";

/** The cluster from the kubeconfig (a missing file or context is a usage error now, not after the rig started) and the TestRun for it. */
async function operatorOf(gameDay: GameDay, env: Record<string, string>): Promise<NonNullable<DrillPlan['k6Operator']>> {
  const settings = gameDay.load.k6Operator;
  if (!settings) throw new UsageError(`${gameDay.file} load.k6Operator: engine k6-operator needs it`);
  // the Kubernetes client costs over half a second to load: only for a game day that needs it
  const [{ K6OperatorApi }, { renderForOperator }] = await Promise.all([import('../load/k6-operator-api.js'), import('../load/k6-operator-run.js')]);
  const api = K6OperatorApi.open(settings);
  const rendered = await renderForOperator(gameDay.load.script, env, settings, api.namespace);
  return { settings, server: api.server, context: api.context, namespace: api.namespace, rendered };
}

function scalingFromPrometheusOf(observe: GameDay['observe'], prometheus: string | true | undefined): Pick<DrillPlan, 'scalingFromPrometheus'> {
  const from = observe.scaling.prometheus;
  if (!from) return {};
  const url = from.url ?? (typeof prometheus === 'string' ? prometheus : undefined);
  const workloads = from.workloads.map((w) => (typeof w === 'string' ? { deployment: w } : w));
  return { scalingFromPrometheus: { ...(url ? { url } : {}), namespace: from.namespace, workloads, scrapeIntervalMs: from.scrapeInterval } };
}

/** The kubeconfig read now, so a missing file or context fails the plan, not the drill. */
async function scalingFromKubernetesOf(gameDay: GameDay): Promise<Pick<DrillPlan, 'scalingFromKubernetes'>> {
  const from = gameDay.observe.scaling.kubernetes;
  if (!from) return {};
  const { kubeNamespace, loadKubeConfig } = await import('../scaling/k8s-watcher.js');
  const kc = loadKubeConfig({ ...from, setting: `${gameDay.file} observe.scaling.kubernetes.context` });
  const { kubeconfig, workloads } = from;
  const k8s = { context: kc.getCurrentContext(), server: kc.getCurrentCluster()!.server, namespace: kubeNamespace(kc, from.namespace) };
  return { scalingFromKubernetes: { ...(kubeconfig ? { kubeconfig } : {}), ...k8s, ...(workloads ? { workloads } : {}) } };
}

function traceBackendOf(traces: GameDay['observe']['traces']): { traceBackend?: TraceBackend } {
  if (traces.tempo) return { traceBackend: { kind: 'tempo', ...traces.tempo } };
  if (traces.jaeger) return { traceBackend: { kind: 'jaeger', ...traces.jaeger } };
  return {};
}

function offsetMs(at: Offset, phaseMs: number): number {
  return 'percent' in at ? (phaseMs * at.percent) / 100 : at.ms;
}

/** The file's system.bundled.defects and the --defect flags; seeded defects live in the bundled shop only. */
function defectsOf(system: GameDay['system'], flags: readonly string[] = [], withStack: boolean): DefectName[] {
  const defects = parseDefects([...(system.kind === 'bundled' ? (system.defects ?? []) : []), ...flags]);
  if (defects.length && !withStack) throw new UsageError('seeded defects (--defect, system.bundled.defects) live in the bundled shop; drop them or --target');
  return defects;
}
