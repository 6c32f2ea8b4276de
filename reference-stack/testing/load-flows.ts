import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

/**
 * Traffic for the benches (bench/stack-tracing.mjs, bench/checkout-db.mjs): autocannon driven
 * programmatically with the two flows that matter, a product page and a checkout (a fresh cart,
 * one item, then POST /api/checkout with a new Idempotency-Key).
 */

export type Flow = 'product-page' | 'checkout';

export interface FlowResult {
  flow: Flow;
  /** completed flows per second (a checkout flow is two requests) */
  flowsPerSec: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  /** CPU the stack's processes spent per completed flow, ms (needs `pids`) */
  cpuMsPerFlow?: number;
}

interface AutocannonRequest {
  method: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AutocannonRequest, context: Record<string, string>) => AutocannonRequest;
}
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

const PRODUCTS = 1000;

function requestsFor(flow: Flow): AutocannonRequest[] {
  if (flow === 'product-page') {
    return [
      {
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: `/api/products/sku-${String(10 + Math.floor(Math.random() * PRODUCTS)).padStart(5, '0')}` }),
      },
    ];
  }
  return [
    {
      method: 'POST',
      setupRequest: (req, context) => {
        context.cart = `bench-${randomUUID()}`;
        const productId = `sku-${String(10 + Math.floor(Math.random() * PRODUCTS)).padStart(5, '0')}`;
        return { ...req, path: `/api/cart/${context.cart}/items`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ productId, quantity: 1 }) };
      },
    },
    {
      method: 'POST',
      setupRequest: (req, context) => ({
        ...req,
        path: '/api/checkout',
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({ cartId: context.cart }),
      }),
    },
  ];
}

/** user + system CPU seconds of processes (Linux /proc; clock ticks at the usual 100 Hz) */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited
    }
  }
  return ticks / 100;
}

export async function runFlow(
  gatewayUrl: string,
  flow: Flow,
  options: { connections: number; durationSec: number; pids?: readonly number[]; /** open model: this many flows/s at most (default: as fast as the connections go) */ flowsPerSec?: number },
): Promise<FlowResult> {
  // a dev dependency without type declarations: resolved at run time, typed by the interface above
  const moduleName = 'autocannon';
  const autocannon = ((await import(moduleName)) as { default: Autocannon }).default;
  const cpuBefore = options.pids ? cpuSeconds(options.pids) : 0;
  const perFlow = flow === 'checkout' ? 2 : 1;
  const result = await autocannon({
    url: gatewayUrl,
    connections: options.connections,
    ...(options.flowsPerSec ? { overallRate: Math.max(1, Math.round(options.flowsPerSec * perFlow)) } : {}),
    duration: options.durationSec,
    requests: requestsFor(flow),
    timeout: 30,
  });
  const flows = result.requests.total / perFlow;
  return {
    ...(options.pids && flows > 0 ? { cpuMsPerFlow: ((cpuSeconds(options.pids) - cpuBefore) * 1000) / flows } : {}),
    flow,
    requestsPerSec: result.requests.total / result.duration,
    flowsPerSec: result.requests.total / perFlow / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** An OTLP/HTTP endpoint that accepts and discards everything (a collector stand-in for benches). */
export async function startDiscardingCollector(): Promise<{ url: string; received: () => number; close(): Promise<void> }> {
  let received = 0;
  const server = createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      received++;
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/json' }).end(req.headers['content-type']?.includes('json') ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: () => received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
