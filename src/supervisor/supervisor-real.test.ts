import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { RunDirectory } from '../run/run-dir.js';
import type { ServiceName } from '../stack/definition.js';
import { StackMetrics } from '../stack/metric-names.js';
import { startStack, type RunningStack } from './supervisor.js';
import { privateDatabase, privateStateDir, waitFor } from '../../test/support/stack.js';

const BASE = 27_900;

/** Requests a replica has served, from its own /metrics (the balancer does not tell). */
async function served(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${StackMetrics.httpServerDuration}_count{`) && l.includes('route="/products"'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

describe('startStack with the real reference services (PostgreSQL, embedded fault proxy)', () => {
  let stack: RunningStack;
  let database: Awaited<ReturnType<typeof privateDatabase>>;

  beforeAll(async () => {
    const home = privateStateDir();
    database = await privateDatabase('stack_real');
    stack = await startStack({ basePort: BASE, databaseUrl: database.url, runDir: RunDirectory.create('stack-real', home) });
  });

  afterAll(async () => {
    await stack?.stop();
    await database?.drop();
  });

  it('serves the public API through the gateway, with every edge (postgres included) through its fault proxy', async () => {
    const list = await fetch(`${stack.gatewayUrl}/api/products?pageSize=3`);
    expect(list.status).toBe(200);
    const { items } = (await list.json()) as { items: Array<{ id: string }> };
    expect(items).toHaveLength(3);
    const cart = await fetch(`${stack.gatewayUrl}/api/cart/stack-test-cart/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ productId: items[0]!.id, quantity: 1 }),
    });
    expect(cart.status).toBe(200);
    const checkout = await fetch(`${stack.gatewayUrl}/api/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `stack-test-${Date.now()}` },
      body: JSON.stringify({ cartId: 'stack-test-cart' }),
    });
    expect(checkout.status).toBe(201);
    expect(stack.toxiproxyUrl).toBe(`http://127.0.0.1:${BASE + 300}`);
  });

  it('scales gateway and catalog up and down under keep-alive load with zero failed requests', async () => {
    const pool = new Pool(stack.gatewayUrl, { connections: 6 });
    const failures: string[] = [];
    let requests = 0;
    let running = true;
    const worker = async () => {
      while (running) {
        try {
          const res = await pool.request({ path: '/api/products?pageSize=5', method: 'GET' });
          const body = await res.body.text();
          requests++;
          if (res.statusCode !== 200) failures.push(`${res.statusCode} ${body.slice(0, 200)}`);
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    const readyCount = (service: ServiceName) => stack.replicas(service).filter((r) => r.state === 'ready').length;
    await Promise.all([stack.setReplicas('gateway', 2), stack.setReplicas('catalog', 3)]);
    await waitFor(() => readyCount('gateway') === 2 && readyCount('catalog') === 3, 'gateway 2 and catalog 3 ready', 30_000);
    const joined = stack.replicas('catalog').filter((r) => r.id !== 'catalog-1');
    await waitFor(async () => (await Promise.all(joined.map((r) => served(r.port)))).every((n) => n > 0), 'new catalog replicas to get traffic');
    await Promise.all([stack.setReplicas('gateway', 1), stack.setReplicas('catalog', 1)]);
    await new Promise((r) => setTimeout(r, 1_000));
    running = false;
    await Promise.all(workers);
    await pool.close();
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(50);
    expect(stack.replicas('catalog')).toHaveLength(1);
  });

  it('replaces a SIGKILLed orders replica and checkout keeps working', async () => {
    const [victim] = stack.replicas('orders');
    process.kill(victim!.pid, 'SIGKILL');
    await waitFor(() => stack.replicas('orders').some((r) => r.id !== victim!.id && r.state === 'ready'), 'a new orders replica', 30_000);
    const items = (await (await fetch(`${stack.gatewayUrl}/api/products?pageSize=1`)).json()) as { items: Array<{ id: string }> };
    await fetch(`${stack.gatewayUrl}/api/cart/after-kill/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ productId: items.items[0]!.id, quantity: 1 }),
    });
    const checkout = await fetch(`${stack.gatewayUrl}/api/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `after-kill-${Date.now()}` },
      body: JSON.stringify({ cartId: 'after-kill' }),
    });
    expect(checkout.status).toBe(201);
  });
});
