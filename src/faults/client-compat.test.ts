import { Toxiproxy, ToxiproxyError } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxyServer, type FaultProxyServer } from './server.js';
import { echoServer, openClient, roundTrip, type TcpPeer } from '../../test/support/tcp-peers.js';

let server: FaultProxyServer;
let echo: TcpPeer;
let toxiproxy: Toxiproxy;

beforeAll(async () => {
  server = await startFaultProxyServer({ port: 0 });
  echo = await echoServer();
  toxiproxy = new Toxiproxy(server.url);
});
afterAll(async () => {
  await server.close();
  await echo.close();
});

const portOf = (listen: string): number => Number(listen.split(':').pop());

describe('toxiproxy-node-client against the embedded server', () => {
  it('creates, gets and lists proxies, and reads the version', async () => {
    const created = await toxiproxy.createProxy({ name: 'redis', listen: '127.0.0.1:0', upstream: echo.address });
    expect(created.name).toBe('redis');
    expect(created.enabled).toBe(true);
    expect((await toxiproxy.get('redis')).upstream).toBe(echo.address);
    expect(Object.keys(await toxiproxy.getAll())).toEqual(['redis']);
    expect(JSON.parse(await toxiproxy.getVersion()).version).toMatch(/^2\./);
    await expect(toxiproxy.createProxy({ name: 'redis', listen: '127.0.0.1:0', upstream: echo.address })).rejects.toBeInstanceOf(ToxiproxyError);
  });

  it('adds, reads, updates and removes a toxic, with effects on a live connection', async () => {
    const proxy = await toxiproxy.get('redis');
    const client = await openClient(portOf(proxy.listen));
    expect(await roundTrip(client, 'a')).toBeLessThan(60);
    const toxic = await proxy.addToxic({ name: 'lag', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 70, jitter: 0 } });
    expect(toxic.attributes).toEqual({ latency: 70, jitter: 0 });
    expect(await roundTrip(client, 'b')).toBeGreaterThanOrEqual(69);
    const read = await proxy.getToxic('lag');
    expect(read.toJson()).toEqual({ attributes: { latency: 70, jitter: 0 }, name: 'lag', stream: 'downstream', toxicity: 1, type: 'latency' });
    const updated = await read.update({ ...read.toJson(), attributes: { latency: 120, jitter: 0 } } as never);
    expect(updated.attributes).toEqual({ latency: 120, jitter: 0 });
    expect(await roundTrip(client, 'c')).toBeGreaterThanOrEqual(119);
    await updated.remove();
    expect(await roundTrip(client, 'd')).toBeLessThan(60);
    await expect(proxy.getToxic('lag')).rejects.toBeInstanceOf(ToxiproxyError);
    client.socket.destroy();
  });

  it('disables and enables a proxy through update', async () => {
    const proxy = await toxiproxy.get('redis');
    const down = await proxy.update({ ...proxy.toJson(), enabled: false });
    expect(down.enabled).toBe(false);
    await expect(openClient(portOf(proxy.listen))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const up = await down.update({ ...down.toJson(), enabled: true });
    expect(up.enabled).toBe(true);
    const client = await openClient(portOf(up.listen));
    await roundTrip(client, 'ok');
    client.socket.destroy();
  });

  it('populates, resets and removes', async () => {
    const proxies = await toxiproxy.populate([
      { name: 'pg', listen: '127.0.0.1:0', upstream: echo.address },
      { name: 'api', listen: '127.0.0.1:0', upstream: echo.address },
    ]);
    expect(Object.keys(proxies).sort()).toEqual(['api', 'pg']);
    await proxies.pg!.addToxic({ name: 'cut', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } });
    await proxies.api!.update({ ...proxies.api!.toJson(), enabled: false });
    await toxiproxy.reset();
    const all = await toxiproxy.getAll();
    expect(all.api!.enabled).toBe(true);
    await expect(all.pg!.getToxic('cut')).rejects.toBeInstanceOf(ToxiproxyError);
    await all.api!.remove();
    expect(Object.keys(await toxiproxy.getAll()).sort()).toEqual(['pg', 'redis']);
  });
});
