import { jaegerTraceToOtlp } from './jaeger-model.js';
import { decodeOtlpTrace } from './otlp-answer.js';
import { BadTraceAnswer, isObject, parseJson, type TraceApi } from './trace-api.js';

/**
 * Jaeger's query service (port 16686). v3 `GET /api/v3/traces/<id>` (jaeger's api_v3
 * QueryService over its HTTP gateway, query_service.openapi.yaml) answers OTLP JSON in an
 * envelope, `{"result": {"resourceSpans": [...]}}`, ids hex; a trace it does not hold is a 404
 * with `{"error": {"httpCode": 404, "message": "trace not found"}}`. `startTime`/`endTime`
 * (RFC 3339) narrow the search. v1 `GET /api/traces/<id>` is the UI's API in Jaeger's own model
 * (`{"data": [{traceID, spans, processes}], "errors": null}`, 404 with `errors` when not found),
 * served by Jaeger 1.x and 2.x alike; `jaeger-model.ts` maps it to OTLP.
 */

export const jaegerV3: TraceApi = {
  id: 'jaeger-v3',
  product: 'Jaeger',
  defaultPort: 16686,
  tracePath: (traceId, window) =>
    `/api/v3/traces/${traceId}${window ? `?startTime=${new Date(window.startMs).toISOString()}&endTime=${new Date(window.endMs).toISOString()}` : ''}`,
  readyPath: '/api/v3/services',
  fallback: 'jaeger-v1',
  decode(body) {
    const answer = parseJson(body);
    if (!isObject(answer)) throw new BadTraceAnswer('the answer is not a Jaeger api_v3 response');
    return decodeOtlpTrace(answer.result ?? {}, 'result');
  },
};

export const jaegerV1: TraceApi = {
  id: 'jaeger-v1',
  product: 'Jaeger',
  defaultPort: 16686,
  tracePath: (traceId) => `/api/traces/${traceId}`,
  readyPath: '/api/services',
  decode(body) {
    const answer = parseJson(body);
    if (!isObject(answer) || !('data' in answer)) throw new BadTraceAnswer('the answer is not a Jaeger query response (no "data")');
    const traces = Array.isArray(answer.data) ? answer.data : [];
    const resourceSpans = traces.flatMap((trace) => jaegerTraceToOtlp(trace).resourceSpans);
    const decoded = decodeOtlpTrace({ resourceSpans }, 'data');
    const errors = Array.isArray(answer.errors) ? answer.errors.filter(isObject) : [];
    return errors.length ? { ...decoded, partial: errors.map((e) => String(e.msg ?? e.code)).join('; ') } : decoded;
  },
};
