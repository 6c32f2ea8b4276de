import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { captureCreate, fieldDigest, REPLAY_STRIDE, type CreateExchange } from './capture.js';
import { captureFor, compileCaptures, readBackContractSchema } from './contract.js';

const exchange = (over: Partial<CreateExchange> = {}): CreateExchange => ({
  status: 201,
  body: JSON.stringify({ orderId: 'o-1', totalCents: 4990, items: [{ sku: 'tv', qty: 1 }] }),
  method: 'POST',
  url: 'http://127.0.0.1:7100/api/checkout',
  requestHeaders: { 'content-type': 'application/json', 'idempotency-key': 'k-1', authorization: 'Bearer x', traceparent: '00-a-b-01' },
  requestBody: '{"cartId":"c-1"}',
  ...over,
});
const compile = (replayCandidates?: number) =>
  compileCaptures([{ request: 'checkout', id: '$.orderId', fields: ['totalCents', 'items', 'status'], idempotencyHeader: 'Idempotency-Key', ...(replayCandidates !== undefined ? { replayCandidates } : {}) }])[0]!;

describe('captureCreate', () => {
  it('keeps the id, the fields as canonical JSON and the idempotency key of a 2xx create', () => {
    expect(captureCreate(compile(), exchange())).toEqual({
      id: 'o-1',
      idempotencyKey: 'k-1',
      fields: { totalCents: '4990', items: '[{"qty":1,"sku":"tv"}]', status: '(absent)' },
      replay: { method: 'POST', url: 'http://127.0.0.1:7100/api/checkout', headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1' }, body: '{"cartId":"c-1"}' },
    });
  });

  it('ignores what was not acknowledged, and says why a 2xx has no id', () => {
    const capture = compile();
    expect(captureCreate(capture, exchange({ status: 409 }))).toBeUndefined();
    expect(captureCreate(capture, exchange({ status: 0, body: null }))).toBeUndefined();
    expect(captureCreate(capture, exchange({ body: '' }))).toMatchObject({ error: 'empty response body' });
    expect(captureCreate(capture, exchange({ body: '<html>' }))).toMatchObject({ error: expect.stringContaining('not JSON') });
    expect(captureCreate(capture, exchange({ body: '{"order":{}}' }))).toMatchObject({ error: 'no id at $.orderId in the response' });
    expect(captureCreate(capture, exchange({ body: '{"orderId":{"a":1}}' }))!.id).toBeUndefined();
    expect(captureCreate(capture, exchange({ body: '{"orderId":42}' }))!.id).toBe('42');
  });

  it('keeps replay data for one create in REPLAY_STRIDE, up to replayCandidates, with a small text body only', () => {
    const capture = compile(3);
    const replays = Array.from({ length: REPLAY_STRIDE * 5 }, () => captureCreate(capture, exchange())!.replay);
    expect(replays.map((r, i) => (r ? i : -1)).filter((i) => i >= 0)).toEqual([0, REPLAY_STRIDE, REPLAY_STRIDE * 2]);
    const fresh = compile();
    expect(captureCreate(fresh, exchange({ requestBody: 'x'.repeat(20_000) }))!.replay).toBeUndefined();
    expect(captureCreate(compile(), exchange({ requestHeaders: {} }))!.replay).toBeUndefined();
    expect(captureCreate(compile(), exchange({ requestBody: null }))!.replay).not.toHaveProperty('body');
  });
});

describe('fieldDigest', () => {
  it('is the same for the same value whatever the key order, and small for a large value', () => {
    expect(fieldDigest({ b: 1, a: [{ y: 2, x: 1 }] })).toBe(fieldDigest({ a: [{ x: 1, y: 2 }], b: 1 }));
    expect(fieldDigest({ a: 1 })).not.toBe(fieldDigest({ a: '1' }));
    expect(fieldDigest(null)).toBe('null');
    expect(fieldDigest(undefined)).toBe('(absent)');
    const large = fieldDigest(Array.from({ length: 100 }, (_, i) => ({ i })));
    expect(large).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('the contract', () => {
  it('matches request names with *, first capture wins', () => {
    const captures = compileCaptures([{ request: 'checkout-*', id: 'id' }, { request: '*', id: 'other' }]);
    expect(captureFor(captures, 'checkout-eu')?.spec.id).toBe('id');
    expect(captureFor(captures, 'product')?.spec.id).toBe('other');
    expect(captureFor(captures.slice(0, 1), 'product')).toBeUndefined();
  });

  it('reports every bad path at once, naming the field', () => {
    const error = (() => {
      try {
        compileCaptures([{ request: 'a', id: '$..id', fields: ['ok', 'items[*]'] }]);
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.issues.map((i) => i.field)).toEqual(['[0].id', '[0].fields[1]']);
  });

  it('validates a user-written contract with the schema', () => {
    const good = { request: 'checkout', id: '$.orderId', readUrl: '/api/orders/{id}', fields: ['totalCents'], idempotencyHeader: 'Idempotency-Key' };
    expect(readBackContractSchema.safeParse(good).success).toBe(true);
    const bad = readBackContractSchema.safeParse({ ...good, readUrl: '/api/orders', id: '$.[0]', idempotencyHeadr: 'x' });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
    expect(messages).toContain('readUrl: must contain {id}');
    expect(messages).toContain('id: "$.[0]" is not a JSON path');
    expect(messages).toContain('did you mean "idempotencyHeader"');
  });
});
