import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/support/postgres.js';
import { checkoutIntegritySuite } from '../test/fixtures/reference-stack/checkout-suite.js';
import { request } from '../test/fixtures/reference-stack/client.js';
import { GENEROUS_TIMEOUTS, launchStack, type LaunchedStack } from '../test/fixtures/reference-stack/launcher.js';

// The same checkout-integrity behaviour on Debian's PostgreSQL (a fresh database for this file):
// each service in its own schema, real row locks instead of PGlite's single backend.
let db: TestDatabase;
let stack: LaunchedStack;

beforeAll(async () => {
  db = await createTestDatabase('stack');
  stack = await launchStack({ databaseUrl: db.url, tracing: false, env: { PAYMENTS_LATENCY_MS: '5', PAYMENTS_JITTER_MS: '2', ...GENEROUS_TIMEOUTS } });
});
afterAll(async () => {
  await stack?.stop();
  await db?.drop();
});

describe('reference stack on PostgreSQL', () => {
  it('each owning service migrated its own schema', async () => {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const rows = (await client.query<{ table_schema: string; table_name: string }>(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ('cart','inventory','orders','payments') ORDER BY 1, 2",
      )).rows.map((r) => `${r.table_schema}.${r.table_name}`);
      expect(rows).toEqual(['cart.cart_items', 'inventory.reservations', 'inventory.stock', 'orders.orders', 'payments.charges']);
    } finally {
      await client.end();
    }
    expect((await request(`${stack.gatewayUrl}/api/products/sku-00003`)).status).toBe(200);
  });

  it('replicas starting at once migrate a fresh schema once (advisory lock)', async () => {
    const replicas = await Promise.all([1, 2, 3].map(() => stack.startExtraReplica('inventory', { DB_SCHEMA: 'inventory_race' })));
    try {
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const rows = (await client.query<{ n: string; door: string }>('SELECT count(*) AS n, count(*) FILTER (WHERE doorbuster) AS door FROM inventory_race.stock')).rows;
        expect(rows[0]).toEqual({ n: '1200', door: '5' });
      } finally {
        await client.end();
      }
      for (const r of replicas) expect((await request(`${r.url}/stock/sku-00001`)).body).toMatchObject({ available: 50 });
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
    }
  });

  it('with OTEL_SDK_DISABLED=true nothing is traced (no traceresponse header)', async () => {
    const res = await request(`${stack.gatewayUrl}/api/products/sku-00004`);
    expect(res.status).toBe(200);
    expect(res.headers.get('traceresponse')).toBeNull();
  });

  checkoutIntegritySuite(() => stack, ['sku-00001', 'sku-00002']);
});
