import { catalog } from '../../lib/catalog-data.js';
import { HttpError, runService, type Handler } from '../../lib/http-server.js';
import { Router } from '../../lib/router.js';
import { parseInput } from '../../lib/validate.js';
import { listingQuery, listProducts } from './listing.js';

/** Catalog: paged product listing with filters and sorting, and product details. */
export function start() {
  const products = catalog();
  const router = new Router<Handler>()
    .add('GET', '/products', (ctx) => {
      const query = parseInput(listingQuery, Object.fromEntries(ctx.query), 'product query', 'page=1&pageSize=20&category=audio&sort=price');
      return { body: listProducts(products.list, query) };
    })
    .add('GET', '/products/:id', (ctx) => {
      const product = products.byId.get(ctx.params.id!);
      if (!product) throw new HttpError(404, `product "${ctx.params.id}" not found; list products with GET /api/products`);
      return { body: { product } };
    });
  return runService({ name: 'catalog', router });
}
