import type { Product } from '../../lib/catalog-data.js';

/**
 * Full-text ranking over the catalog, pure: BM25 over name, description and tags (the name
 * weighted up), with prefix matching for the last query term so a half-typed word still finds
 * its products. Each query scores every document, so CPU grows with traffic.
 */

export interface SearchHit {
  id: string;
  name: string;
  score: number;
  priceCents: number;
  category: string;
}

interface Doc {
  product: Product;
  terms: Map<string, number>;
  length: number;
}

export interface SearchIndex {
  docs: Doc[];
  documentFrequency: Map<string, number>;
  averageLength: number;
}

const K1 = 1.2;
const B = 0.75;
const NAME_WEIGHT = 3;

export function tokenize(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9]+/).filter((t) => t.length > 1);
}

export function buildIndex(products: readonly Product[]): SearchIndex {
  const docs: Doc[] = [];
  const documentFrequency = new Map<string, number>();
  let totalLength = 0;
  for (const product of products) {
    const terms = new Map<string, number>();
    const add = (token: string, weight: number) => terms.set(token, (terms.get(token) ?? 0) + weight);
    for (const t of tokenize(product.name)) add(t, NAME_WEIGHT);
    for (const t of tokenize(product.description)) add(t, 1);
    for (const t of product.tags.flatMap(tokenize)) add(t, 1);
    let length = 0;
    for (const [term, count] of terms) {
      length += count;
      documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
    }
    totalLength += length;
    docs.push({ product, terms, length });
  }
  return { docs, documentFrequency, averageLength: totalLength / Math.max(1, docs.length) };
}

export function search(index: SearchIndex, query: string, limit: number): { results: SearchHit[]; total: number } {
  const terms = tokenize(query);
  if (terms.length === 0) return { results: [], total: 0 };
  const n = index.docs.length;
  const idf = (term: string) => {
    const df = index.documentFrequency.get(term) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  };
  const last = terms[terms.length - 1]!;
  const hits: SearchHit[] = [];
  for (const doc of index.docs) {
    let score = 0;
    for (let i = 0; i < terms.length; i++) {
      const term = terms[i]!;
      let tf = doc.terms.get(term) ?? 0;
      let weight = idf(term);
      if (tf === 0 && i === terms.length - 1) {
        // prefix match for the word being typed, worth a little less than an exact one
        for (const [candidate, count] of doc.terms) {
          if (candidate.startsWith(last)) {
            tf += count;
            weight = idf(candidate) * 0.8;
          }
        }
      }
      if (tf === 0) continue;
      score += (weight * (tf * (K1 + 1))) / (tf + K1 * (1 - B + (B * doc.length) / index.averageLength));
    }
    if (score > 0) {
      const p = doc.product;
      hits.push({ id: p.id, name: p.name, score: Math.round(score * 1000) / 1000, priceCents: p.priceCents, category: p.category });
    }
  }
  hits.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  return { results: hits.slice(0, limit), total: hits.length };
}
