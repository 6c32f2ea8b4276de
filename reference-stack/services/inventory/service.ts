import { z } from 'zod';
import { openDatabase, type Database } from '../../lib/db.js';
import { envNumber, identity } from '../../lib/env.js';
import { HttpError, runService, type Handler, type RequestContext } from '../../lib/http-server.js';
import { inventoryAvailable } from '../../lib/metrics.js';
import { Router } from '../../lib/router.js';
import { parseInput } from '../../lib/validate.js';
import { errorMessage, log } from '../../lib/log.js';
import { defectOn } from '../../lib/defects.js';
import { commit, migrations, OutOfStockError, oversellMigrations, readThenWrite, release, releaseExpired, ReservationNotFoundError, reserve, seed } from './stock-store.js';

/** the seeded defect `inventory-oversell`: stock taken by read-then-write (stock-store.ts) */
const OVERSELL = defectOn('inventory-oversell');
const store = OVERSELL ? readThenWrite : { reserve, commit, release };

/**
 * Inventory: stock per product and reservations (see stock-store.ts). Stock is seeded from the
 * generated catalog: INVENTORY_DEFAULT_STOCK units per product (1,000,000) and
 * INVENTORY_DOORBUSTER_STOCK per doorbuster SKU (50). `POST /internal/stock` sets a SKU's stock.
 * Holds still `reserved` after INVENTORY_HOLD_TTL_MS (10 min; 0 = never) are released by a
 * sweep every INVENTORY_SWEEP_INTERVAL_MS (30 s).
 */

const reserveBody = z.object({
  reservationId: z.string().min(1).max(200),
  items: z.array(z.object({ productId: z.string().min(1).max(64), quantity: z.number().int().min(1).max(999) })).min(1, 'must not be empty'),
});
const setStockBody = z.object({
  productId: z.string().min(1).max(64),
  available: z.number({ message: 'must be a number' }).int('must be a whole number').min(0, 'must be at least 0'),
});

interface StockRow {
  product_id: string;
  initial: number;
  available: number;
  min_observed: number;
}

const toStock = (r: StockRow) => ({ productId: r.product_id, initial: r.initial, available: r.available, sold: r.initial - r.available, minObserved: r.min_observed });

export async function start() {
  const defaultStock = envNumber('INVENTORY_DEFAULT_STOCK', 1_000_000, { min: 0, integer: true });
  const doorbusterStock = envNumber('INVENTORY_DOORBUSTER_STOCK', 50, { min: 0, integer: true });
  const holdTtlMs = envNumber('INVENTORY_HOLD_TTL_MS', 600_000, { min: 0 });
  const sweepEveryMs = envNumber('INVENTORY_SWEEP_INTERVAL_MS', 30_000, { min: 10 });
  let db: Database | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  const database = (ctx: RequestContext) => db!.within(ctx.trace);
  inventoryAvailable(async (gauge) => {
    if (!db) return;
    const rows = await db.query<StockRow>(`SELECT product_id, available FROM ${db.schema}.stock WHERE doorbuster ORDER BY product_id`);
    gauge.reset();
    for (const r of rows) gauge.set({ service: identity.service, product_id: r.product_id }, r.available);
  });

  const router = new Router<Handler>()
    .add('POST', '/reservations', async (ctx) => {
      const input = parseInput(reserveBody, await ctx.json(), 'reservation', '{"reservationId":"k1","items":[{"productId":"sku-00001","quantity":1}]}');
      try {
        const status = await store.reserve(database(ctx), input.reservationId, input.items);
        return { body: { reservationId: input.reservationId, status } };
      } catch (error) {
        if (error instanceof OutOfStockError) throw new HttpError(409, `${error.message}; nothing was reserved`, { productId: error.productId });
        throw error;
      }
    })
    .add('POST', '/reservations/:id/commit', async (ctx) => {
      try {
        return { body: { reservationId: ctx.params.id, status: await store.commit(database(ctx), ctx.params.id!) } };
      } catch (error) {
        if (error instanceof OutOfStockError) throw new HttpError(409, `${error.message}; the released hold could not be taken again`, { productId: error.productId });
        if (error instanceof ReservationNotFoundError) throw new HttpError(404, `${error.message}; reserve first`);
        throw error;
      }
    })
    .add('POST', '/reservations/:id/release', async (ctx) => {
      const status = await store.release(database(ctx), ctx.params.id!);
      if (!status) throw new HttpError(404, `reservation "${ctx.params.id}" not found`);
      return { body: { reservationId: ctx.params.id, status } };
    })
    .add('GET', '/stock/:productId', async (ctx) => {
      const scope = database(ctx);
      const rows = await scope.query<StockRow>(`SELECT * FROM ${scope.schema}.stock WHERE product_id = $1`, [ctx.params.productId]);
      if (!rows[0]) throw new HttpError(404, `product "${ctx.params.productId}" has no stock record`);
      return { body: toStock(rows[0]) };
    })
    .add('GET', '/internal/stock', async (ctx) => {
      // the integrity snapshot: doorbusters and every product whose stock moved (?all=true: everything)
      const all = ctx.query.get('all') === 'true';
      const scope = database(ctx);
      const rows = await scope.query<StockRow>(
        `SELECT * FROM ${scope.schema}.stock ${all ? '' : 'WHERE doorbuster OR available <> initial'} ORDER BY product_id`,
      );
      return { body: { stock: rows.map(toStock) } };
    })
    .add('POST', '/internal/stock', async (ctx) => {
      const input = parseInput(setStockBody, await ctx.json(), 'stock', '{"productId":"sku-00001","available":20}');
      const scope = database(ctx);
      const rows = await scope.query<StockRow>(
        `UPDATE ${scope.schema}.stock SET initial = $2, available = $2, min_observed = $2 WHERE product_id = $1 RETURNING *`,
        [input.productId, input.available],
      );
      if (!rows[0]) throw new HttpError(404, `product "${input.productId}" not found; use a catalog product id`);
      return { body: toStock(rows[0]) };
    });
  return runService({
    name: 'inventory',
    router,
    prepare: async () => {
      db = await openDatabase({ migrations: OVERSELL ? oversellMigrations : migrations, seed: seed(defaultStock, doorbusterStock) });
      if (holdTtlMs > 0) {
        let sweeping = false;
        sweeper = setInterval(() => {
          if (sweeping) return;
          sweeping = true;
          releaseExpired(db!, holdTtlMs, 100, store.release)
            .then((n) => n > 0 && log('warn', 'released expired holds', { count: n, ttl_ms: holdTtlMs }))
            .catch((error: unknown) => log('warn', 'sweeping expired holds failed', { error: errorMessage(error) }))
            .finally(() => (sweeping = false));
        }, sweepEveryMs);
        sweeper.unref();
      }
    },
    close: async () => {
      clearInterval(sweeper);
      await db?.close();
    },
  });
}
