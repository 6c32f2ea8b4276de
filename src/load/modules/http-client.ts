import { Agent, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * One HTTP exchange over undici's low-level dispatch (no streams, no body mixins: the cheapest
 * path undici offers), with k6's timing phases. undici does not report when a socket was
 * connected, so `connecting` is the time until the request was handed to a socket when that
 * socket was new; `blocked` is the wait for a free socket.
 */

export interface WireRequest {
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | Uint8Array | null;
  timeoutMs: number;
  discardBody: boolean;
  signal: AbortSignal;
}

export interface WireTimings {
  blocked: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
  duration: number;
}

export interface WireResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer | null;
  bytesReceived: number;
  bytesSent: number;
  timings: WireTimings;
  /** performance.now() at start and end */
  startedAt: number;
  endedAt: number;
  error?: { message: string; code: number };
}

const agents = new Map<string, Agent>();

/** One dispatcher per connection policy, shared by the VUs of a thread. */
export function dispatcherFor(noConnectionReuse: boolean): Dispatcher {
  const key = noConnectionReuse ? 'fresh' : 'reuse';
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ connections: null, pipelining: 1, keepAliveTimeout: noConnectionReuse ? 1 : 30_000, connect: { noDelay: true } });
    agents.set(key, agent);
  }
  return agent;
}

export async function closeDispatchers(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.all(all.map((a) => a.close().catch(() => {})));
}

/** k6's error codes for the failures a loopback load test meets (k6 docs, "Error codes"). */
export function classifyError(error: Error & { code?: string }): { message: string; code: number } {
  const c = error.code ?? '';
  if (c === 'ECONNREFUSED') return { message: `dial tcp: connect: connection refused`, code: 1212 };
  if (c === 'ECONNRESET' || c === 'UND_ERR_SOCKET') return { message: `read: connection reset by peer`, code: 1220 };
  if (c === 'UND_ERR_HEADERS_TIMEOUT' || c === 'UND_ERR_BODY_TIMEOUT' || c === 'UND_ERR_CONNECT_TIMEOUT' || error.name === 'TimeoutError') {
    return { message: 'request timeout', code: 1050 };
  }
  if (c === 'ENOTFOUND' || c === 'EAI_AGAIN') return { message: `lookup: no such host`, code: 1101 };
  if (c === 'UND_ERR_INVALID_ARG') return { message: error.message, code: 1020 };
  return { message: error.message || String(error), code: 1000 };
}

export function sendRequest(dispatcher: Dispatcher, req: WireRequest): Promise<WireResponse> {
  return new Promise((resolve) => {
    const startedAt = performance.now();
    let assignedAt = startedAt;
    let headersAt = 0;
    let status = 0;
    let statusText = '';
    let headers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const bytesSent = estimateRequestBytes(req);
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal.removeEventListener('abort', onAbort);
      const endedAt = performance.now();
      const waiting = headersAt ? headersAt - assignedAt : 0;
      const receiving = headersAt ? endedAt - headersAt : 0;
      const timings: WireTimings = {
        blocked: assignedAt - startedAt,
        connecting: 0,
        tls_handshaking: 0,
        sending: 0,
        waiting,
        receiving,
        duration: headersAt ? waiting + receiving : 0,
      };
      const body = req.discardBody || chunks.length === 0 ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const out: WireResponse = { status: error ? 0 : status, statusText, headers, body: error ? null : body, bytesReceived: received, bytesSent, timings, startedAt, endedAt };
      if (error) out.error = classifyError(error as Error & { code?: string });
      resolve(out);
    };
    let controller: { abort(reason: Error): void } | undefined;
    const onAbort = () => {
      const reason = Object.assign(new Error('request aborted'), { code: 'ABORTED' });
      if (controller) controller.abort(reason);
      else finish(reason);
    };
    const timer = setTimeout(() => {
      const reason = Object.assign(new Error('request timeout'), { code: 'UND_ERR_HEADERS_TIMEOUT' });
      if (controller) controller.abort(reason);
      else finish(reason);
    }, req.timeoutMs);
    req.signal.addEventListener('abort', onAbort, { once: true });
    try {
      dispatcher.dispatch(
        { origin: req.origin, path: req.path, method: req.method as Dispatcher.HttpMethod, headers: req.headers, body: req.body, headersTimeout: req.timeoutMs, bodyTimeout: req.timeoutMs },
        {
          onRequestStart(ctl) {
            controller = ctl;
            assignedAt = performance.now();
          },
          onResponseStart(_ctl, statusCode, h, message) {
            headersAt = performance.now();
            status = statusCode;
            headers = h;
            statusText = message ?? '';
            received += 17 + estimateHeaderBytes(h);
          },
          onResponseData(_ctl, chunk) {
            received += chunk.length;
            if (!req.discardBody) chunks.push(chunk);
          },
          onResponseEnd() {
            finish();
          },
          onResponseError(_ctl, error) {
            finish(error);
          },
        },
      );
    } catch (error) {
      finish(error as Error);
    }
  });
}

function estimateHeaderBytes(h: IncomingHttpHeaders): number {
  let n = 2;
  for (const key in h) {
    const v = h[key];
    if (Array.isArray(v)) for (const item of v) n += key.length + item.length + 4;
    else if (v !== undefined) n += key.length + v.length + 4;
  }
  return n;
}

function estimateRequestBytes(req: WireRequest): number {
  let n = req.method.length + req.path.length + 13 + req.origin.length;
  for (const key in req.headers) n += key.length + req.headers[key]!.length + 4;
  if (req.body) n += typeof req.body === 'string' ? Buffer.byteLength(req.body) : req.body.byteLength;
  return n + 2;
}
