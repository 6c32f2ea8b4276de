import { iterationsExecutor } from './base.js';

/** Each VU runs exactly `iterations` iterations (within maxDuration). */
export const perVuIterations = iterationsExecutor('per-vu-iterations', (config, ctx, end) => () => {
  let left = config.iterations;
  return () => left-- > 0 && ctx.clock.now() < end;
});
