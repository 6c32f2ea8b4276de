import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReplicaReadyMessage } from '../../src/stack/contract.js';
import { exitWithParent } from '../../src/lifecycle/children.js';
import { envNumber, envString, identity } from './env.js';
import { errorMessage, log } from './log.js';
import { httpServerActive, httpServerDuration, registry } from './metrics.js';
import type { Router } from './router.js';
import { extractContext, failSpan, SpanKind, startSpan, stopTelemetry, traceResponse, tracingEnabled, withSpan, type Span, type TraceContext } from './telemetry.js';

/**
 * The HTTP shell every reference-stack replica runs, implementing the replica contract of
 * src/stack/contract.ts: listen on HOST:PORT (PORT=0 = ephemeral), serve /healthz, /readyz and
 * /metrics beside the API, send `{type:'ready', port}` over IPC once ready, drain in-flight
 * requests on SIGTERM (up to 10 s) and exit with the parent. Each API request (not the probes)
 * gets a SERVER span continuing the caller's W3C trace context, named by route template.
 */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RequestContext {
  method: string;
  path: string;
  route: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  remoteAddress: string;
  /** this request's trace context (its SERVER span): give it to every upstream call, query and log line */
  trace: TraceContext;
  /** the parsed JSON body; a 400 naming the problem when it is not JSON */
  json(): Promise<unknown>;
}

export type Handler = (ctx: RequestContext) => Promise<Reply> | Reply;

export interface ServiceOptions {
  name: string;
  router: Router<Handler>;
  /** runs after the port is open and before the replica reports ready (migrations, warm-up) */
  prepare?: () => Promise<void>;
  /** runs after in-flight requests drained (close pools) */
  close?: () => Promise<void>;
  /**
   * Answer traced requests with a W3C `traceresponse` header naming the SERVER span: for the
   * public edge (the gateway), so a client sees which trace served it. Internal hops leave it
   * out: no caller inside the stack reads it, and the extra header cost each hop several µs.
   */
  traceResponse?: boolean;
}

const MAX_BODY_BYTES = 256 * 1024;
const DRAIN_MS = 10_000;

export interface RunningService {
  port: number;
  shutdown(): Promise<void>;
}

export async function runService(options: ServiceOptions): Promise<RunningService> {
  let ready = false;
  let draining = false;
  let active = 0;
  const idle: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    active++;
    void handle(req, res, options, () => ready && !draining, () => draining).finally(() => {
      active--;
      if (active === 0) idle.splice(0).forEach((f) => f());
    });
  });
  server.keepAliveTimeout = 65_000;
  const host = envString('HOST', '127.0.0.1');
  const port = envNumber('PORT', 0, { min: 0, max: 65535, integer: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;

  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (stopping ??= (async () => {
      draining = true;
      log('info', 'draining', { active });
      server.close();
      server.closeIdleConnections();
      if (active > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, DRAIN_MS);
          timer.unref();
          idle.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      server.closeAllConnections();
      await options.close?.().catch((error: unknown) => log('warn', 'close failed', { error: errorMessage(error) }));
      await stopTelemetry();
    })());
  const exitAfterShutdown = () => {
    const force = setTimeout(() => process.exit(0), DRAIN_MS + 3000);
    force.unref();
    void shutdown().finally(() => process.exit(0));
  };
  process.once('SIGTERM', exitAfterShutdown);
  process.once('SIGINT', exitAfterShutdown);
  exitWithParent(shutdown);

  try {
    await options.prepare?.();
  } catch (error) {
    log('error', 'start failed', { error: errorMessage(error) });
    process.exitCode = 1;
    await shutdown();
    process.exit(1);
  }
  ready = true;
  const message: ReplicaReadyMessage = { type: 'ready', port: actualPort };
  process.send?.(message);
  log('info', 'ready', { port: actualPort, host });
  return { port: actualPort, shutdown };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: ServiceOptions,
  isReady: () => boolean,
  isDraining: () => boolean,
): Promise<void> {
  const started = process.hrtime.bigint();
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (isDraining()) res.setHeader('connection', 'close');
  if (method === 'GET' && url.pathname === '/healthz') return send(res, 200, { status: 'ok', replica: identity.replica });
  if (method === 'GET' && url.pathname === '/readyz') {
    return isReady() ? send(res, 200, { status: 'ready' }) : send(res, 503, { status: isDraining() ? 'draining' : 'starting' });
  }
  if (method === 'GET' && url.pathname === '/metrics') {
    const text = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(text);
    return;
  }

  const found = options.router.match(method, url.pathname);
  const route = found && 'route' in found ? found.route : 'unmatched';
  const parent = extractContext(req.headers);
  const span = tracingEnabled() ? startServerSpan(req, method, url, found && 'route' in found ? found.route : undefined, parent) : undefined;
  const traceContext = withSpan(parent, span);
  const traceHeader = span && options.traceResponse ? traceResponse(span) : undefined;
  httpServerActive.inc({ service: options.name });
  let status = 500;
  try {
    if (!found) throw new HttpError(404, `no route for ${method} ${url.pathname}; the API is listed in reference-stack/README.md`);
    if ('allowed' in found) {
      throw new HttpError(405, `${method} is not allowed on ${url.pathname}; use ${found.allowed.join(' or ')}`);
    }
    if (!isReady() && !isDraining()) {
      throw new HttpError(503, `${options.name} is still starting (migrations not finished); retry shortly`, {}, { 'retry-after': '1' });
    }
    const ctx: RequestContext = {
      method,
      path: url.pathname,
      route,
      params: found.params,
      query: url.searchParams,
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress ?? 'unknown',
      trace: traceContext,
      json: () => readJson(req),
    };
    const reply = await found.handler(ctx);
    status = reply.status ?? 200;
    send(res, status, reply.body ?? {}, reply.headers, traceHeader);
  } catch (error) {
    if (error instanceof HttpError) {
      status = error.status;
      send(res, status, { error: error.message, ...error.extra }, error.headers, traceHeader);
      if (span && status >= 500) failSpan(span, String(status), error.message);
    } else {
      status = 500;
      log('error', 'request failed', { route, error: errorMessage(error) }, traceContext);
      send(res, 500, { error: `internal error in ${options.name}: ${errorMessage(error)}` }, undefined, traceHeader);
      // semconv: an exception's type names the error
      if (span) failSpan(span, error instanceof Error ? error.constructor.name : '500', errorMessage(error));
    }
  } finally {
    httpServerActive.dec({ service: options.name });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    httpServerDuration.observe({ service: options.name, route, method, status_code: String(status) }, seconds);
    if (status >= 500) log('warn', 'request answered with an error', { method, route, status, duration_ms: seconds * 1000 }, traceContext);
    else log('debug', 'request', { method, route, status, duration_ms: seconds * 1000 }, traceContext);
    if (span) {
      span.setAttribute('http.response.status_code', status);
      span.end();
    }
  }
}

/**
 * The SERVER span with the current HTTP semantic conventions: server.address/port from the Host
 * header (the address the client called, a proxy's when one sits in between), http.route only
 * for a matched route template.
 */
function startServerSpan(req: IncomingMessage, method: string, url: URL, route: string | undefined, parent: TraceContext): Span | undefined {
  const attributes: Record<string, string | number> = { 'http.request.method': method, 'url.path': url.pathname, 'url.scheme': 'http' };
  if (url.search.length > 1) attributes['url.query'] = url.search.slice(1);
  if (route !== undefined) attributes['http.route'] = route;
  const host = req.headers.host;
  if (host) {
    const colon = host.lastIndexOf(':');
    const hasPort = colon > host.lastIndexOf(']');
    attributes['server.address'] = hasPort ? host.slice(0, colon) : host;
    attributes['server.port'] = hasPort ? Number(host.slice(colon + 1)) : 80;
  }
  return startSpan(route === undefined ? method : `${method} ${route}`, SpanKind.SERVER, attributes, parent);
}

/** The whole head goes to writeHead in one object (no setHeader before it: Node's slower merge path). */
function send(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>, traceHeader?: string): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  const head: Record<string, string | number> = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) };
  if (headers) Object.assign(head, headers);
  if (traceHeader !== undefined) head.traceresponse = traceHeader;
  res.writeHead(status, head);
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body is larger than ${MAX_BODY_BYTES} bytes; send a smaller JSON object`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'request body is empty; send a JSON object with Content-Type: application/json');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, `malformed JSON body (${errorMessage(error)}); send a valid JSON object`);
  }
}
