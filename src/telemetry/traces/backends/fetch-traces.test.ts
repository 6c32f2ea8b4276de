import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../../paths.js';
import type { SpanRecord } from '../../../run/records.js';
import { decodeJsonRequest } from '../../otlp/decode.js';
import { fetchTraces, reachable, TraceBackendError, type FetchProgress } from './index.js';

/**
 * fetchTraces and reachable against a local HTTP server that answers as Tempo and Jaeger do
 * (test/fixtures/traces/, written from their API docs: see its README).
 */

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const OTHER = 'ab'.repeat(16);
const fixture = (name: string) => readFileSync(join(packageRoot, 'test/fixtures/traces', name), 'utf8');
const bySpanId = (spans: SpanRecord[]) => [...spans].sort((a, b) => a.spanId.localeCompare(b.spanId));
const received = () => bySpanId(decodeJsonRequest(fixture('otlp-export.json')).spans);

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const servers: Server[] = [];
const close = (server: Server) =>
  new Promise((resolve) => {
    server.close(resolve);
    // undici keeps idle connections open for seconds; a closing test server need not wait for them
    server.closeAllConnections();
  });
afterEach(async () => {
  await Promise.all(servers.splice(0).map(close));
});

async function backend(handler: Handler): Promise<{ url: string; seen: IncomingMessage[] }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type }).end(body);
}

/** Go's router answer for a path nobody serves, as Tempo and Jaeger give it. */
const routerNotFound = (res: ServerResponse) => send(res, 404, '404 page not found\n', 'text/plain; charset=utf-8');

/** A Tempo holding only TRACE_ID, with one or both query APIs. */
function tempo(apis: Array<'v1' | 'v2'>): Handler {
  return (req, res) => {
    const match = /^\/api(\/v2)?\/traces\/([0-9a-f]+)/.exec(req.url ?? '');
    if (!match || !apis.includes(match[1] ? 'v2' : 'v1')) return routerNotFound(res);
    if (match[2] !== TRACE_ID) return send(res, 404, 'trace not found', 'text/plain');
    send(res, 200, fixture(match[1] ? 'tempo-v2.json' : 'tempo-v1.json'));
  };
}

/** A Jaeger holding only TRACE_ID, with one or both query APIs. */
function jaeger(apis: Array<'v1' | 'v3'>): Handler {
  return (req, res) => {
    const match = /^\/api(\/v3)?\/traces\/([0-9a-f]+)/.exec(req.url ?? '');
    const api = match?.[1] ? 'v3' : 'v1';
    if (!match || !apis.includes(api)) return routerNotFound(res);
    if (match[2] !== TRACE_ID) return send(res, 404, fixture(`jaeger-${api}-not-found.json`));
    send(res, 200, fixture(`jaeger-${api}.json`));
  };
}

/** The fixture trace under another trace id, as Jaeger v3 answers it. */
function jaegerV3Answer(traceId: string): string {
  return fixture('jaeger-v3.json').replaceAll(TRACE_ID, traceId);
}

describe('fetchTraces', () => {
  it('Tempo v2: found and missing traces, the tenant headers and the run window sent', async () => {
    const { url, seen } = await backend(tempo(['v1', 'v2']));
    const headers = { authorization: 'Bearer t0ken', 'X-Scope-OrgID': 'shop' };
    const result = await fetchTraces({ kind: 'tempo', url, headers }, [TRACE_ID.toUpperCase(), OTHER, TRACE_ID], { window: { startMs: 1764838800000, endMs: 1764839100000 } });
    expect(result).toMatchObject({ found: 1, missing: [OTHER], errors: [], partial: [], rejectedSpans: 0, api: 'tempo-v2' });
    expect(bySpanId(result.spans)).toEqual(received());
    expect(seen.map((r) => r.url).sort()).toEqual([`/api/v2/traces/${TRACE_ID}?start=1764838800&end=1764839100`, `/api/v2/traces/${OTHER}?start=1764838800&end=1764839100`]);
    expect(seen[0]!.headers).toMatchObject({ authorization: 'Bearer t0ken', 'x-scope-orgid': 'shop', accept: 'application/json' });
  });

  it('Tempo v1: an older Tempo without /api/v2 is read through /api/traces, unless v2 was asked for', async () => {
    const { url } = await backend(tempo(['v1']));
    const result = await fetchTraces({ kind: 'tempo', url: `${url}/` }, [TRACE_ID, OTHER]);
    expect(result).toMatchObject({ found: 1, missing: [OTHER], errors: [], api: 'tempo-v1' });
    expect(bySpanId(result.spans)).toEqual(received());
    await expect(fetchTraces({ kind: 'tempo', url, api: 'v2' }, [TRACE_ID])).rejects.toThrow(`Tempo at ${url} does not serve GET /api/v2/traces/${TRACE_ID} (404 page not found)`);
  });

  it('Jaeger: v3 OTLP JSON by default, its own model through /api/traces', async () => {
    const { url, seen } = await backend(jaeger(['v1', 'v3']));
    const v3 = await fetchTraces({ kind: 'jaeger', url }, [TRACE_ID, OTHER]);
    expect(v3).toMatchObject({ found: 1, missing: [OTHER], errors: [], api: 'jaeger-v3' });
    expect(bySpanId(v3.spans)).toEqual(received());
    const v1 = await fetchTraces({ kind: 'jaeger', url, api: 'v1' }, [TRACE_ID, OTHER]);
    expect(v1).toMatchObject({ found: 1, missing: [OTHER], errors: [], api: 'jaeger-v1' });
    expect(bySpanId(v1.spans)).toEqual(received());
    expect(seen.filter((r) => r.url!.startsWith('/api/traces/'))).toHaveLength(2);
  });

  it('a backend answering 500 to everything fails fast with one line; one failing trace is an error', async () => {
    const down = await backend((_req, res) => send(res, 500, 'failed to get trace: context deadline exceeded', 'text/plain'));
    const ids = Array.from({ length: 50 }, (_, i) => i.toString(16).padStart(32, '0'));
    const error = await fetchTraces({ kind: 'tempo', url: down.url }, ids, { concurrency: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TraceBackendError);
    expect((error as Error).message).toBe(
      `Tempo at ${down.url}: the first 3 trace lookups failed, the last answered 500 (failed to get trace: context deadline exceeded); check that Tempo is healthy (GET ${down.url}/api/echo)`,
    );
    expect(down.seen.length).toBeLessThanOrEqual(4);

    const flaky = await backend((req, res) => (req.url!.includes(OTHER) ? send(res, 500, 'boom', 'text/plain') : jaeger(['v3'])(req, res)));
    const result = await fetchTraces({ kind: 'jaeger', url: flaky.url }, [TRACE_ID, OTHER], { concurrency: 1 });
    expect(result).toMatchObject({ found: 1, missing: [], errors: [{ traceId: OTHER, status: 500, message: 'answered 500 (boom)' }] });
  });

  it('an unreachable backend, or one refusing our credentials, fails at once naming the URL and the fix', async () => {
    const closed = await backend(() => undefined);
    await close(servers.pop()!);
    await expect(fetchTraces({ kind: 'tempo', url: closed.url }, [TRACE_ID])).rejects.toThrow(
      new RegExp(`^Tempo at ${closed.url} is not reachable \\(ECONNREFUSED.*\\); check the trace backend's url \\(Tempo's query API, port 3200 by default\\)$`),
    );
    const locked = await backend((_req, res) => send(res, 401, 'no org id', 'text/plain'));
    const ids = Array.from({ length: 20 }, (_, i) => i.toString(16).padStart(32, '0'));
    await expect(fetchTraces({ kind: 'tempo', url: locked.url }, ids)).rejects.toThrow(/answered 401 \(no org id\) to GET \/api\/v2\/traces\/0+; give the trace backend's headers \(Authorization, and X-Scope-OrgID/);
    expect(locked.seen.length).toBeLessThanOrEqual(8);
  });

  it('keeps at most `concurrency` lookups in flight and reports progress', async () => {
    // Answers are held until `limit` lookups are in flight (or 300 ms have passed, for the tail of
    // the list), so "reaches the limit" does not depend on how fast a loaded machine sends them.
    let limit = 3;
    let inFlight = 0;
    let most = 0;
    let held: (() => void)[] = [];
    const releaseAll = () => { const now = held; held = []; now.forEach((answer) => answer()); };
    const { url } = await backend((req, res) => {
      most = Math.max(most, ++inFlight);
      held.push(() => {
        inFlight--;
        send(res, 200, `{"result":${JSON.stringify(JSON.parse(jaegerV3Answer(req.url!.split('/').pop()!)).result)}}`);
      });
      if (inFlight >= limit) releaseAll();
      else setTimeout(releaseAll, 300);
    });
    const ids = Array.from({ length: 30 }, (_, i) => (i + 1).toString(16).padStart(32, 'c'));
    const progress: FetchProgress[] = [];
    const result = await fetchTraces({ kind: 'jaeger', url }, ids, { concurrency: 3, onProgress: (p) => progress.push(p) });
    expect(result.found).toBe(30);
    expect(result.spans).toHaveLength(150);
    expect(result.spans.map((s) => s.traceId).filter((id, i, all) => all.indexOf(id) === i)).toEqual(ids);
    expect(most).toBe(3);
    expect(progress).toHaveLength(30);
    expect(progress.at(-1)).toEqual({ done: 30, total: 30, found: 30, missing: 0, errors: 0 });

    most = 0;
    limit = 8;
    await fetchTraces({ kind: 'jaeger', url }, ids);
    expect(most).toBe(8);
  });

  it('retries a lookup answered 429 or 503 after its Retry-After, twice at most', async () => {
    let calls = 0;
    const { url } = await backend((req, res) => {
      if (++calls <= 2) return void res.writeHead(429, { 'retry-after': '3', 'content-type': 'text/plain' }).end('too many outstanding requests');
      tempo(['v2'])(req, res);
    });
    const slept: number[] = [];
    const clock = { now: () => 0, sleep: async (ms: number) => void slept.push(ms) };
    expect(await fetchTraces({ kind: 'tempo', url }, [TRACE_ID], { clock })).toMatchObject({ found: 1, errors: [] });
    expect(slept).toEqual([3000, 3000]);
    calls = 0;
    const result = await fetchTraces({ kind: 'tempo', url }, [OTHER, TRACE_ID], { clock, retries: 1, concurrency: 1 });
    expect(result).toMatchObject({ found: 1, errors: [{ traceId: OTHER, status: 429 }] });
  });

  it('stops when aborted: no further lookups, in-flight ones cancelled, rejects with the reason', async () => {
    const held: ServerResponse[] = [];
    const { url, seen } = await backend((_req, res) => void held.push(res));
    const controller = new AbortController();
    const ids = Array.from({ length: 20 }, (_, i) => i.toString(16).padStart(32, '0'));
    const fetching = fetchTraces({ kind: 'tempo', url }, ids, { concurrency: 2, signal: controller.signal });
    while (seen.length < 2) await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('drill interrupted'));
    await expect(fetching).rejects.toThrow('drill interrupted');
    for (const res of held) res.destroy();
    expect(seen).toHaveLength(2);
  });

  it('a per-request timeout makes a slow trace an error, not a hang', async () => {
    const { url } = await backend((req, res) => (req.url!.includes(OTHER) ? undefined : tempo(['v2'])(req, res)));
    const result = await fetchTraces({ kind: 'tempo', url }, [TRACE_ID, OTHER], { timeoutMs: 200, concurrency: 1 });
    expect(result).toMatchObject({ found: 1, errors: [{ traceId: OTHER, message: 'did not answer within 200 ms' }] });
  });

  it('reports ids that are not trace ids as errors without asking', async () => {
    const { url, seen } = await backend(tempo(['v2']));
    const result = await fetchTraces({ kind: 'tempo', url }, [TRACE_ID, 'not-a-trace']);
    expect(result).toMatchObject({ found: 1, errors: [{ traceId: 'not-a-trace', message: 'not a trace id (want 32 hex characters)' }] });
    expect(seen).toHaveLength(1);
  });
});

describe('reachable', () => {
  it("answers ok when the query API serves, falling back to an older one's ready path", async () => {
    const tempoNew = await backend((req, res) => (req.url === '/api/echo' ? send(res, 200, 'echo', 'text/plain') : routerNotFound(res)));
    expect(await reachable({ kind: 'tempo', url: tempoNew.url })).toEqual({ ok: true });
    const tempoOld = await backend((req, res) => (req.url === '/ready' ? send(res, 200, 'ready', 'text/plain') : routerNotFound(res)));
    expect(await reachable({ kind: 'tempo', url: tempoOld.url })).toEqual({ ok: true });
    const jaegerOld = await backend((req, res) => (req.url === '/api/services' ? send(res, 200, '{"data":["gateway"]}') : routerNotFound(res)));
    expect(await reachable({ kind: 'jaeger', url: jaegerOld.url })).toEqual({ ok: true });
    expect(await reachable({ kind: 'jaeger', url: jaegerOld.url, api: 'v3' })).toEqual({
      ok: false,
      reason: `Jaeger at ${jaegerOld.url} does not serve GET /api/v3/services (404 page not found); point the trace backend's url at Jaeger's query API (port 16686 by default), or set its api to v1 for an older Jaeger`,
    });
  });

  it('says why not: credentials, a closed port, no answer in time', async () => {
    const locked = await backend((_req, res) => send(res, 403, 'forbidden', 'text/plain'));
    expect(await reachable({ kind: 'tempo', url: locked.url, headers: { 'X-Scope-OrgID': 'nobody' } })).toEqual({
      ok: false,
      reason: `Tempo at ${locked.url} answered 403 to GET /api/echo; give the trace backend's headers (Authorization, and X-Scope-OrgID for a multi-tenant Tempo)`,
    });
    const closed = await backend(() => undefined);
    await close(servers.pop()!);
    expect(await reachable({ kind: 'jaeger', url: closed.url })).toMatchObject({ ok: false, reason: expect.stringMatching(/^Jaeger at .* is not reachable \(ECONNREFUSED/) });
    const silent = await backend(() => undefined);
    expect(await reachable({ kind: 'jaeger', url: silent.url }, { timeoutMs: 100 })).toEqual({
      ok: false,
      reason: `Jaeger at ${silent.url}: did not answer within 100 ms; check that Jaeger is healthy (GET ${silent.url}/api/v3/services)`,
    });
  });
});
