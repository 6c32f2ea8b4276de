/**
 * A VU's cookie jar, after RFC 6265: cookies keyed by name, domain and path, with host-only and
 * domain cookies, path matching, expiry (Expires and Max-Age), Secure (https only) and HttpOnly
 * kept. `set()` takes k6's options: { domain, path, expires, max_age, secure, http_only }.
 */

interface StoredCookie {
  name: string;
  value: string;
  /** lower case, without a leading dot */
  domain: string;
  hostOnly: boolean;
  path: string;
  /** epoch ms; undefined for a session cookie */
  expires?: number;
  secure: boolean;
  httpOnly: boolean;
}

export interface CookieOptions {
  domain?: string;
  path?: string;
  expires?: string;
  max_age?: number;
  secure?: boolean;
  http_only?: boolean;
}

function parseUrl(url: string, what: string): URL {
  try {
    return new URL(String(url));
  } catch {
    throw new TypeError(`CookieJar.${what}: "${String(url)}" is not a URL`);
  }
}

/** RFC 6265 5.1.4: the directory of the request path. */
function defaultPath(url: URL): string {
  const path = url.pathname;
  if (!path.startsWith('/') || path.lastIndexOf('/') === 0) return '/';
  return path.slice(0, path.lastIndexOf('/'));
}

function domainMatches(host: string, cookie: StoredCookie): boolean {
  if (cookie.hostOnly) return host === cookie.domain;
  return host === cookie.domain || host.endsWith('.' + cookie.domain);
}

function pathMatches(path: string, cookiePath: string): boolean {
  if (path === cookiePath) return true;
  if (!path.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || path[cookiePath.length] === '/';
}

export class CookieJar {
  private cookies: StoredCookie[] = [];

  /** k6's jar.set(url, name, value, [options]). */
  set(url: string, name: string, value: string, options: CookieOptions = {}): void {
    const u = parseUrl(url, 'set');
    const opts = options ?? {};
    let expires: number | undefined;
    if (opts.max_age !== undefined && opts.max_age !== null) expires = Date.now() + Number(opts.max_age) * 1000;
    else if (opts.expires) {
      expires = Date.parse(opts.expires);
      if (Number.isNaN(expires)) throw new TypeError(`CookieJar.set("${name}"): expires "${opts.expires}" is not a date (use an RFC 1123 date such as "Mon, 02 Jan 2006 15:04:05 GMT")`);
    }
    const domain = opts.domain ? opts.domain.replace(/^\./, '').toLowerCase() : undefined;
    this.store({
      name: String(name),
      value: String(value),
      domain: domain ?? u.hostname.toLowerCase(),
      hostOnly: domain === undefined,
      path: opts.path && opts.path.startsWith('/') ? opts.path : defaultPath(u),
      expires,
      secure: Boolean(opts.secure),
      httpOnly: Boolean(opts.http_only),
    });
  }

  /** `{ name: [value, ...] }` of the cookies a request to the URL would send. */
  cookiesForURL(url: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const c of this.matching(parseUrl(url, 'cookiesForURL'))) (out[c.name] ??= []).push(c.value);
    return out;
  }

  clear(url: string): void {
    const u = parseUrl(url, 'clear');
    const host = u.hostname.toLowerCase();
    this.cookies = this.cookies.filter((c) => !domainMatches(host, c));
  }

  delete(url: string, name: string): void {
    const u = parseUrl(url, 'delete');
    const host = u.hostname.toLowerCase();
    this.cookies = this.cookies.filter((c) => !(c.name === name && domainMatches(host, c)));
  }

  /** The Cookie header for a request to this URL, or undefined. */
  header(url: URL): string | undefined {
    if (this.cookies.length === 0) return undefined;
    const found = this.matching(url);
    return found.length ? found.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  /** Takes a response's Set-Cookie lines. */
  absorb(url: URL, setCookie: string | string[] | undefined): void {
    if (!setCookie) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const cookie = parseSetCookie(line, url);
      if (cookie) this.store(cookie);
    }
  }

  private store(cookie: StoredCookie): void {
    this.cookies = this.cookies.filter((c) => !(c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path));
    if (cookie.expires === undefined || cookie.expires > Date.now()) this.cookies.push(cookie);
  }

  /** Longer paths first, as RFC 6265 5.4 orders them. */
  private matching(url: URL): StoredCookie[] {
    const now = Date.now();
    this.cookies = this.cookies.filter((c) => c.expires === undefined || c.expires > now);
    const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
    const secure = url.protocol === 'https:';
    return this.cookies.filter((c) => domainMatches(host, c) && pathMatches(url.pathname || '/', c.path) && (!c.secure || secure)).sort((a, b) => b.path.length - a.path.length);
  }
}

/** One Set-Cookie line (RFC 6265 5.2); undefined when it must be ignored. */
function parseSetCookie(line: string, url: URL): StoredCookie | undefined {
  const [pair, ...attrs] = line.split(';');
  const eq = pair!.indexOf('=');
  if (eq <= 0) return undefined;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const cookie: StoredCookie = { name: pair!.slice(0, eq).trim(), value: pair!.slice(eq + 1).trim(), domain: host, hostOnly: true, path: defaultPath(url), secure: false, httpOnly: false };
  let maxAge: number | undefined;
  for (const attr of attrs) {
    const i = attr.indexOf('=');
    const key = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase();
    const value = i < 0 ? '' : attr.slice(i + 1).trim();
    if (key === 'domain' && value) {
      const domain = value.replace(/^\./, '').toLowerCase();
      if (host !== domain && !host.endsWith('.' + domain)) return undefined; // a domain the host is not in
      cookie.domain = domain;
      cookie.hostOnly = false;
    } else if (key === 'path' && value.startsWith('/')) cookie.path = value;
    else if (key === 'max-age' && /^-?\d+$/.test(value)) maxAge = Number(value);
    else if (key === 'expires' && !Number.isNaN(Date.parse(value))) cookie.expires = Date.parse(value);
    else if (key === 'secure') cookie.secure = true;
    else if (key === 'httponly') cookie.httpOnly = true;
  }
  if (maxAge !== undefined) cookie.expires = maxAge <= 0 ? 0 : Date.now() + maxAge * 1000;
  return cookie;
}
