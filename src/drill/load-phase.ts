import { EnvironmentError } from '../errors.js';
import { runExperiment } from '../faults/experiments/index.js';
import type { LoadProgress } from '../load/progress.js';
import { runLoadTest } from '../load/run.js';
import type { RunDirectory } from '../run/run-dir.js';
import { activeFaults } from '../run/timeline.js';
import type { DrillOptions } from './drill-options.js';
import { OPERATOR_GIVES_NO_SUMMARY, type DrillPlan, type TimedExperiment } from './plan.js';
import { formatDrillStatus, formatOperatorStatus } from './progress.js';
import type { DrillRig } from './rig.js';

type Log = (line: string) => void;

/**
 * The load, with each chaos experiment started at its point of its phase and a live status line
 * about once a second. The engine records the script's scenarios as `phase` events itself; phases
 * declared in the game-day file are recorded here. Resolves when the load has ended and every
 * experiment rolled back.
 */
export async function playLoad(plan: DrillPlan, rig: DrillRig, run: RunDirectory, signal: AbortSignal, options: DrillOptions, log: Log): Promise<void> {
  if (plan.k6Operator) return playOnOperator(plan, rig, run, signal, options, log);
  let latest: LoadProgress | undefined;
  const chaos = chaosTriggers(plan, rig, run, signal, log, () => latest);
  const phases = plan.declaredPhases ? declaredPhaseEvents(plan, run) : () => undefined;
  const status = statusLine(rig, run, plan.totalMs, options);
  const load = await runLoadTest({
    script: plan.script,
    env: { ...plan.scriptEnv, BASE_URL: rig.baseUrl },
    engine: plan.engine === 'k6-operator' ? 'builtin' : plan.engine,
    runDir: run,
    ...(plan.readBack ? { captures: [plan.readBack.contract] } : {}),
    quiet: true,
    onProgress: (p) => {
      latest = p;
      phases(p.elapsedMs);
      chaos.due(p.elapsedMs);
      status(p);
    },
    signal,
    allowRemote: plan.allowRemote,
    // the k6-style end-of-test summary goes to summary.md and the reports, not over the verdict
    stdout: () => undefined,
  });
  phases(Number.POSITIVE_INFINITY);
  await chaos.done();
  log(`peakready: load finished (${load.engine} engine, exit ${load.exitCode})`);
}

/**
 * The load as a TestRun in the cluster: the drill follows its stage, times the phases and the
 * chaos experiments from the moment the runners were seen started (to within one status read,
 * 2 s), and fails the drill when the TestRun ends in `error` or misses its deadline.
 */
async function playOnOperator(plan: DrillPlan, rig: DrillRig, run: RunDirectory, signal: AbortSignal, options: DrillOptions, log: Log): Promise<void> {
  const op = plan.k6Operator!;
  const chaos = chaosTriggers(plan, rig, run, signal, log, () => undefined);
  // the runners record no phases: the drill writes the plan's, on the operator's clock
  const phases = declaredPhaseEvents(plan, run);
  let started = false;
  log(`peakready: the load runs on the k6-operator, namespace ${op.namespace} on ${op.server}; ${OPERATOR_GIVES_NO_SUMMARY}`);
  run.appendTimeline({ t: Date.now(), type: 'note', level: 'warn', message: OPERATOR_GIVES_NO_SUMMARY });
  const [{ K6OperatorApi }, { runOnOperator }] = await Promise.all([import('../load/k6-operator-api.js'), import('../load/k6-operator-run.js')]);
  const api = K6OperatorApi.open({ kubeconfig: op.settings.kubeconfig, context: op.settings.context, namespace: op.namespace });
  const result = await runOnOperator({
    api,
    rendered: op.rendered,
    durationMs: plan.totalMs,
    runDir: run,
    signal,
    log,
    onTick: ({ stage, elapsedMs }) => {
      started ||= ['started', 'stopped', 'finished'].includes(stage);
      if (started) {
        phases(elapsedMs);
        chaos.due(elapsedMs);
      }
      options.onStatus?.(formatOperatorStatus({ stage, elapsedMs, totalMs: plan.totalMs, parallelism: op.settings.parallelism, activeFaults: activeFaults(run.timeline(), Date.now()) }));
    },
  });
  if (started) phases(Number.POSITIVE_INFINITY);
  await chaos.done();
  if (result.outcome === 'aborted') return;
  if (result.outcome !== 'finished') throw new EnvironmentError(`the load failed on the k6-operator: ${result.reason ?? result.outcome}`);
  log(`peakready: load finished (k6-operator, TestRun ${result.namespace}/${result.name}); the script's thresholds were not read back: the k6-operator gives no summary back`);
}

/** Starts each experiment once its moment has come (if there is a Toxiproxy to run it through); `done` waits for every rollback. */
function chaosTriggers(plan: DrillPlan, rig: DrillRig, run: RunDirectory, signal: AbortSignal, log: Log, latest: () => LoadProgress | undefined) {
  const running: Array<Promise<unknown>> = [];
  const waiting = new Set<TimedExperiment>(plan.experiments);
  const loadMetrics = (): Record<string, number> => {
    const p = latest();
    return p ? { 'http_req_failed.rate': p.errorRate, 'http_req_duration.p95': p.p95Ms, 'http_reqs.rate': p.requestsPerSecond } : {};
  };
  const start = ({ experiment, during }: TimedExperiment, toxiproxyUrl: string) => {
    log(`peakready: injecting "${experiment.title}" during the ${during}`);
    const leaveToxic = plan.defects.includes('leave-toxic');
    const options = { toxiproxyUrl, runDir: run, signal, timeScale: plan.timeScale, log, loadMetrics, gateOnHypothesis: false, leaveToxic };
    running.push(
      runExperiment(experiment, options).catch((error: unknown) => {
        log(`peakready: chaos experiment failed: ${error instanceof Error ? error.message : String(error)}`);
      }),
    );
  };
  return {
    due(elapsedMs: number): void {
      const toxiproxyUrl = rig.toxiproxyUrl;
      if (!toxiproxyUrl) return;
      for (const timed of waiting) {
        if (elapsedMs < timed.startMs) continue;
        waiting.delete(timed);
        start(timed, toxiproxyUrl);
      }
    },
    done: async (): Promise<void> => {
      await Promise.all(running);
    },
  };
}

/** Writes `phase` start/end events for the phases the game-day file declares, as the load reaches them. */
function declaredPhaseEvents(plan: DrillPlan, run: RunDirectory): (elapsedMs: number) => void {
  const started = new Set<string>();
  const ended = new Set<string>();
  return (elapsedMs) => {
    for (const p of plan.phases) {
      if (!started.has(p.name) && elapsedMs >= p.startMs) {
        started.add(p.name);
        run.appendTimeline({ t: Date.now(), type: 'phase', state: 'start', phase: p.name });
      }
      if (started.has(p.name) && !ended.has(p.name) && elapsedMs >= p.startMs + p.durationMs) {
        ended.add(p.name);
        run.appendTimeline({ t: Date.now(), type: 'phase', state: 'end', phase: p.name });
      }
    }
  };
}

/** A status line at most once a second: phase, time, rates, replicas and the faults on now. */
function statusLine(rig: DrillRig, run: RunDirectory, totalMs: number, { onStatus, statusWidth }: Pick<DrillOptions, 'onStatus' | 'statusWidth'>): (p: LoadProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    onStatus?.(
      formatDrillStatus({
        phase: p.phases.at(-1) ?? 'ending',
        elapsedMs: p.elapsedMs,
        totalMs,
        requestsPerSecond: p.requestsPerSecond,
        p95Ms: p.p95Ms,
        errorRate: p.errorRate,
        replicas: rig.replicaCounts(),
        activeFaults: activeFaults(run.timeline(), now),
      }, statusWidth?.()),
    );
  };
}
