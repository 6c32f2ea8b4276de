import { onShutdown } from '../../lifecycle/shutdown.js';
import type { RunDirectory } from '../../run/run-dir.js';
import { realClock, type Clock } from '../../util/clock.js';
import { FaultClient } from './client.js';
import { ProbeFeed, type ChaosProgress } from './probe-feed.js';
import { runProbe, type ProbeOutcome } from './probes.js';
import { chaosPlan, type ChaosPlan, type Stage } from './schedule.js';
import type { ChaosAction, ChaosExperiment } from './schema.js';
import { FaultSession, type RollbackReport } from './session.js';
import { defaultGatewayUrl } from './targets.js';
import { pause, probeWhileFaulted, runSteps } from './timed-steps.js';

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
  /** times the method's steps and the probes' interval and settle (default: the real clock) */
  clock?: Clock;
  /** the seeded defect `leave-toxic`: a toxic outlives the experiment (FaultSession) */
  leaveToxic?: boolean;
  /** after every probe round and stage change: for a progress line (`formatChaosProgress`) */
  onProgress?: (progress: ChaosProgress) => void;
}

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
export function runExperiment(experiment: ChaosExperiment, options: RunExperimentOptions): Promise<ExperimentResult> {
  return new ExperimentRun(experiment, options).run();
}

/** One run of an experiment: its plan, its clock, and the result it fills in as it goes. */
class ExperimentRun {
  private readonly log: (line: string) => void;
  private readonly clock: Clock;
  private readonly client: FaultClient;
  private readonly plan: ChaosPlan;
  private readonly vars: Record<string, string>;
  private readonly result: ExperimentResult;
  /** which probe results get a line: changes and failures, not every round */
  private readonly feed: ProbeFeed;
  /** probes that cannot run in this experiment at all (a load probe with no load): run once, then left out */
  private readonly neverRun = new Set<string>();
  private readonly startedAt: number;
  private stage: Stage = 'before';
  private session: FaultSession | undefined;

  constructor(
    private readonly experiment: ChaosExperiment,
    private readonly options: RunExperimentOptions,
  ) {
    this.log = options.log ?? (() => undefined);
    this.clock = options.clock ?? realClock;
    this.client = new FaultClient(options.toxiproxyUrl);
    this.plan = chaosPlan(experiment, options.timeScale ?? 1);
    this.vars = { gateway: defaultGatewayUrl(), toxiproxy: options.toxiproxyUrl, ...options.vars };
    this.feed = new ProbeFeed(this.log, () => this.clock.now());
    this.startedAt = this.clock.now();
    this.result = {
      title: experiment.title,
      file: experiment.file,
      status: 'ok',
      startedAt: Date.now(),
      endedAt: 0,
      probes: [],
      rollback: { toxicsRemoved: [], proxiesEnabled: [], restored: [], errors: [] },
    };
  }

  async run(): Promise<ExperimentResult> {
    const { experiment, options, log } = this;
    for (const proxy of new Set([...experiment.method, ...experiment.rollbacks].map((a) => a.proxy))) await this.client.requireProxy(proxy);
    const steadyBefore = await this.check('before');
    if (!steadyBefore && options.gateOnHypothesis !== false) {
      log('peakready: the steady state does not hold before any fault; nothing injected');
      return this.end('aborted');
    }
    if (!steadyBefore) log('peakready: the steady state does not hold before the fault; injecting anyway (recorded as evidence)');
    this.session = new FaultSession(this.client, experiment.title, options.runDir, log, options.leaveToxic);
    this.enter('during');
    const duringOk = await this.faultPhase(this.session);
    if (options.signal?.aborted) return this.end('interrupted');
    this.enter('after');
    await pause(this.clock, this.plan.settleMs, options.signal);
    const afterOk = await this.check('after');
    if (this.result.status === 'ok' && !(steadyBefore && duringOk && afterOk)) this.result.status = 'deviated';
    return this.end(this.result.status);
  }

  /** The method's steps while the `during` probes watch; then everything rolled back, whatever happened. Resolves whether `during` held. */
  private async faultPhase(session: FaultSession): Promise<boolean> {
    const { experiment, options, result } = this;
    const unregister = onShutdown(`chaos rollback (${experiment.title})`, async () => void (await session.rollbackAll()));
    const methodDone = new AbortController();
    const stop = options.signal ? AbortSignal.any([options.signal, methodDone.signal]) : methodDone.signal;
    const during = probeWhileFaulted(session, (counts) => this.check('during', counts), this.plan.intervalMs, this.clock, stop);
    try {
      await runSteps(this.plan.steps, experiment.method, session, this.clock, options.signal);
    } catch (error) {
      result.status = 'error';
      result.error = error instanceof Error ? error.message : String(error);
      this.log(`peakready: experiment stopped: ${result.error}`);
    } finally {
      methodDone.abort();
    }
    const duringOk = await during;
    result.rollback = await session.rollbackAll();
    for (const rollback of experiment.rollbacks) {
      await session.applyFinal(rollback as ChaosAction).catch((error: unknown) => result.rollback.errors.push(`${rollback.action} ${rollback.proxy}: ${String(error)}`));
    }
    unregister();
    return duringOk;
  }

  /** Runs the stage's probes and records each; `counts`: whether a pass saw only the fault state its stage stands for (a failure always counts). */
  private async check(stage: Stage, counts: () => boolean = () => true): Promise<boolean> {
    let ok = true;
    for (const probe of this.plan.probes[stage]) {
      if (this.neverRun.has(probe.name)) continue;
      const outcome = await runProbe(probe, { vars: this.vars, ...(this.options.loadMetrics ? { loadMetrics: this.options.loadMetrics } : {}) });
      // a pass while a fault was being switched proves nothing about "during": not counted, not shown
      if (outcome.ok && !outcome.skipped && !counts()) continue;
      if (outcome.skipped && !this.options.loadMetrics) this.neverRun.add(probe.name);
      const t = Date.now();
      this.result.probes.push({ probe: probe.name, stage, t, ...outcome });
      this.options.runDir?.appendTimeline({ t, type: 'probe', experiment: this.experiment.title, probe: probe.name, stage, ok: outcome.ok, value: outcome.value, ...(outcome.detail ? { detail: outcome.detail } : {}) });
      this.feed.record(stage, probe.name, outcome);
      ok &&= outcome.ok;
    }
    this.progress();
    return ok;
  }

  private enter(stage: Stage): void {
    this.stage = stage;
    this.progress();
  }

  private progress(): void {
    const { onProgress } = this.options;
    if (!onProgress) return;
    const methodMs = Math.max(0, ...this.plan.steps.map((s) => s.atMs));
    onProgress({
      stage: this.stage,
      elapsedMs: this.clock.now() - this.startedAt,
      totalMs: methodMs + this.plan.settleMs,
      faultsOn: this.session?.activeCount ?? 0,
      tally: { ...this.feed.tally },
    });
  }

  private end(status: ExperimentResult['status']): ExperimentResult {
    return { ...this.result, status, endedAt: Date.now() };
  }
}
