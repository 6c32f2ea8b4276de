import type { Product } from '../../lib/catalog-data.js';

/**
 * Related products, pure: every other product is scored against the one viewed (same category,
 * shared tags by Jaccard similarity, price and rating closeness) and the best `limit` returned.
 */
export function recommend(products: readonly Product[], target: Product, limit: number): Product[] {
  const targetTags = new Set(target.tags);
  const scored: Array<{ product: Product; score: number }> = [];
  for (const candidate of products) {
    if (candidate.id === target.id) continue;
    let shared = 0;
    for (const tag of candidate.tags) if (targetTags.has(tag)) shared++;
    const jaccard = shared / (targetTags.size + candidate.tags.length - shared);
    const priceRatio = Math.min(candidate.priceCents, target.priceCents) / Math.max(candidate.priceCents, target.priceCents);
    const score =
      (candidate.category === target.category ? 2 : 0) + jaccard * 3 + priceRatio + (5 - Math.abs(candidate.rating - target.rating)) / 5;
    scored.push({ product: candidate, score });
  }
  scored.sort((a, b) => b.score - a.score || a.product.id.localeCompare(b.product.id));
  return scored.slice(0, limit).map((s) => s.product);
}
