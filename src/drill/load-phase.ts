import { runExperiment } from '../faults/experiments/index.js';
import type { LoadProgress } from '../load/progress.js';
import { inspectScript, runLoadTest } from '../load/run.js';
import type { RunDirectory } from '../run/run-dir.js';
import { activeFaults } from '../run/timeline.js';
import type { DrillOptions } from './drill-options.js';
import type { DrillPlan } from './plan.js';
import { formatDrillStatus } from './progress.js';
import type { DrillRig } from './rig.js';

/** When the outage starts and how long the load lasts, from the script's own scenarios. */
interface LoadTimes {
  totalMs: number;
  outageAtMs: number;
}

/**
 * The load, with the chaos experiment injected once the surge is far enough in and a live status
 * line about once a second. The engine records `phase` events itself: the scenario names of
 * black-friday.js ARE the phases. Resolves when the load has ended and the experiment rolled back.
 */
export async function playLoad(plan: DrillPlan, rig: DrillRig, run: RunDirectory, signal: AbortSignal, options: DrillOptions, log: (line: string) => void): Promise<void> {
  const env = { ...plan.scriptEnv, BASE_URL: rig.baseUrl };
  const times = await loadTimes(plan, env);
  let latest: LoadProgress | undefined;
  const chaos = chaosTrigger(plan, rig, run, signal, log, () => latest);
  const status = statusLine(rig, run, times.totalMs, options.onStatus);
  const load = await runLoadTest({
    script: plan.script,
    env,
    runDir: run,
    quiet: true,
    onProgress: (p) => {
      latest = p;
      if (p.elapsedMs >= times.outageAtMs) chaos.start();
      status(p);
    },
    signal,
    allowRemote: options.allowRemote ?? false,
    // the k6-style end-of-test summary goes to summary.md and the reports, not over the verdict
    stdout: () => undefined,
  });
  await chaos.done();
  log(`peakready: load finished (${load.engine} engine, exit ${load.exitCode})`);
}

async function loadTimes(plan: DrillPlan, env: Record<string, string>): Promise<LoadTimes> {
  const { scenarios } = await inspectScript(plan.script, env);
  const totalMs = Math.max(...scenarios.map((s) => s.startMs + s.durationMs));
  const surge = scenarios.find((s) => s.name === 'surge') ?? scenarios[Math.floor(scenarios.length / 2)]!;
  return { totalMs, outageAtMs: surge.startMs + surge.durationMs * plan.profile.outageStartFraction };
}

/** Starts the experiment once (if there is one and a Toxiproxy to run it through); `done` waits for its rollback. */
function chaosTrigger(plan: DrillPlan, rig: DrillRig, run: RunDirectory, signal: AbortSignal, log: (line: string) => void, latest: () => LoadProgress | undefined) {
  let running: Promise<unknown> | undefined;
  const loadMetrics = (): Record<string, number> => {
    const p = latest();
    return p ? { 'http_req_failed.rate': p.errorRate, 'http_req_duration.p95': p.p95Ms, 'http_reqs.rate': p.requestsPerSecond } : {};
  };
  return {
    start(): void {
      const { experiment } = plan;
      const toxiproxyUrl = rig.toxiproxyUrl;
      if (!experiment || !toxiproxyUrl || running) return;
      log(`peakready: injecting "${experiment.title}" during the surge`);
      running = runExperiment(experiment, { toxiproxyUrl, runDir: run, signal, timeScale: plan.timeScale, log, loadMetrics, gateOnHypothesis: false }).catch((error: unknown) => {
        log(`peakready: chaos experiment failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    },
    done: async (): Promise<void> => {
      await running;
    },
  };
}

/** A status line at most once a second: phase, time, rates, replicas and the faults on now. */
function statusLine(rig: DrillRig, run: RunDirectory, totalMs: number, onStatus: DrillOptions['onStatus']): (p: LoadProgress) => void {
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
      }),
    );
  };
}
