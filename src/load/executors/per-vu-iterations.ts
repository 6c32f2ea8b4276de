import { finishWithin, iterationSignal, type IterationsConfig, iterationsSchema, vuLoop } from './base.js';
import { share, type ExecutorPlugin } from './types.js';

/** Each VU runs exactly `iterations` iterations (within maxDuration). */
export const perVuIterations: ExecutorPlugin<IterationsConfig> = {
  name: 'per-vu-iterations',
  schema: iterationsSchema,
  plannedDurationMs: (c) => c.maxDuration,
  maxDurationMs: (c) => c.maxDuration + c.gracefulStop,
  maxVus: (c) => c.vus,
  async run(config, ctx) {
    const hard = new AbortController();
    const signal = iterationSignal(hard, ctx);
    const end = ctx.clock.now() + config.maxDuration;
    const vus = Array.from({ length: share(config.vus, ctx.segment) }, () => {
      let left = config.iterations;
      return vuLoop(ctx, signal, () => left-- > 0 && ctx.clock.now() < end);
    });
    await finishWithin(ctx, Promise.all(vus), config.maxDuration, config.gracefulStop, hard);
  },
};
