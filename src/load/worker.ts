import { setMaxListeners } from 'node:events';
import { dirname } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { PeakreadyError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { RequestRecord } from '../run/records.js';
import { realClock, LoadInstance } from './instance.js';
import { MetricsAggregator } from './metrics/aggregator.js';
import type { MetricDefinition, Sample, SampleSink } from './metrics/types.js';
import { closeConnections } from './modules/http-client.js';
import { resolveOptions } from './options.js';
import { ScriptProgram } from './script/loader.js';
import type { InstanceContext } from './vu-context.js';
import type { MainToWorker, WorkerInit, WorkerToMain } from './worker-protocol.js';

/**
 * A load worker thread: its share (segment) of every scenario's VUs or arrival rate, metrics
 * aggregated here and posted to the main thread as deltas every TICK_MS.
 */

const TICK_MS = 500;
const init = workerData as WorkerInit;
const port = parentPort!;
const post = (message: WorkerToMain) => port.postMessage(message);

const testAbort = new AbortController();
setMaxListeners(0, testAbort.signal);
const aggregator = new MetricsAggregator({ submetrics: init.submetrics, trendStats: init.trendStats });
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

function tick(type: 'tick' | 'done'): void {
  post({
    type,
    snapshot: aggregator.drain(),
    activeVus: instance?.active ?? 0,
    initialisedVus: instance?.vusInitialised ?? 0,
    requests,
    samples,
    definitions: [],
    runningScenarios: [...running],
  });
  requests = [];
  samples = [];
}

async function main(): Promise<void> {
  const program = new ScriptProgram(init.script);
  const options = resolveOptions(init.options, init.script, init.overrides);
  instance = new LoadInstance(program, context, init.segment, init.setupData);
  const start = await new Promise<number>((resolve) => {
    port.on('message', (m: MainToWorker) => {
      if (m.type === 'start') resolve(m.startAtEpoch);
      else if (m.type === 'abort') testAbort.abort();
    });
    post({ type: 'ready' });
  });
  const timer = setInterval(() => tick('tick'), TICK_MS);
  const startPerf = performance.now() + (start - Date.now());
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
  clearInterval(timer);
  await closeConnections();
  tick('done');
}

main().catch((error: unknown) => {
  const exitCode = error instanceof PeakreadyError ? error.exitCode : ExitCode.internal;
  post({ type: 'fatal', message: error instanceof Error ? error.message : String(error), exitCode });
});
