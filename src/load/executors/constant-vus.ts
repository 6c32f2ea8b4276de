import { z } from 'zod';
import { durationField } from '../../config/duration-field.js';
import { type BaseConfig, endGracefully, iterationSignal, positiveInt, vuLoop, waitOrStop } from './base.js';
import { share, type ExecutorPlugin } from './types.js';

export interface ConstantVusConfig extends BaseConfig {
  vus: number;
  duration: number;
}

/** A fixed number of VUs looping for a duration. */
export const constantVus: ExecutorPlugin<ConstantVusConfig> = {
  name: 'constant-vus',
  schema: z.object({ vus: positiveInt.default(1), duration: durationField }),
  plannedDurationMs: (c) => c.duration,
  maxDurationMs: (c) => c.duration + c.gracefulStop,
  maxVus: (c) => c.vus,
  async run(config, ctx) {
    const hard = new AbortController();
    const signal = iterationSignal(hard, ctx);
    const end = ctx.clock.now() + config.duration;
    const more = () => ctx.clock.now() < end;
    const loops = Promise.all(Array.from({ length: share(config.vus, ctx.segment) }, () => vuLoop(ctx, signal, more)));
    await Promise.race([loops, waitOrStop(ctx, config.duration)]);
    await endGracefully(ctx, loops, config.gracefulStop, hard);
  },
};
