import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import type { RequestRecord } from '../run/records.js';
import { fieldDigest } from './capture.js';
import type { ReadBackContract } from './contract.js';
import { readBack, readUrlOf } from './read-back.js';

// A real shop-shaped server: GET /shop/api/orders/:id knows every id but `o-lost-*` (404) and
// answers `o-diff-*` with another total; POST /shop/api/checkout replays by Idempotency-Key,
// except key `k-forgetful`, which gets a new id. It counts the requests in flight.
let server: Server;
let base: string;
let inFlight = 0;
let peak = 0;
const replaysSeen: Array<{ key: string | undefined; body: string; auth: string | undefined }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () =>
      setTimeout(() => {
        inFlight--;
        res.setHeader('content-type', 'application/json');
        const order = /^\/shop\/api\/orders\/([^/]+)$/.exec(req.url ?? '');
        if (order) {
          const id = decodeURIComponent(order[1]!);
          if (id.startsWith('o-lost')) return void ((res.statusCode = 404), res.end('{"error":"not found"}'));
          return void res.end(JSON.stringify({ orderId: id, items: [{ qty: 1, sku: 'tv' }], total: id.startsWith('o-diff') ? 99 : 20 }));
        }
        if (req.method === 'POST' && req.url === '/shop/api/checkout') {
          const key = req.headers['idempotency-key'] as string | undefined;
          replaysSeen.push({ key, body, auth: req.headers.authorization });
          return void res.end(JSON.stringify({ orderId: key === 'k-forgetful' ? 'o-new' : `o-${key?.slice(2)}` }));
        }
        res.statusCode = 404;
        res.end('{}');
      }, 3),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/shop`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const contract: ReadBackContract = { request: 'checkout', id: '$.orderId', readUrl: '/api/orders/{id}', fields: ['total', 'items'], idempotencyHeader: 'Idempotency-Key' };

/** Acknowledged checkouts as the load engine records them: ids o-0..o-(n-1), keys k-0.. */
function creates(n: number, idOf = (i: number) => `o-${i}`): RequestRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    t: 1000 + i,
    scenario: 'buy',
    name: 'checkout',
    method: 'POST',
    status: 201,
    duration: 5,
    failed: false,
    capture: {
      id: idOf(i),
      idempotencyKey: `k-${i}`,
      fields: { total: fieldDigest(20), items: fieldDigest([{ sku: 'tv', qty: 1 }]) },
      ...(i % 10 === 0 ? { replay: { method: 'POST', url: `${base}/api/checkout`, headers: { 'content-type': 'application/json', 'idempotency-key': `k-${i}` }, body: `{"n":${i}}` } } : {}),
    },
  }));
}

describe('readBack against a real HTTP server', () => {
  it('reads every acknowledged create back at bounded concurrency, naming missing ids and mismatched fields', async () => {
    const records = creates(300, (i) => (i === 7 || i === 251 ? `o-lost-${i}` : i === 12 ? `o-diff-${i}` : `o-${i}`));
    records.push({ ...records[1]!, capture: { ...records[1]!.capture!, idempotencyKey: 'k-other' } }, { ...records[2]!, status: 503, capture: undefined });
    records.push({ t: 1, scenario: 'buy', name: 'checkout', method: 'POST', status: 201, duration: 1, failed: false, capture: { error: 'no id at $.orderId in the response' } });
    records.push({ t: 1, scenario: 'buy', name: 'product', method: 'GET', status: 200, duration: 1, failed: false });
    peak = 0;
    const progress: number[] = [];
    const snapshot = await readBack(contract, records, { baseUrl: base, concurrency: 8, headers: { authorization: 'Bearer t' }, onProgress: (p) => progress.push(p.done) });

    expect(peak).toBeLessThanOrEqual(8);
    expect(peak).toBeGreaterThanOrEqual(4);
    expect(snapshot.totals).toEqual({ acknowledged: 302, ids: 300, matched: 297, mismatched: 1, missing: 2, errors: 0, notRead: 0, withoutId: 1, replayed: 20, replaySame: 20 });
    expect(snapshot.creates.filter((c) => c.status === 404).map((c) => c.id)).toEqual(['o-lost-7', 'o-lost-251']);
    expect(snapshot.creates.find((c) => c.id === 'o-diff-12')!.mismatched).toEqual([{ field: 'total', created: '20', readBack: '99' }]);
    expect(snapshot.creates.find((c) => c.id === 'o-1')).toMatchObject({ creates: 2, keys: 2 });
    expect(snapshot.withoutId).toEqual([{ t: 1, status: 201, error: 'no id at $.orderId in the response' }]);
    expect(snapshot.creates.find((c) => c.id === 'o-0')!.replay).toEqual({ key: 'k-0', status: 200, id: 'o-0', same: true });
    expect(replaysSeen.at(-1)).toMatchObject({ key: expect.stringMatching(/^k-\d+$/), body: expect.stringMatching(/^\{"n":\d+\}$/), auth: 'Bearer t' });
    expect(progress.at(-1)).toBe(320);
    expect(snapshot.contract).toEqual({ ...contract, fields: ['total', 'items'] });
  });

  it("shares the drill's one abort signal among every request in flight without a listener-leak warning", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const snapshot = await readBack(contract, creates(100), { baseUrl: base, concurrency: 32, signal: new AbortController().signal, replaySample: 0 });
      expect(snapshot.totals.matched).toBe(100);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('says when a replay of an idempotency key gives another id', async () => {
    const records = creates(1);
    records[0]!.capture!.replay!.headers['idempotency-key'] = 'k-forgetful';
    records[0]!.capture!.idempotencyKey = 'k-forgetful';
    const snapshot = await readBack(contract, records, { baseUrl: base });
    expect(snapshot.creates[0]!.replay).toEqual({ key: 'k-forgetful', status: 200, id: 'o-new', same: false });
    expect(snapshot.totals).toMatchObject({ replayed: 1, replaySame: 0 });
  });

  it('gives a result, not a crash, when every read-back 404s or nothing answers', async () => {
    const wrongPath = await readBack({ ...contract, readUrl: '/api/nope/{id}' }, creates(50), { baseUrl: base, replaySample: 0 });
    expect(wrongPath.totals).toMatchObject({ ids: 50, missing: 50, matched: 0, replayed: 0 });
    expect(wrongPath.creates.slice(0, 3).map((c) => [c.id, c.status])).toEqual([['o-0', 404], ['o-1', 404], ['o-2', 404]]);

    const closed = await readBack(contract, creates(5), { baseUrl: 'http://127.0.0.1:9/shop', timeoutMs: 2000 });
    expect(closed.totals).toMatchObject({ ids: 5, errors: 5, matched: 0 });
    expect(closed.creates[0]!.error).toMatch(/ECONNREFUSED/);
  });

  it('keeps to the rate, and stops when asked with what it read so far', async () => {
    const paced = await readBack(contract, creates(21), { baseUrl: base, ratePerSecond: 200, replaySample: 0 });
    // 21 starts at least 5 ms apart
    expect(paced.durationMs).toBeGreaterThanOrEqual(95);

    const controller = new AbortController();
    const stopped = await readBack(contract, creates(400), {
      baseUrl: base,
      concurrency: 4,
      signal: controller.signal,
      onProgress: (p) => p.done === 40 && controller.abort('the drill was interrupted'),
    });
    expect(stopped.stopped).toMatch(/^stopped after \d+ of 420 requests: the drill was interrupted$/);
    expect(stopped.totals.notRead).toBeGreaterThan(300);
    expect(stopped.totals.matched).toBeGreaterThanOrEqual(40);
  });

  it('refuses an unbounded concurrency, a bad rate and a remote system without allowRemote', async () => {
    await expect(readBack(contract, [], { baseUrl: base, concurrency: 51 })).rejects.toThrow(UsageError);
    await expect(readBack(contract, [], { baseUrl: base, ratePerSecond: -1 })).rejects.toThrow(/ratePerSecond -1 must be a positive number/);
    await expect(readBack(contract, [], { baseUrl: 'http://shop.example.com' })).rejects.toThrow(/not a loopback address/);
    await expect(readBack({ ...contract, readUrl: 'http://shop.example.com/orders/{id}' }, [], { baseUrl: base })).rejects.toThrow(/readUrl: shop.example.com is not a loopback/);
  });

  it('builds read-back URLs from the base URL, keeping its path', () => {
    expect(readUrlOf('/api/orders/{id}', 'http://h:1/shop/', 'a b')).toBe('http://h:1/shop/api/orders/a%20b');
    expect(readUrlOf('orders/{id}', 'http://h:1', 'x')).toBe('http://h:1/orders/x');
    expect(readUrlOf('http://o:2/v1/{id}', 'http://h:1', 'x')).toBe('http://o:2/v1/x');
  });
});
