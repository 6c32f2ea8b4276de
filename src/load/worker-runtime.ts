import { dirname } from 'node:path';
import { PeakreadyError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { hostInstance, settingsContext, WorkerMetrics, type HostedInstance } from './instance-host.js';
import type { MetricDefinition } from './metrics/types.js';
import { DEFAULT_USER_AGENT } from './options.js';
import { stderrConsole, type ScriptConsole } from './script/console.js';
import { ScriptError } from './script/errors.js';
import { ScriptProgram } from './script/loader.js';
import { runScriptHook } from './script-hooks.js';
import { VuContext, type InstanceContext } from './vu-context.js';
import type { MainToWorker, ScriptWorkerData, WorkerInit, WorkerToMain } from './worker-protocol.js';

/**
 * What a load worker does with the main thread's messages. Every line of the script runs in a
 * worker: VU 0's init context (the options and custom metrics go back to the main thread),
 * setup/teardown/handleSummary on VU 0, and an instance's VUs. A worker busy in a loop is
 * terminated by the main thread (script-worker.ts), which keeps the metrics it has posted.
 */

interface Link {
  post(message: WorkerToMain): void;
  listen(handler: (message: MainToWorker) => void): void;
}

export class ScriptWorkerRuntime {
  private compiled: ScriptProgram | undefined;
  private readonly console: ScriptConsole;
  /** the VU that ran the init context for the options: setup, teardown and handleSummary run on it */
  private vu0: { vu: VuContext; exports: Record<string, unknown>; definitions: MetricDefinition[] } | undefined;
  private hosted: HostedInstance | undefined;
  private instanceHandler: ((m: MainToWorker) => void) | undefined;
  /** rejections with no handler while init or a hook runs: they fail it, as an exception would (k6) */
  private uncaughtDuringCall: unknown[] | undefined;

  constructor(
    private readonly data: ScriptWorkerData,
    private readonly link: Link,
  ) {
    this.console = stderrConsole({ verbose: data.verbose, startedAt: data.startedAt, tty: data.stderrIsTTY });
    process.on('unhandledRejection', (reason) => this.uncaught(reason));
    link.listen((m) => this.receive(m));
  }

  private get program(): ScriptProgram {
    return (this.compiled ??= new ScriptProgram(this.data.script));
  }

  private receive(m: MainToWorker): void {
    if (m.type === 'load') void this.load();
    else if (m.type === 'hook') void this.hook(m);
    else if (m.type === 'instance') this.host(m.init);
    else this.instanceHandler?.(m);
  }

  private async load(): Promise<void> {
    try {
      const definitions: MetricDefinition[] = [];
      const vu = new VuContext(0, 0, this.initContext(definitions));
      const exports = await this.failOnUncaught('init context', () => this.program.instantiate(vu));
      this.vu0 = { vu, exports, definitions };
      const functions = Object.keys(exports).filter((name) => typeof exports[name] === 'function');
      this.link.post({ type: 'loaded', options: jsonCopy(exports.options, `${this.data.script}: options`), functions, definitions });
    } catch (error) {
      this.fatal(error);
    }
  }

  private async hook(m: Extract<MainToWorker, { type: 'hook' }>): Promise<void> {
    const metrics = new WorkerMetrics(m.settings);
    try {
      if (!this.vu0) throw new Error(`${m.name}() before the script was loaded`);
      const { vu, exports, definitions } = this.vu0;
      // the metrics VU 0's init context declared (custom ones, and those of the modules it imported)
      for (const d of definitions) metrics.sink.define(d);
      Object.assign(vu.instance, settingsContext(m.settings, metrics));
      const value = await this.failOnUncaught(`${m.name}()`, () => runScriptHook(this.program, exports, m.name, m.args, m.timeoutMs, vu));
      // as k6: setup()'s data crosses to the VUs as JSON
      this.link.post({ type: 'hook-done', value: m.name === 'setup' ? jsonCopy(value, `${this.data.script}: setup()'s data`) : value, delta: metrics.drain() });
    } catch (error) {
      const { message, exitCode } = failure(error);
      this.link.post({ type: 'hook-failed', message, exitCode, delta: metrics.drain() });
    }
  }

  private host(init: WorkerInit): void {
    try {
      this.hosted = hostInstance(this.data, init, { post: (m) => this.link.post(m), listen: (h) => (this.instanceHandler = h), program: this.program, console: this.console });
    } catch (error) {
      this.fatal(error);
    }
  }

  /** Runs `call`; a promise rejected with no handler meanwhile fails it with file:line. */
  private async failOnUncaught<T>(what: string, call: () => Promise<T>): Promise<T> {
    const uncaught: unknown[] = [];
    this.uncaughtDuringCall = uncaught;
    try {
      const result = await call();
      // Node reports unhandled rejections after the microtasks of a turn: give it that turn
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (uncaught.length > 0) throw new ScriptError(`${what}: Uncaught (in promise) ${this.program.describeError(uncaught[0], { frames: false })}`, { cause: uncaught[0] });
      return result;
    } finally {
      this.uncaughtDuringCall = undefined;
    }
  }

  private uncaught(reason: unknown): void {
    if (this.uncaughtDuringCall) this.uncaughtDuringCall.push(reason);
    else if (this.hosted) this.hosted.uncaught(reason);
    else process.stderr.write(`peakready: Uncaught (in promise) ${this.compiled?.describeError(reason) ?? String(reason)}\n`);
  }

  private fatal(error: unknown): void {
    this.link.post({ type: 'fatal', ...failure(error) });
  }

  /** VU 0's instance while it runs the init context: metric declarations recorded, no samples. */
  private initContext(definitions: MetricDefinition[]): InstanceContext {
    const { data } = this;
    return {
      sink: { define: (d) => void definitions.push(d), add: () => {} },
      globalTags: {},
      scriptDir: dirname(data.script),
      env: data.env,
      allowRemote: data.allowRemote,
      httpDefaults: { noConnectionReuse: false, discardResponseBodies: false, maxRedirects: 10, userAgent: DEFAULT_USER_AGENT, insecureSkipTLSVerify: false, httpDebug: '' },
      recordRequest: null,
      captures: [],
      abortTest: () => {},
      markFailed: () => {},
      sharedArrays: new Map(),
      instance: { iterationsCompleted: 0, iterationsInterrupted: 0, vusActive: 0, vusInitialized: 0, startedAt: Date.now() },
      testStartedAt: data.startedAt,
      options: {},
      secrets: data.secrets,
      console: this.console,
    };
  }
}

function failure(error: unknown): { message: string; exitCode: number } {
  return {
    message: error instanceof Error ? error.message : String(error),
    exitCode: error instanceof PeakreadyError ? error.exitCode : ExitCode.internal,
  };
}

/** A JSON copy (k6 options and setup data are JSON); one line naming what when it is not JSON. */
function jsonCopy(value: unknown, what: string): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch (error) {
    throw new ScriptError(`${what} must be plain JSON data (${(error as Error).message})`);
  }
}
