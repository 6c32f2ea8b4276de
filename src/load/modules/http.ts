import { randomFillSync } from 'node:crypto';
import { isIP } from 'node:net';
import { captureFor } from '../../readback/contract.js';
import { durationMs, notADuration } from '../../util/duration.js';
import { isLoopbackHost } from '../../util/loopback.js';
import { resolveHost, type HostsMap } from './hosts.js';
import { IterationInterrupted, type VuContext } from '../vu-context.js';
import { CookieJar } from './cookie-jar.js';
import { digestAuthorization, parseDigestChallenge } from './digest-auth.js';
import { failedResponse, sendRequest, type WireResponse } from './http-client.js';
import { encodeBody } from './http-body.js';
import { K6Response, type ResponseType } from './http-response.js';
import { httpDebugText } from './http-debug.js';
import type { K6Module } from './k6-module.js';
import { requestRecord } from './request-record.js';

/**
 * `k6/http`. The request functions return promises; the load-time rewrite awaits them, so a
 * script written as `const res = http.get(url)` reads exactly as under k6. `asyncRequest` is the
 * same call for scripts that `await` themselves.
 */

type Params = {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  timeout?: string | number;
  responseType?: ResponseType;
  redirects?: number;
  cookies?: Record<string, string | { value: string }>;
  responseCallback?: ResponseCallback | null;
  jar?: CookieJar;
  /** 'basic' (the default for credentials in the URL) or 'digest' (RFC 7616); k6 also has 'ntlm' */
  auth?: string;
};
type ResponseCallback = { __expectedStatuses: Array<{ min: number; max: number }> } | ((res: { status: number }) => boolean);
type BatchItem = string | [string, string, unknown?, Params?] | { method?: string; url: string; body?: unknown; params?: Params };

const DEFAULT_CALLBACK: ResponseCallback = { __expectedStatuses: [{ min: 200, max: 399 }] };

export const httpModule: K6Module = {
  specifier: 'k6/http',
  blocking: ['request', 'get', 'head', 'post', 'put', 'patch', 'del', 'options', 'batch'],
  blockingMethods: ['submitForm', 'clickLink'],
  create(vu) {
    const jar = new CookieJar();
    const req = (method: string, url: unknown, body?: unknown, params?: Params | null): Promise<K6Response> => request(vu, jar, req, method, url, body, params);
    const api = {
      request: req,
      // not awaited by the rewrite: the VU's event loop waits for it before the iteration ends (as k6)
      asyncRequest: (method: string, url: unknown, body?: unknown, params?: Params | null) => vu.loop.track(req(method, url, body, params)),
      // as k6: get and head take (url, params); a third argument is ignored, a null params is none
      get: (url: unknown, params?: Params | null) => req('GET', url, null, params),
      head: (url: unknown, params?: Params | null) => req('HEAD', url, null, params),
      del: (url: unknown, body?: unknown, params?: Params) => req('DELETE', url, body, params),
      options: (url: unknown, body?: unknown, params?: Params) => req('OPTIONS', url, body, params),
      post: (url: unknown, body?: unknown, params?: Params) => req('POST', url, body, params),
      put: (url: unknown, body?: unknown, params?: Params) => req('PUT', url, body, params),
      patch: (url: unknown, body?: unknown, params?: Params) => req('PATCH', url, body, params),
      batch: (items: BatchItem[] | Record<string, BatchItem>) => batch(req, items),
      cookieJar: () => jar,
      CookieJar,
      expectedStatuses: (...ranges: Array<number | { min: number; max: number }>): ResponseCallback => ({
        __expectedStatuses: ranges.map((r) => (typeof r === 'number' ? { min: r, max: r } : { min: r.min, max: r.max })),
      }),
      setResponseCallback: (cb: ResponseCallback | null) => {
        vu.responseCallback = cb as never;
      },
      url: (strings: TemplateStringsArray, ...values: unknown[]) => {
        const name = strings.reduce((acc, s, i) => acc + s + (i < values.length ? '${}' : ''), '');
        const url = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
        return { url, name, toString: () => url };
      },
      file: (data: unknown, filename?: string, contentType?: string) => ({ data, filename, content_type: contentType ?? 'application/octet-stream' }),
      TLS_1_2: 'tls1.2',
      TLS_1_3: 'tls1.3',
    };
    return { ...api, default: api };
  },
};

async function batch(req: (m: string, u: unknown, b?: unknown, p?: Params) => Promise<K6Response>, items: BatchItem[] | Record<string, BatchItem>) {
  const one = (item: BatchItem) => {
    if (typeof item === 'string') return req('GET', item);
    if (Array.isArray(item)) return req(item[0], item[1], item[2], item[3]);
    return req(item.method ?? 'GET', item.url, item.body, item.params);
  };
  if (Array.isArray(items)) return Promise.all(items.map(one));
  const keys = Object.keys(items);
  const results = await Promise.all(keys.map((k) => one(items[k]!)));
  return Object.fromEntries(keys.map((k, i) => [k, results[i]]));
}

function isExpected(cb: ResponseCallback, status: number): boolean {
  if (typeof cb === 'function') return Boolean(cb({ status }));
  return cb.__expectedStatuses.some((r) => status >= r.min && status <= r.max);
}

const randomPool = Buffer.alloc(24 * 512);
let randomOffset = randomPool.length;
/** A W3C traceparent (version 00, sampled): random bytes drawn in blocks, one hex string each. */
function newTraceparent(): string {
  if (randomOffset + 24 > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  const hex = randomPool.toString('hex', randomOffset, randomOffset + 24);
  randomOffset += 24;
  return `00-${hex.slice(0, 32)}-${hex.slice(32)}-01`;
}

interface Target {
  parsed: URL;
  /** the URL with its user info masked (`****:****`), as k6 tags and shows it */
  clean: string;
  credentials?: { username: string; password: string };
  origin: string;
  host: string;
  hostHeader: string;
  port: number;
  tls: boolean;
  path: string;
}

/** Parsed request targets: a load test asks for the same few URLs over and over. */
const targets = new Map<string, Target>();

function resolveTarget(url: string, method: string): Target {
  const cached = targets.get(url);
  if (cached) return cached;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`http.${method.toLowerCase()}: "${url}" is not a URL; write it like http://127.0.0.1:7100/api/products`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`http.${method.toLowerCase()}: "${url}" is not an http:// or https:// URL`);
  }
  const tls = parsed.protocol === 'https:';
  const hasUser = parsed.username !== '' || parsed.password !== '';
  const target: Target = {
    parsed,
    clean: hasUser ? maskCredentials(url, parsed) : url,
    credentials: hasUser ? { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) } : undefined,
    origin: parsed.origin,
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    hostHeader: parsed.host,
    port: parsed.port ? Number(parsed.port) : tls ? 443 : 80,
    tls,
    path: parsed.pathname + parsed.search,
  };
  if (targets.size > 10_000) targets.clear();
  targets.set(url, target);
  return target;
}

/** As k6's URL.Clean: `http://user:pass@host` is shown as `http://****:****@host`. */
function maskCredentials(url: string, parsed: URL): string {
  const scheme = url.indexOf('://');
  const at = url.indexOf('@', scheme + 3);
  if (scheme < 0 || at < 0) return url;
  return url.slice(0, scheme + 3) + (parsed.password !== '' ? '****:****' : '****') + url.slice(at);
}

function cookieHeader(jar: CookieJar, url: URL, extra: Params['cookies']): string | undefined {
  const fromJar = jar.header(url);
  if (!extra) return fromJar;
  const parts = Object.entries(extra).map(([k, v]) => `${k}=${typeof v === 'object' ? v.value : v}`);
  if (fromJar) parts.unshift(fromJar);
  return parts.join('; ') || undefined;
}

function parseTimeout(t: string | number | undefined): number {
  if (t === undefined) return 60_000;
  const ms = durationMs(t);
  if (ms === undefined) throw new TypeError(`http params.timeout: ${notADuration(t)}`);
  return ms;
}

interface Exchange {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload: string | Uint8Array | null;
  params: Params;
}

type Send = (method: string, url: unknown, body?: unknown, params?: Params | null) => Promise<K6Response>;

async function request(vu: VuContext, jar: CookieJar, send: Send, method: string, urlArg: unknown, body?: unknown, paramsArg?: Params | null): Promise<K6Response> {
  const inst = vu.instance;
  if (vu.signal.aborted) throw new IterationInterrupted();
  const params: Params = paramsArg ?? {};
  const nameFromTemplate = typeof urlArg === 'object' && urlArg !== null && 'name' in urlArg ? String((urlArg as { name: string }).name) : undefined;
  const url = typeof urlArg === 'object' && urlArg !== null && 'url' in urlArg ? String((urlArg as { url: string }).url) : String(urlArg);
  const headers: Record<string, string> = {};
  if (params.headers) for (const k in params.headers) headers[k.toLowerCase()] = String(params.headers[k]);
  headers['user-agent'] ??= inst.httpDefaults.userAgent;
  headers.traceparent ??= newTraceparent();
  const ex: Exchange = { method: method.toUpperCase(), url, headers, payload: encodeBody(body, headers), params };
  const responseType: ResponseType = params.responseType ?? (inst.httpDefaults.discardResponseBodies ? 'none' : 'text');
  const callback = params.responseCallback !== undefined ? params.responseCallback : vu.responseCallback !== undefined ? vu.responseCallback : DEFAULT_CALLBACK;
  const auth = params.auth === undefined ? undefined : String(params.auth);
  if (auth !== undefined && auth !== 'basic' && auth !== 'digest') {
    throw new TypeError(`http params.auth: "${auth}" is not supported by the built-in engine (basic and digest are); run this script with --engine k6 for ntlm`);
  }
  let redirectsLeft = params.redirects ?? inst.httpDefaults.maxRedirects;
  let digestAnswered = false;
  for (;;) {
    const target = resolveTarget(ex.url, ex.method);
    if (target.credentials && auth !== 'digest') ex.headers.authorization ??= basicAuthorization(target.credentials);
    // decided on every request, not cached with the URL: another run in this process may allow less
    const refused = inst.allowRemote ? undefined : remoteRefusal(target, inst.httpDefaults.hosts);
    const wire = refused ? refusedExchange(refused) : await exchange(vu, params.jar ?? jar, ex, target, responseType, nameFromTemplate);
    const challenge = auth === 'digest' && wire.status === 401 && target.credentials && !digestAnswered ? parseDigestChallenge(wire.headers['www-authenticate']) : undefined;
    if (challenge) {
      // as k6: the challenge is measured as a request of its own, an expected one
      finish(vu, ex, target, wire, callback === null ? undefined : true, nameFromTemplate);
      digestAnswered = true;
      ex.headers.authorization = digestAuthorization(challenge, { ...target.credentials!, method: ex.method, uri: target.path });
      continue;
    }
    finish(vu, ex, target, wire, callback === null ? undefined : isExpected(callback, wire.status), nameFromTemplate);
    const location = wire.headers.location;
    if (wire.status >= 300 && wire.status < 400 && typeof location === 'string' && redirectsLeft > 0) {
      redirectsLeft--;
      ex.url = new URL(location, ex.url).toString();
      if (wire.status === 303 || ((wire.status === 301 || wire.status === 302) && ex.method === 'POST')) ex.method = 'GET';
      continue;
    }
    const followUp = (m: string, u: string, b: unknown, p: unknown) => send(m, u, b, p as Params | null);
    return new K6Response(wire, target.clean, ex.method, ex.headers, typeof ex.payload === 'string' ? ex.payload : '', responseType, followUp);
  }
}

/** k6's codes for a request its blockHostnames / blacklistIPs options stop before any traffic. */
const BLOCKED_IP = 1110;
const BLOCKED_HOSTNAME = 1111;
const warnedHosts = new Set<string>();

/**
 * A request to a host outside 127.0.0.0/8 and ::1 without --allow-remote: refused before any
 * traffic, as k6 refuses a blocked hostname or IP, so the script goes on with a failed response
 * (status 0, `error_code` 1110/1111), and the run says why, once per host.
 */
function remoteRefusal(target: Target, hosts: HostsMap | undefined): { message: string; code: number } | undefined {
  const mapped = resolveHost(hosts, target.host, target.port)?.host ?? target.host;
  if (isLoopbackHost(mapped)) return undefined;
  const message = `request to ${target.host} refused: peakready only sends load to 127.0.0.0/8 or ::1 unless you pass --allow-remote (only against systems you own)`;
  if (!warnedHosts.has(target.host)) {
    warnedHosts.add(target.host);
    process.stderr.write(`peakready: ${message}; its requests fail with status 0 (error_code ${isIP(mapped) ? BLOCKED_IP : BLOCKED_HOSTNAME})\n`);
  }
  return { message, code: isIP(mapped) ? BLOCKED_IP : BLOCKED_HOSTNAME };
}

function refusedExchange(error: { message: string; code: number }): Awaited<ReturnType<typeof exchange>> {
  const now = performance.now();
  return { ...failedResponse(error, now, now), startedEpoch: Date.now() };
}

function basicAuthorization(c: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}

/** One request on the wire, with the cookies of the jar; its Set-Cookie lines go back into it. */
async function exchange(vu: VuContext, jar: CookieJar, ex: Exchange, target: Target, responseType: ResponseType, nameFromTemplate: string | undefined): Promise<WireResponse & { startedEpoch: number; capture?: ReturnType<typeof captureFor> }> {
  const inst = vu.instance;
  const sendHeaders: Record<string, string> = { host: target.hostHeader, ...ex.headers };
  const cookie = cookieHeader(jar, target.parsed, ex.params.cookies);
  if (cookie) sendHeaders.cookie = cookie;
  const name = ex.params.tags?.name ?? nameFromTemplate ?? target.clean;
  // a create the read-back contract names keeps its body, whatever the script asked for
  const capture = inst.recordRequest && inst.captures.length ? captureFor(inst.captures, name) : undefined;
  const startedEpoch = Date.now();
  const wire = await sendRequest({
    origin: target.origin,
    host: target.host,
    port: target.port,
    tls: target.tls,
    path: target.path,
    method: ex.method,
    headers: sendHeaders,
    body: ex.payload,
    timeoutMs: parseTimeout(ex.params.timeout),
    discardBody: responseType === 'none' && !capture,
    signal: vu.signal,
    noConnectionReuse: inst.httpDefaults.noConnectionReuse,
    insecureSkipTLSVerify: inst.httpDefaults.insecureSkipTLSVerify,
    connectTo: resolveHost(inst.httpDefaults.hosts, target.host, target.port),
  });
  if (vu.signal.aborted) throw new IterationInterrupted();
  if (inst.httpDefaults.httpDebug) process.stderr.write(httpDebugText(inst.httpDefaults.httpDebug, { method: ex.method, url: target.clean, headers: sendHeaders, body: ex.payload }, wire));
  if (wire.headers['set-cookie']) jar.absorb(target.parsed, wire.headers['set-cookie']);
  return Object.assign(wire, { startedEpoch, capture });
}

/** A response's samples and request record. */
function finish(vu: VuContext, ex: Exchange, target: Target, wire: WireResponse & { startedEpoch: number; capture?: ReturnType<typeof captureFor> }, expected: boolean | undefined, nameFromTemplate: string | undefined): void {
  const inst = vu.instance;
  const name = ex.params.tags?.name ?? nameFromTemplate ?? target.clean;
  const tags = requestTags(vu, ex.params.tags, ex.method, target.clean, name, wire, expected);
  emitHttpSamples(vu, tags, wire, expected, wire.startedEpoch);
  if (inst.recordRequest) {
    const sent = { t: wire.startedEpoch, name, method: ex.method, url: target.clean, expected, traceparent: ex.headers.traceparent!, headers: ex.headers, body: ex.payload };
    inst.recordRequest(requestRecord(vu, wire, sent, wire.capture));
  }
}

/**
 * A request's sample tags. Without per-request or per-VU tags and without an error they depend
 * only on the scenario, group, method, URL, name, status and expectation: those are kept per VU
 * and URL and reused while they match (sample tags are never changed once emitted), so a script
 * that asks for the same URLs over and over builds no tag object per request.
 */
function requestTags(vu: VuContext, extra: Record<string, string> | undefined, method: string, url: string, name: string, wire: WireResponse, expected: boolean | undefined): Record<string, string> {
  const cacheable = extra === undefined && !wire.error && isEmpty(vu.vuTags);
  const cached = cacheable ? vu.requestTags.get(url) : undefined;
  if (cached && cached.scenario === vu.scenario && cached.group === vu.groupPath && cached.method === method && cached.name === name && cached.status === wire.status && cached.expected === expected) {
    return cached.tags;
  }
  const tags = vu.tags(extra);
  tags.method = method;
  tags.url = url;
  tags.name = name;
  tags.status = String(wire.status);
  tags.proto = wire.status ? 'HTTP/1.1' : '';
  if (expected !== undefined) tags.expected_response = String(expected);
  if (wire.error) {
    tags.error = wire.error.message;
    tags.error_code = String(wire.error.code);
  }
  if (cacheable) {
    if (vu.requestTags.size >= 64) vu.requestTags.clear();
    vu.requestTags.set(url, { scenario: vu.scenario, group: vu.groupPath, method, name, status: wire.status, expected, tags });
  }
  return tags;
}

function isEmpty(record: Record<string, string>): boolean {
  for (const _ in record) return false;
  return true;
}

function emitHttpSamples(vu: VuContext, tags: Record<string, string>, wire: Awaited<ReturnType<typeof sendRequest>>, expected: boolean | undefined, time: number): void {
  const t = wire.timings;
  vu.emit('http_reqs', 1, tags, time);
  vu.emit('http_req_duration', t.duration, tags, time);
  vu.emit('http_req_blocked', t.blocked, tags, time);
  vu.emit('http_req_connecting', t.connecting, tags, time);
  vu.emit('http_req_tls_handshaking', t.tls_handshaking, tags, time);
  vu.emit('http_req_sending', t.sending, tags, time);
  vu.emit('http_req_waiting', t.waiting, tags, time);
  vu.emit('http_req_receiving', t.receiving, tags, time);
  if (expected !== undefined) vu.emit('http_req_failed', expected ? 0 : 1, tags, time);
  vu.emit('data_sent', wire.bytesSent, tags, time);
  vu.emit('data_received', wire.bytesReceived, tags, time);
}
