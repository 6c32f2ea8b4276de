import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../paths.js';
import { LOCAL_CONNECTIONS_ENV, startFaultProxyServer, type FaultProxyServer } from './server.js';
import { echoServer, openClient, roundTrip, waitFor, type Received, type TcpPeer } from '../../test/support/tcp-peers.js';

// Past its own share of connections the proxy hands new ones to helper processes (data-plane.ts).
// Here this process keeps 2, so every later connection runs in a helper, on real sockets.

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function call(server: FaultProxyServer, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(server.url + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

describe('connections beyond what one process holds go to helper processes', () => {
  let server: FaultProxyServer;
  let echo: TcpPeer;
  let port: number;
  let clients: Received[];

  beforeAll(async () => {
    echo = await echoServer();
    server = await startFaultProxyServer({ port: 0, localConnections: 2 });
    const proxy = (await call(server, 'POST', '/proxies', { name: 'echo', upstream: echo.address })) as { listen: string };
    port = Number(proxy.listen.split(':')[1]);
    clients = [];
    for (let i = 0; i < 6; i++) clients.push(await openClient(port));
  });
  afterAll(async () => {
    for (const c of clients) c.socket.destroy();
    await server.close();
    await echo.close();
  });

  it('carries every connection, two here and the rest in one helper', async () => {
    for (const [i, c] of clients.entries()) await roundTrip(c, `hello ${i}`);
    for (const [i, c] of clients.entries()) expect(c.data().toString()).toBe(`hello ${i}`);
    const placement = server.placement();
    expect(placement.local).toBe(2);
    expect(placement.helpers).toHaveLength(1);
    expect(placement.helpers[0]!.connections).toBe(4);
    expect(alive(placement.helpers[0]!.pid)).toBe(true);
  });

  it('adds, updates and removes toxics on connections a helper holds, before the API answers', async () => {
    const inHelper = clients[5]!;
    const local = clients[0]!;
    await call(server, 'POST', '/proxies/echo/toxics', { name: 'lag', type: 'latency', stream: 'downstream', attributes: { latency: 150 } });
    for (const c of [inHelper, local]) expect(await roundTrip(c, 'a')).toBeGreaterThanOrEqual(145);
    await call(server, 'POST', '/proxies/echo/toxics/lag', { attributes: { latency: 400 } });
    for (const c of [inHelper, local]) expect(await roundTrip(c, 'b')).toBeGreaterThanOrEqual(395);
    await call(server, 'DELETE', '/proxies/echo/toxics/lag');
    for (const c of [inHelper, local]) expect(await roundTrip(c, 'c')).toBeLessThan(100);
    // a connection handed over after a toxic was added starts with it
    await call(server, 'POST', '/proxies/echo/toxics', { name: 'cut', type: 'limit_data', stream: 'downstream', attributes: { bytes: 3 } });
    const late = await openClient(port);
    late.socket.write('abcdef');
    expect(await late.closed).toBe('end');
    expect(late.data().toString()).toBe('abc');
    await call(server, 'DELETE', '/proxies/echo/toxics/cut');
  });

  it('closes the connections of a disabled proxy in the helper too, and takes new ones once enabled', async () => {
    await call(server, 'POST', '/proxies/echo', { enabled: false });
    const ends = await Promise.all(clients.map((c) => c.closed));
    expect(ends.every((how) => how === 'end' || how === 'reset')).toBe(true);
    await waitFor(() => server.placement().local === 0 && server.placement().helpers.every((h) => h.connections === 0));
    await call(server, 'POST', '/proxies/echo', { enabled: true });
    clients = [];
    for (let i = 0; i < 3; i++) clients.push(await openClient(port));
    for (const c of clients) await roundTrip(c, 'again');
    expect(server.placement().helpers[0]!.connections).toBe(1);
  });

  it('carries on when a helper dies: its clients are cut, and the next connections go to a new helper', async () => {
    const [helper] = server.placement().helpers;
    const inHelper = clients.at(-1)!;
    process.kill(helper!.pid, 'SIGKILL');
    expect(['end', 'reset']).toContain(await inHelper.closed);
    await waitFor(() => server.placement().helpers.every((h) => h.pid !== helper!.pid));
    const next = await openClient(port);
    clients.push(next);
    await roundTrip(next, 'after the crash');
    expect(next.data().toString()).toBe('after the crash');
    const [replacement] = server.placement().helpers;
    expect(replacement!.pid).not.toBe(helper!.pid);
    expect(replacement!.connections).toBe(1);
  });

  it('ends its helpers when it closes', async () => {
    const other = await startFaultProxyServer({ port: 0, localConnections: 0 });
    await call(other, 'POST', '/proxies', { name: 'e', upstream: echo.address });
    const proxy = (await call(other, 'GET', '/proxies/e')) as { listen: string };
    const client = await openClient(Number(proxy.listen.split(':')[1]));
    await roundTrip(client, 'x');
    const [helper] = other.placement().helpers;
    await other.close();
    expect(alive(helper!.pid)).toBe(false);
    expect(['end', 'reset']).toContain(await client.closed);
  });
});

describe('a helper outlives no proxy process', () => {
  it('exits with its connections when `peakready toxiproxy serve` is killed with SIGKILL', async () => {
    const echo = await echoServer();
    const child = spawn(process.execPath, [join(packageRoot, 'bin/peakready.js'), 'toxiproxy', 'serve', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, [LOCAL_CONNECTIONS_ENV]: '0' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(() => child.exitCode !== null || /listening on http:\/\/127\.0\.0\.1:\d+/.test(output));
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
    const created = (await (await fetch(`${url}/proxies`, { method: 'POST', body: JSON.stringify({ name: 'e', upstream: echo.address }) })).json()) as { listen: string };
    const client = await openClient(Number(created.listen.split(':')[1]));
    await roundTrip(client, 'through a helper');
    const helpers = (await import('node:fs')).readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    expect(helpers).toHaveLength(1);

    child.kill('SIGKILL');
    expect(['end', 'reset']).toContain(await client.closed);
    await waitFor(() => !alive(helpers[0]!));
    await echo.close();
  });
});
