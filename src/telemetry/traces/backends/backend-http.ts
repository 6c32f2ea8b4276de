import { request } from 'undici';
import { BadTraceAnswer, type DecodedTrace, type TraceApi, type TraceBackend } from './trace-api.js';

/**
 * One GET to a trace backend and what its answer means. The transport (`getAnswer`) is the only
 * I/O; `classifyAnswer` and the failure lines are pure, so every answer a backend can give is
 * tested without a socket.
 */

export interface HttpAnswer {
  status: number;
  body: string;
  contentType: string;
  /** the Retry-After header, seconds */
  retryAfter?: string;
}

export type Lookup =
  | { kind: 'found'; trace: DecodedTrace }
  | { kind: 'missing' }
  /** the API is not served at this URL (a router's own 404), so no trace can be found there */
  | { kind: 'no-api'; status: number }
  | { kind: 'failed'; message: string; status?: number; fatal?: 'unreachable' | 'unauthorized'; retryAfterMs?: number };

/** GET `url`; rejects with the network error, the abort's reason, or a TimeoutError after `timeoutMs`. */
export async function getAnswer(url: string, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<HttpAnswer> {
  const res = await request(url, {
    method: 'GET',
    headers: { accept: 'application/json', ...headers },
    signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
  });
  const retryAfter = res.headers['retry-after'];
  return {
    status: res.statusCode,
    body: await res.body.text(),
    contentType: String(res.headers['content-type'] ?? ''),
    ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
  };
}

/** 429 and 503 say "later": Tempo's query frontend answers 429 while its queue is full. */
const RETRYABLE = new Set([429, 503]);

export function classifyAnswer(api: TraceApi, answer: HttpAnswer): Lookup {
  const { status } = answer;
  if (status === 200) return decoded(api, answer.body);
  if (status === 404) return isRouterNotFound(answer) ? { kind: 'no-api', status } : { kind: 'missing' };
  if (status === 401 || status === 403) return { kind: 'failed', status, fatal: 'unauthorized', message: `answered ${status}${snippet(answer.body)}` };
  const failed: Lookup = { kind: 'failed', status, message: `answered ${status}${snippet(answer.body)}` };
  return RETRYABLE.has(status) ? { ...failed, retryAfterMs: retryAfterMs(answer.retryAfter) } : failed;
}

export function classifyError(error: unknown, timeoutMs: number): Lookup {
  const e = error as Error & { code?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError') return { kind: 'failed', message: `did not answer within ${timeoutMs} ms` };
  const code = e.code ?? e.cause?.code;
  return { kind: 'failed', fatal: 'unreachable', message: code ? `${code}: ${e.message}` : e.message };
}

function decoded(api: TraceApi, body: string): Lookup {
  try {
    const trace = api.decode(body);
    // an empty trace is how some versions say "not found" with a 200
    return trace.spans.length ? { kind: 'found', trace } : { kind: 'missing' };
  } catch (error) {
    if (error instanceof BadTraceAnswer) return { kind: 'failed', status: 200, message: `answered 200 but ${error.message}` };
    throw error;
  }
}

/**
 * A trace the backend does not hold is a 404 with the API's own error (JSON, or Tempo's text);
 * a path nobody serves is Go's router answer ("404 page not found", as Tempo and Jaeger both
 * answer) or a proxy's HTML page.
 */
function isRouterNotFound(answer: HttpAnswer): boolean {
  return answer.body.trimStart().startsWith('404 page not found') || answer.contentType.includes('text/html');
}

function snippet(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim().slice(0, 120);
  return text ? ` (${text})` : '';
}

function retryAfterMs(header: string | undefined): number {
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, 10_000) : 500;
}

/** One line naming the backend, its URL, what went wrong and the fix. */
export function failureLine(api: TraceApi, backend: TraceBackend, lookup: Lookup, path: string, lookups = 1): string {
  const where = `${api.product} at ${backend.url}`;
  if (lookup.kind === 'no-api') {
    // with a fallback left, the user chose this version: the older one may be what the server has
    const older = api.fallback ? `, or set its api to ${api.fallback.split('-')[1]} for an older ${api.product}` : '';
    return `${where} does not serve GET ${path} (404 page not found); point the trace backend's url at ${api.product}'s query API (port ${api.defaultPort} by default)${older}`;
  }
  if (lookup.kind !== 'failed') return `${where}: ${lookup.kind}`;
  if (lookup.fatal === 'unreachable') return `${where} is not reachable (${lookup.message}); check the trace backend's url (${api.product}'s query API, port ${api.defaultPort} by default)`;
  if (lookup.fatal === 'unauthorized') {
    const tenant = backend.kind === 'tempo' ? ', and X-Scope-OrgID for a multi-tenant Tempo' : '';
    return `${where} ${lookup.message} to GET ${path}; give the trace backend's headers (Authorization${tenant})`;
  }
  const first = lookups > 1 ? `the first ${lookups} trace lookups failed, the last ${lookup.message}` : lookup.message;
  return `${where}: ${first}; check that ${api.product} is healthy (GET ${backend.url}${api.readyPath})`;
}
