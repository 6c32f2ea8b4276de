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
import { ScriptProgram } from './script/loader.js';
import type { InstanceContext } from './vu-context.js';
import type { MainToWorker, WorkerInit, WorkerToMain } from './worker-protocol.js';

/**
 * One instance's run (its segment of every scenario's VUs or arrival rate), wherever it lives:
 * a worker thread (worker.ts) or, for a test one thread serves, the main thread itself. Every
 * TICK_MS it posts its counts and, with its own aggregator, the metrics delta since the last tick.
 */

const TICK_MS = 500;

export interface InstanceLink {
  post(message: WorkerToMain): void;
  /** registers the handler of the main thread's messages */
  listen(handler: (message: MainToWorker) => void): void;
  /**
   * In the main thread: the test's aggregator, which takes samples directly (no delta to post).
   * In a worker: undefined, samples go to a local aggregator drained at every tick.
   */
  aggregator?: MetricsAggregator;
  /** In the main thread: the script, already compiled there. */
  program?: ScriptProgram;
}

export function hostInstance(init: WorkerInit, link: InstanceLink): void {
  new HostedInstance(init, link).run().catch((error: unknown) => {
    const exitCode = error instanceof PeakreadyError ? error.exitCode : ExitCode.internal;
    link.post({ type: 'fatal', message: error instanceof Error ? error.message : String(error), exitCode });
  });
}

class HostedInstance {
  private readonly testAbort = new AbortController();
  /** true when this instance keeps its own aggregator (a worker) and posts its deltas */
  private readonly ownAggregator: boolean;
  private readonly aggregator: MetricsAggregator;
  private readonly context: InstanceContext;
  private readonly running = new Set<string>();
  private instance: LoadInstance | undefined;
  private requests: RequestRecord[] = [];
  private samples: Sample[] = [];

  constructor(
    private readonly init: WorkerInit,
    private readonly link: InstanceLink,
  ) {
    setMaxListeners(0, this.testAbort.signal);
    this.ownAggregator = link.aggregator === undefined;
    this.aggregator = link.aggregator ?? new MetricsAggregator({ submetrics: init.submetrics, trendStats: init.trendStats });
    this.context = this.instanceContext();
  }

  private sink(): SampleSink {
    if (!this.init.forwardSamples) return this.aggregator;
    return {
      define: (d) => this.aggregator.define(d),
      add: (s) => {
        this.aggregator.add(s);
        this.samples.push(s);
      },
    };
  }

  private instanceContext(): InstanceContext {
    const { init, link } = this;
    return {
      sink: this.sink(),
      globalTags: init.globalTags,
      scriptDir: dirname(init.script),
      env: init.env,
      allowRemote: init.allowRemote,
      httpDefaults: init.httpDefaults,
      recordRequest: init.recordRequests ? (r) => void this.requests.push(r) : null,
      captures: compileCaptures(init.captures),
      abortTest: (reason) => {
        link.post({ type: 'abort-test', reason });
        this.testAbort.abort();
      },
      markFailed: (reason) => link.post({ type: 'mark-failed', reason }),
      sharedArrays: new Map(),
      instance: { iterationsCompleted: 0, iterationsInterrupted: 0, vusActive: 0, vusInitialized: 0, startedAt: Date.now() },
      testStartedAt: init.testStartedAt,
      options: init.options,
      secrets: init.secrets,
    };
  }

  async run(): Promise<void> {
    const program = this.link.program ?? new ScriptProgram(this.init.script);
    const plans = scenarioPlans(this.init.scenarios);
    this.instance = new LoadInstance(program, this.context, this.init.segment, this.init.setupData);
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
      snapshot: this.ownAggregator ? this.aggregator.drain() : null,
      activeVus: this.instance?.active ?? 0,
      initialisedVus: this.instance?.vusInitialised ?? 0,
      requests: this.requests,
      samples: this.samples,
      definitions: [],
      runningScenarios: [...this.running],
    });
    this.requests = [];
    this.samples = [];
  }
}
