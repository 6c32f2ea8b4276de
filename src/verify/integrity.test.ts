import { describe, expect, it } from 'vitest';
import { fixtureRunData, writeFixtureRun } from '../../test/support/fixture-run.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadBudgets } from '../budgets/load.js';
import { NOT_READ, tally } from '../readback/plan.js';
import type { CheckResult, ReadBackEntry, ReadBackSnapshot } from '../run/records.js';
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

  it('skips what has nothing to judge, and says why', () => {
    expect(judged(readBackOf(0), false)).toMatchObject({ status: 'skip', reason: 'no acknowledged (2xx) create named "checkout" in the run\'s requests' });
    expect(judged(undefined, false)).toMatchObject({ status: 'skip', reason: expect.stringContaining('no readback.json or integrity.json') });
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
