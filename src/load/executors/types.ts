import type { z } from 'zod';
import type { Clock } from '../../util/clock.js';

/** This instance's share of the test (k6's execution segment): instance `index` of `count`. */
export interface Segment {
  index: number;
  count: number;
}

export interface IterationRequest {
  /** aborted when this iteration must stop now */
  signal: AbortSignal;
  /** arrival-rate: when the schedule meant the iteration to start (clock ms) */
  intendedStart?: number;
}

/** A VU as an executor drives it. */
export interface ScenarioVu {
  /** runs one iteration; never throws (script errors are reported by the VU) */
  iterate(request: IterationRequest): Promise<'completed' | 'interrupted' | 'failed'>;
}

export interface ExecutorContext {
  /** monotonic: realClock in a load instance, a virtual clock in schedule tests */
  clock: Clock;
  segment: Segment;
  /** initialised VUs for this scenario; `acquire` initialises a new one when none is idle */
  acquireVu(): Promise<ScenarioVu>;
  releaseVu(vu: ScenarioVu): void;
  /** aborted when the whole test stops (abortOnFail, test.abort, Ctrl-C) */
  testSignal: AbortSignal;
  onDropped(count: number): void;
  /** active VUs changed by `delta` (k6's `vus` metric) */
  onActive(delta: number): void;
}

/** The fields every executor shares (k6's base config, `baseSchema` in base.ts), durations in ms. */
export interface BaseConfig {
  executor: string;
  startTime: number;
  gracefulStop: number;
  exec: string;
  env: Record<string, string>;
  tags: Record<string, string>;
}

/** One executor: its own option schema over the base config, and how it runs. */
export interface ExecutorPlugin<C extends BaseConfig = BaseConfig> {
  name: string;
  /** zod schema of the executor's own fields (merged with the base config) */
  schema: z.ZodType<Omit<C, keyof BaseConfig>>;
  /** cross-field rules zod cannot say per field; returns [field, message] pairs */
  check?(config: C): Array<[string, string]>;
  /** how long the scenario may run, including gracefulStop, for progress and phase windows */
  maxDurationMs(config: C): number;
  /** the planned duration without gracefulStop */
  plannedDurationMs(config: C): number;
  /** the most VUs this scenario can hold at once on the whole test */
  maxVus(config: C): number;
  /** open-model executors: the highest iterations per second the schedule asks for */
  peakRatePerSecond?(config: C): number;
  run(config: C, ctx: ExecutorContext): Promise<void>;
}

/** floor-split of an integer over instances, so the shares add up to the total exactly. */
export function share(total: number, segment: Segment): number {
  return Math.floor((total * (segment.index + 1)) / segment.count) - Math.floor((total * segment.index) / segment.count);
}
