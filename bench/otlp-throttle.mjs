// The OTLP receiver under more exporters than it can serve (issue 19): 128 connections on
// loopback each sending export requests of realistic checkout traces (protobuf, 50 traces = 500
// spans, about a BatchSpanProcessor batch) as fast as it answers, for a bounded time. Each
// connection honours Retry-After as an OTLP exporter does. Prints the share of throttled answers
// (429/503), p50/p99/max latency of the answers, and the spans acknowledged (sent minus
// partial_success.rejected_spans of every 200) against the spans stored in traces.ndjson.
// Run: npm run build && node bench/otlp-throttle.mjs [seconds] [connections]
//      DIST=/other/checkout/dist node bench/otlp-throttle.mjs   (another build's receiver)
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const seconds = Number(process.argv[2] ?? 20);
const connections = Number(process.argv[3] ?? 128);
const TRACES_PER_REQUEST = Number(process.env.TRACES_PER_REQUEST ?? 50);
const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const bench = await import(new URL('../dist/src/telemetry/otlp/sample-traces.js', import.meta.url).href);
const { ExportTraceServiceResponse } = await import(new URL('../dist/src/telemetry/otlp/otlp-proto.js', import.meta.url).href);

/**
 * One encoded request whose trace ids are rewritten per send, so that every request carries new
 * spans (a receiver keeps a span id once per trace): the offsets of each trace's id in the
 * protobuf body are found once, and each send writes a fresh counter into them.
 */
function template() {
  const traces = Array.from({ length: TRACES_PER_REQUEST }, (_, i) => bench.sampleCheckoutTrace(Date.now() + i));
  const body = Buffer.from(bench.otlpProtobufRequest(traces));
  const offsets = traces.map((t) => {
    const id = Buffer.from(t.traceId, 'hex');
    const found = [];
    for (let at = body.indexOf(id); at >= 0; at = body.indexOf(id, at + 1)) found.push(at);
    return found;
  });
  const spans = traces.reduce((n, t) => n + t.spans.length, 0);
  return { body, offsets, spans };
}

let serial = 0;
function nextBody(t) {
  const body = Buffer.from(t.body);
  for (const found of t.offsets) {
    serial++;
    for (const at of found) body.writeBigUInt64BE(BigInt(serial), at + 8);
  }
  return body;
}

function startReceiver() {
  const child = fork(here('./otlp-throttle-child.mjs'), { env: process.env });
  return new Promise((resolve) =>
    child.once('message', (m) =>
      resolve({
        url: m.url,
        stop: () => new Promise((r) => (child.once('message', r), child.send('stop'))),
      }),
    ),
  );
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
}

const receiver = await startReceiver();
const pool = new Pool(receiver.url, { connections, pipelining: 1, headersTimeout: 120_000, bodyTimeout: 120_000 });
const t = template();
const latencies = { all: [], ok: [] };
const statuses = new Map();
let acknowledged = 0;
let sentSpans = 0;
let errors = 0;
const until = performance.now() + seconds * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

await Promise.all(
  Array.from({ length: connections }, async () => {
    while (performance.now() < until) {
      const body = nextBody(t);
      const started = performance.now();
      try {
        const res = await pool.request({ path: '/v1/traces', method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } });
        const answer = Buffer.from(await res.body.arrayBuffer());
        const ms = performance.now() - started;
        latencies.all.push(ms);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        sentSpans += t.spans;
        if (res.statusCode === 200) {
          latencies.ok.push(ms);
          const decoded = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(answer), { longs: Number });
          acknowledged += t.spans - (decoded.partialSuccess?.rejectedSpans ?? 0);
        } else if (res.statusCode === 429 || res.statusCode === 503) {
          // as an exporter: wait Retry-After (±20 %) before the next export
          const after = Number(res.headers['retry-after'] ?? 1);
          await sleep(after * 1000 * (0.8 + Math.random() * 0.4));
        }
      } catch {
        errors++;
        await sleep(1000);
      }
    }
  }),
);
await pool.close();
const end = await receiver.stop();

const all = latencies.all.sort((a, b) => a - b);
const ok = latencies.ok.sort((a, b) => a - b);
const total = all.length;
const throttled = (statuses.get(429) ?? 0) + (statuses.get(503) ?? 0);
const fmt = (ms) => (Number.isFinite(ms) ? `${ms.toFixed(0)} ms` : '-');
console.log(`OTLP receiver, ${connections} connections, ${seconds} s, ${TRACES_PER_REQUEST * 10} spans per export (${t.body.length} bytes protobuf)${process.env.DIST ? `, DIST=${process.env.DIST}` : ''}`);
console.log(`answers: ${total} (${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')}), network errors ${errors}`);
console.log(`throttled (429/503 with Retry-After): ${((throttled / Math.max(1, total)) * 100).toFixed(1)} %`);
console.log(`latency of every answer: p50 ${fmt(percentile(all, 50))}, p99 ${fmt(percentile(all, 99))}, max ${fmt(all[all.length - 1])}`);
console.log(`latency of 200s:         p50 ${fmt(percentile(ok, 50))}, p99 ${fmt(percentile(ok, 99))}, max ${fmt(ok[ok.length - 1])}`);
console.log(`spans sent ${sentSpans}, acknowledged ${acknowledged}, stored ${end.stored} (distinct ${end.distinct}); receiver counted ${end.stats.spansReceived}`);
console.log(`acknowledged but not stored: ${Math.max(0, acknowledged - end.distinct)}; receiver peak RSS ${(end.peakRss / 1024 / 1024).toFixed(0)} MB`);
