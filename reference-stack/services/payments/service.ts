import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { openDatabase, type Database } from '../../lib/db.js';
import { defectOn } from '../../lib/defects.js';
import { envNumber } from '../../lib/env.js';
import { HttpError, runService, type Handler, type RequestContext } from '../../lib/http-server.js';
import { Router } from '../../lib/router.js';
import { parseInput } from '../../lib/validate.js';

/**
 * Payments: a simulated card provider. Latency, jitter and a provider failure rate come from the
 * environment (PAYMENTS_LATENCY_MS, PAYMENTS_JITTER_MS, PAYMENTS_FAILURE_RATE). A charge is stored
 * once per idempotency key (unique constraint + insert-or-return-existing), so a retry never
 * charges twice. A token starting with `tok_decline` is declined (stored, answered 402); a
 * provider failure stores nothing (answered 503, safe to retry with the same key).
 */

const chargeBody = z.object({
  idempotencyKey: z.string().min(1).max(200),
  amountCents: z.number().int().min(0),
  paymentToken: z.string().max(200).nullable().optional(),
});

interface ChargeRow {
  charge_id: string;
  idempotency_key: string;
  amount_cents: number;
  status: 'captured' | 'declined' | 'refunded';
}

export const migrations = (s: string) => [
  `CREATE TABLE IF NOT EXISTS ${s}.charges (
     charge_id text PRIMARY KEY,
     idempotency_key text NOT NULL UNIQUE,
     amount_cents integer NOT NULL,
     status text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now())`,
];

/**
 * SEEDED DEFECT `checkout-double-charge` (off unless PEAKREADY_DEFECTS names it): the hop lost its
 * idempotency. The unique key on charges is dropped, a charge is not looked up by key, and a
 * provider call slower than the mean latency is taken for a timeout and retried as a new charge:
 * both attempts were captured, under the one key.
 */
const DOUBLE_CHARGE = defectOn('checkout-double-charge');
const defectMigrations = (s: string) => [...migrations(s), `ALTER TABLE ${s}.charges DROP CONSTRAINT IF EXISTS charges_idempotency_key_key`];

async function chargeWithoutKey(db: Database, ctx: RequestContext, input: z.infer<typeof chargeBody>, latencyMs: number, delayMs: number) {
  await sleep(delayMs);
  const attempts = delayMs > latencyMs ? 2 : 1;
  const status = (input.paymentToken ?? '').startsWith('tok_decline') ? 'declined' : 'captured';
  let row: ChargeRow | undefined;
  for (let i = 0; i < attempts; i++) {
    [row] = await db.within(ctx.trace).query<ChargeRow>(
      `INSERT INTO ${db.schema}.charges (charge_id, idempotency_key, amount_cents, status) VALUES ($1, $2, $3, $4) RETURNING *`,
      [`ch_${randomUUID()}`, input.idempotencyKey, input.amountCents, status],
    );
  }
  return chargeReply(row!, true);
}

const toCharge = (r: ChargeRow) => ({ chargeId: r.charge_id, idempotencyKey: r.idempotency_key, amountCents: r.amount_cents, status: r.status });

function chargeReply(row: ChargeRow, created: boolean) {
  const charge = toCharge(row);
  if (row.status === 'declined') return { status: 402, body: { error: 'payment declined by the provider; use another payment method', charge } };
  return { status: created ? 201 : 200, body: { charge, replayed: !created } };
}

export async function start() {
  const latencyMs = envNumber('PAYMENTS_LATENCY_MS', 20, { min: 0, max: 60_000 });
  const jitterMs = envNumber('PAYMENTS_JITTER_MS', 10, { min: 0, max: 60_000 });
  const failureRate = envNumber('PAYMENTS_FAILURE_RATE', 0, { min: 0, max: 1 });
  let db: Database | undefined;
  const database = (ctx: RequestContext) => db!.within(ctx.trace);
  const byKey = async (ctx: RequestContext, key: string) =>
    (await database(ctx).query<ChargeRow>(`SELECT * FROM ${db!.schema}.charges WHERE idempotency_key = $1`, [key]))[0];

  const router = new Router<Handler>()
    .add('POST', '/charges', async (ctx) => {
      const input = parseInput(chargeBody, await ctx.json(), 'charge', '{"idempotencyKey":"k1","amountCents":1999,"paymentToken":"tok_visa"}');
      if (DOUBLE_CHARGE) return chargeWithoutKey(db!, ctx, input, latencyMs, Math.max(0, latencyMs + (Math.random() * 2 - 1) * jitterMs));
      const existing = await byKey(ctx, input.idempotencyKey);
      if (existing) return chargeReply(existing, false);
      // the provider round trip, outside any transaction
      const delay = Math.max(0, latencyMs + (Math.random() * 2 - 1) * jitterMs);
      if (delay > 0) await sleep(delay);
      if (Math.random() < failureRate) {
        throw new HttpError(503, 'payment provider error (simulated by PAYMENTS_FAILURE_RATE); nothing was charged, retry with the same idempotency key');
      }
      const status = (input.paymentToken ?? '').startsWith('tok_decline') ? 'declined' : 'captured';
      const inserted = await database(ctx).query<ChargeRow>(
        `INSERT INTO ${db!.schema}.charges (charge_id, idempotency_key, amount_cents, status) VALUES ($1, $2, $3, $4)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
        [`ch_${randomUUID()}`, input.idempotencyKey, input.amountCents, status],
      );
      if (inserted[0]) return chargeReply(inserted[0], true);
      // a concurrent duplicate stored its charge first: that one is the charge
      const winner = await byKey(ctx, input.idempotencyKey);
      if (!winner) throw new Error(`charge for key ${input.idempotencyKey} conflicted but cannot be read back`);
      return chargeReply(winner, false);
    })
    .add('POST', '/charges/:key/refund', async (ctx) => {
      const rows = await database(ctx).query<ChargeRow>(
        `UPDATE ${db!.schema}.charges SET status = 'refunded' WHERE idempotency_key = $1 AND status IN ('captured', 'refunded') RETURNING *`,
        [ctx.params.key],
      );
      if (!rows[0]) throw new HttpError(404, `no captured charge for idempotency key "${ctx.params.key}"`);
      return { body: { charge: toCharge(rows[0]) } };
    })
    .add('GET', '/internal/charges', async (ctx) => {
      const rows = await database(ctx).query<ChargeRow>(`SELECT * FROM ${db!.schema}.charges ORDER BY created_at, charge_id`);
      return { body: { charges: rows.map(toCharge) } };
    });
  return runService({
    name: 'payments',
    router,
    prepare: async () => {
      db = await openDatabase({ migrations: DOUBLE_CHARGE ? defectMigrations : migrations });
    },
    close: async () => db?.close(),
  });
}
