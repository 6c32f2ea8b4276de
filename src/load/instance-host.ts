import { setMaxListeners } from 'node:events';
import { dirname } from 'node:path';
import { PeakreadyError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { RequestRecord } from '../run/records.js';
import { realClock } from '../util/clock.js';
import { LoadInstance } from './instance.js';
import { MetricsAggregator } from './metrics/aggregator.js';
import type { MetricDefinition, Sample, SampleSink } from './metrics/types.js';
import { closeConnections } from './modules/http-client.js';
import { resolveOptions } from './options.js';
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
  const { post } = link;
  const testAbort = new AbortController();
  setMaxListeners(0, testAbort.signal);
  const local = link.aggregator === undefined;
  const aggregator = link.aggregator ?? new MetricsAggregator({ submetrics: init.submetrics, trendStats: init.trendStats });
  let requests: RequestRecord[] = [];
  let samples: Sample[] = [];
  const sink: SampleSink = init.forwardSamples
    ? {
        define: (d: MetricDefinition) => aggregator.define(d),
        add: (s: Sample) => {
          aggregator.add(s);
          samples.push(s);
        },
      }
    : aggregator;

  const context: InstanceContext = {
    sink,
    globalTags: init.globalTags,
    scriptDir: dirname(init.script),
    env: init.env,
    allowRemote: init.allowRemote,
    httpDefaults: init.httpDefaults,
    recordRequest: init.recordRequests ? (r) => void requests.push(r) : null,
    abortTest: (reason) => {
      post({ type: 'abort-test', reason });
      testAbort.abort();
    },
    markFailed: (reason) => post({ type: 'mark-failed', reason }),
    sharedArrays: new Map(),
    instance: { iterationsCompleted: 0, iterationsInterrupted: 0, vusActive: 0, vusInitialized: 0, startedAt: Date.now() },
    testStartedAt: init.testStartedAt,
    options: init.options,
  };

  const running = new Set<string>();
  let instance: LoadInstance | undefined;

  const tick = (type: 'tick' | 'done') => {
    post({
      type,
      snapshot: local ? aggregator.drain() : null,
      activeVus: instance?.active ?? 0,
      initialisedVus: instance?.vusInitialised ?? 0,
      requests,
      samples,
      definitions: [],
      runningScenarios: [...running],
    });
    requests = [];
    samples = [];
  };

  const main = async () => {
    const program = link.program ?? new ScriptProgram(init.script);
    const options = resolveOptions(init.options, init.script, init.overrides);
    instance = new LoadInstance(program, context, init.segment, init.setupData);
    const start = await new Promise<number>((resolve) => {
      link.listen((m) => {
        if (m.type === 'start') resolve(m.startAtEpoch);
        else if (m.type === 'abort') testAbort.abort();
      });
      post({ type: 'ready' });
    });
    const timer = setInterval(() => tick('tick'), TICK_MS);
    const startPerf = performance.now() + (start - Date.now());
    try {
      await Promise.all(
        options.scenarios.map(async (plan) => {
          const at = startPerf + plan.config.startTime;
          const wait = at - realClock.now();
          if (wait > 0) await realClock.sleep(wait, testAbort.signal);
          if (testAbort.signal.aborted) return;
          const ctx = instance!.scenarioContext(plan, realClock, testAbort.signal, Date.now());
          running.add(plan.name);
          try {
            await plan.executor.run(plan.config, ctx);
          } finally {
            running.delete(plan.name);
          }
        }),
      );
    } finally {
      clearInterval(timer);
    }
    await closeConnections();
    tick('done');
  };

  main().catch((error: unknown) => {
    const exitCode = error instanceof PeakreadyError ? error.exitCode : ExitCode.internal;
    post({ type: 'fatal', message: error instanceof Error ? error.message : String(error), exitCode });
  });
}
