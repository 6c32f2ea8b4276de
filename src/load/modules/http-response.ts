import type { IncomingHttpHeaders } from 'node:http';
import type { WireResponse, WireTimings } from './http-client.js';
import { parseHTML, type Selection } from './html.js';

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

/** Sends a follow-up request for submitForm() and clickLink(), as http.request would. */
export type FollowUp = (method: string, url: string, body: unknown, params: unknown) => Promise<K6Response>;

interface SubmitFormOptions {
  formSelector?: string;
  fields?: Record<string, unknown>;
  submitSelector?: string;
  params?: unknown;
}

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
    private readonly followUp?: FollowUp,
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

  /** The body as an HTML document (k6/html's Selection); with a selector, what it finds. */
  html(selector?: string): Selection {
    const body = this.body;
    if (typeof body !== 'string') throw new Error(`Response.html(): the body of ${this.method} ${this.url} is ${body === null ? 'empty (responseType none or an error)' : 'binary'}`);
    const doc = parseHTML(body);
    return selector === undefined ? doc : doc.find(selector);
  }

  /** Fills and submits a form of this page (k6: formSelector, fields, submitSelector, params). */
  submitForm(options: SubmitFormOptions = {}): Promise<K6Response> {
    const { formSelector = 'form', fields = {}, submitSelector = '[type="submit"]', params } = options ?? {};
    const form = this.html().find(formSelector).first();
    if (form.size() === 0) throw new Error(`submitForm: no form matches "${formSelector}" in the response of ${this.url}`);
    const method = String(form.attr('method', 'GET')).toUpperCase();
    const action = new URL(String(form.attr('action', '') || this.url), this.url);
    const values: Record<string, unknown> = form.serializeObject();
    // the button that submits the form sends its own name and value, as a browser's would
    const button = form.find(submitSelector).first();
    const name = button.attr('name');
    if (typeof name === 'string' && name) values[name] = button.attr('value', '');
    Object.assign(values, fields);
    if (method === 'GET') {
      for (const [k, v] of Object.entries(values)) for (const one of Array.isArray(v) ? v : [v]) action.searchParams.append(k, String(one));
      return this.follow('GET', action.toString(), null, params);
    }
    return this.follow(method, action.toString(), values, params);
  }

  /** Follows a link of this page (k6: selector, default `a[href]`; params). */
  clickLink(options: { selector?: string; params?: unknown } = {}): Promise<K6Response> {
    const { selector = 'a[href]', params } = options ?? {};
    const href = this.html().find(selector).first().attr('href');
    if (typeof href !== 'string') throw new Error(`clickLink: no link with an href matches "${selector}" in the response of ${this.url}`);
    return this.follow('GET', new URL(href, this.url).toString(), null, params);
  }

  private follow(method: string, url: string, body: unknown, params: unknown): Promise<K6Response> {
    if (!this.followUp) throw new Error('this response cannot send a follow-up request');
    return this.followUp(method, url, body, params);
  }

  /** OCSP stapling is not read by the built-in engine's client. */
  get ocsp(): never {
    throw new Error('Response.ocsp is not supported by the built-in engine (its TLS client does not request OCSP staples); run this script with --engine k6');
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
