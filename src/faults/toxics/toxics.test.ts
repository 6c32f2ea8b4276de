import { describe, expect, it } from 'vitest';
import { callApi, useFaultProxy } from '../../../test/support/fault-proxy.js';
import { listenTcp, openClient, roundTrip, waitFor } from '../../../test/support/tcp-peers.js';

const fx = useFaultProxy();
let count = 0;

const api = (method: string, path: string, body?: unknown): Promise<any> => callApi(fx, method, path, body); // eslint-disable-line @typescript-eslint/no-explicit-any

/** A new proxy in front of `upstream` with these toxics; returns its name and port. */
async function proxy(upstream: string, toxics: object[] = []): Promise<{ name: string; port: number }> {
  const name = `t${++count}`;
  const created = await api('POST', '/proxies', { name, upstream });
  for (const toxic of toxics) await api('POST', `/proxies/${name}/toxics`, toxic);
  return { name, port: Number(created.listen.split(':')[1]) };
}

/** A server that sends `bytes` bytes and closes, and how long a client through `port` takes to get them. */
async function download(port: number): Promise<{ ms: number; bytes: number; how: string; chunks: number }> {
  const client = await openClient(port);
  const how = await client.closed;
  return { ms: performance.now() - client.connectedAt, bytes: client.data().length, how, chunks: client.chunks.length };
}


describe('toxics on real TCP connections', () => {
  it('latency adds its delay to each direction, jitter spreads it', async () => {
    const plain = await proxy(fx.echo.address);
    const slow = await proxy(fx.echo.address, [{ type: 'latency', attributes: { latency: 60 } }, { type: 'latency', stream: 'upstream', attributes: { latency: 40 } }]);
    const a = await openClient(plain.port);
    const b = await openClient(slow.port);
    const base = await roundTrip(a, 'x');
    const delayed = await roundTrip(b, 'x');
    expect(delayed).toBeGreaterThanOrEqual(99);
    expect(delayed).toBeLessThan(100 + base + 80); // slack for a busy machine
    const jittery = await proxy(fx.echo.address, [{ type: 'latency', attributes: { latency: 50, jitter: 40 } }]);
    const c = await openClient(jittery.port);
    const samples: number[] = [];
    for (let i = 0; i < 12; i++) samples.push(await roundTrip(c, 'y'));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(9);
    expect(Math.max(...samples) - Math.min(...samples)).toBeGreaterThan(10);
    for (const client of [a, b, c]) client.socket.destroy();
  });

  it('bandwidth limits throughput to rate KB/s', async () => {
    const payload = await listenTcp((s) => s.end(Buffer.alloc(60_000, 1)));
    const fast = await download((await proxy(payload.address)).port);
    const limited = await download((await proxy(payload.address, [{ type: 'bandwidth', attributes: { rate: 200 } }])).port);
    expect(fast.bytes).toBe(60_000);
    expect(limited.bytes).toBe(60_000);
    // 60 KB at 200 KB/s = 300 ms
    expect(limited.ms).toBeGreaterThanOrEqual(280);
    expect(limited.ms).toBeLessThan(900);
    expect(fast.ms).toBeLessThan(limited.ms / 3);
    await payload.close();
  });

  it('timeout swallows data and closes after its timeout; with 0 it holds until removed', async () => {
    const timed = await proxy(fx.echo.address, [{ type: 'timeout', attributes: { timeout: 150 } }]);
    const client = await openClient(timed.port);
    client.socket.write('lost');
    expect(await client.closed).toBe('end');
    expect(performance.now() - client.connectedAt).toBeGreaterThanOrEqual(145);
    expect(client.data().length).toBe(0);

    const held = await proxy(fx.echo.address, [{ type: 'timeout', attributes: { timeout: 0 } }]);
    const waiting = await openClient(held.port);
    waiting.socket.write('held');
    await new Promise((r) => setTimeout(r, 250));
    expect(waiting.data().length).toBe(0);
    expect(waiting.socket.destroyed).toBe(false);
    await api('DELETE', `/proxies/${held.name}/toxics/timeout_downstream`);
    await roundTrip(waiting, 'back');
    expect(waiting.data().toString()).toBe('back');
    waiting.socket.destroy();
  });

  it('reset_peer resets the connection (ECONNRESET) after its timeout', async () => {
    const now = await proxy(fx.echo.address, [{ type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } }]);
    const a = await openClient(now.port);
    a.socket.write('hello');
    expect(await a.closed).toBe('reset');
    const later = await proxy(fx.echo.address, [{ type: 'reset_peer', attributes: { timeout: 120 } }]);
    const b = await openClient(later.port);
    const sent = performance.now();
    b.socket.write('hello');
    expect(await b.closed).toBe('reset');
    expect(performance.now() - sent).toBeGreaterThanOrEqual(115);
  });

  it('slicer splits writes into small pieces, keeping every byte in order', async () => {
    const body = Buffer.from(Array.from({ length: 200 }, (_, i) => i % 256));
    const payload = await listenTcp((s) => s.end(body));
    const whole = await openClient((await proxy(payload.address)).port);
    await whole.closed;
    const sliced = await openClient((await proxy(payload.address, [{ type: 'slicer', attributes: { average_size: 20, size_variation: 5, delay: 10_000 } }])).port);
    await sliced.closed;
    expect(whole.chunks.length).toBe(1);
    // ~10 pieces 10 ms apart; a reader stalled on a busy machine may get several at once,
    // so require several reads spread over most of the 90 ms the pieces are spaced
    expect(sliced.chunks.length).toBeGreaterThanOrEqual(3);
    expect(sliced.chunks.at(-1)!.at - sliced.chunks[0]!.at).toBeGreaterThanOrEqual(50);
    expect(sliced.data().equals(body)).toBe(true);
    await payload.close();
  });

  it('limit_data closes the connection after N bytes', async () => {
    const payload = await listenTcp((s) => s.end(Buffer.alloc(5000, 7)));
    const limited = await download((await proxy(payload.address, [{ type: 'limit_data', attributes: { bytes: 1234 } }])).port);
    expect(limited.bytes).toBe(1234);
    expect(limited.how).toBe('end');
    await payload.close();
  });

  it('slow_close delays the close, not the data', async () => {
    const payload = await listenTcp((s) => s.end('bye'));
    const client = await openClient((await proxy(payload.address, [{ type: 'slow_close', attributes: { delay: 200 } }])).port);
    await waitFor(() => client.data().length === 3);
    const dataAt = performance.now() - client.connectedAt;
    await client.closed;
    const closedAt = performance.now() - client.connectedAt;
    expect(dataAt).toBeLessThan(100);
    expect(closedAt).toBeGreaterThanOrEqual(195);
    await payload.close();
  });

  it('toxicity is rolled once per connection: 0 never, 1 always, 0.5 some', async () => {
    const measure = async (toxicity: number, n: number): Promise<number> => {
      // 120 ms against a 100 ms threshold: a scheduling stall on a busy machine is not mistaken for the toxic
      const p = await proxy(fx.echo.address, [{ type: 'latency', toxicity, attributes: { latency: 120 } }]);
      let slow = 0;
      for (let i = 0; i < n; i++) {
        const c = await openClient(p.port);
        const first = await roundTrip(c, 'a');
        const second = await roundTrip(c, 'b');
        expect(first >= 100).toBe(second >= 100); // same roll for the whole connection
        if (first >= 100) slow++;
        c.socket.destroy();
      }
      return slow;
    };
    expect(await measure(0, 5)).toBe(0);
    expect(await measure(1, 5)).toBe(5);
    const some = await measure(0.5, 20);
    expect(some).toBeGreaterThan(0);
    expect(some).toBeLessThan(20);
  });

  it('toxics added, updated and removed apply to a live connection without reordering bytes', async () => {
    const p = await proxy(fx.echo.address);
    const c = await openClient(p.port);
    expect(await roundTrip(c, 'fast')).toBeLessThan(60);
    await api('POST', `/proxies/${p.name}/toxics`, { name: 'lag', type: 'latency', attributes: { latency: 80 } });
    expect(await roundTrip(c, 'slow')).toBeGreaterThanOrEqual(79);
    await api('PATCH', `/proxies/${p.name}/toxics/lag`, { attributes: { latency: 150 } });
    expect(await roundTrip(c, 'slower')).toBeGreaterThanOrEqual(149);
    // bytes held by the toxic when it is removed come out first, in order
    const sent: string[] = [];
    for (let i = 0; i < 50; i++) {
      sent.push(`<${i}>`);
      c.socket.write(`<${i}>`);
    }
    await api('DELETE', `/proxies/${p.name}/toxics/lag`);
    for (let i = 50; i < 60; i++) {
      sent.push(`<${i}>`);
      c.socket.write(`<${i}>`);
    }
    const expected = 'fastslowslower' + sent.join('');
    await waitFor(() => c.data().length >= expected.length);
    expect(c.data().toString()).toBe(expected);
    expect(await roundTrip(c, 'quick')).toBeLessThan(60);
    c.socket.destroy();
  });
});
