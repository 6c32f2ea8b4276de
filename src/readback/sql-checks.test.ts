import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations as inventoryTables } from '../../reference-stack/services/inventory/stock-store.js';
import { migrations as orderTables } from '../../reference-stack/services/orders/service.js';
import { migrations as paymentTables } from '../../reference-stack/services/payments/service.js';
import { privateDatabase } from '../../test/support/stack.js';
import { loadGameDay } from '../gameday/load.js';
import type { SqlChecksSnapshot } from '../run/records.js';
import { pingDatabase, runSqlChecks } from './sql-checks.js';
import type { SqlInvariant } from './sql-invariant.js';

/** The bundled shop's own invariants, as scenarios/gameday.yaml declares them. */
const bundled = loadGameDay().checks.integrity!.sql;
const invariant = (name: string, query: string, timeoutMs = 10_000): SqlInvariant => ({ name, query, timeoutMs });
const outcome = (snapshot: SqlChecksSnapshot, name: string) => snapshot.checks.find((c) => c.name === name)!;

/** The reference shop's tables (its services' own migrations), one schema per service, and a clean day's data. */
async function shopSchema(exec: (sql: string) => Promise<unknown>): Promise<void> {
  for (const [schema, tables] of [['orders', orderTables], ['payments', paymentTables], ['inventory', inventoryTables]] as const) {
    await exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    for (const statement of tables(schema)) await exec(statement);
  }
  await exec(`INSERT INTO payments.charges (charge_id, idempotency_key, amount_cents, status) VALUES
    ('ch_1', 'k1', 1999, 'captured'), ('ch_2', 'k2', 500, 'captured'), ('ch_3', 'k3', 500, 'declined')`);
  await exec(`INSERT INTO orders.orders (order_id, idempotency_key, charge_id, status, total_cents, items) VALUES
    ('ord_1', 'k1', 'ch_1', 'confirmed', 1999, '[{"productId":"p1","quantity":1,"unitPriceCents":1999}]'),
    ('ord_2', 'k2', 'ch_2', 'confirmed', 500, '[{"productId":"p2","quantity":2,"unitPriceCents":250}]')`);
  await exec(`INSERT INTO inventory.stock (product_id, initial, available, min_observed) VALUES ('p1', 10, 9, 9), ('p2', 5, 3, 3)`);
}

describe('SQL invariants on a real PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof privateDatabase>>;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    database = await privateDatabase('sql_checks');
    await shopSchema(admin);
  });
  afterAll(() => database?.drop());

  it("the bundled shop's invariants hold on a clean day: every query returns no rows", async () => {
    expect(bundled.map((i) => i.name)).toEqual(['orders-once-per-key', 'one-order-per-charge', 'charged-once-per-key', 'orders-paid', 'stock-never-negative', 'orders-have-items']);
    const snapshot = await runSqlChecks(database.url, bundled, { engine: 'postgres' });
    expect(snapshot.checks.map((c) => [c.name, c.outcome, c.error])).toEqual(bundled.map((i) => [i.name, 'clean', undefined]));
    expect(snapshot.database).toBe(database.url.replace(/:[^:@/]+@/, ':***@'));
    expect(await pingDatabase(database.url)).toEqual({ ok: true, detail: 'answers SELECT 1' });
  });

  it('on a shop without the constraints, duplicated orders and negative stock come back as rows: the evidence', async () => {
    await admin('ALTER TABLE orders.orders DROP CONSTRAINT orders_idempotency_key_key');
    await admin('ALTER TABLE inventory.stock DROP CONSTRAINT stock_available_check');
    await admin(`INSERT INTO orders.orders (order_id, idempotency_key, charge_id, status, total_cents, items) VALUES
      ('ord_1b', 'k1', 'ch_1', 'confirmed', 1999, '[{"productId":"p1","quantity":1,"unitPriceCents":1999}]'),
      ('ord_3', 'k3', 'ch_3', 'confirmed', 500, '[]')`);
    await admin(`UPDATE inventory.stock SET available = -2, min_observed = -2 WHERE product_id = 'p2'`);
    const snapshot = await runSqlChecks(database.url, bundled);
    expect(outcome(snapshot, 'orders-once-per-key')).toMatchObject({ outcome: 'rows', rowCount: 1, rows: [{ idempotency_key: 'k1', orders: '2' }] });
    expect(outcome(snapshot, 'one-order-per-charge')).toMatchObject({ outcome: 'rows', rows: [{ charge_id: 'ch_1', orders: '2' }] });
    expect(outcome(snapshot, 'orders-paid')).toMatchObject({ outcome: 'rows', rows: [{ order_id: 'ord_3', charge_id: 'ch_3', status: 'declined' }] });
    expect(outcome(snapshot, 'stock-never-negative')).toMatchObject({ outcome: 'rows', rows: [{ product_id: 'p2', initial: 5, available: -2, min_observed: -2 }] });
    expect(outcome(snapshot, 'orders-have-items')).toMatchObject({ outcome: 'rows', rows: [{ order_id: 'ord_3' }] });
    expect(outcome(snapshot, 'charged-once-per-key').outcome).toBe('clean');
  });

  it('keeps the first 10 offending rows and counts them all', async () => {
    const snapshot = await runSqlChecks(database.url, [invariant('many', 'SELECT n FROM generate_series(1, 25) AS n')]);
    expect(snapshot.checks[0]).toMatchObject({ outcome: 'rows', rowCount: 25 });
    expect(snapshot.checks[0]!.rows).toEqual(Array.from({ length: 10 }, (_, i) => ({ n: i + 1 })));
  });

  it('a write is refused by the read-only transaction, in any form, and nothing changes', async () => {
    const before = (await admin('SELECT count(*)::int AS n FROM orders.orders')).rows[0].n as number;
    const snapshot = await runSqlChecks(database.url, [
      invariant('delete', 'DELETE FROM orders.orders RETURNING order_id'),
      // a data-modifying WITH is refused as a whole (PostgreSQL names it SELECT)
      invariant('cte-delete', 'WITH gone AS (DELETE FROM orders.orders RETURNING order_id) SELECT * FROM gone'),
      invariant('update', "UPDATE inventory.stock SET available = 100 WHERE product_id = 'p2' RETURNING product_id"),
      invariant('ddl', 'DROP TABLE orders.orders'),
      // one statement only: a batch that ends the transaction and then writes is refused whole
      invariant('escape', 'COMMIT; DELETE FROM orders.orders'),
    ]);
    for (const name of ['delete', 'cte-delete', 'update', 'ddl']) {
      expect(outcome(snapshot, name)).toMatchObject({ outcome: 'error', code: '25006', error: expect.stringMatching(/cannot execute (DELETE|UPDATE|DROP TABLE|SELECT) in a read-only transaction/) });
    }
    expect(outcome(snapshot, 'escape')).toMatchObject({ outcome: 'error', code: '42601', error: 'cannot insert multiple commands into a prepared statement' });
    expect((await admin('SELECT count(*)::int AS n FROM orders.orders')).rows[0].n).toBe(before);
    expect((await admin("SELECT available FROM inventory.stock WHERE product_id = 'p2'")).rows[0].available).toBe(-2);
  });

  it("a bad query or a slow one fails with the database's own message, and the next query still runs", async () => {
    const snapshot = await runSqlChecks(database.url, [
      invariant('typo', 'SELEC order_id FROM orders.orders'),
      invariant('no-table', 'SELECT * FROM orders.nope'),
      invariant('slow', 'SELECT pg_sleep(3)', 300),
      invariant('after', 'SELECT 1 WHERE false'),
    ]);
    expect(outcome(snapshot, 'typo')).toMatchObject({ outcome: 'error', code: '42601', error: 'syntax error at or near "SELEC"' });
    expect(outcome(snapshot, 'no-table')).toMatchObject({ outcome: 'error', code: '42P01', error: 'relation "orders.nope" does not exist' });
    expect(outcome(snapshot, 'slow')).toMatchObject({ outcome: 'error', code: '57014', error: 'canceling statement due to statement timeout' });
    expect(outcome(snapshot, 'slow').durationMs).toBeLessThan(2500);
    expect(outcome(snapshot, 'after').outcome).toBe('clean');
  });

  it('an unreachable database is recorded on every query, never thrown', async () => {
    const url = 'postgres://reader:secret@127.0.0.1:1/shop';
    const snapshot = await runSqlChecks(url, [invariant('a', 'SELECT 1'), invariant('b', 'SELECT 2')], { connectTimeoutMs: 2000 });
    expect(snapshot.database).toBe('postgres://reader:***@127.0.0.1:1/shop');
    expect(outcome(snapshot, 'a')).toMatchObject({ outcome: 'error', error: expect.stringMatching(/^cannot reach the database at postgres:\/\/reader:\*\*\*@127\.0\.0\.1:1\/shop \(.*ECONNREFUSED/) });
    expect(outcome(snapshot, 'b').error).toMatch(/^not run: cannot reach the database/);
    expect(JSON.stringify(snapshot)).not.toContain('secret');
    expect(await pingDatabase(url, 2000)).toMatchObject({ ok: false, detail: expect.stringMatching(/ECONNREFUSED/) });
  });
});

describe("SQL invariants on the bundled shop's embedded PGlite, through its PostgreSQL protocol", () => {
  let db: PGlite;
  let server: PGLiteSocketServer;
  let url: string;

  beforeAll(async () => {
    db = await PGlite.create();
    await shopSchema((sql) => db.exec(sql));
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
    await server.start();
    url = `postgres://postgres@127.0.0.1:${server.getServerConn().split(':').pop()}/postgres`;
  });
  afterAll(async () => {
    await server?.stop();
    await db?.close();
  });

  it("the bundled shop's invariants hold; a write is refused; a slow query is given up by the client", async () => {
    const clean = await runSqlChecks(url, bundled, { engine: 'pglite' });
    expect(clean.checks.map((c) => [c.name, c.outcome, c.error])).toEqual(bundled.map((i) => [i.name, 'clean', undefined]));
    expect(clean.engine).toBe('pglite');

    const refused = await runSqlChecks(url, [invariant('delete', 'DELETE FROM orders.orders RETURNING order_id')]);
    expect(refused.checks[0]).toMatchObject({ outcome: 'error', code: '25006', error: 'cannot execute DELETE in a read-only transaction' });
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders.orders')).rows[0]!.n).toBe(2);

    // PGlite has no timer signal: statement_timeout is not enforced, the client stops waiting
    const slow = await runSqlChecks(url, [invariant('slow', 'SELECT pg_sleep(1.5)', 200)], { clientGraceMs: 300 });
    expect(slow.checks[0]).toMatchObject({ outcome: 'error', error: expect.stringMatching(/^no answer within 0.2 s \(\+ grace\); the database did not enforce statement_timeout/) });
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the single backend finishes the sleep
  });
});
