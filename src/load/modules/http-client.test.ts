import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeConnections, sendRequest, type WireRequest } from './http-client.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let server: Server;
let port = 0;
let connections = 0;
const BODY = Buffer.alloc(1 << 20, 'x');

beforeAll(async () => {
  server = createServer((_req, res) => res.end(BODY));
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await closeConnections();
  await new Promise((resolve) => server.close(resolve));
});

const request = (): WireRequest => ({
  origin: `http://127.0.0.1:${port}`,
  host: '127.0.0.1',
  port,
  tls: false,
  path: '/',
  method: 'GET',
  headers: { host: `127.0.0.1:${port}` },
  body: null,
  timeoutMs: 10_000,
  discardBody: false,
  signal: new AbortController().signal,
  noConnectionReuse: false,
  insecureSkipTLSVerify: false,
});

describe('the engine HTTP client', () => {
  it('keeps its socket for the next request, and nothing of the request that opened it', async () => {
    // in a function of its own, so no frame of this test keeps the response
    const first = await (async () => {
      const response = await sendRequest(request());
      expect(response.status).toBe(200);
      expect(response.body?.length).toBe(BODY.length);
      return new WeakRef(response.body!);
    })();
    const again = await sendRequest(request());
    expect(again.status).toBe(200);
    expect(connections).toBe(1);
    // a pooled socket that held its first response would keep a body per socket alive (MBs per
    // VU with large pages) for the whole run
    for (let i = 0; i < 3 && first.deref(); i++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    expect(first.deref()).toBeUndefined();
  });
});
