import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { catalog } from '../../lib/catalog-data.js';
import { envNumber } from '../../lib/env.js';
import { HttpError, runService, type Handler } from '../../lib/http-server.js';
import { Router } from '../../lib/router.js';
import { parseInput, queryInt } from '../../lib/validate.js';
import { recommend } from './similarity.js';

const recommendationQuery = z.object({
  limit: queryInt(1, 20).default(4),
});

/**
 * Recommendations: related products. RECOMMENDATIONS_DELAY_MS adds a fixed delay per request
 * (to show the gateway's timeout without a fault proxy); 0 by default.
 */
export function start() {
  const products = catalog();
  const delayMs = envNumber('RECOMMENDATIONS_DELAY_MS', 0, { min: 0, max: 60_000 });
  const router = new Router<Handler>().add('GET', '/recommendations/:id', async (ctx) => {
    const { limit } = parseInput(recommendationQuery, Object.fromEntries(ctx.query), 'recommendation query', 'limit=4');
    const product = products.byId.get(ctx.params.id!);
    if (!product) throw new HttpError(404, `product "${ctx.params.id}" not found; recommendations exist only for catalog products`);
    if (delayMs > 0) await sleep(delayMs);
    return { body: { productId: product.id, items: recommend(products.list, product, limit) } };
  });
  return runService({ name: 'recommendations', router });
}
