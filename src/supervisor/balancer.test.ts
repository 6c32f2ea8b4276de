import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { endToEndHeaders, RoundRobinBalancer } from './balancer.js';

const PORT = 28_950;
const open: Array<{ close(): unknown }> = [];

/** A stand-in replica on an ephemeral port: records what it received, answers by path. */
async function replica(name: string): Promise<{ port: number; seen: IncomingHttpHeaders[]; server: Server; finished: () => number }> {
  const seen: IncomingHttpHeaders[] = [];
  let finished = 0;
  const server = createServer((req, res) => {
    seen.push(req.headers);
    res.on('finish', () => finished++);
    if (req.url === '/upload') {
      let bytes = 0;
      req.on('data', (c: Buffer) => (bytes += c.length));
      req.on('end', () => res.end(JSON.stringify({ name, bytes })));
      return;
    }
    if (req.url === '/slow') return void setTimeout(() => res.end(name), 400);
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.end(name);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  open.push({ close: () => server.close() });
  return { port: (server.address() as AddressInfo).port, seen, server, finished: () => finished };
}

async function balancer(): Promise<RoundRobinBalancer> {
  const b = new RoundRobinBalancer('catalog', PORT);
  await b.listen();
  open.push({ close: () => b.close() });
  return b;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

describe('endToEndHeaders', () => {
  it('drops hop-by-hop headers and those the Connection header names', () => {
    expect(endToEndHeaders({ connection: 'keep-alive, x-secret', 'x-secret': '1', te: 'trailers', 'keep-alive': 'timeout=5', accept: 'application/json' })).toEqual({
      accept: 'application/json',
    });
  });
});

describe('RoundRobinBalancer (real sockets)', () => {
  it('streams a large request body through and keeps multi-valued response headers', async () => {
    const a = await replica('a');
    const b = await balancer();
    b.add({ id: 'catalog-1', port: a.port });
    const body = Buffer.alloc(5 * 1024 * 1024, 7);
    const res = await request(`http://127.0.0.1:${PORT}/upload`, { method: 'POST', body });
    expect(await res.body.json()).toEqual({ name: 'a', bytes: body.length });
    const plain = await request(`http://127.0.0.1:${PORT}/`);
    expect(plain.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    await plain.body.text();
    // a raw request, so the Connection header is exactly what a client may send
    const raw = await new Promise<string>((resolve) => {
      const socket = connect(PORT, '127.0.0.1', () =>
        socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close, x-secret\r\nX-Secret: no\r\nTE: trailers\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('end', () => resolve(text));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 200/);
    const last = a.seen.at(-1)!;
    expect(last.te).toBeUndefined();
    expect(last['x-secret']).toBeUndefined();
    expect(last['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('answers 503 JSON without replicas and 502 JSON when the only replica is gone', async () => {
    const b = await balancer();
    const none = await request(`http://127.0.0.1:${PORT}/`);
    expect(none.statusCode).toBe(503);
    expect(none.headers['retry-after']).toBe('1');
    expect(((await none.body.json()) as { error: string }).error).toMatch(/^no ready replica of catalog behind 127\.0\.0\.1:28950/);
    const a = await replica('a');
    a.server.close();
    b.add({ id: 'catalog-1', port: a.port });
    const gone = await request(`http://127.0.0.1:${PORT}/`);
    expect(gone.statusCode).toBe(502);
    expect(((await gone.body.json()) as { error: string }).error).toMatch(/^catalog replica catalog-1 \(127\.0\.0\.1:\d+\) failed: ECONNREFUSED/);
  });

  it('retries a body-less request on another replica when its replica refuses the connection', async () => {
    const dead = await replica('dead');
    dead.server.close();
    const live = await replica('live');
    const b = await balancer();
    b.add({ id: 'catalog-1', port: dead.port });
    b.add({ id: 'catalog-2', port: live.port });
    const answers = await Promise.all([1, 2, 3, 4].map(async () => (await request(`http://127.0.0.1:${PORT}/`)).body.text()));
    expect(answers).toEqual(['live', 'live', 'live', 'live']);
  });

  it('remove() takes a replica out of the rotation at once and resolves after its in-flight request finished', async () => {
    const a = await replica('a');
    const c = await replica('c');
    const b = await balancer();
    b.add({ id: 'catalog-1', port: a.port });
    const slow = request(`http://127.0.0.1:${PORT}/slow`).then((r) => r.body.text());
    await new Promise((r) => setTimeout(r, 100));
    b.add({ id: 'catalog-2', port: c.port });
    const removed = b.remove('catalog-1').then(() => a.finished());
    expect(b.targets()).toEqual(['catalog-2']);
    expect(await (await request(`http://127.0.0.1:${PORT}/`)).body.text()).toBe('c');
    expect(a.finished()).toBe(0); // still working on /slow
    expect(await removed).toBe(1); // resolved only once the replica had answered its in-flight request
    expect(await slow).toBe('a');
  });
});
