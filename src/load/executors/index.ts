import type { BaseConfig } from './base.js';
import { constantArrivalRate } from './constant-arrival-rate.js';
import { constantVus } from './constant-vus.js';
import { perVuIterations } from './per-vu-iterations.js';
import { rampingArrivalRate } from './ramping-arrival-rate.js';
import { rampingVus } from './ramping-vus.js';
import { sharedIterations } from './shared-iterations.js';
import type { ExecutorPlugin } from './types.js';

/**
 * Executors by k6 name. Adding one: a file here exporting an `ExecutorPlugin` (its own fields'
 * zod schema over the base config, its durations, and `run`), and one entry in this list.
 */
export const executorRegistry: ReadonlyMap<string, ExecutorPlugin<BaseConfig>> = new Map(
  ([sharedIterations, perVuIterations, constantVus, rampingVus, constantArrivalRate, rampingArrivalRate] as unknown as ExecutorPlugin<BaseConfig>[]).map((e) => [e.name, e]),
);
