import { describe, expect, it } from 'vitest';
import { CATALOG_SIZE, DOORBUSTER_COUNT, generateCatalog } from '../../lib/catalog-data.js';
import { listProducts, listingQuery } from '../catalog/listing.js';
import { buildIndex, search } from './ranking.js';

describe('generated catalog', () => {
  it('is deterministic, over 1,000 products, with a few doorbusters', () => {
    const a = generateCatalog();
    expect(a).toHaveLength(CATALOG_SIZE);
    expect(generateCatalog()).toEqual(a);
    expect(a.filter((p) => p.doorbuster)).toHaveLength(DOORBUSTER_COUNT);
    expect(new Set(a.map((p) => p.id)).size).toBe(a.length);
  });
});

describe('search ranking', () => {
  const products = generateCatalog();
  const index = buildIndex(products);

  it('ranks name matches first and finds a half-typed last word', () => {
    const { results } = search(index, 'espresso mach', 5);
    expect(results.length).toBeGreaterThan(0);
    expect(results[0]!.name.toLowerCase()).toContain('espresso machine');
  });

  it('returns nothing for words no product has', () => {
    expect(search(index, 'zzzqqq', 10)).toEqual({ results: [], total: 0 });
  });
});

describe('product listing', () => {
  const products = generateCatalog();

  it('pages without overlap and keeps the total', () => {
    const q = (page: number) => listingQuery.parse({ page: String(page), pageSize: '50', sort: 'name' });
    const one = listProducts(products, q(1));
    const two = listProducts(products, q(2));
    expect(one.total).toBe(products.length);
    expect(new Set([...one.items, ...two.items].map((p) => p.id)).size).toBe(100);
  });

  it('requires every query word to appear', () => {
    const words = products[10]!.name.toLowerCase().split(' ').slice(0, 2);
    const result = listProducts(products, listingQuery.parse({ q: words.join(' '), pageSize: '100' }));
    expect(result.total).toBeGreaterThan(0);
    expect(result.total).toBeLessThan(products.length);
    for (const p of result.items) for (const w of words) expect(`${p.name} ${p.description}`.toLowerCase()).toContain(w);
  });
});
