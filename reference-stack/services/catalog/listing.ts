import { z } from 'zod';
import type { Product } from '../../lib/catalog-data.js';
import { CATEGORIES } from '../../lib/catalog-data.js';
import { queryInt } from '../../lib/validate.js';

/**
 * The product listing as a pure function over the catalog: filter, score, sort, page. It does
 * real work proportional to the catalog on every request (the CPU the autoscaler measures).
 */

export const listingQuery = z
  .object({
    page: queryInt(1, 100_000).default(1),
    pageSize: queryInt(1, 100).default(20),
    category: z.enum(CATEGORIES, { message: `must be one of ${CATEGORIES.join(', ')}` }).optional(),
    q: z.string().max(100, 'must be at most 100 characters').optional(),
    minPrice: queryInt(0, 100_000_000).optional(),
    maxPrice: queryInt(0, 100_000_000).optional(),
    sort: z.enum(['price', '-price', 'rating', 'name'], { message: 'must be price, -price, rating or name' }).optional(),
    doorbuster: z.enum(['true', 'false'], { message: 'must be true or false' }).optional(),
  })
  .refine((q) => q.minPrice === undefined || q.maxPrice === undefined || q.minPrice <= q.maxPrice, {
    message: 'minPrice must not exceed maxPrice',
    path: ['minPrice'],
  });

export type ListingQuery = z.infer<typeof listingQuery>;

export interface Listing {
  items: Product[];
  page: number;
  pageSize: number;
  total: number;
}

export function listProducts(products: readonly Product[], query: ListingQuery): Listing {
  const terms = (query.q ?? '').toLowerCase().split(/\s+/).filter((t) => t.length > 0);
  const scored: Array<{ product: Product; score: number }> = [];
  for (const product of products) {
    if (query.category && product.category !== query.category) continue;
    if (query.minPrice !== undefined && product.priceCents < query.minPrice) continue;
    if (query.maxPrice !== undefined && product.priceCents > query.maxPrice) continue;
    if (query.doorbuster === 'true' && !product.doorbuster) continue;
    if (query.doorbuster === 'false' && product.doorbuster) continue;
    let score = 0;
    if (terms.length > 0) {
      const name = product.name.toLowerCase();
      const description = product.description.toLowerCase();
      for (const term of terms) {
        if (name.includes(term)) score += 3;
        else if (description.includes(term)) score += 1;
        else {
          score = -1;
          break;
        }
      }
      if (score < 0) continue;
    }
    // popularity breaks ties: rating weighted by how many people rated
    scored.push({ product, score: score * 10 + product.rating * Math.log10(10 + product.reviewCount) });
  }
  scored.sort(comparator(query.sort));
  const start = (query.page - 1) * query.pageSize;
  return {
    items: scored.slice(start, start + query.pageSize).map((s) => s.product),
    page: query.page,
    pageSize: query.pageSize,
    total: scored.length,
  };
}

type Scored = { product: Product; score: number };
function comparator(sort: ListingQuery['sort']): (a: Scored, b: Scored) => number {
  switch (sort) {
    case 'price':
      return (a, b) => a.product.priceCents - b.product.priceCents || a.product.id.localeCompare(b.product.id);
    case '-price':
      return (a, b) => b.product.priceCents - a.product.priceCents || a.product.id.localeCompare(b.product.id);
    case 'rating':
      return (a, b) => b.product.rating - a.product.rating || b.product.reviewCount - a.product.reviewCount || a.product.id.localeCompare(b.product.id);
    case 'name':
      return (a, b) => a.product.name.localeCompare(b.product.name) || a.product.id.localeCompare(b.product.id);
    default:
      return (a, b) => b.score - a.score || a.product.id.localeCompare(b.product.id);
  }
}
