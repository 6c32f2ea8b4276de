import { z } from 'zod';
import { durationField } from '../../config/duration-field.js';
import { type BaseConfig, nonNegativeInt, positiveInt } from './base.js';
import { runArrivalRate } from './arrival-rate.js';
import { rateSegments } from './schedule.js';
import type { ExecutorPlugin } from './types.js';

export interface ConstantArrivalRateConfig extends BaseConfig {
  rate: number;
  timeUnit: number;
  duration: number;
  preAllocatedVUs: number;
  maxVUs?: number;
}

/** `rate` iterations per `timeUnit`, whatever the response times (an open model). */
export const constantArrivalRate: ExecutorPlugin<ConstantArrivalRateConfig> = {
  name: 'constant-arrival-rate',
  schema: z.object({
    rate: positiveInt,
    timeUnit: durationField.default(1000),
    duration: durationField,
    preAllocatedVUs: nonNegativeInt,
    maxVUs: nonNegativeInt.optional(),
  }),
  check: (c) => (c.maxVUs !== undefined && c.maxVUs < c.preAllocatedVUs ? [['maxVUs', `${c.maxVUs} is below preAllocatedVUs (${c.preAllocatedVUs}); raise it or leave it out`]] : []),
  plannedDurationMs: (c) => c.duration,
  maxDurationMs: (c) => c.duration + c.gracefulStop,
  maxVus: (c) => Math.max(c.maxVUs ?? 0, c.preAllocatedVUs),
  peakRatePerSecond: (c) => (c.rate * 1000) / c.timeUnit,
  run: (c, ctx) =>
    runArrivalRate(
      {
        segments: rateSegments(c.rate / c.timeUnit, [{ duration: c.duration, target: c.rate }], c.timeUnit),
        durationMs: c.duration,
        preAllocatedVUs: c.preAllocatedVUs,
        maxVUs: Math.max(c.maxVUs ?? 0, c.preAllocatedVUs),
        gracefulStop: c.gracefulStop,
      },
      ctx,
    ),
};
