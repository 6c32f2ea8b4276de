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
   * Starts `count` workers and resolves when every one has initialised its script. With `local`
   * and a count of one, the single instance runs on this thread instead: no thread to start, no
   * module graph loaded twice, samples straight into the test's aggregator (no delta to merge).
   */
  async start(count: number, init: Omit<WorkerInit, 'segment'>, local?: { program: ScriptProgram }): Promise<void> {
    if (local && count === 1) return this.startLocal(init, local.program);
    const entry = distEntry('src/load/worker');
    const ready: Array<Promise<void>> = [];
    for (let index = 0; index < count; index++) {
      // a larger young generation: each request makes short-lived objects, and fewer scavenges cost less
      const worker = new Worker(entry, { workerData: { ...init, segment: { index, count } } satisfies WorkerInit, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
      this.workers.push(worker);
      this.state.push({ active: 0, initialised: 0, running: [], done: false });
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.on('message', (m: WorkerToMain) => {
            if (m.type === 'ready') resolve();
            else if (m.type === 'fatal') {
              this.fatal ??= new PeakreadyError(m.message, m.exitCode as never);
              reject(this.fatal);
              this.state[index]!.done = true;
              this.wake();
            } else this.handle(index, m);
          });
          worker.on('error', (error) => {
            this.fatal ??= new PeakreadyError(`load worker ${index} crashed: ${error.message}`, ExitCode.internal);
            this.state[index]!.done = true;
            reject(this.fatal);
            this.wake();
          });
          worker.on('exit', () => {
            if (!this.state[index]!.done) {
              this.fatal ??= new PeakreadyError(`load worker ${index} exited before finishing`, ExitCode.internal);
              this.state[index]!.done = true;
              reject(this.fatal);
              this.wake();
            }
          });
        }),
      );
    }
    await Promise.all(ready);
  }

  /** The one instance on this thread; messages both ways go through microtasks, as ordered as a port's. */
  private async startLocal(init: Omit<WorkerInit, 'segment'>, program: ScriptProgram): Promise<void> {
    const { hostInstance } = await import('./instance-host.js');
    this.state.push({ active: 0, initialised: 0, running: [], done: false });
    let toInstance: ((m: MainToWorker) => void) | undefined;
    this.local = (m) => queueMicrotask(() => toInstance?.(m));
    await new Promise<void>((resolve, reject) => {
      hostInstance({ ...init, segment: { index: 0, count: 1 } }, {
        aggregator: this.aggregator,
        program,
        listen: (handler) => (toInstance = handler),
        post: (m) =>
          queueMicrotask(() => {
            if (m.type === 'ready') resolve();
            else if (m.type === 'fatal') {
              this.fatal ??= new PeakreadyError(m.message, m.exitCode as never);
              this.state[0]!.done = true;
              reject(this.fatal);
              this.wake();
            } else this.handle(0, m);
          }),
      });
    });
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
