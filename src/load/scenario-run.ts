import { Coordinator, workerCount, type CoordinatorEvents } from './coordinator.js';
import type { RunLoadOptions } from './engine.js';
import { scenarioData, scenarioWindows } from './options.js';
import { forwardSamples, type PreparedTest } from './prepared-test.js';
import { ProgressMeter } from './progress.js';
import type { ScriptWorker } from './script-worker.js';
import type { WorkerInit } from './worker-protocol.js';

/**
 * The scenarios' run, seen from the main thread: the instances started with the options resolved
 * once, every merged tick turned into progress, phase events, `vus` samples and a threshold check
 * (abortOnFail stops the instances), until every instance is done.
 */

export interface ScenarioOutcome {
  /** why the run stopped early, when it did */
  aborted: string | undefined;
  /** exec.test.fail()'s reason, when the script called it */
  failedMark: string | undefined;
}

type TickState = Parameters<CoordinatorEvents['onTick']>[0];

/** Past the scenarios' end and gracefulStop, how long before the instances are stopped from here (their own executors stop them first). */
const END_SLACK_MS = 1000;

export class ScenarioRun {
  private aborted: string | undefined;
  private failedMark: string | undefined;
  private scenariosStarted: number;
  private readonly meter: ProgressMeter;
  private readonly coordinator: Coordinator;

  constructor(
    private readonly test: PreparedTest,
    private readonly run: RunLoadOptions,
    /** epoch ms the test started (before setup) */
    private readonly started: number,
  ) {
    this.scenariosStarted = started;
    const totalMs = Math.max(0, ...scenarioWindows(test.options).map((w) => w.startMs + w.durationMs));
    this.meter = new ProgressMeter(test.aggregator, totalMs, run.quiet ?? false, run.onProgress);
    this.coordinator = new Coordinator(test.aggregator, {
      onRequests: (records) => test.requests.add(records),
      onSamples: (samples) => forwardSamples(test.outputs, samples),
      onAbortTest: (reason) => {
        this.aborted ??= reason;
        this.coordinator.abort(reason);
      },
      onMarkFailed: (reason) => (this.failedMark ??= reason),
      onTick: (state) => this.onTick(state),
    });
  }

  /**
   * Runs every scenario to its end (or the test's abort) with `setupData` for the VUs: instance 0
   * on `first` (the worker that ran setup; kept alive for teardown when it ends well), the others
   * on workers from `spawn`.
   */
  async complete(setupData: unknown, first: ScriptWorker, spawn: (index: number) => ScriptWorker): Promise<ScenarioOutcome> {
    const { run, coordinator } = this;
    const onSignal = () => {
      this.aborted ??= 'stopped by the user';
      coordinator.abort(this.aborted);
    };
    run.signal?.addEventListener('abort', onSignal, { once: true });
    try {
      await coordinator.start(this.instanceCount(), this.workerInit(setupData), first, spawn);
      if (run.signal?.aborted) onSignal();
      this.scenariosStarted = Date.now() + 20;
      coordinator.begin(this.scenariosStarted);
      await coordinator.finished(this.scenariosStarted + this.lastEndMs + END_SLACK_MS);
    } finally {
      run.signal?.removeEventListener('abort', onSignal);
      this.meter.stop();
      await coordinator.stop(first);
    }
    for (const [name] of this.meter.phaseChanges(new Set())) run.runDir?.appendTimeline({ t: Date.now(), type: 'phase', state: 'end', phase: name });
    return { aborted: this.aborted, failedMark: this.failedMark };
  }

  /** What every instance starts from: data only, the scenarios already resolved. */
  private workerInit(setupData: unknown): Omit<WorkerInit, 'segment'> {
    return { ...this.test.settings, scenarios: scenarioData(this.test.options), setupData };
  }

  /** ms from the scenarios' start to the last one's end, gracefulStop included (k6 interrupts what runs past it). */
  private get lastEndMs(): number {
    return Math.max(0, ...scenarioWindows(this.test.options).map((w) => w.maxEndMs));
  }

  private instanceCount(): number {
    const scenarios = this.test.options.scenarios;
    const maxVus = scenarios.reduce((sum, s) => sum + s.executor.maxVus(s.config), 0);
    const rates = scenarios.map((s) => s.executor.peakRatePerSecond?.(s.config));
    const arrivalOnlyPeakRate = rates.every((r) => r !== undefined) ? rates.reduce((a, r) => a + r!, 0) : undefined;
    return workerCount(maxVus, arrivalOnlyPeakRate);
  }

  private onTick(state: TickState): void {
    const { test, run } = this;
    this.meter.update(state, this.scenariosStarted);
    for (const [name, active] of this.meter.phaseChanges(state.running)) {
      run.runDir?.appendTimeline({ t: Date.now(), type: 'phase', state: active ? 'start' : 'end', phase: name });
    }
    const now = Date.now();
    const gauges = [
      { metric: 'vus', value: state.activeVus, tags: test.options.tags, time: now },
      { metric: 'vus_max', value: state.initialisedVus, tags: test.options.tags, time: now },
    ];
    for (const sample of gauges) test.aggregator.add(sample);
    // the outputs (--out) see them too, as k6's do
    forwardSamples(test.outputs, gauges);
    test.requests.flush();
    const evaluation = test.evaluator.evaluate(test.aggregator, now - this.started);
    if (evaluation.abort && !this.aborted) {
      this.aborted = `thresholds crossed with abortOnFail: ${evaluation.results.filter((r) => !r.ok && r.abortOnFail).map((r) => `${r.key} ${r.source}`).join(', ')}`;
      this.coordinator.abort(this.aborted);
    }
  }
}
