import type { DatabaseScope, Queryable } from '../../lib/db.js';
import { catalog } from '../../lib/catalog-data.js';

/**
 * Stock and reservations in schema `inventory`. A reservation takes units with one conditional
 * UPDATE per line (`available >= n`), all lines in one short transaction in product-id order (no
 * deadlock between two multi-line reservations), so stock never goes below zero and a flash
 * sale never oversells. Reservations are keyed by the checkout's idempotency key, so a retried
 * or duplicated checkout holds its units once.
 */

export interface Line {
  productId: string;
  quantity: number;
}

export type ReservationStatus = 'reserved' | 'committed' | 'released';

export class OutOfStockError extends Error {
  constructor(readonly productId: string) {
    super(`product "${productId}" does not have enough stock`);
  }
}

export class ReservationNotFoundError extends Error {}

export const migrations = (s: string) => [
  `CREATE TABLE IF NOT EXISTS ${s}.stock (
     product_id text PRIMARY KEY,
     initial integer NOT NULL,
     available integer NOT NULL CHECK (available >= 0),
     min_observed integer NOT NULL,
     doorbuster boolean NOT NULL DEFAULT false)`,
  `CREATE TABLE IF NOT EXISTS ${s}.reservations (
     reservation_id text PRIMARY KEY,
     items jsonb NOT NULL,
     status text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,
];

/** Seeds one stock row per catalog product; existing rows are kept (another replica or an earlier run). */
export function seed(defaultStock: number, doorbusterStock: number) {
  return async (tx: Queryable, s: string) => {
    const products = catalog().list;
    await tx.query(
      `INSERT INTO ${s}.stock (product_id, initial, available, min_observed, doorbuster)
       SELECT id, units, units, units, door FROM unnest($1::text[], $2::int[], $3::boolean[]) AS t(id, units, door)
       ON CONFLICT (product_id) DO NOTHING`,
      [products.map((p) => p.id), products.map((p) => (p.doorbuster ? doorbusterStock : defaultStock)), products.map((p) => p.doorbuster)],
    );
  };
}

async function take(tx: Queryable, s: string, items: readonly Line[]): Promise<void> {
  for (const line of [...items].sort((a, b) => a.productId.localeCompare(b.productId))) {
    const rows = await tx.query(
      `UPDATE ${s}.stock SET available = available - $2, min_observed = LEAST(min_observed, available - $2)
       WHERE product_id = $1 AND available >= $2 RETURNING available`,
      [line.productId, line.quantity],
    );
    if (rows.length === 0) throw new OutOfStockError(line.productId);
  }
}

async function giveBack(tx: Queryable, s: string, items: readonly Line[]): Promise<void> {
  for (const line of [...items].sort((a, b) => a.productId.localeCompare(b.productId))) {
    await tx.query(`UPDATE ${s}.stock SET available = available + $2 WHERE product_id = $1`, [line.productId, line.quantity]);
  }
}

async function lockReservation(tx: Queryable, s: string, id: string) {
  const rows = await tx.query<{ status: ReservationStatus; items: Line[] }>(
    `SELECT status, items FROM ${s}.reservations WHERE reservation_id = $1 FOR UPDATE`,
    [id],
  );
  return rows[0];
}

/** Holds the units of `items` under `id`; a second call with the same id holds nothing more. */
export function reserve(db: DatabaseScope, id: string, items: readonly Line[]): Promise<ReservationStatus> {
  const s = db.schema;
  return db.transaction<ReservationStatus>(async (tx) => {
    // the common case first (a new key): one INSERT; on a real server a concurrent insert of the
    // same id waits here until the first transaction ends
    const inserted = await tx.query(
      `INSERT INTO ${s}.reservations (reservation_id, items, status) VALUES ($1, $2::jsonb, 'reserved')
       ON CONFLICT (reservation_id) DO NOTHING RETURNING reservation_id`,
      [id, JSON.stringify(items)],
    );
    if (inserted.length === 1) {
      await take(tx, s, items);
      return 'reserved';
    }
    const existing = await lockReservation(tx, s, id);
    if (!existing) throw new Error(`reservation ${id} conflicted but cannot be read back`);
    if (existing.status !== 'released') return existing.status;
    await take(tx, s, existing.items);
    await tx.query(`UPDATE ${s}.reservations SET status = 'reserved', updated_at = now() WHERE reservation_id = $1`, [id]);
    return 'reserved';
  });
}

/**
 * SEEDED DEFECT `inventory-oversell` (see src/stack/defects.ts): stock taken by read-then-write.
 * The reservation only reads whether enough is available and records the hold; the units are
 * taken at commit, after the payment, by an unconditional `available = available - n`. Every
 * buyer who read the last units before anyone committed gets them; the schema's CHECK
 * (available >= 0) is gone too (`oversellMigrations`). Released holds give nothing back (nothing
 * was taken).
 */
export const readThenWrite = {
  async reserve(db: DatabaseScope, id: string, items: readonly Line[]): Promise<ReservationStatus> {
    const s = db.schema;
    for (const line of items) {
      const [row] = await db.query<{ available: number }>(`SELECT available FROM ${s}.stock WHERE product_id = $1`, [line.productId]);
      if (!row || row.available < line.quantity) throw new OutOfStockError(line.productId);
    }
    await db.query(
      `INSERT INTO ${s}.reservations (reservation_id, items, status) VALUES ($1, $2::jsonb, 'reserved') ON CONFLICT (reservation_id) DO NOTHING`,
      [id, JSON.stringify(items)],
    );
    return 'reserved';
  },

  async commit(db: DatabaseScope, id: string): Promise<ReservationStatus> {
    const s = db.schema;
    const [taken] = await db.query<{ items: Line[] }>(
      `UPDATE ${s}.reservations SET status = 'committed', updated_at = now() WHERE reservation_id = $1 AND status <> 'committed' RETURNING items`,
      [id],
    );
    if (!taken) {
      const [existing] = await db.query(`SELECT status FROM ${s}.reservations WHERE reservation_id = $1`, [id]);
      if (!existing) throw new ReservationNotFoundError(`reservation "${id}" not found`);
      return 'committed';
    }
    for (const line of taken.items) {
      await db.query(
        `UPDATE ${s}.stock SET available = available - $2, min_observed = LEAST(min_observed, available - $2) WHERE product_id = $1`,
        [line.productId, line.quantity],
      );
    }
    return 'committed';
  },

  async release(db: DatabaseScope, id: string): Promise<ReservationStatus | undefined> {
    const [row] = await db.query<{ status: ReservationStatus }>(
      `UPDATE ${db.schema}.reservations SET status = CASE WHEN status = 'reserved' THEN 'released' ELSE status END, updated_at = now()
       WHERE reservation_id = $1 RETURNING status`,
      [id],
    );
    return row?.status;
  },
};

export const oversellMigrations = (s: string) => [...migrations(s), `ALTER TABLE ${s}.stock DROP CONSTRAINT IF EXISTS stock_available_check`];

/** Makes the hold final (an order exists). A released hold is taken again first, or OutOfStockError. */
export async function commit(db: DatabaseScope, id: string): Promise<ReservationStatus> {
  const s = db.schema;
  // the common case in one statement: the hold is still there
  const direct = await db.query(
    `UPDATE ${s}.reservations SET status = 'committed', updated_at = now() WHERE reservation_id = $1 AND status = 'reserved' RETURNING reservation_id`,
    [id],
  );
  if (direct.length === 1) return 'committed';
  return db.transaction<ReservationStatus>(async (tx) => {
    const existing = await lockReservation(tx, s, id);
    if (!existing) throw new ReservationNotFoundError(`reservation "${id}" not found`);
    if (existing.status === 'committed') return 'committed';
    if (existing.status === 'released') await take(tx, s, existing.items);
    await tx.query(`UPDATE ${s}.reservations SET status = 'committed', updated_at = now() WHERE reservation_id = $1`, [id]);
    return 'committed';
  });
}

/** Gives the units back unless the hold was committed; releasing twice gives back once. */
export function release(db: DatabaseScope, id: string): Promise<ReservationStatus | undefined> {
  const s = db.schema;
  return db.transaction<ReservationStatus | undefined>(async (tx) => {
    const existing = await lockReservation(tx, s, id);
    if (!existing) return undefined;
    if (existing.status !== 'reserved') return existing.status;
    await giveBack(tx, s, existing.items);
    await tx.query(`UPDATE ${s}.reservations SET status = 'released', updated_at = now() WHERE reservation_id = $1`, [id]);
    return 'released';
  });
}

/**
 * Releases holds nobody finished: `reserved` for longer than `ttlMs` (a checkout that timed out
 * on the payment and was never retried). Safe beside a late retry: its commit takes the units
 * again, or the charge is refunded. Returns how many holds it released.
 */
export async function releaseExpired(db: DatabaseScope, ttlMs: number, limit = 100, releaseOne = release): Promise<number> {
  const rows = await db.query<{ reservation_id: string }>(
    `SELECT reservation_id FROM ${db.schema}.reservations
     WHERE status = 'reserved' AND updated_at < now() - $1 * interval '1 millisecond'
     ORDER BY updated_at LIMIT $2`,
    [ttlMs, limit],
  );
  let released = 0;
  for (const row of rows) if ((await releaseOne(db, row.reservation_id)) === 'released') released++;
  return released;
}
