import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../run/records.js';
import { fieldDigest } from './capture.js';
import type { ReadBackContract } from './contract.js';
import { contractFields, mismatchedFields, NOT_READ, outcomeOf, planReadBack } from './plan.js';

const contract: ReadBackContract = { request: 'checkout-*', id: '$.id', readUrl: '/o/{id}', fields: ['total', 'status'] };
const record = (i: number, over: Partial<RequestRecord> = {}): RequestRecord => ({
  t: i,
  scenario: 's',
  name: 'checkout-eu',
  method: 'POST',
  status: 201,
  duration: 1,
  failed: false,
  capture: { id: `o-${i}`, idempotencyKey: `k-${i}`, replay: { method: 'POST', url: 'http://127.0.0.1:1/c', headers: {} } },
  ...over,
});

describe('planReadBack', () => {
  it('reads each acknowledged id once, in order, and spreads the replays over the run', () => {
    const records = Array.from({ length: 100 }, (_, i) => record(99 - i));
    const plan = planReadBack(contract, records, 5);
    expect(plan.acknowledged).toBe(100);
    expect(plan.reads[0]!.entry).toEqual({ id: 'o-99', creates: 1, status: 0 });
    expect(plan.replays.map((r) => r.key)).toEqual(['k-0', 'k-20', 'k-40', 'k-60', 'k-80']);
    expect(plan.reads[plan.replays[1]!.read]!.entry.id).toBe('o-20');
    expect(planReadBack(contract, records, 0).replays).toEqual([]);
    expect(planReadBack(contract, records.slice(0, 3), 50).replays).toHaveLength(3);
  });

  it('leaves out what was not acknowledged or not named, and counts creates without an id', () => {
    const plan = planReadBack(contract, [record(1, { status: 409 }), record(2, { name: 'cart' }), record(3, { capture: { error: 'empty response body' } }), record(4, { capture: undefined })], 5);
    expect(plan).toMatchObject({ acknowledged: 1, reads: [], withoutIdCount: 1, withoutId: [{ t: 3, status: 201, error: 'empty response body' }] });
  });

  it('marks an id several purchases (idempotency keys) were given', () => {
    const plan = planReadBack(contract, [record(1), record(2, { capture: { id: 'o-1', idempotencyKey: 'k-2' } }), record(3, { capture: { id: 'o-1', idempotencyKey: 'k-1' } })], 0);
    expect(plan.reads.map((r) => r.entry)).toEqual([{ id: 'o-1', creates: 3, keys: 2, status: 0 }]);
  });
});

describe("planReadBack: the load's own retries", () => {
  it('counts keys acknowledged more than once, and names those given more than one id', () => {
    const retried = (i: number, key: string, id: string) => record(i, { capture: { id, idempotencyKey: key } });
    const plan = planReadBack(contract, [record(1), retried(2, 'k-a', 'o-a'), retried(3, 'k-a', 'o-a'), retried(4, 'k-b', 'o-b'), retried(5, 'k-b', 'o-b2')], 0);
    expect(plan.retries).toEqual({ keys: 2, split: [{ key: 'k-b', ids: ['o-b', 'o-b2'] }], splitCount: 1 });
    expect(planReadBack(contract, [record(1), record(2)], 0).retries).toEqual({ keys: 0, split: [], splitCount: 0 });
  });
});

describe('comparing and counting', () => {
  it('names the fields that differ, or are absent on either side', () => {
    const created = { total: fieldDigest(20), status: fieldDigest('paid') };
    expect(mismatchedFields(contractFields(contract), created, { total: 20, status: 'paid', extra: 1 })).toBeUndefined();
    expect(mismatchedFields(contractFields(contract), created, { total: 21 })).toEqual([
      { field: 'total', created: '20', readBack: '21' },
      { field: 'status', created: '"paid"', readBack: '(absent)' },
    ]);
    expect(mismatchedFields(contractFields(contract), undefined, { total: 21 })).toBeUndefined();
  });

  it('sorts a read-back into matched, mismatched, missing, error or not read', () => {
    const e = { id: 'o', creates: 1 };
    expect(outcomeOf({ ...e, status: 200 })).toBe('matched');
    expect(outcomeOf({ ...e, status: 200, mismatched: [{ field: 'a', created: '1', readBack: '2' }] })).toBe('mismatched');
    expect(outcomeOf({ ...e, status: 200, error: 'read-back response body is not JSON' })).toBe('error');
    expect(outcomeOf({ ...e, status: 404 })).toBe('missing');
    expect(outcomeOf({ ...e, status: 410 })).toBe('missing');
    expect(outcomeOf({ ...e, status: 503 })).toBe('error');
    expect(outcomeOf({ ...e, status: 0, error: 'ECONNRESET' })).toBe('error');
    expect(outcomeOf({ ...e, status: 0, error: NOT_READ })).toBe('notRead');
  });
});
