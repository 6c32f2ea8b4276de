import { Worker } from 'node:worker_threads';
import { PeakreadyError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { distEntry } from '../paths.js';
import { errorFromWorker, HookTimeoutError } from './script/errors.js';
import type { HookName, InstanceSettings, LoadedScript, MainToWorker, MetricsDelta, ScriptWorkerData, WorkerToMain } from './worker-protocol.js';

/**
 * A load worker seen from the main thread: the one place the script runs (worker-runtime.ts).
 * The main thread never runs a line of the script, so a script busy in a loop cannot stop it from
 * answering Ctrl-C, a timeout or the scenarios' end: it terminates the worker (V8 stops even a
 * `while (true) {}`) and goes on with the metrics the worker had posted.
 */

/** How long past a hook's own timeout before the worker is terminated: its own timer fires first unless the script is busy. */
const HOOK_WATCHDOG_GRACE_MS = 1000;

const REPLIES: ReadonlySet<WorkerToMain['type']> = new Set(['loaded', 'hook-done', 'hook-failed', 'fatal']);

export class ScriptWorker {
  private readonly worker: Worker;
  private endedWhy: string | undefined;
  private handler: ((m: WorkerToMain) => void) | undefined;
  private readonly endListeners: Array<(why: string) => void> = [];
  private reply: ((m: WorkerToMain | PeakreadyError) => void) | undefined;
  private readonly script: string;

  constructor(
    readonly index: number,
    data: ScriptWorkerData,
  ) {
    this.script = data.script;
    // a larger young generation: each request makes short-lived objects, and fewer scavenges cost less
    this.worker = new Worker(distEntry('src/load/worker'), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
    this.worker.on('message', (m: WorkerToMain) => {
      if (this.reply && REPLIES.has(m.type)) this.reply(m);
      else this.handler?.(m);
    });
    this.worker.on('error', (error) => this.end(`crashed: ${error.message}`));
    this.worker.on('exit', () => this.end('exited'));
  }

  get alive(): boolean {
    return this.endedWhy === undefined;
  }

  post(message: MainToWorker): void {
    if (this.alive) this.worker.postMessage(message);
  }

  /** An instance's messages (ready, ticks, done, abort-test, mark-failed, fatal). */
  onMessage(handler: (m: WorkerToMain) => void): void {
    this.handler = handler;
  }

  /** Called once when the thread ends other than by `terminate()`: crashed or exited. */
  onEnd(listener: (why: string) => void): void {
    this.endListeners.push(listener);
  }

  /** Stops the thread now, a script busy in a loop included. */
  async terminate(): Promise<void> {
    const wasAlive = this.alive;
    this.endedWhy ??= 'terminated';
    if (wasAlive) this.reply?.(new PeakreadyError(`load worker ${this.index} was terminated`, ExitCode.internal));
    await this.worker.terminate().catch(() => 0);
  }

  /** Runs VU 0's init context: the script's options, exported functions and custom metrics. */
  async load(signal?: AbortSignal): Promise<LoadedScript> {
    const m = await this.request({ type: 'load' }, 'the init context', signal);
    if (m.type === 'fatal') throw errorFromWorker(m.message, m.exitCode);
    if (m.type !== 'loaded') throw new PeakreadyError(`load worker ${this.index}: unexpected answer ${m.type} to load`, ExitCode.internal);
    return { options: m.options, functions: m.functions, definitions: m.definitions };
  }

  /**
   * Runs setup/teardown/handleSummary on VU 0 and returns its value; its metrics go to `onDelta`
   * (also when it fails). Past its timeout (+1 s) or on `signal`, the worker is terminated.
   */
  async hook(name: HookName, args: unknown[], timeoutMs: number, settings: InstanceSettings, onDelta: (d: MetricsDelta) => void, signal?: AbortSignal): Promise<unknown> {
    const deadline = { ms: timeoutMs + HOOK_WATCHDOG_GRACE_MS, error: () => new HookTimeoutError(this.script, name, timeoutMs) };
    const m = await this.request({ type: 'hook', name, args, timeoutMs, settings }, `${name}()`, signal, deadline);
    if (m.type === 'hook-done' || m.type === 'hook-failed') onDelta(m.delta);
    if (m.type === 'hook-done') return m.value;
    if (m.type === 'hook-failed' || m.type === 'fatal') throw errorFromWorker(m.message, m.exitCode);
    throw new PeakreadyError(`load worker ${this.index}: unexpected answer ${m.type} to ${name}()`, ExitCode.internal);
  }

  /** One request, one reply; the worker is terminated when the signal fires or the deadline passes first. */
  private request(message: MainToWorker, what: string, signal?: AbortSignal, deadline?: { ms: number; error: () => PeakreadyError }): Promise<WorkerToMain> {
    if (!this.alive) return Promise.reject(new PeakreadyError(`load worker ${this.index} ${this.endedWhy}`, ExitCode.internal));
    return new Promise<WorkerToMain>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = (m: WorkerToMain | PeakreadyError) => {
        this.reply = undefined;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (m instanceof PeakreadyError) reject(m);
        else resolve(m);
      };
      const stopWith = (error: PeakreadyError) => {
        settle(error);
        void this.terminate();
      };
      const onAbort = () => stopWith(new PeakreadyError(`${what} was stopped: ${abortReason(signal)}`, ExitCode.scriptAborted));
      this.reply = settle;
      if (deadline) timer = setTimeout(() => stopWith(deadline.error()), deadline.ms);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.worker.postMessage(message);
    });
  }

  private end(why: string): void {
    if (!this.alive) return;
    this.endedWhy = why;
    this.reply?.(new PeakreadyError(`load worker ${this.index} ${why}`, ExitCode.internal));
    for (const listener of this.endListeners) listener(why);
  }
}

function abortReason(signal: AbortSignal | undefined): string {
  const reason = signal?.reason as unknown;
  return typeof reason === 'string' ? reason : 'stopped by the user';
}
