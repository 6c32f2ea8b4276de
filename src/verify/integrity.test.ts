import { describe, expect, it } from 'vitest';
import { fixtureRunData, writeFixtureRun } from '../../test/support/fixture-run.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadBudgets } from '../budgets/load.js';
import { NOT_READ, tally } from '../readback/plan.js';
import type { CheckResult, ReadBackEntry, ReadBackSnapshot, SqlChecksSnapshot } from '../run/records.js';
import { readRunData, type RunData } from '../run/run-data.js';
import { checkIntegrity } from './integrity.js';

const budgets = loadBudgets();

/** A read-back of `n` acknowledged checkouts (ord-0, ord-2, ...), each found and matching, then spoiled by `spoil`. */
function readBackOf(n: number, spoil: (entry: ReadBackEntry, i: number) => void = () => {}, over: Partial<ReadBackSnapshot> = {}): ReadBackSnapshot {
  const creates: ReadBackEntry[] = Array.from({ length: n }, (_, i) => ({ id: `ord-${i * 2}`, creates: 1, status: 200 }));
  creates.slice(0, 10).forEach((e, i) => (e.replay = { key: `key-${i * 2}`, status: 200, id: e.id, same: true }));
  creates.forEach(spoil);
  const withoutId = over.withoutId ?? [];
  return {
    t: 0,
    durationMs: 1000,
    baseUrl: 'http://127.0.0.1:7100',
    contract: { request: 'checkout', id: '$.orderId', readUrl: '/api/orders/{id}', fields: ['totalCents', 'items'], idempotencyHeader: 'Idempotency-Key' },
    creates,
    withoutId,
    totals: tally(creates, n + withoutId.length, withoutId.length),
    ...over,
  };
}

function judged(readback: ReadBackSnapshot | undefined, withStoredTruth = true): CheckResult {
  const data: RunData = { ...fixtureRunData([], withStoredTruth ? [] : ['integrity']), ...(readback ? { readback } : {}) };
  return checkIntegrity(data, budgets);
}

const detail = (check: CheckResult, name: string) => check.details.find((d) => d.name === name)!;

describe('integrity from the read-back contract', () => {
  it('keeps judging the stored truth alone as before', () => {
    const check = judged(undefined);
    expect(check).toMatchObject({ status: 'pass', figure: '0 violations, 400 orders' });
    expect(check.details.map((d) => d.name)).toEqual(['acknowledged orders stored', 'orders stored once', 'one charge per idempotency key', 'stock never negative', 'units sold <= initial stock']);
  });

  it('passes a system known only through its API when every create exists, matches and replays', () => {
    const check = judged(readBackOf(400), false);
    expect(check).toMatchObject({ status: 'pass', figure: '0 violations, 400 creates' });
    expect(detail(check, 'acknowledged creates exist')).toMatchObject({ status: 'pass', figure: '400/400 found' });
    expect(detail(check, 'replayed idempotency keys return the same id')).toMatchObject({ status: 'pass', figure: '10/10 same' });
  });

  it('adds the stored truth as further details when the run has both', () => {
    const check = judged(readBackOf(400));
    expect(check.details).toHaveLength(11);
    expect(check.figure).toBe('0 violations, 400 creates');
  });

  it('fails on creates the system does not know, naming the first ids', () => {
    const check = judged(readBackOf(400, (e) => (e.status = 404)), false);
    expect(check.status).toBe('fail');
    expect(check.figure).toBe('400 violations, 400 creates');
    expect(check.reason).toBe('acknowledged creates exist: 0/400 found (limit all); missing: ord-0 (404), ord-2 (404), ord-4 (404), ord-6 (404), ord-8 (404), …');
  });

  it('fails on fields that came back different', () => {
    const check = judged(readBackOf(20, (e, i) => i === 3 && (e.mismatched = [{ field: 'totalCents', created: '4990', readBack: '0' }])));
    expect(detail(check, 'read back with the same fields')).toMatchObject({ status: 'fail', figure: '1 differ', note: 'ord-6 totalCents 4990 → 0' });
    expect(detail(check, 'acknowledged creates exist')).toMatchObject({ status: 'pass', figure: '20/20 found' });
  });

  it("judges the load's own retries: one id per retried key; a load that never retried says the check met no duplicate", () => {
    const met = judged(readBackOf(20, () => {}, { retries: { keys: 4, split: [], splitCount: 0 } }), false);
    expect(detail(met, 'a retried key answers one id')).toMatchObject({ status: 'pass', figure: '4 keys retried, 0 with several ids' });
    const split = judged(readBackOf(20, () => {}, { retries: { keys: 4, split: [{ key: 'k-1', ids: ['ord-0', 'ord-9'] }], splitCount: 1 } }), false);
    expect(split.status).toBe('fail');
    expect(detail(split, 'a retried key answers one id')).toMatchObject({ status: 'fail', note: 'keys answered with several ids: k-1: ord-0, ord-9' });
    const never = judged(readBackOf(20, () => {}, { retries: { keys: 0, split: [], splitCount: 0 } }), false);
    expect(detail(never, 'a retried key answers one id')).toMatchObject({ status: 'skip', note: expect.stringMatching(/never retried a create/) });
    expect(never.status).toBe('pass');
    expect(detail(judged(readBackOf(20), false), 'a retried key answers one id')).toBeUndefined();
  });

  it('fails on a replay that gave another id, or no answer', () => {
    const check = judged(
      readBackOf(20, (e, i) => {
        if (i === 1) e.replay = { key: 'key-2', status: 201, id: 'ord-new', same: false };
        if (i === 2) e.replay = { key: 'key-4', status: 409, same: false, error: 'answered 409' };
      }),
    );
    expect(detail(check, 'replayed idempotency keys return the same id')).toMatchObject({ status: 'fail', figure: '8/10 same', note: 'key-2: ord-new instead of ord-2, key-4: answered 409' });
  });

  it('fails on creates that could not be read, ids shared by purchases, and creates without an id', () => {
    const check = judged(
      readBackOf(
        20,
        (e, i) => {
          if (i === 0) Object.assign(e, { status: 503 });
          if (i === 1) Object.assign(e, { status: 0, error: 'ECONNRESET' });
          if (i === 2) Object.assign(e, { creates: 2, keys: 2 });
          if (i >= 15) Object.assign(e, { status: 0, error: NOT_READ });
        },
        { withoutId: [{ t: Date.UTC(2026, 10, 27), status: 201, error: 'response body is not JSON: "<html>"' }], stopped: 'stopped after 15 of 30 requests: interrupted' },
      ),
    );
    expect(check.figure).toBe('9 violations, 21 creates');
    expect(detail(check, 'every create could be read back')).toMatchObject({
      status: 'fail',
      figure: '13/20 read',
      note: 'stopped after 15 of 30 requests: interrupted; ord-0 (503), ord-2 (ECONNRESET), ord-30 (not read: the read-back was stopped), ord-32 (not read: the read-back was stopped), ord-34 (not read: the read-back was stopped), …',
    });
    expect(detail(check, 'one id per purchase')).toMatchObject({ status: 'fail', note: 'ids given to several idempotency keys: ord-4 (2 keys)' });
    expect(detail(check, 'acknowledged creates carry an id')).toMatchObject({ status: 'fail', note: 'no id at $.orderId: at 2026-11-27T00:00:00.000Z: response body is not JSON: "<html>"' });
  });

  it('says why it has no evidence from what the run recorded: a --target run, never guessed for the bundled shop', () => {
    const target = { ...fixtureRunData([], ['integrity']), config: { command: 'drill', target: 'http://127.0.0.1:9000' } };
    expect(checkIntegrity(target, budgets)).toMatchObject({ status: 'skip', reason: expect.stringContaining('a --target run without a read-back contract') });
    const bundled = fixtureRunData([], ['integrity']);
    expect(checkIntegrity(bundled, budgets).reason).not.toContain('--target');
  });

  it('stored data that could not be read FAILS, naming the reason and the database\'s history', () => {
    const data = fixtureRunData();
    const t0 = data.span.start;
    const history: RunData['timeline'] = [
      { t: t0 + 30_000, type: 'database', state: 'crashed', pid: 41, detail: 'the embedded database (PGlite) killed by SIGKILL; restarting it on the same data' },
      { t: t0 + 36_000, type: 'database', state: 'lost', pid: 42, detail: 'gave up after 3 restarts that did not become ready' },
    ];
    const lost: RunData = { ...data, timeline: [...data.timeline, ...history], integrity: { t: t0, orders: [], charges: [], stock: [], unreadable: 'GET http://127.0.0.1:7107/internal/orders answered 500' } };
    const check = checkIntegrity(lost, budgets);
    expect(check.status).toBe('fail');
    expect(check.details).toEqual([expect.objectContaining({ name: 'stored orders readable', status: 'fail' })]);
    expect(check.details[0]!.note).toMatch(/could not read the stored orders: GET .* answered 500; the database crashed at .* \(the embedded database \(PGlite\) killed by SIGKILL.*; lost at /);
  });

  it('a database that crashed and came back is named beside the stored orders it still holds', () => {
    const data = fixtureRunData();
    const t0 = data.span.start;
    const back: RunData = {
      ...data,
      timeline: [
        ...data.timeline,
        { t: t0 + 30_000, type: 'database', state: 'crashed', pid: 41, detail: 'killed by SIGKILL' },
        { t: t0 + 33_000, type: 'database', state: 'restarted', pid: 43, detail: 'accepting connections again after 3000 ms, on the same data' },
      ],
    };
    const check = checkIntegrity(back, budgets);
    expect(check.figure).toMatch(/\(database crashed 1×\)$/);
    const stored = check.details.find((d) => d.name === 'acknowledged orders stored')!;
    expect(stored.status).toBe('pass');
    expect(stored.note).toMatch(/the database crashed at .*; restarted at /);
  });

  it('skips what has nothing to judge, and says why', () => {
    expect(judged(readBackOf(0), false)).toMatchObject({ status: 'skip', reason: 'no acknowledged (2xx) create named "checkout" in the run\'s requests' });
    expect(judged(undefined, false)).toMatchObject({ status: 'skip', reason: expect.stringContaining('no readback.json, integrity.json or sql-checks.json') });
    const noHeader = readBackOf(5, (e) => delete e.replay);
    delete noHeader.contract.idempotencyHeader;
    expect(detail(judged(noHeader, false), 'replayed idempotency keys return the same id')).toMatchObject({ status: 'skip', note: 'the contract names no idempotency header' });
  });

  it('reads readback.json from a run directory, beside integrity.json', () => {
    const run = writeFixtureRun(tempDir('peakready-readback-run-'));
    run.writeJson('readback', readBackOf(400, (e, i) => i === 0 && (e.status = 404)));
    const check = checkIntegrity(readRunData(run), budgets);
    expect(check).toMatchObject({ status: 'fail', figure: '1 violations, 400 creates', reason: expect.stringContaining('missing: ord-0 (404)') });
    expect(detail(check, 'acknowledged orders stored')).toMatchObject({ status: 'pass' });
  });

  it('fails the check, not the run, when readback.json does not parse', () => {
    const data = { ...fixtureRunData(), unreadable: { readback: 'Unexpected end of JSON input' } };
    expect(() => checkIntegrity(data, budgets)).toThrow('Unexpected end of JSON input');
  });
});

describe('integrity from SQL invariants (sql-checks.json)', () => {
  const query = 'SELECT idempotency_key, count(*) FROM orders GROUP BY 1 HAVING count(*) > 1';
  const sqlChecks = (checks: SqlChecksSnapshot['checks'], over: Partial<SqlChecksSnapshot> = {}): SqlChecksSnapshot => ({ t: 0, durationMs: 40, database: 'postgres://reader:***@127.0.0.1:5432/shop', checks, ...over });
  const clean = (name: string) => ({ name, query, outcome: 'clean' as const, rowCount: 0, rows: [], durationMs: 3 });
  const withSql = (snapshot: SqlChecksSnapshot, withStoredTruth = false) => checkIntegrity({ ...fixtureRunData([], withStoredTruth ? [] : ['integrity']), sqlChecks: snapshot }, budgets);

  it('every query without rows: pass, one detail per query, on a run with nothing else to judge', () => {
    const check = withSql(sqlChecks([clean('orders-once-per-key'), clean('stock-never-negative')]));
    expect(check).toMatchObject({ status: 'pass', figure: '0 violations, 2 SQL checks' });
    expect(check.details).toEqual([
      { name: 'SQL orders-once-per-key', status: 'pass', figure: '0 rows', limit: '0 rows' },
      { name: 'SQL stock-never-negative', status: 'pass', figure: '0 rows', limit: '0 rows' },
    ]);
  });

  it('a query returning rows fails naming the query and its first rows', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ idempotency_key: `k${i}`, count: '2' }));
    const check = withSql(sqlChecks([clean('stock-never-negative'), { name: 'orders-once-per-key', query, outcome: 'rows', rowCount: 12, rows, durationMs: 5 }]), true);
    expect(check.status).toBe('fail');
    expect(check.reason).toBe('SQL orders-once-per-key: 12 rows (limit 0 rows); returned {"idempotency_key":"k0","count":"2"}, {"idempotency_key":"k1","count":"2"}, {"idempotency_key":"k2","count":"2"}, … (9 more in sql-checks.json)');
    // judged beside the stored truth, which still passes
    expect(detail(check, 'orders stored once').status).toBe('pass');
  });

  it("a query that could not run fails with the database's message: an unchecked invariant is not a held one", () => {
    const check = withSql(sqlChecks([{ name: 'typo', query: 'SELEC 1', outcome: 'error', rowCount: 0, rows: [], error: 'syntax error at or near "SELEC"', code: '42601', durationMs: 1 }]));
    expect(check).toMatchObject({ status: 'fail', reason: 'SQL typo: could not run (limit 0 rows); syntax error at or near "SELEC" [SQLSTATE 42601]' });
  });

  it('no database URL: a skip that says which queries did not run and how to give the URL, never a pass', () => {
    const skipped = '2 SQL checks declared (a, b) but no database URL to run them on: give drill --database-url or checks.integrity.databaseUrl';
    const check = withSql(sqlChecks([], { skipped }));
    expect(check).toMatchObject({ status: 'skip', reason: skipped });
    expect(check.details).toEqual([{ name: 'SQL invariants', status: 'skip', figure: 'not run', limit: '0 rows each', note: skipped }]);
  });

  it('an unreadable sql-checks.json fails the check naming the error', () => {
    const data: RunData = { ...fixtureRunData(), unreadable: { sqlChecks: 'Unexpected end of JSON input' } };
    expect(() => checkIntegrity(data, budgets)).toThrow('Unexpected end of JSON input');
  });
});
