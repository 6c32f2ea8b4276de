import { connect } from 'node:net';
import { request } from 'undici';
import type { CleanupSnapshot, IntegritySnapshot } from '../run/records.js';
import { isProcessAlive } from '../stack/stack-state.js';
import { databasePort, proxyPort, proxiedUpstreams, servicePort, type StackDefinition } from '../stack/definition.js';

async function getJson<T>(url: string): Promise<T> {
  const res = await request(url, { headersTimeout: 10_000, bodyTimeout: 30_000 });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`GET ${url} answered ${res.statusCode}`);
  }
  return (await res.body.json()) as T;
}

/**
 * The stored truth at the end of a drill, read from the stack's internal endpoints (straight to
 * each service's balancer, not through the fault proxy: the faults are over by then, and the
 * check must not depend on them).
 */
export async function readIntegritySnapshot(stack: StackDefinition): Promise<IntegritySnapshot> {
  const base = (service: 'orders' | 'payments' | 'inventory') => `http://127.0.0.1:${servicePort(stack, service)}`;
  const [orders, charges, stock] = await Promise.all([
    getJson<IntegritySnapshot['orders'] | { orders: IntegritySnapshot['orders'] }>(`${base('orders')}/internal/orders`),
    getJson<IntegritySnapshot['charges'] | { charges: IntegritySnapshot['charges'] }>(`${base('payments')}/internal/charges`),
    getJson<IntegritySnapshot['stock'] | { stock: IntegritySnapshot['stock'] }>(`${base('inventory')}/internal/stock`),
  ]);
  return {
    t: Date.now(),
    orders: Array.isArray(orders) ? orders : orders.orders,
    charges: Array.isArray(charges) ? charges : charges.charges,
    stock: Array.isArray(stock) ? stock : stock.stock,
  };
}

/** Every port the local stack listens on: balancers, fault proxies, database, admin endpoints. */
export function stackPorts(stack: StackDefinition): Array<{ port: number; owner: string }> {
  return [
    ...stack.services.map((s) => ({ port: servicePort(stack, s.name), owner: `${s.name} balancer` })),
    ...proxiedUpstreams(stack).map((u) => ({ port: proxyPort(stack, u), owner: `fault proxy ${u}` })),
    { port: databasePort(stack), owner: 'database' },
    { port: stack.basePort + stack.admin.faultProxyApiOffset, owner: 'fault proxy API' },
    { port: stack.basePort + stack.admin.otlpOffset, owner: 'OTLP receiver' },
    { port: stack.basePort + stack.admin.supervisorMetricsOffset, owner: 'supervisor metrics' },
    { port: stack.basePort + stack.admin.prometheusOffset, owner: 'Prometheus' },
  ];
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * What is still there after the drill stopped everything: processes it started, the ports it
 * listened on, and faults (read before the fault proxy went away, passed in).
 */
export async function takeCleanupSnapshot(input: {
  ports: ReadonlyArray<{ port: number; owner: string }>;
  pids: ReadonlyArray<{ pid: number; name: string }>;
  faults: { toxics: CleanupSnapshot['toxics']; disabledProxies: string[] };
}): Promise<CleanupSnapshot> {
  const ports: CleanupSnapshot['ports'] = [];
  for (const p of input.ports) if (await isListening(p.port)) ports.push(p);
  return {
    t: Date.now(),
    processes: input.pids.filter((p) => isProcessAlive(p.pid)),
    ports,
    toxics: input.faults.toxics,
    disabledProxies: input.faults.disabledProxies,
  };
}
