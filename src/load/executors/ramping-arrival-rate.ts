import { z } from 'zod';
import { durationField } from '../../config/duration-field.js';
import { type BaseConfig, nonNegativeInt, type Stage, stageSchema } from './base.js';
import { runArrivalRate } from './arrival-rate.js';
import { rateSegments, totalDuration } from './schedule.js';
import type { ExecutorPlugin } from './types.js';

export interface RampingArrivalRateConfig extends BaseConfig {
  startRate: number;
  timeUnit: number;
  stages: Stage[];
  preAllocatedVUs: number;
  maxVUs?: number;
}

/** The arrival rate ramps linearly between stage targets (iterations per timeUnit). */
export const rampingArrivalRate: ExecutorPlugin<RampingArrivalRateConfig> = {
  name: 'ramping-arrival-rate',
  schema: z.object({
    startRate: nonNegativeInt.default(0),
    timeUnit: durationField.default(1000),
    stages: z.array(stageSchema).min(1, 'needs at least one stage'),
    preAllocatedVUs: nonNegativeInt,
    maxVUs: nonNegativeInt.optional(),
  }),
  check: (c) => (c.maxVUs !== undefined && c.maxVUs < c.preAllocatedVUs ? [['maxVUs', `${c.maxVUs} is below preAllocatedVUs (${c.preAllocatedVUs}); raise it or leave it out`]] : []),
  plannedDurationMs: (c) => totalDuration(c.stages),
  maxDurationMs: (c) => totalDuration(c.stages) + c.gracefulStop,
  maxVus: (c) => Math.max(c.maxVUs ?? 0, c.preAllocatedVUs),
  peakRatePerSecond: (c) => (Math.max(c.startRate, ...c.stages.map((s) => s.target)) * 1000) / c.timeUnit,
  run: (c, ctx) =>
    runArrivalRate(
      {
        segments: rateSegments(c.startRate / c.timeUnit, c.stages, c.timeUnit),
        durationMs: totalDuration(c.stages),
        preAllocatedVUs: c.preAllocatedVUs,
        maxVUs: Math.max(c.maxVUs ?? 0, c.preAllocatedVUs),
        gracefulStop: c.gracefulStop,
      },
      ctx,
    ),
};
