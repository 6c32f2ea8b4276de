import { iterationsExecutor } from './base.js';
import { share } from './types.js';

/** `iterations` shared by `vus` VUs: whoever is free takes the next one. */
export const sharedIterations = iterationsExecutor(
  'shared-iterations',
  (config, ctx, end) => {
    let left = share(config.iterations, ctx.segment);
    const next = () => left > 0 && ctx.clock.now() < end && left-- > 0;
    return () => next;
  },
  (c) => (c.vus > c.iterations ? [['vus', `${c.vus} VUs cannot share ${c.iterations} iterations; use at most ${c.iterations} VUs`]] : []),
);
