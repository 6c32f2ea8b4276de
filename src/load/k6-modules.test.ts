import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenHttp, type HttpTarget } from '../../test/support/http-target.js';
import { tempDir } from '../../test/support/temp-dir.js';
import type { K6SummaryData } from './metrics/summary.js';
import { runLoadTest } from './run.js';

/**
 * k6's modules end to end: scripts run by the built-in engine against a real node:http server,
 * which serves HTML pages, checks Basic and Digest credentials, echoes requests, keeps what the
 * scripts report (POST /report) and serves remote modules (/lib/...).
 */

let target: HttpTarget;
let base: string;
const reports: unknown[] = [];
const received: Array<{ method: string; url: string; type?: string; body: string; cookie?: string; authorization?: string }> = [];
const libFetches: string[] = [];
const dir = tempDir('peakready-k6-modules-');

const PAGE = `<html><head><title>Doorbusters</title></head><body>
<form action="/buy?src=page" method="post"><input name="sku" value="tv-1"><input name="qty" value="1">
<input type="checkbox" name="extras" value="warranty" checked><button type="submit" name="go" value="buy">Buy</button></form>
<a class="next" href="/next?page=2">next</a></body></html>`;

/** RFC 7616 on the server side: a nonce per challenge, the response checked with the stored password. */
const DIGEST_REALM = 'shop';
const nonces = new Set<string>();
function digestOk(req: IncomingMessage, password: string): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Digest ')) return false;
  const p: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) p[m[1]!] = m[2] ?? m[3]!;
  const algo = (p.algorithm ?? 'MD5') === 'SHA-256' ? 'sha256' : 'md5';
  const H = (s: string) => createHash(algo).update(s).digest('hex');
  const expected = H(`${H(`${p.username}:${DIGEST_REALM}:${password}`)}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${H(`${req.method}:${p.uri}`)}`);
  return nonces.has(p.nonce!) && p.uri === req.url && p.qop === 'auth' && p.response === expected;
}

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url!, base);
  received.push({ method: req.method!, url: req.url!, type: req.headers['content-type'], body, cookie: req.headers.cookie, authorization: req.headers.authorization });
  if (url.pathname === '/report') {
    reports.push(JSON.parse(body));
    return void res.end('ok');
  }
  if (url.pathname === '/page') return void res.setHeader('content-type', 'text/html').end(PAGE);
  if (url.pathname.startsWith('/lib/')) {
    libFetches.push(url.pathname);
    const libs: Record<string, string> = {
      '/lib/utils.js': "import { twice } from './math.js';\nexport function label(n) { return 'x' + twice(n); }\nexport default { version: '1.0' };\n",
      '/lib/math.js': 'export const twice = (n) => n * 2;\n',
      // a UMD bundle, as some jslib modules are: k6 takes it as CommonJS
      '/lib/papa.js': "!function (root, f) { typeof module === 'object' && module.exports ? (module.exports = f()) : (root.Papa = f()); }(this, function () { return { parse: (s) => ({ data: s.split(',') }) }; });\n",
    };
    if (!libs[url.pathname]) return void res.writeHead(404).end();
    return void res.setHeader('content-type', 'application/javascript').end(libs[url.pathname]);
  }
  if (url.pathname === '/basic') {
    const ok = req.headers.authorization === `Basic ${Buffer.from('shopper:p@ss word').toString('base64')}`;
    return void res.writeHead(ok ? 200 : 401).end(ok ? 'welcome' : 'no');
  }
  if (url.pathname === '/digest') {
    if (digestOk(req, 'Circle of Life')) return void res.end('digest welcome');
    const nonce = randomBytes(12).toString('hex');
    nonces.add(nonce);
    res.setHeader('www-authenticate', `Digest realm="${DIGEST_REALM}", qop="auth", algorithm=${url.searchParams.get('alg') ?? 'MD5'}, nonce="${nonce}", opaque="op"`);
    return void res.writeHead(401).end('challenge');
  }
  res.setHeader('content-type', 'text/plain');
  res.end(`${req.method} ${req.url}`);
}

beforeAll(async () => {
  target = await listenHttp(route);
  base = target.base;
});
afterAll(() => target.close());

function script(name: string, source: string): string {
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
}

const run = (file: string, extra: Partial<Parameters<typeof runLoadTest>[0]> = {}) => runLoadTest({ script: file, env: { BASE_URL: base }, quiet: true, stdout: () => {}, ...extra });

/** Every check of the summary with its passes and fails, by path. */
function checks(summary: K6SummaryData): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  const walk = (g: K6SummaryData['root_group']) => {
    for (const c of g.checks) out[c.name] = [c.passes, c.fails];
    for (const sub of g.groups) walk(sub);
  };
  walk(summary.root_group);
  return out;
}

describe('k6 modules in the built-in engine', () => {
  it('k6/encoding, k6/crypto and the global WebCrypto give what k6 gives', async () => {
    reports.length = 0;
    const file = script(
      'crypto.js',
      `import http from 'k6/http';
import encoding from 'k6/encoding';
import { sha256, createHMAC, md4 } from 'k6/crypto';
export const options = { iterations: 1 };
export default async function () {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode('s3cret'), { name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']);
  const sig = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode('order-42'));
  const h = createHMAC('sha256', 's3cret');
  h.update('order-42');
  let refused = '';
  try { await crypto.subtle.digest('MD5', new Uint8Array(1)); } catch (e) { refused = e.name; }
  http.post(__ENV.BASE_URL + '/report', JSON.stringify({
    b64: encoding.b64encode('hello world', 'rawurl'),
    back: encoding.b64decode('aGVsbG8gd29ybGQ=', 'std', 's'),
    sha: sha256('hello world!', 'hex'),
    md4: md4('abc', 'hex'),
    webSig: encoding.b64encode(sig),
    k6Sig: h.digest('base64'),
    key: JSON.parse(JSON.stringify(key)),
    uuid: crypto.randomUUID(),
    refused,
  }));
}
`,
    );
    const result = await run(file);
    expect(result.exitCode).toBe(0);
    const r = reports[0] as Record<string, unknown>;
    expect(r).toMatchObject({
      b64: 'aGVsbG8gd29ybGQ',
      back: 'hello world',
      sha: '7509e5bda0c762d2bac7f90d758b5b2263fa01ccbc542ab5e3df163be08e6ca9',
      md4: 'a448017aaf21d8525fc10ae87aa6729d',
      key: { type: 'secret', extractable: true, algorithm: { name: 'HMAC', hash: { name: 'SHA-256' } }, usages: ['sign', 'verify'] },
      refused: 'NotSupportedError',
    });
    expect(r.webSig).toBe(r.k6Sig);
    expect(r.uuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('k6/html and Response.html(), submitForm() and clickLink() against a real page', async () => {
    received.length = 0;
    const file = script(
      'html.js',
      `import http from 'k6/http';
import { check } from 'k6';
import { parseHTML } from 'k6/html';
export const options = { iterations: 1 };
export default function () {
  const page = http.get(__ENV.BASE_URL + '/page');
  check(page, {
    title: (r) => r.html('title').text() === 'Doorbusters',
    'parseHTML': (r) => parseHTML(r.body).find('a.next').attr('href') === '/next?page=2',
  });
  const bought = page.submitForm({ fields: { qty: '3' } });
  check(bought, { 'form posted': (r) => r.status === 200 && r.body === 'POST /buy?src=page' });
  const next = page.clickLink({ selector: 'a.next' });
  check(next, { 'link followed': (r) => r.body === 'GET /next?page=2' });
}
`,
    );
    const result = await run(file);
    expect(result.exitCode).toBe(0);
    expect(checks(result.summary)).toEqual({ title: [1, 0], parseHTML: [1, 0], 'form posted': [1, 0], 'link followed': [1, 0] });
    const post = received.find((r) => r.method === 'POST')!;
    expect(post.type).toBe('application/x-www-form-urlencoded');
    expect(post.body).toBe('extras=warranty&go=buy&qty=3&sku=tv-1');
  });

  it('credentials in the URL (Basic, and Digest with params.auth), form arrays, get(url, null, params), CookieJar.set options', async () => {
    received.length = 0;
    const file = script(
      'http.js',
      `import http from 'k6/http';
import { check } from 'k6';
export const options = { iterations: 1 };
export default function () {
  const host = __ENV.BASE_URL.replace('http://', '');
  check(http.get('http://shopper:p%40ss%20word@' + host + '/basic'), { basic: (r) => r.status === 200 });
  check(http.get('http://Mufasa:Circle%20of%20Life@' + host + '/digest', { auth: 'digest' }), { 'digest md5': (r) => r.status === 200 && r.body === 'digest welcome' });
  check(http.get('http://Mufasa:Circle%20of%20Life@' + host + '/digest?alg=SHA-256', { auth: 'digest' }), { 'digest sha-256': (r) => r.status === 200 });
  check(http.get('http://Mufasa:wrong@' + host + '/digest', { auth: 'digest' }), { 'wrong password': (r) => r.status === 401 });
  http.post(__ENV.BASE_URL + '/form', { size: ['S', 'M'], color: 'red' });
  check(http.get(__ENV.BASE_URL + '/nullbody', null, { headers: { 'X-Ignored': '1' } }), { 'get with null': (r) => r.status === 200 });
  const jar = http.cookieJar();
  jar.set(__ENV.BASE_URL, 'cart', 'c1', { path: '/cart' });
  jar.set(__ENV.BASE_URL, 'gone', 'g', { max_age: 0 });
  jar.set(__ENV.BASE_URL, 'secure', 's', { secure: true });
  http.get(__ENV.BASE_URL + '/cart/items');
  http.get(__ENV.BASE_URL + '/home');
}
`,
    );
    const samples = join(dir, 'http-samples.json');
    const result = await run(file, { out: [`json=${samples}`] });
    expect(result.exitCode).toBe(0);
    expect(checks(result.summary)).toEqual({ basic: [1, 0], 'digest md5': [1, 0], 'digest sha-256': [1, 0], 'wrong password': [1, 0], 'get with null': [1, 0] });
    // each digest exchange is two requests: the challenge (expected) and the answer
    expect(received.filter((r) => r.url.startsWith('/digest')).map((r) => r.authorization?.split(' ')[0] ?? 'none')).toEqual(['none', 'Digest', 'none', 'Digest', 'none', 'Digest']);
    expect(received.find((r) => r.url === '/form')!.body).toBe('color=red&size=S&size=M');
    expect(received.find((r) => r.url === '/cart/items')!.cookie).toBe('cart=c1');
    expect(received.find((r) => r.url === '/home')!.cookie).toBeUndefined();
    // credentials never reach the samples' url and name tags: k6 masks them
    const written = readFileSync(samples, 'utf8');
    expect(written).not.toContain('Circle');
    expect(written).toContain('"url":"http://****:****@127.0.0.1');
  });

  it('k6/secrets reads --secret-source file and mock sources, in setup() (VU 0 on the first worker) too', async () => {
    reports.length = 0;
    const secretsFile = join(dir, 'secrets.txt');
    writeFileSync(secretsFile, 'api_token=tok=123\n');
    const file = script(
      'secrets.js',
      `import http from 'k6/http';
import secrets from 'k6/secrets';
export const options = { iterations: 1 };
export async function setup() {
  return { inSetup: await secrets.get('api_token') };
}
export default async function (data) {
  let missing = '';
  try { await secrets.get('nope'); } catch (e) { missing = e.message; }
  http.post(__ENV.BASE_URL + '/report', JSON.stringify({ token: await secrets.get('api_token'), mock: await secrets.source('cli').get('pin'), missing, inSetup: data.inSetup }));
}
`,
    );
    const result = await run(file, { secretSources: [`file=${secretsFile},default`, 'mock=pin=0000,name=cli'] });
    expect(result.exitCode).toBe(0);
    expect(reports[0]).toEqual({ token: 'tok=123', mock: '0000', missing: 'secrets.get("nope"): no such secret', inSetup: 'tok=123' });
  });

  it('k6/experimental/fs and csv read a data file opened in the init context', async () => {
    reports.length = 0;
    writeFileSync(join(dir, 'users.csv'), 'name,age\nJohn,30\n"Doe, Jane",25\n');
    const file = script(
      'csv.js',
      `import http from 'k6/http';
import { open, SeekMode } from 'k6/experimental/fs';
import csv from 'k6/experimental/csv';
const file = await open('users.csv');
const users = await csv.parse(file, { asObjects: true });
export const options = { iterations: 1 };
export default async function () {
  const parser = new csv.Parser(file, { skipFirstLine: true });
  const first = await parser.next();
  const info = await file.stat();
  await file.seek(0, SeekMode.Start);
  const head = new Uint8Array(4);
  await file.read(head);
  http.post(__ENV.BASE_URL + '/report', JSON.stringify({ users, first: first.value, size: info.size, head: String.fromCharCode(...head) }));
}
`,
    );
    const result = await run(file);
    expect(result.exitCode).toBe(0);
    expect(reports[0]).toEqual({ users: [{ name: 'John', age: '30' }, { name: 'Doe, Jane', age: '25' }], first: ['John', '30'], size: 32, head: 'name' });
  });

  it("waits for fs, csv, secrets and stream reads a synchronous function started: their .then runs inside the iteration", async () => {
    writeFileSync(join(dir, 'words.csv'), 'word\nalpha\nbeta\n');
    const file = script(
      'async-apis.js',
      `import { open } from 'k6/experimental/fs';
import csv from 'k6/experimental/csv';
import secrets from 'k6/secrets';
import { ReadableStream } from 'k6/experimental/streams';
import { Counter } from 'k6/metrics';
const settled = new Counter('settled');
const file = await open('words.csv');
export const options = { iterations: 2 };
export default function () {
  // nothing here is awaited: the VU's event loop keeps the iteration open until each .then has run
  file.stat().then((info) => file.seek(0).then(() => file.read(new Uint8Array(info.size)))).then((n) => settled.add(1, { api: 'fs', ok: String(n === 16) }));
  new csv.Parser(file, { skipFirstLine: true }).next().then((r) => settled.add(1, { api: 'csv', ok: String(r.value[0] === 'alpha') }));
  secrets.get('pin').then((pin) => settled.add(1, { api: 'secrets', ok: String(pin === '0000') }));
  const stream = new ReadableStream({ start(controller) { setTimeout(() => { controller.enqueue('chunk'); controller.close(); }, 100); } });
  stream.getReader().read().then((r) => settled.add(1, { api: 'streams', ok: String(r.value === 'chunk') }));
}
`,
    );
    const result = await run(file, { secretSources: ['mock=pin=0000'], out: [`json=${join(dir, 'async-apis.ndjson')}`] });
    expect(result.exitCode).toBe(0);
    const samples = readFileSync(join(dir, 'async-apis.ndjson'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"metric":"settled"') && line.includes('"type":"Point"'))
      .map((line) => (JSON.parse(line) as { data: { tags: Record<string, string> } }).data.tags);
    expect(samples.map((t) => `${t.api}:${t.ok}`).sort()).toEqual(['csv:true', 'csv:true', 'fs:true', 'fs:true', 'secrets:true', 'secrets:true', 'streams:true', 'streams:true']);
  });

  it('runs a TypeScript entry script importing a .ts file, and reports errors at the .ts line', async () => {
    script('price.ts', `export interface Item { sku: string; cents: number }\nexport function total(items: Item[]): number {\n  return items.reduce((s, i) => s + i.cents, 0);\n}\n`);
    const file = script(
      'shop.ts',
      `import http from 'k6/http';
import { check } from 'k6';
import { total, type Item } from './price.ts';

type Options = { iterations: number };
export const options: Options = { iterations: 2 };

export default function (): void {
  const items: Item[] = [{ sku: 'a', cents: 250 }, { sku: 'b', cents: 100 }];
  const res = http.get(\`\${__ENV.BASE_URL}/ts\`);
  check(res, { 'typed total': (r) => r.status === 200 && total(items) === 350 });
}
`,
    );
    const result = await run(file);
    expect(result.exitCode).toBe(0);
    expect(checks(result.summary)).toEqual({ 'typed total': [2, 0] });
    // the type lines vanish when types are stripped: the position must still be the .ts one
    const boom = script('boom.ts', `interface Cart {\n  items: string[];\n}\ntype Id = string;\nconst cart = null as unknown as Cart;\nconst n: number = cart.items.length;\nexport default function () {}\n`);
    await expect(run(boom)).rejects.toThrow(`init context: ${boom}:6:`);
    const failing = script('bad.ts', `const n: number = 1;\nexport default function () {\n  const x: number = ;\n}\n`);
    await expect(run(failing)).rejects.toThrow(`${failing}:3:21: SyntaxError`);
  });

  it('fetches remote modules once into the cache, works from the cache offline, and names the URL and cache when it cannot', async () => {
    const home = join(dir, 'home');
    mkdirSync(home);
    const previous = process.env.PEAKREADY_HOME;
    process.env.PEAKREADY_HOME = home;
    try {
      libFetches.length = 0;
      reports.length = 0;
      const file = script(
        'remote.js',
        `import http from 'k6/http';
import utils, { label } from '${base}/lib/utils.js';
import papa from '${base}/lib/papa.js';
export const options = { iterations: 1 };
export default function () { http.post(__ENV.BASE_URL + '/report', JSON.stringify({ label: label(21), version: utils.version, csv: papa.parse('a,b').data })); }
`,
      );
      expect((await run(file)).exitCode).toBe(0);
      expect(reports[0]).toEqual({ label: 'x42', version: '1.0', csv: ['a', 'b'] });
      expect(libFetches.sort()).toEqual(['/lib/math.js', '/lib/papa.js', '/lib/utils.js']);
      expect(readdirSync(join(home, 'cache', 'modules'))).toHaveLength(1);
      expect((await run(file)).exitCode).toBe(0);
      expect(libFetches).toHaveLength(3); // the second run read the cache

      const missing = script('offline.js', `import { x } from 'http://127.0.0.1:9/lib/never.js';\nexport default function () {}\n`);
      await expect(run(missing)).rejects.toThrow(
        new RegExp(`offline\\.js:1: cannot fetch remote module http://127\\.0\\.0\\.1:9/lib/never\\.js \\(.*\\), and it is not in the module cache ${home}/cache/modules`),
      );
      const plain = script('plain-http.js', `import { x } from 'http://192.0.2.1/lib.js';\nexport default function () {}\n`);
      await expect(run(plain)).rejects.toThrow(/remote module http:\/\/192\.0\.2\.1\/lib\.js: k6 loads remote modules over https:\/\/; http:\/\/ is accepted for loopback hosts only/);
    } finally {
      if (previous === undefined) delete process.env.PEAKREADY_HOME;
      else process.env.PEAKREADY_HOME = previous;
    }
  });

  it('says a module k6 removed was removed, and what replaced it', async () => {
    const redis = script('redis.js', `import redis from 'k6/experimental/redis';\nexport default function () {}\n`);
    await expect(run(redis)).rejects.toThrow(`${redis}:1: k6/experimental/redis was removed from k6 (v2): use the xk6-redis extension`);
    const browser = script('old-browser.js', `import { browser } from 'k6/experimental/browser';\nexport default function () {}\n`);
    await expect(run(browser)).rejects.toThrow(/k6\/experimental\/browser was removed from k6 .*: import k6\/browser instead/);
    const webcrypto = script('old-webcrypto.js', `import { crypto } from 'k6/experimental/webcrypto';\nexport default function () {}\n`);
    await expect(run(webcrypto)).rejects.toThrow(/remove the import and use crypto\.subtle/);
  });
});
