import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import type { CaptureSpec } from '../readback/contract.js';
import { REPLAY_STRIDE } from '../readback/capture.js';
import type { RequestRecord } from '../run/records.js';
import { RunDirectory } from '../run/run-dir.js';
import { runLoadTest } from './run.js';
import { tempDir } from '../../test/support/temp-dir.js';

// A real shop-shaped target: POST /orders creates (every 5th answers 503), /orders/bad answers
// 201 with a body that is not JSON, everything else 200 with a body the captures must not read.
let server: Server;
let base: string;
let created = 0;
const dir = tempDir('peakready-capture-');

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/orders/bad') return void ((res.statusCode = 201), res.end('<html>created</html>'));
      if (req.method === 'POST' && req.url === '/orders') {
        const n = ++created;
        if (n % 5 === 0) return void ((res.statusCode = 503), res.end('{"error":"busy"}'));
        const sent = JSON.parse(body) as { qty: number };
        res.statusCode = 201;
        return void res.end(JSON.stringify({ order: { id: `o-${n}`, total: sent.qty * 10, items: [{ sku: 'tv', qty: sent.qty }], key: req.headers['idempotency-key'] } }));
      }
      res.end('{"products":[]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const SCRIPT = `
import http from 'k6/http';
export const options = { scenarios: { buy: { executor: 'shared-iterations', vus: 2, iterations: 40 } }, discardResponseBodies: true };
export default function () {
  http.get(__ENV.BASE_URL + '/products', { tags: { name: 'products' } });
  http.post(__ENV.BASE_URL + '/orders', JSON.stringify({ qty: 2 }), {
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k-' + __VU + '-' + __ITER, Authorization: 'Bearer secret' },
    tags: { name: 'checkout' },
  });
  if (__ITER === 0) http.post(__ENV.BASE_URL + '/orders/bad', '{}', { tags: { name: 'checkout' } });
}
`;

const CAPTURE: CaptureSpec = { request: 'checkout', id: '$.order.id', fields: ['order.total', '$.order.items', '$.order.missing'], idempotencyHeader: 'Idempotency-Key' };

async function runWith(captures: CaptureSpec[], name: string) {
  const script = join(dir, `${name}.js`);
  writeFileSync(script, SCRIPT);
  const runDir = new RunDirectory(join(dir, name));
  mkdirSync(runDir.root, { recursive: true });
  const result = await runLoadTest({ script, env: { BASE_URL: base }, quiet: true, stdout: () => {}, runDir, captures });
  return { result, records: runDir.readLines<RequestRecord>('requests') };
}

describe('capturing creates for the read-back', () => {
  it('records id, field digests and idempotency key of every 2xx create, and replay data for a sample', async () => {
    const { result, records } = await runWith([CAPTURE], 'capture');
    expect(result.exitCode).toBe(0);
    expect(records.filter((r) => r.name === 'products').every((r) => r.capture === undefined)).toBe(true);
    const checkouts = records.filter((r) => r.name === 'checkout' && r.status === 201);
    const good = checkouts.filter((r) => r.capture?.id);
    expect(good.length).toBe(32);
    expect(records.filter((r) => r.status === 503).every((r) => r.capture === undefined)).toBe(true);
    expect(good[0]!.capture).toMatchObject({
      id: expect.stringMatching(/^o-\d+$/),
      idempotencyKey: expect.stringMatching(/^k-\d+-\d+$/),
      fields: { 'order.total': '20', '$.order.items': '[{"qty":2,"sku":"tv"}]', '$.order.missing': '(absent)' },
    });
    const bad = checkouts.filter((r) => !r.capture?.id);
    expect(bad).toHaveLength(2);
    expect(bad[0]!.capture!.error).toMatch(/not JSON/);

    const replays = good.filter((r) => r.capture!.replay);
    // every REPLAY_STRIDE-th create of each instance keeps its replay data
    expect(replays.length).toBeGreaterThanOrEqual(Math.floor(good.length / REPLAY_STRIDE));
    expect(replays.length).toBeLessThanOrEqual(Math.ceil(good.length / REPLAY_STRIDE) + 2);
    const replay = replays[0]!.capture!.replay!;
    expect(replay).toMatchObject({ method: 'POST', url: `${base}/orders`, body: '{"qty":2}' });
    expect(replay.headers).toMatchObject({ 'content-type': 'application/json', 'idempotency-key': replays[0]!.capture!.idempotencyKey });
    expect(replay.headers).not.toHaveProperty('authorization');
    expect(replay.headers).not.toHaveProperty('traceparent');
  });

  it('records nothing extra without captures, and refuses a bad JSON path before the run', async () => {
    const { records } = await runWith([], 'plain');
    expect(records.some((r) => r.capture)).toBe(false);
    const bad = runWith([{ ...CAPTURE, id: '$.order[*].id' }], 'bad');
    await expect(bad).rejects.toThrow(ConfigError);
    await expect(bad).rejects.toThrow(/captures \[0\]\.id: "\$\.order\[\*\]\.id" is not a JSON path/);
  });
});
