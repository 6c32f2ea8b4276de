import { describe, expect, it } from 'vitest';
import { useFaultProxy } from '../../test/support/fault-proxy.js';
import { echoServer, openClient, roundTrip } from '../../test/support/tcp-peers.js';

const fx = useFaultProxy();

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read arbitrary response JSON
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; text: string }> {
  const response = await fetch(fx.server.url + path, {
    method,
    headers: { 'user-agent': 'toxiproxy-test', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}


describe('Toxiproxy API: proxies', () => {
  it('creates a proxy (201) with defaults filled in and the real port for listen :0', async () => {
    const created = await call('POST', '/proxies', { name: 'p1', listen: '127.0.0.1:0', upstream: fx.echo.address });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ name: 'p1', listen: expect.stringMatching(/^127\.0\.0\.1:\d+$/), upstream: fx.echo.address, enabled: true, toxics: [] });
    expect(created.json.listen).not.toBe('127.0.0.1:0');
    const port = Number(created.json.listen.split(':')[1]);
    const client = await openClient(port);
    await roundTrip(client, 'ping');
    expect(client.data().toString()).toBe('ping');
    client.socket.end();
    expect(await client.closed).toBe('end');
  });

  it('lists proxies as an object keyed by name, shows one, and 404s an unknown one', async () => {
    const all = await call('GET', '/proxies');
    expect(all.status).toBe(200);
    expect(Object.keys(all.json)).toContain('p1');
    expect(all.json.p1.name).toBe('p1');
    expect((await call('GET', '/proxies/p1')).json.upstream).toBe(fx.echo.address);
    expect(await call('GET', '/proxies/nope')).toMatchObject({ status: 404, json: { error: 'proxy not found', status: 404 } });
  });

  it("answers errors with Toxiproxy's bodies and status codes", async () => {
    expect(await call('POST', '/proxies', { name: 'p1', upstream: fx.echo.address })).toMatchObject({ status: 409, json: { error: 'proxy already exists', status: 409 } });
    expect(await call('POST', '/proxies', { upstream: fx.echo.address })).toMatchObject({ status: 400, json: { error: 'missing required field: name', status: 400 } });
    expect(await call('POST', '/proxies', { name: 'x' })).toMatchObject({ status: 400, json: { error: 'missing required field: upstream', status: 400 } });
    const bad = await call('POST', '/proxies', '{"name": ');
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/^bad request body: /);
    expect((await call('POST', '/proxies', '')).json).toEqual({ error: 'bad request body: EOF', status: 400 });
    expect((await call('POST', '/proxies', { name: 'x', upstream: 'no-port' })).status).toBe(400);
    expect((await call('POST', '/proxies', { name: 'x', upstream: fx.echo.address, enabled: 'yes' })).status).toBe(400);
    const huge = await call('POST', '/proxies', JSON.stringify({ name: 'x', upstream: fx.echo.address, pad: 'x'.repeat(2 << 20) }));
    expect(huge.status).toBe(413);
    expect(huge.json.error).toMatch(/^bad request body: /);
    expect((await call('GET', '/proxies')).json.x).toBeUndefined();
  });

  it('refuses browsers (User-Agent Mozilla/...) with 403, unknown paths with 404 and wrong methods with 405', async () => {
    const browser = await call('GET', '/proxies', undefined, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)' });
    expect(browser.status).toBe(403);
    expect(browser.text).toBe('User agent not allowed\n');
    expect((await call('GET', '/nothing')).status).toBe(404);
    expect((await call('PUT', '/proxies')).status).toBe(405);
  });

  it('reports its version as JSON', async () => {
    const version = await call('GET', '/version');
    expect(version.status).toBe(200);
    expect(version.json.version).toMatch(/^2\.\d+\.\d+/);
  });

  it('disabling closes live connections and refuses new ones; enabling listens on the same address again', async () => {
    const { json } = await call('POST', '/proxies', { name: 'toggle', upstream: fx.echo.address });
    const port = Number(json.listen.split(':')[1]);
    const live = await openClient(port);
    await roundTrip(live, 'a');
    const disabled = await call('PATCH', '/proxies/toggle', { enabled: false });
    expect(disabled).toMatchObject({ status: 200, json: { enabled: false, listen: json.listen } });
    expect(['end', 'reset']).toContain(await live.closed);
    await expect(openClient(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const enabled = await call('POST', '/proxies/toggle', { enabled: true });
    expect(enabled.json).toMatchObject({ enabled: true, listen: json.listen });
    const again = await openClient(port);
    await roundTrip(again, 'b');
    again.socket.destroy();
  });

  it('changing upstream restarts the proxy; missing fields keep their values', async () => {
    const other = await echoServer();
    const updated = await call('PATCH', '/proxies/toggle', { upstream: other.address });
    expect(updated.json).toMatchObject({ name: 'toggle', upstream: other.address, enabled: true });
    expect((await call('PATCH', '/proxies/toggle', { upstream: 'bad' })).status).toBe(400);
    expect((await call('GET', '/proxies/toggle')).json.upstream).toBe(other.address);
    await call('DELETE', '/proxies/toggle');
    await other.close();
  });

  it('deletes a proxy (204), closing its listener', async () => {
    const { json } = await call('POST', '/proxies', { name: 'gone', upstream: fx.echo.address });
    expect((await call('DELETE', '/proxies/gone')).status).toBe(204);
    await expect(openClient(Number(json.listen.split(':')[1]))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect((await call('DELETE', '/proxies/gone')).status).toBe(404);
  });
});

describe('Toxiproxy API: toxics', () => {
  it('adds a toxic (200, not 201) with defaults: stream downstream, toxicity 1, name <type>_<stream>, every attribute', async () => {
    const added = await call('POST', '/proxies/p1/toxics', { type: 'latency', attributes: { latency: 5 } });
    expect(added.status).toBe(200);
    expect(added.json).toEqual({ attributes: { latency: 5, jitter: 0 }, name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1 });
    const slicer = await call('POST', '/proxies/p1/toxics', { type: 'slicer', stream: 'upstream' });
    expect(slicer.json).toEqual({ attributes: { average_size: 0, size_variation: 0, delay: 0 }, name: 'slicer_upstream', type: 'slicer', stream: 'upstream', toxicity: 1 });
  });

  it('lists, shows, updates (attributes merged, toxicity) and deletes toxics', async () => {
    const list = await call('GET', '/proxies/p1/toxics');
    expect(list.json.map((t: { name: string }) => t.name)).toEqual(['slicer_upstream', 'latency_downstream']); // upstream chain first, as Toxiproxy
    expect((await call('GET', '/proxies/p1')).json.toxics).toHaveLength(2);
    expect((await call('GET', '/proxies/p1/toxics/latency_downstream')).json.attributes.latency).toBe(5);
    const updated = await call('PATCH', '/proxies/p1/toxics/latency_downstream', { attributes: { jitter: 2 }, toxicity: 0.5, stream: 'upstream', type: 'timeout' });
    expect(updated).toMatchObject({ status: 200, json: { attributes: { latency: 5, jitter: 2 }, toxicity: 0.5, stream: 'downstream', type: 'latency' } });
    expect((await call('POST', '/proxies/p1/toxics/latency_downstream', { attributes: { latency: 7 } })).json.attributes).toEqual({ latency: 7, jitter: 2 });
    expect((await call('DELETE', '/proxies/p1/toxics/slicer_upstream')).status).toBe(204);
    expect(await call('GET', '/proxies/p1/toxics/slicer_upstream')).toMatchObject({ status: 404, json: { error: 'toxic not found', status: 404 } });
  });

  it("rejects bad toxics with Toxiproxy's messages", async () => {
    const post = (body: unknown) => call('POST', '/proxies/p1/toxics', body);
    expect(await post({ type: 'latency' })).toMatchObject({ status: 409, json: { error: 'toxic already exists', status: 409 } });
    expect(await post({ type: 'latncy' })).toMatchObject({ status: 400, json: { error: 'invalid toxic type', status: 400 } });
    expect(await post({ type: 'latency', stream: 'sideways' })).toMatchObject({
      status: 400,
      json: { error: 'stream was invalid, can be either upstream or downstream', status: 400 },
    });
    for (const attributes of [{ latency: -1 }, { latency: 'slow' }, { latency: 1.5 }, { latency: 1e12 }]) {
      const bad = await post({ name: 'bad', type: 'latency', attributes });
      expect(bad.status).toBe(400);
      expect(bad.json.error).toMatch(/^bad request body: attributes\.latency: /);
    }
    expect((await post({ name: 'bad', type: 'latency', toxicity: 2 })).status).toBe(400);
    expect((await post('[1,2')).json.error).toMatch(/^bad request body/);
    expect((await call('POST', '/proxies/nope/toxics', { type: 'latency' })).json).toEqual({ error: 'proxy not found', status: 404 });
    expect((await call('PATCH', '/proxies/p1/toxics/nope', { attributes: {} })).json).toEqual({ error: 'toxic not found', status: 404 });
    expect((await call('PATCH', '/proxies/p1/toxics/latency_downstream', { attributes: { latency: -5 } })).status).toBe(400);
    expect((await call('GET', '/proxies/p1/toxics')).json).toHaveLength(1);
  });
});

describe('Toxiproxy API: populate and reset', () => {
  it('populate creates (201 {proxies}), keeps identical ones, replaces changed ones', async () => {
    const first = await call('POST', '/populate', [
      { name: 'pop-a', listen: '127.0.0.1:0', upstream: fx.echo.address },
      { name: 'pop-b', listen: '127.0.0.1:0', upstream: fx.echo.address, enabled: false },
    ]);
    expect(first.status).toBe(201);
    expect(first.json.proxies.map((p: { name: string; enabled: boolean }) => [p.name, p.enabled])).toEqual([['pop-a', true], ['pop-b', false]]);
    const a = first.json.proxies[0];
    await call('POST', '/proxies/pop-a/toxics', { type: 'latency' });
    const same = await call('POST', '/populate', [{ name: 'pop-a', listen: a.listen, upstream: fx.echo.address }]);
    expect(same.json.proxies[0].toxics).toHaveLength(1); // untouched, toxics kept
  });

  it('populate validates everything first: one bad entry changes nothing', async () => {
    const before = (await call('GET', '/proxies')).json;
    const bad = await call('POST', '/populate', [{ name: 'pop-c', upstream: fx.echo.address }, { name: 'pop-d' }]);
    expect(bad).toMatchObject({ status: 400, json: { error: 'missing required field: upstream at proxy 2', status: 400 } });
    const dup = await call('POST', '/populate', [{ name: 'pop-e', upstream: fx.echo.address }, { name: 'pop-e', upstream: fx.echo.address }]);
    expect(dup.status).toBe(400);
    expect((await call('POST', '/populate', { name: 'not-an-array' })).status).toBe(400);
    expect((await call('GET', '/proxies')).json).toEqual(before);
  });

  it('populate that cannot bind a port rolls back the proxies it already made (no half-made state)', async () => {
    const taken = (await call('GET', '/proxies/p1')).json.listen;
    const before = Object.keys((await call('GET', '/proxies')).json).sort();
    const result = await call('POST', '/populate', [
      { name: 'pop-f', upstream: fx.echo.address },
      { name: 'pop-g', listen: taken, upstream: fx.echo.address },
    ]);
    expect(result.status).toBe(500);
    expect(result.json.error).toMatch(/address already in use/);
    expect(Object.keys((await call('GET', '/proxies')).json).sort()).toEqual(before);
  });

  it('reset removes every toxic and enables every proxy, keeping the proxies', async () => {
    expect((await call('POST', '/reset')).status).toBe(204);
    const all = (await call('GET', '/proxies')).json as Record<string, { enabled: boolean; toxics: unknown[] }>;
    expect(Object.values(all).every((p) => p.enabled && p.toxics.length === 0)).toBe(true);
    expect(all['pop-b']).toBeDefined();
  });
});
