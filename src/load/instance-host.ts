import { setMaxListeners } from 'node:events';
import { dirname } from 'node:path';
import { PeakreadyError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { compileCaptures } from '../readback/contract.js';
import type { RequestRecord } from '../run/records.js';
import { realClock } from '../util/clock.js';
import { LoadInstance } from './instance.js';
import { MetricsAggregator } from './metrics/aggregator.js';
import type { Sample, SampleSink } from './metrics/types.js';
import { closeConnections } from './modules/http-client.js';
import { scenarioPlans, type ScenarioPlan } from './options.js';
import type { ScriptConsole } from './script/console.js';
import type { ScriptProgram } from './script/loader.js';
import type { InstanceContext } from './vu-context.js';
import type { InstanceSettings, MainToWorker, MetricsDelta, ScriptWorkerData, WorkerInit, WorkerToMain } from './worker-protocol.js';

/**
 * One instance's run on a load worker (its segment of every scenario's VUs or arrival rate).
 * Every TICK_MS it posts its counts and the metrics delta since the last tick.
 */

const TICK_MS = 500;

export interface InstanceLink {
  post(message: WorkerToMain): void;
  /** registers the handler of the main thread's messages */
  listen(handler: (message: MainToWorker) => void): void;
  /** the worker's script, already compiled */
  program: ScriptProgram;
  console: ScriptConsole;
}

/** What a worker gathers between posts: its aggregator's delta, request records and, for --out json, raw samples. */
export class WorkerMetrics {
  private readonly aggregator: MetricsAggregator;
  private requests: RequestRecord[] = [];
  private samples: Sample[] = [];
  readonly sink: SampleSink;
  readonly recordRequest: ((record: RequestRecord) => void) | null;

  constructor(settings: InstanceSettings) {
    this.aggregator = new MetricsAggregator({ submetrics: settings.submetrics, trendStats: settings.trendStats });
    const aggregator = this.aggregator;
    this.sink = settings.forwardSamples
      ? { define: (d) => aggregator.define(d), add: (s) => (aggregator.add(s), void this.samples.push(s)) }
      : aggregator;
    this.recordRequest = settings.recordRequests ? (r) => void this.requests.push(r) : null;
  }

  drain(): MetricsDelta {
    const delta = { snapshot: this.aggregator.drain(), requests: this.requests, samples: this.samples };
    this.requests = [];
    this.samples = [];
    return delta;
  }
}

/** The fields of an InstanceContext that come from the test's settings (the rest is per instance). */
export function settingsContext(settings: InstanceSettings, metrics: WorkerMetrics): Pick<InstanceContext, 'sink' | 'recordRequest' | 'captures' | 'httpDefaults' | 'globalTags' | 'options' | 'testStartedAt'> {
  return {
    sink: metrics.sink,
    recordRequest: metrics.recordRequest,
    captures: compileCaptures(settings.captures),
    httpDefaults: settings.httpDefaults,
    globalTags: settings.globalTags,
    options: settings.options,
    testStartedAt: settings.testStartedAt,
  };
}

export function hostInstance(data: ScriptWorkerData, init: WorkerInit, link: InstanceLink): HostedInstance {
  const hosted = new HostedInstance(data, init, link);
  hosted.run().catch((error: unknown) => {
    const exitCode = error instanceof PeakreadyError ? error.exitCode : ExitCode.internal;
    link.post({ type: 'fatal', message: error instanceof Error ? error.message : String(error), exitCode });
  });
  return hosted;
}

export class HostedInstance {
  private readonly testAbort = new AbortController();
  private readonly metrics: WorkerMetrics;
  private readonly context: InstanceContext;
  private readonly running = new Set<string>();
  private instance: LoadInstance | undefined;

  constructor(
    data: ScriptWorkerData,
    private readonly init: WorkerInit,
    private readonly link: InstanceLink,
  ) {
    setMaxListeners(0, this.testAbort.signal);
    this.metrics = new WorkerMetrics(init);
    this.context = {
      ...settingsContext(init, this.metrics),
      scriptDir: dirname(data.script),
      env: data.env,
      allowRemote: data.allowRemote,
      abortTest: (reason) => {
        link.post({ type: 'abort-test', reason });
        this.testAbort.abort();
      },
      markFailed: (reason) => link.post({ type: 'mark-failed', reason }),
      sharedArrays: new Map(),
      instance: { iterationsCompleted: 0, iterationsInterrupted: 0, vusActive: 0, vusInitialized: 0, startedAt: Date.now() },
      console: link.console,
      secrets: data.secrets,
    };
  }

  /** A promise rejected with no handler while this instance runs: logged as an iteration error. */
  uncaught(error: unknown): void {
    if (this.instance) this.instance.logUncaught(error);
    else process.stderr.write(`peakready: iteration error: Uncaught (in promise) ${this.link.program.describeError(error)}\n`);
  }

  async run(): Promise<void> {
    const plans = scenarioPlans(this.init.scenarios);
    this.instance = new LoadInstance(this.link.program, this.context, this.init.segment, this.init.setupData);
    const start = await this.ready();
    const timer = setInterval(() => this.tick('tick'), TICK_MS);
    const startPerf = performance.now() + (start - Date.now());
    try {
      await Promise.all(plans.map((plan) => this.runScenario(plan, startPerf)));
    } finally {
      clearInterval(timer);
    }
    await closeConnections();
    this.tick('done');
  }

  /** Says it is ready and resolves with the epoch the main thread starts every instance at. */
  private ready(): Promise<number> {
    return new Promise<number>((resolve) => {
      this.link.listen((m) => {
        if (m.type === 'start') resolve(m.startAtEpoch);
        else if (m.type === 'abort') this.testAbort.abort();
      });
      this.link.post({ type: 'ready' });
    });
  }

  /** One scenario's share, from its startTime (on the test's clock) until its executor returns. */
  private async runScenario(plan: ScenarioPlan, startPerf: number): Promise<void> {
    const signal = this.testAbort.signal;
    const wait = startPerf + plan.config.startTime - realClock.now();
    if (wait > 0) await realClock.sleep(wait, signal);
    if (signal.aborted) return;
    const ctx = this.instance!.scenarioContext(plan, realClock, signal, Date.now());
    this.running.add(plan.name);
    try {
      await plan.executor.run(plan.config, ctx);
    } finally {
      this.running.delete(plan.name);
    }
  }

  private tick(type: 'tick' | 'done'): void {
    this.link.post({
      type,
      ...this.metrics.drain(),
      activeVus: this.instance?.active ?? 0,
      initialisedVus: this.instance?.vusInitialised ?? 0,
      definitions: [],
      runningScenarios: [...this.running],
    });
  }
}
