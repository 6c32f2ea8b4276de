import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { useFaultProxy } from '../../test/support/fault-proxy.js';
import { startFaultProxyServer } from './server.js';
import { echoServer, listenTcp, openClient, roundTrip } from '../../test/support/tcp-peers.js';

const fx = useFaultProxy();

async function call(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  const response = await fetch(fx.server.url + path, { method, ...(body === undefined ? {} : { body }) });
  return { status: response.status, text: await response.text() };
}
async function createProxy(name: string, upstream: string): Promise<number> {
  const { text } = await call('POST', '/proxies', JSON.stringify({ name, upstream }));
  return Number((JSON.parse(text) as { listen: string }).listen.split(':')[1]);
}


describe('the fault proxy under bad input and failing peers', () => {
  it('answers every malformed body on every endpoint with a 4xx error body and keeps serving', async () => {
    await createProxy('base', fx.echo.address);
    await call('POST', '/proxies/base/toxics', JSON.stringify({ name: 'lag', type: 'latency' }));
    const bodies = ['', 'null', '[]', '{}', '"text"', '42', '{"name": 5}', '{"attributes": []}', '{"attributes": {"latency": null}}', '{"toxicity": "1"}', '{"stream": 1}', '{'.repeat(5000), '\u0000\u0001'];
    const paths = [
      ['POST', '/proxies'],
      ['POST', '/populate'],
      ['PATCH', '/proxies/base'],
      ['POST', '/proxies/base/toxics'],
      ['PATCH', '/proxies/base/toxics/lag'],
    ] as const;
    for (const [method, path] of paths) {
      for (const body of bodies) {
        const { status, text } = await call(method, path, body);
        if (status < 400) continue; // e.g. PATCH {} is a valid no-op update
        expect(status, `${method} ${path} ${body.slice(0, 20)}`).toBeLessThan(500);
        expect(JSON.parse(text)).toEqual({ error: expect.any(String), status });
      }
    }
    const all = JSON.parse((await call('GET', '/proxies')).text) as Record<string, { toxics: Array<{ attributes: Record<string, number> }> }>;
    expect(Object.keys(all)).toEqual(['base']);
    expect(all.base!.toxics[0]!.attributes).toEqual({ latency: 0, jitter: 0 });
    expect((await call('GET', '/proxies/%E0%A4%A')).status).toBe(400);
    expect((await call('GET', '/version')).status).toBe(200);
  });

  it('survives clients that hang up mid-request', async () => {
    const port = Number(new URL(fx.server.url).port);
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/proxies', headers: { 'content-length': '1000' } });
        req.on('error', () => resolve());
        req.write('{"name": "half');
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 5);
      });
    }
    expect((await call('GET', '/version')).status).toBe(200);
    expect(Object.keys(JSON.parse((await call('GET', '/proxies')).text) as object)).toEqual(['base']);
  });

  it('closes the client when the upstream refuses, and keeps the proxy listening', async () => {
    const dead = await listenTcp(() => undefined);
    await dead.close();
    const port = await createProxy('dead', dead.address);
    const client = await openClient(port);
    expect(['end', 'reset']).toContain(await client.closed);
    const revived = await echoServer();
    await call('PATCH', '/proxies/dead', JSON.stringify({ upstream: revived.address }));
    const again = await openClient(port);
    await roundTrip(again, 'alive');
    again.socket.destroy();
    await revived.close();
  });

  it('keeps half-closed connections working: the reply still arrives after the client ends its side', async () => {
    const counter = await listenTcp((socket) => {
      let bytes = 0;
      socket.on('data', (d: Buffer) => (bytes += d.length));
      socket.on('end', () => setTimeout(() => socket.end(`got ${bytes}`), 30));
    });
    const port = await createProxy('half', counter.address);
    const client = await openClient(port);
    client.socket.end(Buffer.alloc(100_000));
    expect(await client.closed).toBe('end');
    expect(client.data().toString()).toBe('got 100000');
    await counter.close();
  });

  it('close() stops the API, every listener and every live connection', async () => {
    const own = await startFaultProxyServer({ port: 0 });
    const response = await fetch(`${own.url}/proxies`, { method: 'POST', body: JSON.stringify({ name: 'x', upstream: fx.echo.address }) });
    const port = Number(((await response.json()) as { listen: string }).listen.split(':')[1]);
    const live = await openClient(port);
    await roundTrip(live, 'hi');
    await own.close();
    expect(['end', 'reset']).toContain(await live.closed);
    await expect(openClient(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(fetch(`${own.url}/version`)).rejects.toThrow();
  });
});
