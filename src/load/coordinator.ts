import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ExitCode } from '../exit-codes.js';
import { PeakreadyError } from '../errors.js';
import { distEntry } from '../paths.js';
import type { RequestRecord } from '../run/records.js';
import type { MetricsAggregator } from './metrics/aggregator.js';
import type { Sample } from './metrics/types.js';
import type { ScriptProgram } from './script/loader.js';
import type { MainToWorker, WorkerInit, WorkerTick, WorkerToMain } from './worker-protocol.js';

/**
 * Runs the test's share on each worker thread and merges what they post: metric deltas into the
 * main aggregator (exactly: histograms add), request records and raw samples to the caller.
 */

export interface CoordinatorEvents {
  onRequests(records: RequestRecord[]): void;
  onSamples(samples: Sample[]): void;
  onAbortTest(reason: string): void;
  onMarkFailed(reason: string): void;
  /** after each merged tick: current VU counts and the scenarios running anywhere */
  onTick(state: { activeVus: number; initialisedVus: number; running: Set<string> }): void;
}

/**
 * Arrival rates one worker thread sustains with room to spare (it measured above 20,000 req/s
 * against a cheap target); below this a second thread adds CPU and sockets, not rate.
 */
export const ONE_WORKER_RATE = 8000;

/**
 * How many worker threads: one per core, never more than VUs can use; one for a test made only
 * of arrival-rate scenarios whose combined peak rate one thread sustains. PEAKREADY_LOAD_WORKERS
 * overrides (tests, benches).
 */
export function workerCount(maxVus: number, arrivalOnlyPeakRate?: number): number {
  const fromEnv = Number(process.env.PEAKREADY_LOAD_WORKERS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  if (arrivalOnlyPeakRate !== undefined && arrivalOnlyPeakRate <= ONE_WORKER_RATE) return 1;
  return Math.max(1, Math.min(availableParallelism(), maxVus));
}

export class Coordinator {
  private readonly workers: Worker[] = [];
  private readonly state: Array<{ active: number; initialised: number; running: string[]; done: boolean }> = [];
  private fatal: PeakreadyError | undefined;

  constructor(
    private readonly aggregator: MetricsAggregator,
    private readonly events: CoordinatorEvents,
  ) {}

  /**
   * Starts the test's `count` instances and resolves when every one has initialised its script.
   * Each runs on a worker thread, except with `local`: instance 0 runs on this thread (no thread
   * to start, no module graph loaded twice, its samples straight into the test's aggregator).
   */
  async start(count: number, init: Omit<WorkerInit, 'segment'>, local?: { program: ScriptProgram }): Promise<void> {
    const ready: Array<Promise<void>> = [];
    for (let index = 0; index < count; index++) {
      this.state.push({ active: 0, initialised: 0, running: [], done: false });
      const segment = { index, count };
      ready.push(index === 0 && local ? this.startLocal({ ...init, segment }, local.program) : this.startWorker({ ...init, segment }));
    }
    await Promise.all(ready);
  }

  private startWorker(init: WorkerInit): Promise<void> {
    const { index } = init.segment;
    // a larger young generation: each request makes short-lived objects, and fewer scavenges cost less
    const worker = new Worker(distEntry('src/load/worker'), { workerData: init, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
    this.workers.push(worker);
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (m: WorkerToMain) => this.receive(index, m, resolve, reject));
      const failed = (message: string) => {
        this.fatal ??= new PeakreadyError(message, ExitCode.internal);
        this.state[index]!.done = true;
        reject(this.fatal);
        this.wake();
      };
      worker.on('error', (error) => failed(`load worker ${index} crashed: ${error.message}`));
      worker.on('exit', () => {
        if (!this.state[index]!.done) failed(`load worker ${index} exited before finishing`);
      });
    });
  }

  /** The instance on this thread; messages both ways go through microtasks, as ordered as a port's. */
  private async startLocal(init: WorkerInit, program: ScriptProgram): Promise<void> {
    const { hostInstance } = await import('./instance-host.js');
    const { index } = init.segment;
    let toInstance: ((m: MainToWorker) => void) | undefined;
    this.local = (m) => queueMicrotask(() => toInstance?.(m));
    await new Promise<void>((resolve, reject) => {
      hostInstance(init, {
        aggregator: this.aggregator,
        program,
        listen: (handler) => (toInstance = handler),
        post: (m) => queueMicrotask(() => this.receive(index, m, resolve, reject)),
      });
    });
  }

  private receive(index: number, m: WorkerToMain, ready: () => void, failed: (error: Error) => void): void {
    if (m.type === 'ready') ready();
    else if (m.type === 'fatal') {
      this.fatal ??= new PeakreadyError(m.message, m.exitCode as never);
      failed(this.fatal);
      this.state[index]!.done = true;
      this.wake();
    } else this.handle(index, m);
  }

  private local: ((m: MainToWorker) => void) | undefined;

  begin(startAtEpoch: number): void {
    this.broadcast({ type: 'start', startAtEpoch });
  }

  abort(reason: string): void {
    this.broadcast({ type: 'abort', reason });
  }

  private broadcast(message: MainToWorker): void {
    for (const w of this.workers) w.postMessage(message);
    this.local?.(message);
  }

  private waiter: (() => void) | undefined;
  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** Resolves when every worker has posted its final tick; throws a worker's fatal error. */
  async finished(): Promise<void> {
    while (!this.state.every((s) => s.done)) {
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    if (this.fatal) throw this.fatal;
  }

  async stop(): Promise<void> {
    // a main-thread instance still running (the run failed on this side) winds down on its own
    if (!this.state.every((st) => st.done)) this.local?.({ type: 'abort', reason: 'the run stopped' });
    await Promise.all(this.workers.map((w) => w.terminate().catch(() => 0)));
  }

  private handle(index: number, m: WorkerToMain): void {
    if (m.type === 'abort-test') return this.events.onAbortTest(m.reason);
    if (m.type === 'mark-failed') return this.events.onMarkFailed(m.reason);
    if (m.type !== 'tick' && m.type !== 'done') return;
    const tick = m as WorkerTick;
    if (tick.snapshot) this.aggregator.merge(tick.snapshot);
    if (tick.requests.length) this.events.onRequests(tick.requests);
    if (tick.samples.length) this.events.onSamples(tick.samples);
    const s = this.state[index]!;
    s.active = tick.activeVus;
    s.initialised = tick.initialisedVus;
    s.running = tick.runningScenarios;
    if (tick.type === 'done') {
      s.done = true;
      s.active = 0;
      s.running = [];
    }
    const running = new Set<string>();
    for (const st of this.state) for (const r of st.running) running.add(r);
    this.events.onTick({
      activeVus: this.state.reduce((a, st) => a + st.active, 0),
      initialisedVus: this.state.reduce((a, st) => a + st.initialised, 0),
      running,
    });
    if (tick.type === 'done') this.wake();
  }
}
