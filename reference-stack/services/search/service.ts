import { z } from 'zod';
import { catalog } from '../../lib/catalog-data.js';
import { runService, type Handler } from '../../lib/http-server.js';
import { Router } from '../../lib/router.js';
import { parseInput, queryInt } from '../../lib/validate.js';
import { buildIndex, search } from './ranking.js';

const searchQuery = z.object({
  q: z.string({ message: 'is required' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  limit: queryInt(1, 100).default(20),
});

/** Search: BM25 ranking over the generated catalog. */
export function start() {
  const index = buildIndex(catalog().list);
  const router = new Router<Handler>().add('GET', '/search', (ctx) => {
    const query = parseInput(searchQuery, Object.fromEntries(ctx.query), 'search query', 'q=wireless+headphones&limit=20');
    return { body: { query: query.q, ...search(index, query.q, query.limit) } };
  });
  return runService({ name: 'search', router });
}
