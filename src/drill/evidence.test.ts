import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBudgets } from '../budgets/load.js';
import { packageRoot } from '../paths.js';
import { readRunData } from '../run/run-data.js';
import { RunDirectory } from '../run/run-dir.js';
import { checkTracing } from '../verify/tracing.js';
import { privateDatabase } from '../../test/support/stack.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { checkIntegrity } from '../verify/integrity.js';
import { gatherEvidence } from './evidence.js';
import type { DrillPlan, SqlChecksPlan } from './plan.js';
import type { DrillRig } from './rig.js';

/** A Tempo (v2 API) that holds one of the run's two traces, as test/fixtures/traces/tempo-v2.json has it. */
const HELD = '4bf92f3577b34da6a3ce929d0e0e4736';
const LOST = 'ab'.repeat(16);
let server: Server;
afterAll(() => new Promise((resolve) => server.close(resolve)));

async function tempo(): Promise<string> {
  const body = readFileSync(join(packageRoot, 'test/fixtures/traces/tempo-v2.json'), 'utf8');
  server = createServer((req, res) => {
    const id = /^\/api\/v2\/traces\/([0-9a-f]+)/.exec(req.url ?? '')?.[1];
    if (id === HELD) res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('trace not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("the drill's evidence on a system whose traces go to Tempo", () => {
  it('fetches every sent trace by id into traces.ndjson, so the tracing check judges them as received ones', async () => {
    const url = await tempo();
    const run = new RunDirectory(tempDir('peakready-evidence-'));
    const t = Date.now();
    run.appendRequests([HELD, LOST].map((traceId, i) => ({ t: t + i, scenario: 'peak', name: 'checkout', method: 'POST', status: 201, duration: 20, failed: false, traceId })));
    const lines: string[] = [];
    const plan = { traceBackend: { kind: 'tempo', url } } as DrillPlan;
    const rig = { runningStack: undefined } as unknown as DrillRig;
    await gatherEvidence(plan, rig, run, new AbortController().signal, (line) => lines.push(line));

    expect(lines).toContain('peakready: 1 traces found, 1 missing, 0 lookups failed (tempo-v2)');
    const spans = run.readLines<{ traceId: string }>('traces');
    expect(spans.length).toBeGreaterThan(0);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([HELD]));
    // one of two sent traces reached the backend: the tracing check sees exactly that
    const result = checkTracing(readRunData(run), parseBudgets('checks: { tracing: { completeness: 0.95 } }'), { traceRules: { rules: [] } });
    expect(result.status).toBe('fail');
    expect(result.figure).toMatch(/^50% complete/);
  });
});

describe("the drill's evidence: SQL invariants on a target's database", () => {
  const sqlPlan = (database: SqlChecksPlan['database']) =>
    ({
      withStack: false,
      sqlChecks: {
        invariants: [
          { name: 'orders-once-per-key', query: 'SELECT idempotency_key, count(*) AS n FROM shop_orders GROUP BY 1 HAVING count(*) > 1', timeoutMs: 5000 },
          { name: 'stock-never-negative', query: 'SELECT sku, available FROM shop_stock WHERE available < 0', timeoutMs: 5000 },
        ],
        database,
      },
    }) as unknown as DrillPlan;
  const rig = { runningStack: undefined, tracesSettled: async () => undefined } as unknown as DrillRig;
  const budgets = parseBudgets('{}');

  it('runs them after the load into sql-checks.json, and the integrity check fails on the rows found', async () => {
    const database = await privateDatabase('sql_evidence');
    try {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query(`CREATE TABLE shop_orders (id text, idempotency_key text); CREATE TABLE shop_stock (sku text, available int);
        INSERT INTO shop_orders VALUES ('o1', 'k1'), ('o2', 'k1'), ('o3', 'k2'); INSERT INTO shop_stock VALUES ('s1', 3), ('s2', 0)`);
      await client.end();
      const run = new RunDirectory(tempDir('peakready-evidence-'));
      const lines: string[] = [];
      await gatherEvidence(sqlPlan({ kind: 'url', url: database.url, from: '--database-url' }), rig, run, new AbortController().signal, (line) => lines.push(line));
      expect(lines.at(-1)).toMatch(/^peakready: SQL checks on postgres:\/\/.*: 1 hold, 1 returned rows, 0 failed to run/);
      const check = checkIntegrity(readRunData(run), budgets);
      expect(check).toMatchObject({ status: 'fail', figure: '1 violations, 2 SQL checks' });
      expect(check.reason).toBe('SQL orders-once-per-key: 1 rows (limit 0 rows); returned {"idempotency_key":"k1","n":"2"}');
    } finally {
      await database.drop();
    }
  });

  it('without a database URL: sql-checks.json says so, and the integrity check is a skip naming the fix', async () => {
    const run = new RunDirectory(tempDir('peakready-evidence-'));
    await gatherEvidence(sqlPlan({ kind: 'none' }), rig, run, new AbortController().signal, () => undefined);
    const check = checkIntegrity(readRunData(run), budgets);
    expect(check).toMatchObject({ status: 'skip', reason: expect.stringContaining('2 SQL checks declared (orders-once-per-key, stock-never-negative) but no database URL') });
  });
});
