import { decodeOtlpTrace } from './otlp-answer.js';
import { BadTraceAnswer, isObject, parseJson, type TimeWindow, type TraceApi } from './trace-api.js';

/**
 * Grafana Tempo's HTTP API (grafana.com/docs/tempo/latest/api_docs/, "Query" and "Query V2").
 * v1 `GET /api/traces/<id>` answers the trace itself, `{"batches": [ResourceSpans...]}`; v2
 * `GET /api/v2/traces/<id>` wraps it, `{"trace": {"resourceSpans": [...]}, "status": "COMPLETE" |
 * "PARTIAL", "message"}`. Both are OTLP JSON written by Go's jsonpb: ids base64, enums by name,
 * int64 as strings (the decoder takes all of these). A trace Tempo does not hold is a 404.
 * `start`/`end` (epoch seconds) limit the blocks searched: much cheaper on a large Tempo.
 */

function tempoWindow(window: TimeWindow | undefined): string {
  if (!window) return '';
  const start = Math.floor(window.startMs / 1000);
  const end = Math.max(start + 1, Math.ceil(window.endMs / 1000));
  return `?start=${start}&end=${end}`;
}

export const tempoV2: TraceApi = {
  id: 'tempo-v2',
  product: 'Tempo',
  defaultPort: 3200,
  tracePath: (traceId, window) => `/api/v2/traces/${traceId}${tempoWindow(window)}`,
  readyPath: '/api/echo',
  fallback: 'tempo-v1',
  decode(body) {
    const answer = parseJson(body);
    if (!isObject(answer)) throw new BadTraceAnswer('the answer is not a Tempo v2 trace-by-id response');
    const decoded = decodeOtlpTrace(answer.trace ?? {}, 'trace');
    if (answer.status !== 'PARTIAL') return decoded;
    return { ...decoded, partial: typeof answer.message === 'string' && answer.message ? answer.message : 'Tempo answered a partial trace' };
  },
};

export const tempoV1: TraceApi = {
  id: 'tempo-v1',
  product: 'Tempo',
  defaultPort: 3200,
  tracePath: (traceId, window) => `/api/traces/${traceId}${tempoWindow(window)}`,
  // every Tempo has /ready; /api/echo (the query frontend's own) came later
  readyPath: '/ready',
  decode: (body) => decodeOtlpTrace(parseJson(body), 'the answer'),
};
