// Ingest rate of the OTLP receiver for realistic checkout traces (10 spans each, HTTP semantic
// convention attributes), protobuf and JSON, as spans per CPU-second of the receiver process
// (= spans/s on one core), with its memory staying under the span bound; side by side with the
// CPU the OpenTelemetry SDK + OTLP protobuf exporter spends producing the same spans, so the
// ratio says whether the receiver could ever be a drill's bottleneck.
// Run: npm run build && node bench/otlp-ingest.mjs [seconds-per-phase]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Pool } from 'undici';
import { decodeProtobufRequest } from '../dist/src/telemetry/otlp/decode.js';
import { otlpJsonRequest, otlpProtobufRequest, sampleCheckoutTrace } from '../dist/src/telemetry/otlp/sample-traces.js';

const seconds = Number(process.argv[2] ?? 4);
const TRACES_PER_REQUEST = 50; // 500 spans: about what a BatchSpanProcessor sends (512 max)
const MAX_SPANS = 100_000;
const here = (f) => fileURLToPath(new URL(f, import.meta.url));

function startReceiver() {
  const child = fork(here('./otlp-receiver-child.mjs'), { env: { ...process.env, MAX_SPANS: String(MAX_SPANS) } });
  const ask = (m) =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send(m);
    });
  return new Promise((resolve) => child.once('message', (m) => resolve({ url: m.url, ask, stop: () => new Promise((r) => (child.once('exit', r), child.send('stop'))) })));
}

function bodies(kind, count) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const traces = Array.from({ length: TRACES_PER_REQUEST }, (_, j) => sampleCheckoutTrace(Date.now() + i * 100 + j));
    if (kind === 'protobuf') out.push({ body: Buffer.from(otlpProtobufRequest(traces)), type: 'application/x-protobuf' });
    else if (kind === 'json') out.push({ body: Buffer.from(JSON.stringify(otlpJsonRequest(traces))), type: 'application/json' });
    else out.push({ body: gzipSync(otlpProtobufRequest(traces)), type: 'application/x-protobuf', encoding: 'gzip' });
  }
  return out;
}

async function ingestPhase(receiver, kind) {
  const payloads = bodies(kind, 60);
  const pool = new Pool(receiver.url, { connections: 4 });
  await receiver.ask('reset-peaks');
  const before = await receiver.ask('stats');
  const t0 = performance.now();
  let sent = 0;
  let ok = 0;
  const until = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (performance.now() < until) {
        const p = payloads[sent++ % payloads.length];
        const res = await pool.request({ path: '/v1/traces', method: 'POST', body: p.body, headers: { 'content-type': p.type, ...(p.encoding ? { 'content-encoding': p.encoding } : {}) } });
        await res.body.dump();
        if (res.statusCode === 200) ok++;
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const after = await receiver.ask('stats');
  await pool.close();
  const cpu = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1e6;
  const spans = after.stats.spansReceived - before.stats.spansReceived;
  return { kind, requests: ok, spans, wall, cpu, spansPerCpuSecond: spans / cpu, spansPerSecond: spans / wall, bytesPerSpan: payloads[0].body.length / (TRACES_PER_REQUEST * 10), peakRss: after.peakRss, peakHeld: after.peakHeld };
}

function sdkPhase(url) {
  return new Promise((resolve, reject) => {
    const child = fork(here('./otlp-sdk-child.mjs'), { env: { ...process.env, OTLP_URL: `${url}/v1/traces`, TRACES: '3000' } });
    child.once('message', resolve);
    child.once('error', reject);
  });
}

// decode alone, in this process: the protobufjs decoding and record building without HTTP or disk
function decodeOnly() {
  const payloads = bodies('protobuf', 20);
  let spans = 0;
  const cpu0 = process.cpuUsage();
  const until = performance.now() + 1500;
  while (performance.now() < until) for (const p of payloads) spans += decodeProtobufRequest(p.body).spans.length;
  const cpu = process.cpuUsage(cpu0);
  return spans / ((cpu.user + cpu.system) / 1e6);
}

const receiver = await startReceiver();
// warm the receiver's JIT up first, so the first measured encoding is not penalised
await ingestPhase(receiver, 'protobuf');
const results = [];
for (const kind of ['protobuf', 'json', 'protobuf+gzip']) results.push(await ingestPhase(receiver, kind));
const before = await receiver.ask('stats');
const sdk = await sdkPhase(receiver.url);
const after = await receiver.ask('stats');
const receiverCpuForSdkSpans = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1e6;
const final = await receiver.ask('stats');
await receiver.stop();
const decodeRate = decodeOnly();

const k = (n) => `${(n / 1000).toFixed(1)}k`;
console.log(`OTLP ingest, checkout traces of 10 spans, ${TRACES_PER_REQUEST * 10} spans per request, 4 connections, ${seconds} s per encoding`);
console.log('encoding        spans/s (wall)   spans per receiver CPU-second   bytes/span   peak RSS   peak spans held (bound)');
for (const r of results) {
  console.log(
    `${r.kind.padEnd(15)} ${k(r.spansPerSecond).padStart(14)}   ${k(r.spansPerCpuSecond).padStart(29)}   ${r.bytesPerSpan.toFixed(0).padStart(10)}   ${(r.peakRss / 2 ** 20).toFixed(0).padStart(5)} MB   ${String(r.peakHeld).padStart(7)} (${MAX_SPANS})`,
  );
}
console.log(`decoding + building the ndjson lines alone, in one process (no HTTP, no disk, no store): ${k(decodeRate)} spans per CPU-second`);
const sdkPerSpan = (sdk.cpuSeconds / sdk.spans) * 1e6;
const rxPerSpan = (receiverCpuForSdkSpans / sdk.spans) * 1e6;
console.log(
  `OpenTelemetry SDK + OTLP/proto exporter producing ${sdk.spans} of the same spans: ${sdkPerSpan.toFixed(2)} µs CPU per span (${k(sdk.spans / sdk.cpuSeconds)} spans per CPU-second); ` +
    `receiver ingesting them: ${rxPerSpan.toFixed(2)} µs per span`,
);
console.log(`ratio SDK cost / receiver cost per span: ${(sdkPerSpan / rxPerSpan).toFixed(1)}x (the services spend that much more CPU making spans than we spend receiving them)`);
console.log(`memory: held at most ${Math.max(...results.map((r) => r.peakHeld))} spans of a ${MAX_SPANS} bound; ${final.stats.tracesEvicted} traces evicted; ${final.stats.spansReceived} spans received in total`);
const proto = results[0];
console.log(`goal >= 50k spans/s protobuf on one core: ${proto.spansPerCpuSecond >= 50_000 ? 'met' : 'NOT met'} (${k(proto.spansPerCpuSecond)})`);
