import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Forwarder } from './forwarder.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** An upstream that records what it got and answers `status`. */
async function upstream(status = 200): Promise<{ url: string; got: Array<{ body: string; type?: string; encoding?: string }> }> {
  const got: Array<{ body: string; type?: string; encoding?: string }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ body: Buffer.concat(chunks).toString(), type: req.headers['content-type'], encoding: req.headers['content-encoding'] });
      res.writeHead(status).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, got };
}

describe('Forwarder', () => {
  it('sends each request unchanged: body, content type and encoding', async () => {
    const up = await upstream();
    const forwarder = new Forwarder(up.url);
    forwarder.enqueue({ body: Buffer.from('one'), contentType: 'application/x-protobuf' });
    forwarder.enqueue({ body: Buffer.from('two'), contentType: 'application/json', contentEncoding: 'gzip' });
    await forwarder.close();
    expect(up.got.sort((a, b) => a.body.localeCompare(b.body))).toEqual([
      { body: 'one', type: 'application/x-protobuf', encoding: undefined },
      { body: 'two', type: 'application/json', encoding: 'gzip' },
    ]);
    expect(forwarder.stats).toEqual({ forwarded: 2, failed: 0, dropped: 0 });
  });

  it('drops the oldest waiting requests past the queue bound, keeping the newest', async () => {
    const up = await upstream();
    const forwarder = new Forwarder(up.url, { concurrency: 1, maxQueuedBytes: 10 });
    // the first is sent at once; of the three that wait (8 bytes each), only the newest fits
    for (const body of ['aaaaaaaa', 'bbbbbbbb', 'cccccccc', 'dddddddd']) forwarder.enqueue({ body: Buffer.from(body), contentType: 'application/json' });
    await forwarder.close();
    expect(up.got.map((g) => g.body)).toEqual(['aaaaaaaa', 'dddddddd']);
    expect(forwarder.stats).toMatchObject({ forwarded: 2, dropped: 2 });
  });

  it('counts what the upstream refuses, with the last error', async () => {
    const up = await upstream(503);
    const forwarder = new Forwarder(up.url);
    forwarder.enqueue({ body: Buffer.from('x'), contentType: 'application/json' });
    await forwarder.close();
    expect(forwarder.stats).toEqual({ forwarded: 0, failed: 1, dropped: 0, lastError: 'upstream answered 503' });
  });
});
