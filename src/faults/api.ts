import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badBody } from './api-error.js';
import type { ProxyCollection } from './collection.js';
import { parseNewToxic, parseToxicUpdate } from './toxic-input.js';
import { toxicJson } from './toxic-state.js';

/** What /version reports: Toxiproxy's API level, marked as peakready's implementation (semver build metadata). */
export const API_VERSION = '2.12.0+peakready';
const MAX_BODY_BYTES = 1 << 20;

type Reply = { status: number; body?: unknown };
type Route = { method: string; pattern: RegExp; mutates: boolean; handle: (params: string[], body: () => unknown) => Promise<Reply> | Reply };

/**
 * Toxiproxy's HTTP API over a proxy collection: the same paths, methods, status codes, JSON
 * fields and error bodies, so any Toxiproxy client works against it. Mutations run one at a
 * time (a populate never interleaves with a delete).
 */
export function apiHandler(collection: ProxyCollection): (req: IncomingMessage, res: ServerResponse) => void {
  const routes = buildRoutes(collection);
  let queue: Promise<unknown> = Promise.resolve();
  return (req, res) => {
    void (async () => {
      try {
        if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
          // Toxiproxy refuses browsers so a web page cannot reconfigure it (CSRF).
          return sendText(res, 403, 'User agent not allowed\n');
        }
        const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
        const matching = routes.filter((r) => r.pattern.test(path));
        if (matching.length === 0) return sendText(res, 404, '404 page not found\n');
        const route = matching.find((r) => r.method === req.method);
        if (!route) return sendText(res, 405, '');
        let params: string[];
        try {
          params = route.pattern.exec(path)!.slice(1).map(decodeURIComponent);
        } catch {
          return sendJson(res, 400, badBody('malformed %-escape in the path').body(), '\n');
        }
        const text = await readBody(req);
        const body = (): unknown => parseJson(text);
        const run = (): Promise<Reply> => Promise.resolve(route.handle(params, body));
        const reply = route.mutates ? await (queue = queue.then(run, run)) as Reply : await run();
        sendJson(res, reply.status, reply.body);
      } catch (error) {
        const apiError = error instanceof ApiError ? error : new ApiError(error instanceof Error ? error.message : String(error), 500);
        // the rest of a body we stopped reading is still on the wire: close instead of reusing the connection
        if (apiError.status === 413) res.shouldKeepAlive = false;
        sendJson(res, apiError.status, apiError.body(), '\n');
      }
    })();
  };
}

function buildRoutes(c: ProxyCollection): Route[] {
  const P = '([^/]+)';
  const route = (method: string, path: string, handle: Route['handle']): Route => ({
    method,
    pattern: new RegExp(`^${path}$`),
    mutates: method !== 'GET',
    handle,
  });
  const proxyUpdate: Route['handle'] = async ([name], body) => ({ status: 200, body: (await c.update(name!, body())).json() });
  const toxicUpdate: Route['handle'] = async ([name, toxicName], body) => {
    const proxy = c.get(name!);
    const toxic = proxy.getToxic(toxicName!);
    await proxy.updateToxic(toxic, parseToxicUpdate(toxic, body()));
    return { status: 200, body: toxicJson(toxic) };
  };
  return [
    route('GET', '/version', () => ({ status: 200, body: { version: API_VERSION } })),
    route('POST', '/reset', async () => (await c.reset(), { status: 204 })),
    route('GET', '/proxies', () => ({ status: 200, body: Object.fromEntries(c.all().map((p) => [p.name, p.json()])) })),
    route('POST', '/proxies', async (_, body) => ({ status: 201, body: (await c.create(body())).json() })),
    route('POST', '/populate', async (_, body) => ({ status: 201, body: { proxies: (await c.populate(body())).map((p) => p.json()) } })),
    route('GET', `/proxies/${P}`, ([name]) => ({ status: 200, body: c.get(name!).json() })),
    route('POST', `/proxies/${P}`, proxyUpdate),
    route('PATCH', `/proxies/${P}`, proxyUpdate),
    route('DELETE', `/proxies/${P}`, async ([name]) => (await c.remove(name!), { status: 204 })),
    route('GET', `/proxies/${P}/toxics`, ([name]) => ({ status: 200, body: c.get(name!).toxicsJson() })),
    route('POST', `/proxies/${P}/toxics`, async ([name], body) => {
      const proxy = c.get(name!);
      const toxic = parseNewToxic(body());
      await proxy.addToxic(toxic);
      return { status: 200, body: toxicJson(toxic) };
    }),
    route('GET', `/proxies/${P}/toxics/${P}`, ([name, toxic]) => ({ status: 200, body: toxicJson(c.get(name!).getToxic(toxic!)) })),
    route('POST', `/proxies/${P}/toxics/${P}`, toxicUpdate),
    route('PATCH', `/proxies/${P}/toxics/${P}`, toxicUpdate),
    route('DELETE', `/proxies/${P}/toxics/${P}`, async ([name, toxic]) => (await c.get(name!).removeToxic(toxic!), { status: 204 })),
  ];
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.pause();
        reject(new ApiError(`request body larger than ${MAX_BODY_BYTES} bytes`, 413, 'bad request body'));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  // Go's decoder reports an empty body as EOF; clients see "bad request body: EOF".
  if (text.trim() === '') throw badBody('EOF');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badBody((error as Error).message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, trailer = ''): void {
  if (res.headersSent) return;
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body) + trailer;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }).end(text);
}
