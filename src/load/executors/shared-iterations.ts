import { finishWithin, iterationSignal, type IterationsConfig, iterationsSchema, vuLoop } from './base.js';
import { share, type ExecutorPlugin } from './types.js';

/** `iterations` shared by `vus` VUs: whoever is free takes the next one. */
export const sharedIterations: ExecutorPlugin<IterationsConfig> = {
  name: 'shared-iterations',
  schema: iterationsSchema,
  check: (c) => (c.vus > c.iterations ? [['vus', `${c.vus} VUs cannot share ${c.iterations} iterations; use at most ${c.iterations} VUs`]] : []),
  plannedDurationMs: (c) => c.maxDuration,
  maxDurationMs: (c) => c.maxDuration + c.gracefulStop,
  maxVus: (c) => c.vus,
  async run(config, ctx) {
    const hard = new AbortController();
    const signal = iterationSignal(hard, ctx);
    const end = ctx.clock.now() + config.maxDuration;
    let left = share(config.iterations, ctx.segment);
    const next = () => left > 0 && ctx.clock.now() < end && left-- > 0;
    const vus = Array.from({ length: share(config.vus, ctx.segment) }, () => vuLoop(ctx, signal, next));
    await finishWithin(ctx, Promise.all(vus), config.maxDuration, config.gracefulStop, hard);
  },
};
