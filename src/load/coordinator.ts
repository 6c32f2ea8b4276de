import { availableParallelism } from 'node:os';
import { ExitCode } from '../exit-codes.js';
import { PeakreadyError } from '../errors.js';
import type { RequestRecord } from '../run/records.js';
import type { MetricsAggregator } from './metrics/aggregator.js';
import type { Sample } from './metrics/types.js';
import { errorFromWorker } from './script/errors.js';
import type { ScriptWorker } from './script-worker.js';
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

/** After a stop (abort, deadline), how long an instance has to wind down before its worker is terminated. */
export const STOP_GRACE_MS = 2000;

export class Coordinator {
  private readonly workers: ScriptWorker[] = [];
  private readonly state: Array<{ active: number; initialised: number; running: string[]; done: boolean }> = [];
  private fatal: PeakreadyError | undefined;
  private stopTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly aggregator: MetricsAggregator,
    private readonly events: CoordinatorEvents,
  ) {}

  /**
   * Starts the test's `count` instances and resolves when every one is ready: instance 0 on
   * `first` (the worker that ran the init context and setup: no second copy of the module graph
   * for a one-instance test), the others on workers `spawn` starts.
   */
  async start(count: number, init: Omit<WorkerInit, 'segment'>, first: ScriptWorker, spawn: (index: number) => ScriptWorker): Promise<void> {
    const ready: Array<Promise<void>> = [];
    for (let index = 0; index < count; index++) {
      this.state.push({ active: 0, initialised: 0, running: [], done: false });
      const worker = index === 0 ? first : spawn(index);
      this.workers.push(worker);
      ready.push(this.host(worker, { ...init, segment: { index, count } }));
    }
    await Promise.all(ready);
  }

  private host(worker: ScriptWorker, init: WorkerInit): Promise<void> {
    const { index } = init.segment;
    return new Promise<void>((resolve, reject) => {
      worker.onMessage((m) => this.receive(index, m, resolve, reject));
      worker.onEnd((why) => {
        if (this.state[index]!.done) return;
        this.fatal ??= new PeakreadyError(`load worker ${index} ${why} before finishing`, ExitCode.internal);
        this.state[index]!.done = true;
        reject(this.fatal);
        this.wake();
      });
      worker.post({ type: 'instance', init });
    });
  }

  private receive(index: number, m: WorkerToMain, ready: () => void, failed: (error: Error) => void): void {
    if (m.type === 'ready') ready();
    else if (m.type === 'fatal') {
      this.fatal ??= errorFromWorker(m.message, m.exitCode);
      failed(this.fatal);
      this.state[index]!.done = true;
      this.wake();
    } else this.handle(index, m);
  }

  begin(startAtEpoch: number): void {
    this.broadcast({ type: 'start', startAtEpoch });
  }

  /** Stops every instance; one that has not finished within STOP_GRACE_MS (a VU busy in a loop) is terminated. */
  abort(reason: string): void {
    this.broadcast({ type: 'abort', reason });
    this.stopTimer ??= setTimeout(() => this.terminateStragglers(), STOP_GRACE_MS);
  }

  private broadcast(message: MainToWorker): void {
    for (const w of this.workers) w.post(message);
  }

  /** Workers that did not answer the stop: their last tick's metrics stay, the rest of theirs is lost. */
  private terminateStragglers(): void {
    for (const [index, worker] of this.workers.entries()) {
      const s = this.state[index]!;
      if (s.done) continue;
      s.done = true;
      s.active = 0;
      s.running = [];
      process.stderr.write(`peakready: load worker ${index} did not stop within ${STOP_GRACE_MS / 1000} s (a VU busy without yielding, e.g. a loop); terminated it, its metrics of the last moments are lost\n`);
      void worker.terminate();
    }
    this.wake();
  }

  private waiter: (() => void) | undefined;
  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /**
   * Resolves when every instance has posted its final tick or was terminated; throws a worker's
   * fatal error. At `deadline` (epoch ms: the scenarios' end with gracefulStop, and a little slack)
   * the instances are stopped as by abort(): k6 interrupts what still runs then.
   */
  async finished(deadline?: number): Promise<void> {
    if (deadline !== undefined) this.deadlineTimer = setTimeout(() => this.abort('the scenarios ran past their end'), Math.max(0, deadline - Date.now()));
    try {
      while (!this.state.every((s) => s.done)) {
        await new Promise<void>((resolve) => (this.waiter = resolve));
      }
    } finally {
      clearTimeout(this.deadlineTimer);
    }
    if (this.fatal) throw this.fatal;
  }

  /** Ends the instances' workers, except `keep` (the worker teardown and handleSummary run on next) when it is healthy. */
  async stop(keep?: ScriptWorker): Promise<void> {
    clearTimeout(this.stopTimer);
    clearTimeout(this.deadlineTimer);
    const unfinished = !this.state.every((st) => st.done);
    await Promise.all(this.workers.filter((w) => unfinished || w !== keep).map((w) => w.terminate()));
  }

  private handle(index: number, m: WorkerToMain): void {
    if (m.type === 'abort-test') return this.events.onAbortTest(m.reason);
    if (m.type === 'mark-failed') return this.events.onMarkFailed(m.reason);
    if (m.type !== 'tick' && m.type !== 'done') return;
    const tick = m as WorkerTick;
    const s = this.state[index]!;
    if (s.done) return; // terminated after its stop: a late tick changes nothing
    this.aggregator.merge(tick.snapshot);
    if (tick.requests.length) this.events.onRequests(tick.requests);
    if (tick.samples.length) this.events.onSamples(tick.samples);
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
