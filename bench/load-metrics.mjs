#!/usr/bin/env node
// Figure: cost of metrics aggregation on the load generator's hot path.
// Runs, side by side in one process: http-like samples (10 per request) through
// MetricsAggregator.add (with 3 threshold submetrics tracked) vs a plain array push of the same
// samples (the floor: touching each sample once), plus drain → structuredClone → merge, the
// worker-to-main path. Prints samples/s, the ratio, and the share of one core the aggregation
// would take at 5,000 requests/s.  Usage: npm run build && node bench/load-metrics.mjs
import { createReadStream, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsAggregator } from '../dist/src/load/metrics/aggregator.js';
import { JsonLinesOutput } from '../dist/src/load/metrics/json-output.js';
import { parseK6JsonLines } from '../dist/src/load/metrics/k6-json-lines.js';

const REQUESTS = Number(process.env.REQUESTS ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 8);
const PER_REQUEST = ['http_reqs', 'http_req_duration', 'http_req_blocked', 'http_req_connecting', 'http_req_sending',
  'http_req_waiting', 'http_req_receiving', 'http_req_failed', 'data_sent', 'data_received'];

let seed = 12345;
const rand = () => ((seed = (seed * 1664525 + 1013904223) % 4294967296) / 4294967296);

function samples() {
  const out = [];
  const names = ['home', 'search', 'product', 'cart', 'checkout'];
  for (let i = 0; i < REQUESTS; i++) {
    const status = i % 100 === 0 ? '503' : '200';
    // one tags object per request, shared by its samples, as the runtime does
    const tags = { name: names[i % 5], method: 'GET', status, expected_response: status === '200' ? 'true' : 'false', scenario: i % 4 ? 'baseline' : 'surge', group: '' };
    const time = 1_764_000_000_000 + i * 0.2;
    const duration = 1 + rand() * 250;
    for (const metric of PER_REQUEST) {
      let value;
      if (metric === 'http_reqs') value = 1;
      else if (metric === 'http_req_failed') value = status === '200' ? 0 : 1;
      else if (metric === 'data_sent') value = 180;
      else if (metric === 'data_received') value = 1500 + (i % 700);
      else if (metric === 'http_req_duration') value = duration;
      else if (metric === 'http_req_waiting') value = duration * 0.9;
      else value = rand() * 0.05;
      out.push({ metric, time, value, tags });
    }
  }
  return out;
}

const submetrics = [
  { metric: 'http_req_duration', tags: { name: 'checkout' }, name: 'http_req_duration{name:checkout}' },
  { metric: 'http_req_duration', tags: { scenario: 'surge' }, name: 'http_req_duration{scenario:surge}' },
  { metric: 'http_req_failed', tags: { name: 'checkout' }, name: 'http_req_failed{name:checkout}' },
];

function cpuMs(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

const data = samples();
let sink = 0;
const results = { aggregator: [], push: [] };
for (let round = 0; round < ROUNDS; round++) {
  // alternate which goes first so neither always gets the warmer CPU
  const order = round % 2 ? ['push', 'aggregator'] : ['aggregator', 'push'];
  for (const which of order) {
    if (which === 'push') {
      const r = cpuMs(() => {
        const arr = [];
        for (let i = 0; i < data.length; i++) arr.push(data[i]);
        sink += arr.length;
      });
      results.push.push(r);
    } else {
      const agg = new MetricsAggregator({ submetrics });
      const r = cpuMs(() => {
        for (let i = 0; i < data.length; i++) agg.add(data[i]);
      });
      sink += agg.view('http_reqs').stat('count');
      results.aggregator.push(r);
    }
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rate = (runs) => data.length / (median(runs.map((r) => r.cpu)) / 1000);
const aggRate = rate(results.aggregator.slice(2)); // first rounds warm the JIT
const pushRate = rate(results.push.slice(2));

// worker → main: one worker's second of traffic at 5,000 req/s, drained, cloned, merged
const perSecond = data.slice(0, 5_000 * PER_REQUEST.length);
const worker = new MetricsAggregator({ submetrics });
const main = new MetricsAggregator({ submetrics });
const mergeRuns = [];
for (let round = 0; round < 20; round++) {
  for (const s of perSecond) worker.add(s);
  mergeRuns.push(cpuMs(() => main.merge(structuredClone(worker.drain()))));
}
const mergeMs = median(mergeRuns.slice(5).map((r) => r.cpu));

// --out json: formatting every sample as a k6 Point line (the file write itself is async)
const jsonFile = join(tmpdir(), `peakready-bench-${process.pid}.json`);
const out = new JsonLinesOutput(jsonFile);
const builtins = new Map(new MetricsAggregator().definitions().map((d) => [d.name, d]));
for (const metric of PER_REQUEST) out.define(builtins.get(metric));
const jsonRun = cpuMs(() => {
  for (let i = 0; i < data.length; i++) out.add(data[i]);
});
await out.close();
const jsonRate = data.length / (jsonRun.cpu / 1000);

// --engine k6: reading k6's JSON lines back into an aggregator (the same file, k6's format)
const reader = new MetricsAggregator();
const c0 = process.cpuUsage();
await parseK6JsonLines(createReadStream(jsonFile), { onMetric: (d) => reader.define(d), onSample: (s) => reader.add(s) });
const readCpu = process.cpuUsage(c0);
const readRate = data.length / ((readCpu.user + readCpu.system) / 1e6);
rmSync(jsonFile, { force: true });

const share = (5_000 * PER_REQUEST.length) / aggRate;
console.log(`metrics aggregation, ${data.length.toLocaleString()} http-like samples (${PER_REQUEST.length} per request), median of ${ROUNDS - 2} rounds, CPU time`);
console.log(`  MetricsAggregator.add (3 submetrics): ${(aggRate / 1e6).toFixed(2)} M samples/s = ${Math.round(aggRate / PER_REQUEST.length).toLocaleString()} requests/s per core`);
console.log(`  plain array push (floor)            : ${(pushRate / 1e6).toFixed(2)} M samples/s`);
console.log(`  ratio push/aggregator               : ${(pushRate / aggRate).toFixed(1)}x`);
console.log(`  at 5,000 requests/s the aggregation uses ${(share * 100).toFixed(1)} % of one core`);
console.log(`  drain + structuredClone + merge of one worker-second (5,000 requests): ${mergeMs.toFixed(2)} ms CPU`);
console.log(`  --out json (JsonLinesOutput.add): ${(jsonRate / 1e6).toFixed(2)} M samples/s, ${(((5_000 * PER_REQUEST.length) / jsonRate) * 100).toFixed(1)} % of one core at 5,000 requests/s`);
console.log(`  k6 JSON lines → aggregator (--engine k6): ${(readRate / 1e6).toFixed(2)} M lines/s, ${(((5_000 * PER_REQUEST.length) / readRate) * 100).toFixed(1)} % of one core at 5,000 requests/s`);
if (sink < 0) console.log(sink);
