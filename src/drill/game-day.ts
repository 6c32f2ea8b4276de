import { relative } from 'node:path';
import { exitCodeOf } from '../exit-codes.js';
import { reapStaleChildren } from '../lifecycle/children.js';
import { copyReports, renderVerdictTable, writeReports } from '../report/index.js';
import type { TimelineEvent } from '../run/records.js';
import { RunDirectory } from '../run/run-dir.js';
import { kubernetesLeftovers } from '../run/timeline.js';
import { judgeRun } from '../verify/judge-run.js';
import type { DrillOptions, DrillResult } from './drill-options.js';
import { gatherEvidence } from './evidence.js';
import { DrillInterruption } from './interruption.js';
import { playLoad } from './load-phase.js';
import { planDrill, type DrillPlan } from './plan.js';
import { DrillRig, type RigLeftovers } from './rig.js';
import { stackPorts, takeCleanupSnapshot } from './snapshots.js';

export type { DrillOptions, DrillResult } from './drill-options.js';

/**
 * The game day. Data flows one way: plan (every user file validated) -> rig (stack, receiver,
 * autoscaler, metrics) -> load + faults (each writes its timeline and samples into the run
 * directory) -> evidence (stored data, fetched traces, what was left behind) -> the judge reads the run -> reports
 * render its verdict. This file only wires those steps in order; the rig guarantees that
 * everything started is stopped on every path.
 */
export async function runDrill(options: DrillOptions): Promise<DrillResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const plan = await planDrill(options);
  const reaped = reapStaleChildren();
  if (reaped.length) log(`peakready: cleaned up after an earlier run that was killed: ${reaped.join(', ')}`);
  // a drill that cannot start (a stack already running, a port taken) leaves no run directory
  await DrillRig.checkCanStart(plan, log);

  const run = RunDirectory.create('drill');
  const rig = new DrillRig(plan, run, log);
  writeConfig(run, plan, options, rig);
  const command = `drill ${relativeToCwd(plan.gameDay.file)}${plan.gameDay.profile ? ` --profile ${plan.gameDay.profile}` : ''}`;
  const event = (e: TimelineEvent) => run.appendTimeline(e);
  event({ t: Date.now(), type: 'run', state: 'start', command });
  log(`peakready: drill "${plan.gameDay.profile ?? plan.gameDay.name}" — run directory ${run.root}`);

  // from here every exit path is judged and reported: a signal or a failing step cuts the run
  // there (recorded on the timeline), the rig is stopped, and the report says INTERRUPTED
  const interruption = new DrillInterruption(run, log);
  const { signal } = interruption;
  let failure: { error: unknown } | undefined;
  let leftovers: RigLeftovers;
  // the live line between the load's own status lines
  const status = (text: string) => options.onStep?.(text);
  try {
    status(plan.withStack ? 'starting the reference stack and the rig' : 'starting the rig');
    await rig.start(signal);
    interruption.enter('load');
    await playLoad(plan, rig, run, signal, options, log);
    if (!signal.aborted) {
      interruption.enter('reading the evidence');
      status('reading the evidence: traces, stored orders, what was left behind');
      await gatherEvidence(plan, rig, run, signal, log);
    }
  } catch (error) {
    if (!interruption.interrupted) {
      failure = { error };
      interruption.failed(error);
    }
  } finally {
    interruption.enter('stopping the stack');
    status(plan.withStack ? 'stopping the stack' : 'stopping the rig');
    leftovers = await rig.tearDown();
    event({ t: Date.now(), type: 'run', state: 'end', command });
  }
  let result: DrillResult;
  try {
    await recordLeftovers(run, plan, leftovers);
    status('judging the run');
    result = judgeAndReport(run, plan, options);
  } finally {
    interruption.done();
  }
  if (failure) {
    log(`peakready: the drill stopped on an error; its reports (verdict INTERRUPTED, what was measured until then) are in ${run.root}`);
    throw failure.error;
  }
  return result;
}

function writeConfig(run: RunDirectory, plan: DrillPlan, options: DrillOptions, rig: DrillRig): void {
  const { gameDay } = plan;
  const capacityShowable = rig.capacityShowable;
  run.writeJson('config', {
    command: 'drill',
    gameday: gameDay.file,
    name: gameDay.name,
    profile: gameDay.profile ?? null,
    timeScale: plan.timeScale,
    script: relativeToCwd(plan.script),
    // read by report.html's headline: what the load was meant to reach
    ...(plan.intendedPeak ? { intendedPeak: plan.intendedPeak } : {}),
    // read by the checks: a k6-operator load gives no request records, captures or summary back
    engine: plan.engine,
    ...(plan.k6Operator ? { k6Operator: { server: plan.k6Operator.server, namespace: plan.k6Operator.namespace, testRun: plan.k6Operator.rendered.name } } : {}),
    chaos: plan.experiments.map((e) => relativeToCwd(e.file)),
    target: plan.withStack ? null : plan.scriptEnv.BASE_URL,
    // the seeded defects switched on in the bundled shop (the reports name them)
    defects: plan.defects,
    budgets: plan.budgets.file,
    baseline: options.baselineFile ?? null,
    grafanaUrl: options.grafanaUrl ?? null,
    startedAt: new Date().toISOString(),
    ...scaleOutPeriods(plan),
    ...(capacityShowable ? { capacityShowable } : {}),
  });
}

/**
 * Read by the scale-out check: the local autoscaler's compressed Kubernetes periods, or, when the
 * scaling is read from a cluster (its Prometheus or its API), Kubernetes' own.
 */
export function scaleOutPeriods(plan: Pick<DrillPlan, 'autoscaler' | 'scalingFromPrometheus' | 'scalingFromKubernetes'>): { syncPeriodMs?: number; scaleDownStabilizationMs?: number } {
  if (plan.autoscaler) return { syncPeriodMs: plan.autoscaler.syncPeriodMs, scaleDownStabilizationMs: 300_000 * plan.autoscaler.timeScale };
  if (plan.scalingFromPrometheus || plan.scalingFromKubernetes) return { syncPeriodMs: 15_000, scaleDownStabilizationMs: 300_000 };
  return {};
}

function relativeToCwd(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/**
 * What the drill left behind, for the clean-up check: on the bundled shop every process, port and
 * fault of the stack; on a target, the toxics it added and the proxies it disabled on the user's
 * Toxiproxy, and its own receiver's port; with the k6-operator, the ConfigMap and TestRun it created
 * and did not delete (its timeline's `k8s-object` events). A target drill without either touched nothing of it.
 */
async function recordLeftovers(run: RunDirectory, plan: DrillPlan, leftovers: RigLeftovers): Promise<void> {
  if (!plan.withStack && !plan.toxiproxyUrl && !plan.k6Operator) return;
  const ports = plan.withStack ? stackPorts(plan.definition) : [{ port: plan.receiverPort, owner: 'OTLP receiver' }];
  const snapshot = await takeCleanupSnapshot({ ports, pids: leftovers.pids, faults: leftovers.faults });
  run.writeJson('cleanup', plan.k6Operator ? { ...snapshot, kubernetes: kubernetesLeftovers(run.timeline()) } : snapshot);
}

function judgeAndReport(run: RunDirectory, plan: DrillPlan, options: DrillOptions): DrillResult {
  const { data, judged } = judgeRun(run, plan.budgets, { ...(plan.baseline ? { baseline: plan.baseline } : {}), scriptThresholds: plan.scriptThresholds });
  const report = writeReports(run, data, judged, { ...(options.grafanaUrl ? { grafanaUrl: options.grafanaUrl } : {}), budgets: plan.budgets });
  if (plan.reportDir) copyReports(report.files, plan.reportDir);
  const table = renderVerdictTable(judged, { color: options.color ?? false, ...(options.tableWidth ? { width: options.tableWidth } : {}) });
  return { exitCode: exitCodeOf(judged.verdict), verdict: judged.verdict, run, files: report.files, table, checks: judged.checks };
}
