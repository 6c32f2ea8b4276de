import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../paths.js';
import type { RequestRecord, SpanRecord } from '../../../run/records.js';
import { decodeJsonRequest } from '../../otlp/decode.js';
import { assembleTraces } from '../assemble.js';
import { tracingCompleteness } from '../completeness.js';
import { classifyAnswer, classifyError, failureLine, type HttpAnswer } from './backend-http.js';
import { traceApiFor, traceApiRegistry } from './registry.js';
import type { TraceApiId } from './trace-api.js';

/**
 * The answers in test/fixtures/traces/ (written from Tempo's and Jaeger's API docs, see its
 * README) decoded without a socket: each must give the receiver's own SpanRecords.
 */

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const fixture = (name: string) => readFileSync(join(packageRoot, 'test/fixtures/traces', name), 'utf8');
const bySpanId = (spans: SpanRecord[]) => [...spans].sort((a, b) => a.spanId.localeCompare(b.spanId));
const received = () => bySpanId(decodeJsonRequest(fixture('otlp-export.json')).spans);
const answer = (status: number, body: string, more: Partial<HttpAnswer> = {}): HttpAnswer => ({ status, body, contentType: 'application/json', ...more });

const ANSWERS: Array<[TraceApiId, string]> = [
  ['tempo-v1', 'tempo-v1.json'],
  ['tempo-v2', 'tempo-v2.json'],
  ['jaeger-v1', 'jaeger-v1.json'],
  ['jaeger-v3', 'jaeger-v3.json'],
];

describe('trace backend answers', () => {
  it.each(ANSWERS)('%s: %s decodes to the spans the receiver makes of the same trace', (api, file) => {
    const decoded = traceApiRegistry[api].decode(fixture(file));
    expect(decoded.rejected).toBe(0);
    expect(decoded.partial).toBeUndefined();
    expect(bySpanId(decoded.spans)).toEqual(received());
  });

  it.each(ANSWERS)('%s: fetched spans give the same tracingCompleteness as received ones', (api, file) => {
    const requests: RequestRecord[] = [
      { t: 1764838800000, scenario: 'checkout', name: 'POST /api/checkout', method: 'POST', status: 502, duration: 412, failed: true, traceId: TRACE_ID, spanId: CLIENT_SPAN },
      { t: 1764838801000, scenario: 'checkout', name: 'POST /api/checkout', method: 'POST', status: 200, duration: 80, failed: false, traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8) },
    ];
    const fetched = tracingCompleteness(requests, assembleTraces(traceApiRegistry[api].decode(fixture(file)).spans));
    const viaReceiver = tracingCompleteness(requests, assembleTraces(received()));
    expect(fetched).toEqual(viaReceiver);
    expect(fetched).toMatchObject({ sent: 2, complete: 1, missing: ['ab'.repeat(16)], reasons: { 'no-trace': 1 } });
  });

  it('reads what older and newer Tempos answer: instrumentationLibrarySpans, upper-case hex ids, a partial trace', () => {
    const v1 = JSON.parse(fixture('tempo-v1.json')) as { batches: Array<Record<string, unknown>> };
    for (const batch of v1.batches) {
      batch.instrumentationLibrarySpans = batch.scopeSpans;
      delete batch.scopeSpans;
    }
    expect(bySpanId(traceApiRegistry['tempo-v1'].decode(JSON.stringify(v1)).spans)).toEqual(received());

    const hex = JSON.parse(fixture('otlp-export.json')) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, string>> }> }> };
    for (const span of hex.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans))) {
      for (const key of ['traceId', 'spanId', 'parentSpanId'] as const) span[key] = span[key]!.toUpperCase();
    }
    const partial = { trace: hex, status: 'PARTIAL', message: 'trace exceeds max size (max bytes: 5000000)' };
    const decoded = traceApiRegistry['tempo-v2'].decode(JSON.stringify(partial));
    expect(bySpanId(decoded.spans)).toEqual(received());
    expect(decoded.partial).toBe('trace exceeds max size (max bytes: 5000000)');
  });

  it("reads Jaeger's own model from its older clients: 64-bit ids, parentSpanID, error=true, an embedded process", () => {
    const body = {
      data: [
        {
          traceID: '00f067aa0ba902b7',
          spans: [
            {
              traceID: '00f067aa0ba902b7',
              spanID: '1',
              parentSpanID: 'a1b2c3d4e5f60718',
              operationName: 'charge',
              startTime: 1764838800000000,
              duration: 1500,
              tags: [
                { key: 'span.kind', type: 'string', value: 'client' },
                { key: 'error', type: 'bool', value: true },
                { key: 'retries', type: 'int64', value: 2 },
                { key: 'ratio', type: 'float64', value: 0.5 },
              ],
              process: { serviceName: 'payments', tags: [{ key: 'hostname', type: 'string', value: 'pay-1' }] },
            },
          ],
        },
      ],
      errors: [{ code: 500, msg: 'some spans could not be read' }],
    };
    const decoded = traceApiRegistry['jaeger-v1'].decode(JSON.stringify(body));
    expect(decoded.spans).toEqual([
      {
        traceId: '000000000000000000f067aa0ba902b7',
        spanId: '0000000000000001',
        parentSpanId: 'a1b2c3d4e5f60718',
        name: 'charge',
        kind: 'CLIENT',
        service: 'payments',
        startTimeUnixNano: '1764838800000000000',
        endTimeUnixNano: '1764838800001500000',
        status: 'ERROR',
        attributes: { retries: 2, ratio: 0.5 },
        resource: { 'service.name': 'payments', hostname: 'pay-1' },
      },
    ]);
    expect(decoded.partial).toBe('some spans could not be read');
  });

  it('keeps the receiver strict: OTLP senders must write hex ids', () => {
    const tempo = JSON.parse(fixture('tempo-v1.json')) as { batches: unknown[] };
    expect(decodeJsonRequest(JSON.stringify({ resourceSpans: tempo.batches }))).toMatchObject({ spans: [], rejected: 5 });
  });
});

describe('what an answer means', () => {
  const tempo = traceApiRegistry['tempo-v2'];
  const jaeger = traceApiRegistry['jaeger-v3'];

  it('a trace the backend does not hold is missing: its 404, or an empty trace', () => {
    expect(classifyAnswer(jaeger, answer(404, fixture('jaeger-v3-not-found.json')))).toEqual({ kind: 'missing' });
    expect(classifyAnswer(traceApiRegistry['jaeger-v1'], answer(404, fixture('jaeger-v1-not-found.json')))).toEqual({ kind: 'missing' });
    expect(classifyAnswer(tempo, answer(404, 'trace not found', { contentType: 'text/plain' }))).toEqual({ kind: 'missing' });
    expect(classifyAnswer(tempo, answer(200, '{"trace":{},"metrics":{}}'))).toEqual({ kind: 'missing' });
    expect(classifyAnswer(traceApiRegistry['jaeger-v1'], answer(200, '{"data":[],"errors":null}'))).toEqual({ kind: 'missing' });
  });

  it("a router's own 404 means the API is not at this URL", () => {
    expect(classifyAnswer(tempo, answer(404, '404 page not found\n', { contentType: 'text/plain; charset=utf-8' }))).toEqual({ kind: 'no-api', status: 404 });
    expect(classifyAnswer(tempo, answer(404, '<html><body>Not Found</body></html>', { contentType: 'text/html' }))).toEqual({ kind: 'no-api', status: 404 });
  });

  it('401/403 are fatal, 429/503 are retried after Retry-After, other failures are per trace', () => {
    expect(classifyAnswer(tempo, answer(401, 'no org id'))).toMatchObject({ kind: 'failed', fatal: 'unauthorized', status: 401 });
    expect(classifyAnswer(tempo, answer(429, 'too many outstanding requests', { retryAfter: '2' }))).toMatchObject({ kind: 'failed', retryAfterMs: 2000 });
    expect(classifyAnswer(tempo, answer(503, ''))).toMatchObject({ kind: 'failed', retryAfterMs: 500 });
    const failed = classifyAnswer(tempo, answer(500, 'failed to get trace: context canceled'));
    expect(failed).toEqual({ kind: 'failed', status: 500, message: 'answered 500 (failed to get trace: context canceled)' });
    expect(classifyAnswer(tempo, answer(200, '<html>grafana</html>'))).toMatchObject({ kind: 'failed', status: 200, message: expect.stringMatching(/^answered 200 but the answer is not JSON/) });
  });

  it('network errors make the backend unreachable; a timeout is per trace', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3200'), { code: 'ECONNREFUSED' });
    expect(classifyError(refused, 10_000)).toMatchObject({ kind: 'failed', fatal: 'unreachable', message: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:3200' });
    expect(classifyError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 10_000)).toEqual({ kind: 'failed', message: 'did not answer within 10000 ms' });
  });

  it('says in one line which backend, where, and the fix', () => {
    const backend = { kind: 'tempo', url: 'http://tempo.example:3200' } as const;
    const path = tempo.tracePath(TRACE_ID);
    expect(failureLine(tempo, backend, classifyAnswer(tempo, answer(401, '')), path)).toBe(
      `Tempo at http://tempo.example:3200 answered 401 to GET /api/v2/traces/${TRACE_ID}; give the trace backend's headers (Authorization, and X-Scope-OrgID for a multi-tenant Tempo)`,
    );
    expect(failureLine(tempo, backend, { kind: 'failed', fatal: 'unreachable', message: 'ENOTFOUND: getaddrinfo ENOTFOUND tempo.example' }, path)).toBe(
      "Tempo at http://tempo.example:3200 is not reachable (ENOTFOUND: getaddrinfo ENOTFOUND tempo.example); check the trace backend's url (Tempo's query API, port 3200 by default)",
    );
    expect(failureLine(tempo, backend, { kind: 'failed', status: 500, message: 'answered 500' }, path, 3)).toBe(
      'Tempo at http://tempo.example:3200: the first 3 trace lookups failed, the last answered 500; check that Tempo is healthy (GET http://tempo.example:3200/api/echo)',
    );
    expect(failureLine(traceApiRegistry['jaeger-v1'], { kind: 'jaeger', url: 'http://jaeger:4318' }, { kind: 'no-api', status: 404 }, '/api/traces/x')).toMatch(
      /^Jaeger at http:\/\/jaeger:4318 does not serve GET \/api\/traces\/x .*port 16686 by default/,
    );
  });

  it('picks the newest API unless the user chose one, and narrows the search to the run', () => {
    expect(traceApiFor({ kind: 'tempo', url: 'x' })).toMatchObject({ api: { id: 'tempo-v2' }, chosen: false });
    expect(traceApiFor({ kind: 'jaeger', url: 'x', api: 'v1' })).toMatchObject({ api: { id: 'jaeger-v1' }, chosen: true });
    const window = { startMs: 1764838800500, endMs: 1764839100200 };
    expect(tempo.tracePath(TRACE_ID, window)).toBe(`/api/v2/traces/${TRACE_ID}?start=1764838800&end=1764839101`);
    expect(jaeger.tracePath(TRACE_ID, window)).toBe(`/api/v3/traces/${TRACE_ID}?startTime=2025-12-04T09:00:00.500Z&endTime=2025-12-04T09:05:00.200Z`);
  });
});
