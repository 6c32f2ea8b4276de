import { mkdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { readRecordText, RunDirectory } from '../../run/run-dir.js';
import type { SpanRecord } from '../../run/records.js';
import { ExportTraceServiceResponse, RpcStatus } from './otlp-proto.js';
import { startOtlpReceiver, type OtlpReceiver } from './receiver.js';
import { otlpJsonRequest, otlpProtobufRequest, sampleCheckoutTrace } from './sample-traces.js';
import { tempDir } from '../../../test/support/temp-dir.js';

const open: OtlpReceiver[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

async function receiver(options: Parameters<typeof startOtlpReceiver>[0] = {}): Promise<OtlpReceiver> {
  const r = await startOtlpReceiver({ port: 0, ...options });
  open.push(r);
  return r;
}

function tempRun(): RunDirectory {
  return new RunDirectory(tempDir('peakready-otlp-'));
}

async function post(url: string, body: Uint8Array | string, headers: Record<string, string>) {
  const res = await fetch(`${url}/v1/traces`, { method: 'POST', body, headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** Sends one SERVER span with a CLIENT child through a real OpenTelemetry SDK exporter. */
async function exportWithSdk(exporter: SpanExporter): Promise<{ traceId: string; serverId: string; clientId: string }> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('test');
  const server = tracer.startSpan('POST /checkout', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.response.status_code': 502, 'http.route': '/checkout' } });
  const client = tracer.startSpan('POST', { kind: SpanKind.CLIENT, attributes: { 'url.full': 'http://127.0.0.1:1/charges', retries: [1, 2] } }, trace.setSpan(context.active(), server));
  client.setStatus({ code: SpanStatusCode.ERROR, message: 'payments timed out' });
  client.end();
  server.end();
  await provider.forceFlush();
  await provider.shutdown();
  return { traceId: server.spanContext().traceId, serverId: server.spanContext().spanId, clientId: client.spanContext().spanId };
}

function expectSdkSpans(spans: readonly SpanRecord[], ids: { traceId: string; serverId: string; clientId: string }): void {
  const server = spans.find((s) => s.spanId === ids.serverId);
  const client = spans.find((s) => s.spanId === ids.clientId);
  expect(server).toMatchObject({ traceId: ids.traceId, kind: 'SERVER', service: 'checkout', name: 'POST /checkout', status: 'UNSET' });
  expect(server!.attributes['http.response.status_code']).toBe(502);
  expect(server!.parentSpanId).toBeUndefined();
  expect(client).toMatchObject({ parentSpanId: ids.serverId, kind: 'CLIENT', status: 'ERROR', statusMessage: 'payments timed out' });
  expect(client!.attributes.retries).toEqual([1, 2]);
  expect(BigInt(client!.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(client!.startTimeUnixNano));
  expect(BigInt(server!.startTimeUnixNano) / 1_000_000n).toBeGreaterThan(BigInt(Date.now() - 60_000));
}

describe('OTLP receiver with real OpenTelemetry SDK exporters', () => {
  it('takes OTLP/JSON from exporter-trace-otlp-http and writes hex ids to the run directory', async () => {
    const run = tempRun();
    const r = await receiver({ runDir: run });
    const ids = await exportWithSdk(new JsonExporter({ url: `${r.url}/v1/traces` }));
    r.flush();
    expectSdkSpans(run.readLines<SpanRecord>('traces'), ids);
    expect(r.store.trace(ids.traceId)).toHaveLength(2);
    // SimpleSpanProcessor exports each span on its own
    expect(r.stats()).toMatchObject({ spansReceived: 2, requests: 2, rejected: 0 });
  });

  it('takes protobuf from exporter-trace-otlp-proto, plain and gzip', async () => {
    const run = tempRun();
    const r = await receiver({ runDir: run });
    const plain = await exportWithSdk(new ProtoExporter({ url: `${r.url}/v1/traces` }));
    const gzipped = await exportWithSdk(new ProtoExporter({ url: `${r.url}/v1/traces`, compression: 'gzip' as never }));
    r.flush();
    const spans = run.readLines<SpanRecord>('traces');
    expectSdkSpans(spans, plain);
    expectSdkSpans(spans, gzipped);
    expect(r.stats()).toMatchObject({ spansReceived: 4, rejected: 0 });
  });
});

describe('OTLP receiver with raw bodies', () => {
  const traces = [sampleCheckoutTrace(Date.now()), sampleCheckoutTrace(Date.now())];

  it('decodes protobuf and OTLP/JSON of the same traces to the same records', async () => {
    const r = await receiver();
    const pb = await post(r.url, otlpProtobufRequest(traces), { 'content-type': 'application/x-protobuf' });
    expect(pb.status).toBe(200);
    expect(pb.headers.get('content-type')).toBe('application/x-protobuf');
    expect(ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(pb.body))).toEqual({});
    const fromPb = r.store.spans();
    const r2 = await receiver();
    const json = await post(r2.url, gzipSync(JSON.stringify(otlpJsonRequest(traces))), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(json.status).toBe(200);
    expect(JSON.parse(json.body.toString())).toEqual({});
    expect(r2.store.spans()).toEqual(fromPb);
    expect(fromPb).toHaveLength(20);
    expect(fromPb.find((s) => s.name === 'POST /api/checkout')!.parentSpanId).toBe(traces[0]!.clientSpanId);
  });

  it('accepts snake_case OTLP/JSON keys, upper-case hex and enum names', async () => {
    const r = await receiver();
    const traceId = 'AB'.repeat(16);
    const body = {
      resource_spans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { string_value: 'orders' } }] },
          scope_spans: [{ spans: [{ trace_id: traceId, span_id: '0102030405060708', name: 'x', kind: 'SPAN_KIND_SERVER', start_time_unix_nano: 1700000000000000000, end_time_unix_nano: '1700000000100000000', status: { code: 2 } }] }],
        },
      ],
    };
    expect((await post(r.url, JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
    expect(r.store.spans()[0]).toMatchObject({ traceId: traceId.toLowerCase(), service: 'orders', kind: 'SERVER', status: 'ERROR', endTimeUnixNano: '1700000000100000000' });
  });

  it('answers partial_success for spans with invalid ids and keeps the valid ones', async () => {
    const r = await receiver();
    const request = otlpJsonRequest([sampleCheckoutTrace(Date.now())]) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
    request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.traceId = '00'.repeat(16);
    const json = await post(r.url, JSON.stringify(request), { 'content-type': 'application/json' });
    expect(json.status).toBe(200);
    expect(JSON.parse(json.body.toString()).partialSuccess).toMatchObject({ rejectedSpans: '1' });
    expect(r.stats()).toMatchObject({ spansReceived: 9, spansDropped: 1 });
  });

  it('keeps a span once: a second copy in the request or from an earlier export, and a span ending before it starts, are rejected in partial_success', async () => {
    const run = tempRun();
    const r = await receiver({ runDir: run });
    const trace = sampleCheckoutTrace(Date.now());
    // a copy: the request's spans are the trace's own objects, which the retry below sends unspoilt
    const request = structuredClone(otlpJsonRequest([trace])) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
    const spans = request.resourceSpans[0]!.scopeSpans[0]!.spans;
    spans.push({ ...spans[0]! }); // the same span twice in one request
    spans[1]!.endTimeUnixNano = '1000'; // ends before it starts
    const first = await post(r.url, JSON.stringify(request), { 'content-type': 'application/json' });
    expect(first.status).toBe(200);
    const partial = JSON.parse(first.body.toString()).partialSuccess as { rejectedSpans: string; errorMessage: string };
    expect(partial.rejectedSpans).toBe('2');
    expect(partial.errorMessage).toMatch(/^2 spans rejected; first: span [0-9a-f]{16} (ends before it starts|of trace [0-9a-f]{32} came more than once)/);
    // the exporter retries the whole batch (its answer was lost): nothing is stored twice
    const retried = await post(r.url, otlpProtobufRequest([trace]), { 'content-type': 'application/x-protobuf' });
    const answer = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(retried.body), { longs: Number }) as { partialSuccess?: { rejectedSpans: number; errorMessage: string } };
    expect(answer.partialSuccess).toMatchObject({ rejectedSpans: 9, errorMessage: expect.stringMatching(/already received \(same trace and span id\); kept once/) });
    await r.close();
    const stored = run.readLines<SpanRecord>('traces');
    expect(stored).toHaveLength(10);
    expect(new Set(stored.map((s) => s.spanId)).size).toBe(10);
    expect(r.stats()).toMatchObject({ spansReceived: 10, spansDropped: 11 });
  });

  it('under many exports at once answers each with 200 or a Retry-After refusal, and stores exactly the spans it acknowledged', async () => {
    const run = tempRun();
    const r = await receiver({ runDir: run, maxQueueDelayMs: 0, maxConcurrentRequests: 16 });
    const sent = Array.from({ length: 40 }, (_, i) => sampleCheckoutTrace(Date.now() + i));
    const answers = await Promise.all(sent.map((t) => post(r.url, otlpProtobufRequest([t]), { 'content-type': 'application/x-protobuf' })));
    for (const a of answers) {
      expect([200, 429, 503]).toContain(a.status);
      if (a.status !== 200) expect(Number(a.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    const acknowledged = sent.filter((_, i) => answers[i]!.status === 200).flatMap((t) => t.spans.map((s) => s.span.spanId as string));
    await r.close();
    expect(run.readLines<SpanRecord>('traces').map((s) => s.spanId).sort()).toEqual(acknowledged.sort());
  });

  it('answers 400/413/415 to bad bodies and keeps serving', async () => {
    const r = await receiver({ maxBodyBytes: 64 * 1024 });
    const good = otlpProtobufRequest(traces);
    const pbStatus = (body: Buffer) => RpcStatus.toObject(RpcStatus.decode(body)) as { code: number; message: string };

    const truncated = await post(r.url, good.subarray(0, good.length - 7), { 'content-type': 'application/x-protobuf' });
    expect(truncated.status).toBe(400);
    expect(pbStatus(truncated.body).message).toMatch(/not an ExportTraceServiceRequest/);
    expect((await post(r.url, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), { 'content-type': 'application/x-protobuf' })).status).toBe(400);
    const badJson = await post(r.url, '{"resourceSpans": [', { 'content-type': 'application/json' });
    expect(badJson.status).toBe(400);
    expect(JSON.parse(badJson.body.toString()).message).toMatch(/does not parse/);
    expect((await post(r.url, '{"resourceSpans": 3}', { 'content-type': 'application/json' })).status).toBe(400);
    expect((await post(r.url, Buffer.from('not gzip'), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' })).status).toBe(400);
    expect((await post(r.url, gzipSync(good).subarray(0, 40), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' })).status).toBe(400);
    expect((await post(r.url, Buffer.alloc(100 * 1024), { 'content-type': 'application/x-protobuf' })).status).toBe(413);
    // a zip bomb: small on the wire, huge once inflated
    expect((await post(r.url, gzipSync(Buffer.alloc(1024 * 1024)), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' })).status).toBe(413);
    expect((await post(r.url, 'x', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(r.url, good, { 'content-type': 'application/x-protobuf', 'content-encoding': 'br' })).status).toBe(415);
    expect((await fetch(`${r.url}/v1/metrics`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${r.url}/v1/traces`)).status).toBe(405);

    expect((await post(r.url, good, { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    expect(r.stats()).toMatchObject({ spansReceived: 20, rejected: 12 });
  });

  it('keeps memory bounded by evicting whole old traces', async () => {
    const r = await receiver({ maxSpans: 35 });
    const sent = Array.from({ length: 6 }, (_, i) => sampleCheckoutTrace(Date.now() + i));
    for (const t of sent) expect((await post(r.url, otlpProtobufRequest([t]), { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    expect(r.store.spanCount).toBeLessThanOrEqual(35);
    expect(r.store.traceIds()).toEqual(sent.slice(3).map((t) => t.traceId));
    expect(r.stats()).toMatchObject({ spansReceived: 60, tracesEvicted: 3, spansEvicted: 30 });
  });

  it('answers 429 with Retry-After while too many requests are in flight, then serves again', async () => {
    const r = await receiver({ maxConcurrentRequests: 1 });
    const body = otlpProtobufRequest(traces);
    // hold one request open: headers and half of the body
    const socket = connect(r.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.write(body.subarray(0, 100));
    const answer = new Promise<string>((resolve) => socket.on('data', (d) => resolve(d.toString())));
    await expect.poll(() => r.stats().requests).toBe(1);
    const busy = await post(r.url, body, { 'content-type': 'application/x-protobuf' });
    expect(busy.status).toBe(429);
    expect(busy.headers.get('retry-after')).toBe('1');
    socket.write(body.subarray(100));
    expect(await answer).toMatch(/^HTTP\/1.1 200/);
    socket.destroy();
    expect((await post(r.url, body, { 'content-type': 'application/x-protobuf' })).status).toBe(200);
  });

  it('answers 503 with Retry-After when the spans cannot be written, never 200, and takes exports again once the disk does', async () => {
    const run = tempRun();
    mkdirSync(run.writtenPath('traces')); // traces.ndjson.gz as a folder: every append fails
    const r = await receiver({ runDir: run, maxPendingSpans: 15 });
    const [first, second] = [otlpProtobufRequest([traces[0]!]), otlpProtobufRequest([traces[1]!])];
    const failed = await post(r.url, first, { 'content-type': 'application/x-protobuf' });
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('2');
    expect(RpcStatus.toObject(RpcStatus.decode(failed.body)).message).toMatch(/spans could not be written .*EISDIR/);
    // its 10 spans wait for the disk: past maxPendingSpans nothing more is taken in
    expect((await post(r.url, second, { 'content-type': 'application/x-protobuf' })).status).toBe(503);
    const waiting = await post(r.url, second, { 'content-type': 'application/x-protobuf' });
    expect(RpcStatus.toObject(RpcStatus.decode(waiting.body)).message).toMatch(/waiting for the disk/);
    rmSync(run.writtenPath('traces'), { recursive: true });
    await expect.poll(async () => (await post(r.url, second, { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    await r.close();
    // every span reached the file once, though none of the first two exports was acknowledged
    expect(run.readLines<SpanRecord>('traces').map((s) => s.spanId).sort()).toEqual([...traces[0]!.spans, ...traces[1]!.spans].map((s) => s.span.spanId as string).sort());
    expect(r.stats().throttled).toBeGreaterThanOrEqual(1);
  });

  it('answers 503 while its event loop lags behind', async () => {
    const r = await receiver({ maxEventLoopLagMs: 100 });
    const body = otlpProtobufRequest([traces[0]!]);
    // block this process's loop (the receiver's) for 300 ms, as a flood of work would
    const until = performance.now() + 300;
    while (performance.now() < until) {
      // busy
    }
    const busy = await post(r.url, body, { 'content-type': 'application/x-protobuf' });
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    await expect.poll(async () => (await post(r.url, body, { 'content-type': 'application/x-protobuf' })).status).toBe(200);
  });

  it('forwards every request unchanged to an upstream OTLP endpoint', async () => {
    const upstream = await receiver();
    const r = await receiver({ forwardUrl: `${upstream.url}/v1/traces` });
    await post(r.url, otlpProtobufRequest([traces[0]!]), { 'content-type': 'application/x-protobuf' });
    await post(r.url, gzipSync(JSON.stringify(otlpJsonRequest([traces[1]!]))), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    await expect.poll(() => upstream.store.spanCount).toBe(20);
    expect(upstream.store.spans()).toEqual(r.store.spans());
    await r.close();
    expect(r.stats().forward).toMatchObject({ forwarded: 2, failed: 0, dropped: 0 });
  });

  it('keeps ingesting when the upstream is down, counting failed forwards', async () => {
    const r = await receiver({ forwardUrl: 'http://127.0.0.1:9/v1/traces' });
    for (const t of traces) expect((await post(r.url, otlpProtobufRequest([t]), { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    expect(r.store.spanCount).toBe(20);
    await r.close();
    expect(r.stats().forward).toMatchObject({ forwarded: 0, failed: 2 });
    expect(r.stats().forward!.lastError).toBeTruthy();
  });

  it('writes under --out when no run directory is given', async () => {
    const dir = tempDir('peakready-otlp-out-');
    const r = await receiver({ outDir: join(dir, 'nested') });
    await post(r.url, otlpProtobufRequest([traces[0]!]), { 'content-type': 'application/x-protobuf' });
    await r.close();
    expect(readRecordText(join(dir, 'nested', 'traces.ndjson.gz')).trim().split('\n')).toHaveLength(10);
  });
});
