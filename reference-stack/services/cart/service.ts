import { z } from 'zod';
import type { Product } from '../../lib/catalog-data.js';
import { openDatabase, type Database, type DatabaseScope } from '../../lib/db.js';
import { envNumber } from '../../lib/env.js';
import { upstreamFromEnv, UpstreamError } from '../../lib/http-client.js';
import { HttpError, runService, type Handler, type RequestContext } from '../../lib/http-server.js';
import { Router } from '../../lib/router.js';
import { parseInput } from '../../lib/validate.js';

/**
 * Cart: line items per cart id in schema `cart`. Adding an item asks catalog for the product
 * (its current price) before touching the database, so no transaction waits on the network.
 */

export const CART_ID = /^[A-Za-z0-9_-]{1,64}$/;

const addItemBody = z.object({
  productId: z.string({ message: 'must be a string' }).min(1, 'must not be empty').max(64),
  quantity: z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(99, 'must be at most 99'),
});

export interface CartLine {
  productId: string;
  quantity: number;
  unitPriceCents: number;
}

const migrations = (s: string) => [
  `CREATE TABLE IF NOT EXISTS ${s}.cart_items (
     cart_id text NOT NULL,
     product_id text NOT NULL,
     quantity integer NOT NULL CHECK (quantity > 0),
     unit_price_cents integer NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (cart_id, product_id))`,
];

function cartId(raw: string | undefined): string {
  if (!raw || !CART_ID.test(raw)) throw new HttpError(400, `cart id "${raw}" is invalid; use 1-64 letters, digits, _ or -`);
  return raw;
}

async function readCart(db: DatabaseScope, id: string) {
  const rows = await db.query<{ product_id: string; quantity: number; unit_price_cents: number }>(
    `SELECT product_id, quantity, unit_price_cents FROM ${db.schema}.cart_items WHERE cart_id = $1 ORDER BY product_id`,
    [id],
  );
  const items: CartLine[] = rows.map((r) => ({ productId: r.product_id, quantity: r.quantity, unitPriceCents: r.unit_price_cents }));
  return { cartId: id, items, totalCents: items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0) };
}

export async function start() {
  const catalogService = upstreamFromEnv('catalog', envNumber('CART_UPSTREAM_TIMEOUT_MS', 2000, { min: 1 }));
  let db: Database | undefined;
  const database = (ctx: RequestContext) => db!.within(ctx.trace);
  const router = new Router<Handler>()
    .add('GET', '/carts/:cartId', async (ctx) => ({ body: await readCart(database(ctx), cartId(ctx.params.cartId)) }))
    .add('POST', '/carts/:cartId/items', async (ctx) => {
      const id = cartId(ctx.params.cartId);
      const item = parseInput(addItemBody, await ctx.json(), 'cart item', '{"productId":"sku-00001","quantity":1}');
      let found;
      try {
        found = await catalogService.call<{ product: Product }>('GET', `/products/${encodeURIComponent(item.productId)}`, { trace: ctx.trace });
      } catch (error) {
        if (error instanceof UpstreamError) throw new HttpError(error.kind === 'timeout' ? 504 : 502, error.message);
        throw error;
      }
      if (found.status === 404) throw new HttpError(404, `product "${item.productId}" not found; list products with GET /api/products`);
      if (found.status !== 200) throw new HttpError(502, `catalog answered ${found.status} for product "${item.productId}"`);
      const scope = database(ctx);
      const s = scope.schema;
      await scope.query(
        `INSERT INTO ${s}.cart_items (cart_id, product_id, quantity, unit_price_cents) VALUES ($1, $2, $3, $4)
         ON CONFLICT (cart_id, product_id) DO UPDATE
           SET quantity = LEAST(${s}.cart_items.quantity + EXCLUDED.quantity, 999),
               unit_price_cents = EXCLUDED.unit_price_cents, updated_at = now()`,
        [id, item.productId, item.quantity, found.body.product.priceCents],
      );
      return { body: await readCart(scope, id) };
    })
    .add('DELETE', '/carts/:cartId', async (ctx) => {
      const id = cartId(ctx.params.cartId);
      const scope = database(ctx);
      await scope.query(`DELETE FROM ${scope.schema}.cart_items WHERE cart_id = $1`, [id]);
      return { body: { cartId: id, items: [], totalCents: 0 } };
    });
  return runService({
    name: 'cart',
    router,
    prepare: async () => {
      db = await openDatabase({ migrations });
    },
    close: async () => {
      await catalogService.close();
      await db?.close();
    },
  });
}
