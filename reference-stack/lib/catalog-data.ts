/**
 * The generated product catalog: deterministic (a fixed seed), so every replica of catalog,
 * search, recommendations and inventory derives the same products without talking to each other.
 */

export interface Product {
  id: string;
  name: string;
  category: string;
  priceCents: number;
  rating: number;
  reviewCount: number;
  description: string;
  tags: string[];
  /** limited-stock flash-sale SKU */
  doorbuster: boolean;
}

export const CATEGORIES = [
  'laptops', 'phones', 'audio', 'cameras', 'gaming', 'home', 'kitchen', 'fitness', 'outdoor', 'toys', 'books', 'fashion',
] as const;

const ADJECTIVES = [
  'ultra', 'compact', 'wireless', 'smart', 'classic', 'pro', 'eco', 'rugged', 'slim', 'premium', 'portable', 'silent',
  'turbo', 'vintage', 'modular', 'solar', 'quantum', 'nimble', 'bold', 'lunar',
];
const NOUNS: Record<(typeof CATEGORIES)[number], string[]> = {
  laptops: ['notebook', 'ultrabook', 'workstation', 'chromebook', 'convertible'],
  phones: ['phone', 'smartphone', 'handset', 'flip phone', 'phablet'],
  audio: ['headphones', 'earbuds', 'speaker', 'soundbar', 'turntable'],
  cameras: ['camera', 'lens', 'action cam', 'tripod', 'drone'],
  gaming: ['console', 'controller', 'headset', 'gaming mouse', 'keyboard'],
  home: ['lamp', 'thermostat', 'vacuum', 'air purifier', 'doorbell'],
  kitchen: ['blender', 'espresso machine', 'air fryer', 'kettle', 'toaster'],
  fitness: ['treadmill', 'smartwatch', 'yoga mat', 'dumbbell set', 'rowing machine'],
  outdoor: ['tent', 'backpack', 'sleeping bag', 'grill', 'lantern'],
  toys: ['robot kit', 'puzzle', 'building set', 'plush', 'board game'],
  books: ['cookbook', 'novel', 'atlas', 'field guide', 'biography'],
  fashion: ['jacket', 'sneakers', 'watch', 'sunglasses', 'backpack'],
};
const FEATURES = [
  'long battery life', 'fast charging', 'noise cancelling', 'water resistant', 'recycled materials', 'two-year warranty',
  'voice control', 'lightweight frame', 'high resolution', 'low latency', 'energy efficient', 'premium finish',
  'bluetooth pairing', 'gift ready', 'family size', 'travel friendly', 'quiet operation', 'extra durable',
];

export const CATALOG_SIZE = 1200;
export const DOORBUSTER_COUNT = 5;

/** mulberry32: a small, fast, well-distributed 32-bit PRNG (deterministic from its seed). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

export function productId(index: number): string {
  return `sku-${String(index + 1).padStart(5, '0')}`;
}

/** Every product, in id order. The first DOORBUSTER_COUNT products are the doorbusters. */
export function generateCatalog(size = CATALOG_SIZE, seed = 20261127): Product[] {
  const random = prng(seed);
  const products: Product[] = [];
  for (let i = 0; i < size; i++) {
    const category = CATEGORIES[i % CATEGORIES.length]!;
    const adjective = pick(random, ADJECTIVES);
    const noun = pick(random, NOUNS[category]);
    const features = [pick(random, FEATURES), pick(random, FEATURES), pick(random, FEATURES)];
    const doorbuster = i < DOORBUSTER_COUNT;
    const basePrice = 500 + Math.floor(random() * random() * 250_000);
    products.push({
      id: productId(i),
      name: `${capitalise(adjective)} ${noun} ${100 + Math.floor(random() * 900)}`,
      category,
      priceCents: doorbuster ? Math.floor(basePrice / 2) : basePrice,
      rating: Math.round((2.5 + random() * 2.5) * 10) / 10,
      reviewCount: Math.floor(random() * 5000),
      description: `A ${adjective} ${noun} for ${category}: ${features.join(', ')}.`,
      tags: [...new Set([category, adjective, ...noun.split(' '), ...features.map((f) => f.split(' ')[0]!)])],
      doorbuster,
    });
  }
  return products;
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

let cached: { list: Product[]; byId: Map<string, Product> } | undefined;

/** The catalog of this process (generated once). */
export function catalog(): { list: Product[]; byId: Map<string, Product> } {
  if (!cached) {
    const list = generateCatalog();
    cached = { list, byId: new Map(list.map((p) => [p.id, p])) };
  }
  return cached;
}
