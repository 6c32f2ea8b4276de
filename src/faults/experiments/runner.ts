import { setTimeout as sleep } from 'node:timers/promises';
import { onShutdown } from '../../lifecycle/shutdown.js';
import type { RunDirectory } from '../../run/run-dir.js';
import { FaultClient } from './client.js';
import { runProbe, type ProbeOutcome } from './probes.js';
import { FaultSession, type RollbackReport } from './session.js';
import type { ChaosAction, ChaosExperiment } from './schema.js';
import { defaultGatewayUrl } from './targets.js';

export interface RunExperimentOptions {
  toxiproxyUrl: string;
  runDir?: RunDirectory;
  signal?: AbortSignal;
  log?: (line: string) => void;
  loadMetrics?: () => Record<string, number>;
  /** multiplies every `at` and `duration` (the drill compresses time); probes' interval and settle stay real */
  timeScale?: number;
  /** values for `${name}` in probe URLs; `gateway` defaults to the running stack's gateway */
  vars?: Record<string, string>;
  /**
   * true (default): a steady state that does not hold before any fault aborts the experiment, as
   * chaos engineering asks. false: the probes are recorded as evidence and the faults go in anyway
   * (the drill judges with its own checks and must not lose the outage to a slow machine).
   */
  gateOnHypothesis?: boolean;
}

export type Stage = 'before' | 'during' | 'after';
export interface ProbeResult extends ProbeOutcome {
  probe: string;
  stage: Stage;
  t: number;
}

export interface ExperimentResult {
  title: string;
  file: string;
  /** ok: the hypothesis held throughout; deviated: a probe failed; aborted: it did not hold before, nothing injected */
  status: 'ok' | 'deviated' | 'aborted' | 'interrupted' | 'error';
  startedAt: number;
  endedAt: number;
  probes: ProbeResult[];
  rollback: RollbackReport;
  error?: string;
}

/**
 * Runs an experiment against a Toxiproxy API: checks the steady-state hypothesis, applies the
 * method's actions at their offsets (each undone after its duration), probes while faults are on,
 * rolls everything back (also on error, abort, Ctrl-C or SIGTERM) and checks the hypothesis again.
 */
export async function runExperiment(experiment: ChaosExperiment, options: RunExperimentOptions): Promise<ExperimentResult> {
  const log = options.log ?? (() => undefined);
  const client = new FaultClient(options.toxiproxyUrl);
  const hypothesis = experiment['steady-state-hypothesis'];
  const vars = { gateway: defaultGatewayUrl(), toxiproxy: options.toxiproxyUrl, ...options.vars };
  const result: ExperimentResult = {
    title: experiment.title,
    file: experiment.file,
    status: 'ok',
    startedAt: Date.now(),
    endedAt: 0,
    probes: [],
    rollback: { toxicsRemoved: [], proxiesEnabled: [], errors: [] },
  };
  for (const proxy of new Set([...experiment.method, ...experiment.rollbacks].map((a) => a.proxy))) await client.requireProxy(proxy);

  /** `counts`: whether a probe that passed saw only the fault state its stage stands for (a failure always counts) */
  const check = async (stage: Stage, counts: () => boolean = () => true): Promise<boolean> => {
    let ok = true;
    for (const probe of hypothesis.probes.filter((p) => p.when.includes(stage))) {
      const outcome = await runProbe(probe, { vars, ...(options.loadMetrics ? { loadMetrics: options.loadMetrics } : {}) });
      if (outcome.ok && !counts()) {
        log(`peakready: probe ${stage} ${probe.name} passed while a fault was being switched; not counted`);
        continue;
      }
      const t = Date.now();
      result.probes.push({ probe: probe.name, stage, t, ...outcome });
      options.runDir?.appendTimeline({ t, type: 'probe', experiment: experiment.title, probe: probe.name, stage, ok: outcome.ok, value: outcome.value, ...(outcome.detail ? { detail: outcome.detail } : {}) });
      log(`peakready: probe ${stage} ${outcome.ok ? 'ok  ' : 'FAIL'} ${probe.name}: ${outcome.detail ?? outcome.value}`);
      ok &&= outcome.ok;
    }
    return ok;
  };

  const steadyBefore = await check('before');
  if (!steadyBefore && options.gateOnHypothesis !== false) {
    log('peakready: the steady state does not hold before any fault; nothing injected');
    return { ...result, status: 'aborted', endedAt: Date.now() };
  }
  if (!steadyBefore) log('peakready: the steady state does not hold before the fault; injecting anyway (recorded as evidence)');
  const session = new FaultSession(client, experiment.title, options.runDir, log);
  const unregister = onShutdown(`chaos rollback (${experiment.title})`, async () => void (await session.rollbackAll()));
  const methodDone = new AbortController();
  const stop = options.signal ? AbortSignal.any([options.signal, methodDone.signal]) : methodDone.signal;
  let duringOk = true;
  const during = (async () => {
    while (!stop.aborted) {
      await pause(hypothesis.interval, stop);
      if (stop.aborted || session.activeCount === 0) continue;
      // a pass counts only if the faults stood still, fully applied, for the whole probe (one that
      // passed while a fault was still being applied or already being lifted proves nothing about
      // "during"); a failure always counts
      const stamp = session.stamp();
      duringOk = (await check('during', () => stamp !== undefined && session.stamp() === stamp)) && duringOk;
    }
  })();
  try {
    await runMethod(experiment.method, session, options.timeScale ?? 1, options.signal);
  } catch (error) {
    result.status = 'error';
    result.error = error instanceof Error ? error.message : String(error);
    log(`peakready: experiment stopped: ${result.error}`);
  } finally {
    methodDone.abort();
    await during;
    result.rollback = await session.rollbackAll();
    for (const rollback of experiment.rollbacks) {
      await session.apply(rollback as ChaosAction).catch((error: unknown) => result.rollback.errors.push(`${rollback.action} ${rollback.proxy}: ${String(error)}`));
    }
    unregister();
  }
  if (options.signal?.aborted) return { ...result, status: 'interrupted', endedAt: Date.now() };
  await pause(hypothesis.settle, options.signal);
  const afterOk = await check('after');
  if (result.status === 'ok' && !(steadyBefore && duringOk && afterOk)) result.status = 'deviated';
  return { ...result, endedAt: Date.now() };
}

/** Each action at its offset, each undone when its duration is over; undo before do at the same instant. */
async function runMethod(actions: readonly ChaosAction[], session: FaultSession, scale: number, signal?: AbortSignal): Promise<void> {
  const reverts = new Map<number, () => Promise<void>>();
  // a fault lasts its full duration from the moment it was in place: a slow API call that
  // applied it late must not shorten it (the timeline's on/off events are that far apart)
  const appliedAt = new Map<number, number>();
  const steps = actions.flatMap((action, i) => [
    {
      t: action.at * scale,
      order: 1,
      notBefore: () => 0,
      run: async () => {
        reverts.set(i, await session.apply(action));
        appliedAt.set(i, performance.now());
      },
    },
    ...(action.duration !== undefined
      ? [{ t: (action.at + action.duration) * scale, order: 0, notBefore: () => (appliedAt.get(i) ?? 0) + action.duration! * scale, run: async () => reverts.get(i)?.() }]
      : []),
  ]);
  steps.sort((a, b) => a.t - b.t || a.order - b.order);
  const start = performance.now();
  for (const step of steps) {
    await pause(Math.max(start + step.t, step.notBefore()) - performance.now(), signal);
    if (signal?.aborted) return;
    await step.run();
  }
}

async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return;
  await sleep(ms, undefined, signal ? { signal } : {}).catch(() => undefined);
}
