// N replica-like /metrics endpoints in one process for bench/scrape-cost.mjs: prom-client
// registries with the stack's metric names, realistic label sets and the default Node metrics.
import { createServer } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { StackMetrics } from '../dist/src/stack/metric-names.js';

const count = Number(process.env.TARGETS ?? 20);
const routes = ['/api/products', '/api/products/:id', '/api/search', '/api/cart/:cartId', '/api/cart/:cartId/items', '/api/checkout', '/api/orders/:id', '/healthz'];
const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const ports = [];
for (let i = 0; i < count; i++) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const service = `svc${i % 9}`;
  const server = new Histogram({ name: StackMetrics.httpServerDuration, help: 'h', labelNames: ['service', 'route', 'method', 'status_code'], buckets, registers: [registry] });
  const client = new Histogram({ name: StackMetrics.httpClientDuration, help: 'h', labelNames: ['service', 'upstream', 'method', 'status_code'], buckets, registers: [registry] });
  const db = new Histogram({ name: StackMetrics.dbDuration, help: 'h', labelNames: ['service', 'operation'], buckets, registers: [registry] });
  new Gauge({ name: StackMetrics.httpServerActive, help: 'g', labelNames: ['service'], registers: [registry] }).set({ service }, 3);
  new Counter({ name: StackMetrics.checkoutOrders, help: 'c', labelNames: ['service', 'result'], registers: [registry] }).inc({ service, result: 'confirmed' }, 10);
  for (const route of routes) for (const status of ['200', '404', '503']) server.observe({ service, route, method: 'GET', status_code: status }, Math.random());
  for (const upstream of ['catalog', 'recommendations', 'inventory']) for (const status of ['200', '0']) client.observe({ service, upstream, method: 'GET', status_code: status }, Math.random());
  for (const operation of ['query', 'transaction']) db.observe({ service, operation }, Math.random() / 10);
  const http = createServer((req, res) => void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text)));
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  ports.push(http.address().port);
}
process.on('message', (m) => {
  if (m === 'cpu') process.send({ cpu: process.cpuUsage() });
});
process.on('disconnect', () => process.exit(0));
process.send({ ports });
