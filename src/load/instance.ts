import { INTENDED_LATENCY_METRIC } from './metrics/builtin.js';
import type { ScenarioPlan } from './options.js';
import type { ScriptProgram } from './script/loader.js';
import type { Clock } from '../util/clock.js';
import type { ExecutorContext, IterationRequest, ScenarioVu, Segment } from './executors/types.js';
import { IterationInterrupted, TestAborted, VuContext, type InstanceContext, type ScenarioInfo } from './vu-context.js';

/**
 * One instance's VUs (a worker thread's share of the test): initialises VUs on demand (the
 * script's init context, once per VU), lends them to scenarios, and runs iterations with k6's
 * per-iteration metrics.
 */

interface PooledVu {
  context: VuContext;
  exports: Record<string, unknown>;
  data: unknown;
}

export class LoadInstance {
  private readonly idle: PooledVu[] = [];
  private initialised = 0;
  active = 0;
  private errorsLogged = 0;
  private errorsSuppressed = 0;

  constructor(
    readonly program: ScriptProgram,
    readonly context: InstanceContext,
    readonly segment: Segment,
    private readonly setupData: unknown,
  ) {}

  get vusInitialised(): number {
    return this.initialised;
  }

  private async newVu(): Promise<PooledVu> {
    const idInInstance = ++this.initialised;
    this.context.instance.vusInitialized = this.initialised;
    // interleaved ids: instance i of n numbers its VUs i+1, i+1+n, ... so ids never collide
    const id = (idInInstance - 1) * this.segment.count + this.segment.index + 1;
    const context = new VuContext(id, idInInstance, this.context);
    const exports = await this.program.instantiate(context);
    // as k6: every VU gets its own copy of setup()'s data
    const data = this.setupData === undefined ? undefined : structuredClone(this.setupData);
    return { context, exports, data };
  }

  /** The ExecutorContext a scenario runs with on this instance. */
  scenarioContext(plan: ScenarioPlan, clock: Clock, testSignal: AbortSignal, startedAt: number): ExecutorContext & { info: Omit<ScenarioInfo, 'actualStart'> } {
    const tags = { ...this.context.globalTags, ...plan.config.tags, scenario: plan.name };
    let iterationInInstance = 0;
    const plannedMs = plan.executor.plannedDurationMs(plan.config);
    const info: Omit<ScenarioInfo, 'actualStart'> = {
      name: plan.name,
      executor: plan.executor.name,
      startTime: startedAt,
      tags,
      iterationInInstance: 0,
      iterationInTest: 0,
      progress: () => Math.min(1, (Date.now() - startedAt) / Math.max(1, plannedMs)),
    };
    const wrap = (pooled: PooledVu): ScenarioVu & { pooled: PooledVu } => {
      // one ScenarioInfo per VU while it serves this scenario, updated each iteration (no garbage per iteration)
      const scenario: ScenarioInfo = { ...info, actualStart: 0 };
      return {
        pooled,
        iterate: (request) => {
          const n = iterationInInstance++;
          scenario.iterationInInstance = n;
          scenario.iterationInTest = n * this.segment.count + this.segment.index;
          scenario.intendedStart = request.intendedStart;
          scenario.actualStart = performance.now();
          return this.iterate(pooled, plan, scenario, request);
        },
      };
    };
    return {
      info,
      clock,
      segment: this.segment,
      testSignal,
      acquireVu: async () => wrap(this.idle.pop() ?? (await this.newVu())),
      releaseVu: (vu) => {
        this.idle.push((vu as ScenarioVu & { pooled: PooledVu }).pooled);
      },
      onDropped: (count) => this.context.sink.add({ metric: 'dropped_iterations', value: count, tags, time: Date.now() }),
      onActive: (delta) => {
        this.active += delta;
        this.context.instance.vusActive = this.active;
      },
    };
  }

  private async iterate(pooled: PooledVu, plan: ScenarioPlan, scenario: ScenarioInfo, request: IterationRequest): Promise<'completed' | 'interrupted' | 'failed'> {
    const vu = pooled.context;
    vu.scenario = scenario;
    vu.signal = request.signal;
    vu.groupPath = '';
    vu.iteration++;
    vu.setIter(vu.iteration);
    vu.useScenarioEnv(plan.name, plan.config.env);
    const fn = pooled.exports[plan.config.exec];
    const started = performance.now();
    let outcome: 'completed' | 'interrupted' | 'failed' = 'completed';
    try {
      if (typeof fn !== 'function') throw new TypeError(`scenario ${plan.name}: exec "${plan.config.exec}" is not an exported function of the script`);
      const result = (fn as (data: unknown) => unknown)(pooled.data);
      if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') await result;
      // as k6: the iteration ends when its timers and async operations have run out too
      if (vu.loop.busy) await untilAborted(vu.loop.drain(), request.signal);
    } catch (error) {
      vu.loop.cancel(); // timers left by a failed or interrupted iteration never fire in the next one
      if (error instanceof IterationInterrupted || error instanceof TestAborted || request.signal.aborted) outcome = 'interrupted';
      else {
        outcome = 'failed';
        this.logError(error);
      }
    }
    const ended = performance.now();
    if (outcome === 'interrupted') {
      this.context.instance.iterationsInterrupted++;
      return outcome;
    }
    this.context.instance.iterationsCompleted++;
    const tags = this.iterationTags(scenario.tags);
    const now = Date.now();
    vu.emit('iterations', 1, tags, now);
    vu.emit('iteration_duration', ended - started, tags, now);
    if (scenario.intendedStart !== undefined) vu.emit(INTENDED_LATENCY_METRIC, ended - scenario.intendedStart, tags, now);
    return outcome;
  }

  private readonly tagCache = new WeakMap<object, Record<string, string>>();
  /** iteration samples' tags: the scenario's, at the root group (one object per scenario) */
  private iterationTags(scenarioTags: Readonly<Record<string, string>>): Record<string, string> {
    let tags = this.tagCache.get(scenarioTags);
    if (!tags) this.tagCache.set(scenarioTags, (tags = { ...scenarioTags, group: '' }));
    return tags;
  }

  /** A promise rejected with no handler while VUs run: logged as k6 logs it, and the test goes on. */
  logUncaught(error: unknown): void {
    this.logError(error, 'Uncaught (in promise) ');
  }

  /** Script errors inside iterations are logged (as k6 does) and the test goes on; a flood is capped. */
  private logError(error: unknown, prefix = ''): void {
    if (this.errorsLogged >= 20) {
      this.errorsSuppressed++;
      return;
    }
    this.errorsLogged++;
    const text = error instanceof Error && error.name === 'ScriptFail' ? `fail: ${this.program.describeError(error, { frames: false }).replace('ScriptFail: ', '')}` : this.program.describeError(error);
    process.stderr.write(`peakready: iteration error: ${prefix}${text}${this.errorsLogged === 20 ? ' (further iteration errors are counted, not printed)' : ''}\n`);
  }

  get suppressedErrors(): number {
    return this.errorsSuppressed;
  }
}

/** `work`, unless the iteration is stopped first (gracefulStop, the test's end): then it is interrupted at once. */
function untilAborted(work: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new IterationInterrupted());
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(new IterationInterrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      () => (signal.removeEventListener('abort', onAbort), resolve()),
      (error: unknown) => (signal.removeEventListener('abort', onAbort), reject(error)),
    );
  });
}
