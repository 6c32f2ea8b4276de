import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { openDatabase, type Database } from '../../lib/db.js';
import { defectOn } from '../../lib/defects.js';
import { errorMessage, log } from '../../lib/log.js';
import { HttpError, runService, type Handler, type RequestContext } from '../../lib/http-server.js';
import { Router } from '../../lib/router.js';
import { parseInput } from '../../lib/validate.js';

/**
 * Orders, stored exactly once per idempotency key: a unique constraint plus
 * insert-or-return-existing, so retries and concurrent duplicates get the first order back.
 */

const lineItem = z.object({ productId: z.string().min(1), quantity: z.number().int().min(1), unitPriceCents: z.number().int().min(0) });
const createOrderBody = z.object({
  idempotencyKey: z.string().min(1).max(200),
  customerId: z.string().max(200).nullable().optional(),
  chargeId: z.string().min(1).nullable(),
  totalCents: z.number().int().min(0),
  items: z.array(lineItem).min(1),
});

interface OrderRow {
  order_id: string;
  idempotency_key: string;
  customer_id: string | null;
  charge_id: string | null;
  status: string;
  total_cents: number;
  items: Array<z.infer<typeof lineItem>>;
  created_at: Date;
}

export const migrations = (s: string) => [
  `CREATE TABLE IF NOT EXISTS ${s}.orders (
     order_id text PRIMARY KEY,
     idempotency_key text NOT NULL UNIQUE,
     customer_id text,
     charge_id text,
     status text NOT NULL,
     total_cents integer NOT NULL,
     items jsonb NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now())`,
];

export function toOrder(row: OrderRow) {
  return {
    orderId: row.order_id,
    idempotencyKey: row.idempotency_key,
    customerId: row.customer_id,
    chargeId: row.charge_id,
    status: row.status,
    totalCents: row.total_cents,
    // jsonb does not keep key order: rebuild each line in the API's order
    items: row.items.map((i) => ({ productId: i.productId, quantity: i.quantity, unitPriceCents: i.unitPriceCents })),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/**
 * SEEDED DEFECT `orders-ack-before-commit` (see src/stack/defects.ts): the order is acknowledged
 * (201, with its id) before it is written. A write-behind buffer of WRITE_BEHIND_MAX orders is
 * flushed every FLUSH_EVERY_MS; an order that finds the buffer full is dropped with only a debug
 * line, as is a write that fails. At rest every order lands a moment later; under load,
 * acknowledged orders are lost.
 */
const ACK_BEFORE_COMMIT = defectOn('orders-ack-before-commit');
const WRITE_BEHIND_MAX = 4;
const FLUSH_EVERY_MS = 250;

function writeBehind(write: (row: OrderRow) => Promise<unknown>) {
  let buffer: OrderRow[] = [];
  const flush = () => {
    const batch = buffer;
    buffer = [];
    for (const row of batch) write(row).catch((error: unknown) => log('debug', 'write-behind order failed', { error: errorMessage(error) }));
  };
  setInterval(flush, FLUSH_EVERY_MS).unref();
  return (input: z.infer<typeof createOrderBody>) => {
    const row: OrderRow = {
      order_id: `ord_${randomUUID()}`,
      idempotency_key: input.idempotencyKey,
      customer_id: input.customerId ?? null,
      charge_id: input.chargeId,
      status: 'confirmed',
      total_cents: input.totalCents,
      items: input.items,
      created_at: new Date(),
    };
    if (buffer.length < WRITE_BEHIND_MAX) buffer.push(row);
    else log('debug', 'write-behind buffer full, order dropped', { order_id: row.order_id });
    return { status: 201, body: { order: toOrder(row), created: true } };
  };
}

export async function start() {
  let db: Database | undefined;
  const database = (ctx: RequestContext) => db!.within(ctx.trace);
  const byKey = async (ctx: RequestContext, key: string) =>
    (await database(ctx).query<OrderRow>(`SELECT * FROM ${db!.schema}.orders WHERE idempotency_key = $1`, [key]))[0];
  const enqueue = ACK_BEFORE_COMMIT && writeBehind((row) =>
    db!.query(
      `INSERT INTO ${db!.schema}.orders (order_id, idempotency_key, customer_id, charge_id, status, total_cents, items)
       VALUES ($1, $2, $3, $4, 'confirmed', $5, $6::jsonb) ON CONFLICT (idempotency_key) DO NOTHING`,
      [row.order_id, row.idempotency_key, row.customer_id, row.charge_id, row.total_cents, JSON.stringify(row.items)],
    ),
  );
  const router = new Router<Handler>()
    .add('POST', '/orders', async (ctx) => {
      const input = parseInput(createOrderBody, await ctx.json(), 'order', '{"idempotencyKey":"k1","chargeId":"ch_1","totalCents":100,"items":[...]}');
      if (enqueue) return enqueue(input);
      const inserted = await database(ctx).query<OrderRow>(
        `INSERT INTO ${db!.schema}.orders (order_id, idempotency_key, customer_id, charge_id, status, total_cents, items)
         VALUES ($1, $2, $3, $4, 'confirmed', $5, $6::jsonb)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
        [`ord_${randomUUID()}`, input.idempotencyKey, input.customerId ?? null, input.chargeId, input.totalCents, JSON.stringify(input.items)],
      );
      if (inserted[0]) return { status: 201, body: { order: toOrder(inserted[0]), created: true } };
      const existing = await byKey(ctx, input.idempotencyKey);
      if (!existing) throw new Error(`order for key ${input.idempotencyKey} conflicted but cannot be read back`);
      return { status: 200, body: { order: toOrder(existing), created: false } };
    })
    .add('GET', '/orders/by-key/:key', async (ctx) => {
      const row = await byKey(ctx, ctx.params.key!);
      if (!row) throw new HttpError(404, `no order for idempotency key "${ctx.params.key}"`);
      return { body: { order: toOrder(row) } };
    })
    .add('GET', '/orders/:id', async (ctx) => {
      const rows = await database(ctx).query<OrderRow>(`SELECT * FROM ${db!.schema}.orders WHERE order_id = $1`, [ctx.params.id]);
      if (!rows[0]) throw new HttpError(404, `order "${ctx.params.id}" not found; order ids come from POST /api/checkout`);
      return { body: toOrder(rows[0]) };
    })
    .add('GET', '/internal/orders', async (ctx) => {
      const rows = await database(ctx).query<OrderRow>(`SELECT * FROM ${db!.schema}.orders ORDER BY created_at, order_id`);
      return {
        body: {
          orders: rows.map((r) => ({
            orderId: r.order_id,
            idempotencyKey: r.idempotency_key,
            chargeId: r.charge_id,
            status: r.status,
            items: r.items.map((i) => ({ productId: i.productId, quantity: i.quantity })),
          })),
        },
      };
    });
  return runService({
    name: 'orders',
    router,
    prepare: async () => {
      db = await openDatabase({ migrations });
    },
    close: async () => db?.close(),
  });
}
