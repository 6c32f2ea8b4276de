import type { IncomingHttpHeaders } from 'node:http';
import type { WireResponse, WireTimings } from './http-client.js';

/** Go's canonical header key, as k6 shows response headers: `content-type` → `Content-Type`. */
export function canonicalHeaderKey(key: string): string {
  return key.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

export function canonicalHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in h) {
    const v = h[key];
    if (v === undefined) continue;
    out[canonicalHeaderKey(key)] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

export type ResponseType = 'text' | 'binary' | 'none';

/**
 * k6's Response object (the parts a load test reads). Headers, body text, request and cookies
 * are decoded on first read: most load scripts only look at `status`.
 */
export class K6Response {
  readonly status: number;
  readonly status_text: string;
  readonly timings: WireTimings;
  readonly error: string;
  readonly error_code: number;
  readonly url: string;
  readonly proto = 'HTTP/1.1';
  private cache: { headers?: Record<string, string>; body?: string | ArrayBuffer | null; request?: K6Request; cookies?: Record<string, Array<{ name: string; value: string }>> } = {};

  constructor(
    private readonly wire: WireResponse,
    url: string,
    private readonly method: string,
    private readonly requestHeaders: Record<string, string>,
    private readonly requestBody: string,
    private readonly responseType: ResponseType,
  ) {
    this.status = wire.status;
    this.status_text = wire.status ? `${wire.status} ${wire.statusText}`.trim() : '';
    this.timings = wire.timings;
    this.error = wire.error?.message ?? '';
    this.error_code = wire.error?.code ?? 0;
    this.url = url;
  }

  get headers(): Record<string, string> {
    return (this.cache.headers ??= canonicalHeaders(this.wire.headers));
  }

  get body(): string | ArrayBuffer | null {
    if (!('body' in this.cache)) {
      const { body, error } = this.wire;
      const type = this.responseType;
      this.cache.body = type === 'none' || !body ? (type === 'text' && !error ? '' : null) : type === 'binary' ? toArrayBuffer(body) : body.toString('utf8');
    }
    return this.cache.body!;
  }

  get request(): K6Request {
    if (!this.cache.request) {
      const headers: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(this.requestHeaders)) headers[canonicalHeaderKey(k)] = [v];
      this.cache.request = { method: this.method, url: this.url, headers, body: this.requestBody };
    }
    return this.cache.request;
  }

  get cookies(): Record<string, Array<{ name: string; value: string }>> {
    if (!this.cache.cookies) {
      const cookies: Record<string, Array<{ name: string; value: string }>> = {};
      const setCookie = this.wire.headers['set-cookie'];
      for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
        const [pair] = line.split(';');
        const eq = pair!.indexOf('=');
        if (eq <= 0) continue;
        const name = pair!.slice(0, eq).trim();
        (cookies[name] ??= []).push({ name, value: pair!.slice(eq + 1).trim() });
      }
      this.cache.cookies = cookies;
    }
    return this.cache.cookies;
  }

  /** The body parsed as JSON; with a selector (`items.0.id`, gjson's dotted form), that value. */
  json(selector?: string): unknown {
    const text = this.body;
    if (typeof text !== 'string') throw new Error(`response body of ${this.method} ${this.url} is ${text === null ? 'empty (responseType none or an error)' : 'binary'}; it cannot be parsed as JSON`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new Error(`response body of ${this.method} ${this.url} (status ${this.status}) is not JSON: ${text.slice(0, 80)}`);
    }
    if (!selector) return value;
    for (const part of selector.split('.')) {
      if (value === null || typeof value !== 'object') return undefined;
      if (part === '#' && Array.isArray(value)) return value.length;
      value = (value as Record<string, unknown>)[part];
    }
    return value;
  }

  html(): never {
    throw new Error('Response.html() is not supported by the built-in engine; parse the body yourself or run with --engine k6');
  }

  /** what console.log / JSON.stringify show, as the getters are not own properties */
  toJSON(): Record<string, unknown> {
    return { status: this.status, status_text: this.status_text, url: this.url, headers: this.headers, body: this.body, timings: this.timings, error: this.error, error_code: this.error_code, proto: this.proto };
  }
}

interface K6Request {
  method: string;
  url: string;
  headers: Record<string, string[]>;
  body: string;
}

function toArrayBuffer(buf: Buffer): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/** A VU's cookie jar, keyed by host (path and expiry are not tracked: load tests rarely need them). */
export class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  set(url: string, name: string, value: string): void {
    const host = new URL(url).host;
    let jar = this.byHost.get(host);
    if (!jar) this.byHost.set(host, (jar = new Map()));
    jar.set(name, value);
  }

  cookiesForURL(url: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [k, v] of this.byHost.get(new URL(url).host) ?? []) out[k] = [v];
    return out;
  }

  clear(url: string): void {
    this.byHost.delete(new URL(url).host);
  }

  delete(url: string, name: string): void {
    this.byHost.get(new URL(url).host)?.delete(name);
  }

  /** The Cookie header for a request, or undefined. */
  header(host: string): string | undefined {
    const jar = this.byHost.get(host);
    if (!jar || jar.size === 0) return undefined;
    return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  absorb(host: string, setCookie: string | string[] | undefined): void {
    if (!setCookie) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      if (eq <= 0) continue;
      let jar = this.byHost.get(host);
      if (!jar) this.byHost.set(host, (jar = new Map()));
      const expired = attrs.some((a) => /^\s*max-age\s*=\s*(0|-)/i.test(a));
      if (expired) jar.delete(pair!.slice(0, eq).trim());
      else jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
  }
}
