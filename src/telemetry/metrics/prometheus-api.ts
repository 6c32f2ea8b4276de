import { request } from 'undici';
import { EnvironmentError, PeakreadyError } from '../../errors.js';

/**
 * PromQL against a real Prometheus over its HTTP API (`/api/v1/query`, `/api/v1/query_range`).
 * Times are epoch milliseconds on our side and seconds on the wire, as the API wants.
 */

export interface InstantSample {
  metric: Record<string, string>;
  /** epoch ms */
  t: number;
  value: number;
}

export interface RangeSeries {
  metric: Record<string, string>;
  points: Array<{ t: number; value: number }>;
}

interface ApiAnswer {
  status: 'success' | 'error';
  data?: { resultType: 'vector' | 'matrix' | 'scalar' | 'string'; result: unknown };
  errorType?: string;
  error?: string;
}

async function call(baseUrl: string, path: string, params: Record<string, string>, timeoutMs = 30_000): Promise<ApiAnswer['data']> {
  const url = `${baseUrl.replace(/\/+$/, '')}${path}`;
  let res;
  try {
    res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch (error) {
    throw new EnvironmentError(`Prometheus at ${baseUrl} is not reachable (${(error as Error).message}); check --prometheus`, { cause: error });
  }
  const text = await res.body.text();
  let answer: ApiAnswer;
  try {
    answer = JSON.parse(text) as ApiAnswer;
  } catch {
    throw new EnvironmentError(`${url} answered ${res.statusCode} with something that is not the Prometheus API: ${text.slice(0, 120)}`);
  }
  if (answer.status !== 'success') {
    throw new PeakreadyError(`Prometheus rejected "${params.query}": ${answer.errorType ?? 'error'}: ${answer.error ?? `HTTP ${res.statusCode}`}`);
  }
  return answer.data;
}

const num = (v: string): number => (v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v));

/** Instant query; scalars come back as one sample without labels. */
export async function queryPrometheus(baseUrl: string, promql: string, time?: number, timeoutMs?: number): Promise<InstantSample[]> {
  const data = await call(baseUrl, '/api/v1/query', { query: promql, ...(time !== undefined ? { time: String(time / 1000) } : {}) }, timeoutMs);
  if (!data) return [];
  if (data.resultType === 'scalar') {
    const [t, v] = data.result as [number, string];
    return [{ metric: {}, t: t * 1000, value: num(v) }];
  }
  if (data.resultType !== 'vector') throw new PeakreadyError(`"${promql}" returned a ${data.resultType}; use queryRange for range vectors`);
  return (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((r) => ({ metric: r.metric, t: r.value[0] * 1000, value: num(r.value[1]) }));
}

/** Range query from `start` to `end` (epoch ms) every `stepMs`. */
export async function queryRange(baseUrl: string, promql: string, start: number, end: number, stepMs = 15_000): Promise<RangeSeries[]> {
  const data = await call(baseUrl, '/api/v1/query_range', { query: promql, start: String(start / 1000), end: String(end / 1000), step: String(stepMs / 1000) });
  if (!data) return [];
  return (data.result as Array<{ metric: Record<string, string>; values: Array<[number, string]> }>).map((r) => ({
    metric: r.metric,
    points: r.values.map(([t, v]) => ({ t: t * 1000, value: num(v) })),
  }));
}
