import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import type { RequestRecord } from '../run/records.js';
import { RunDirectory } from '../run/run-dir.js';
import { inspectScript, runLoadTest } from './run.js';
import { ScriptError } from './script/errors.js';
import { tempDir } from '../../test/support/temp-dir.js';

// A real node:http target: /slow waits 30 ms, /status/N answers N, everything else 200 JSON.
let server: Server;
let base: string;
const seen: IncomingHttpHeaders[] = [];
const dir = tempDir('peakready-load-');

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    const status = /^\/status\/(\d+)/.exec(req.url ?? '');
    const send = () => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-peakready-order-id', 'o-1');
      res.statusCode = status ? Number(status[1]) : 200;
      res.end(JSON.stringify({ items: [{ id: 'p-1' }, { id: 'p-2' }], path: req.url }));
    };
    if (req.url === '/login') {
      res.setHeader('set-cookie', 'session=vu-secret; Path=/');
      return res.end('ok');
    }
    if (req.url === '/whoami') return res.end(String(req.headers.cookie ?? ''));
    if (req.url === '/moved') {
      res.statusCode = 302;
      res.setHeader('location', '/landed');
      return res.end();
    }
    if (req.url === '/echo') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d));
      req.on('end', () => res.end(JSON.stringify({ method: req.method, type: req.headers['content-type'], body })));
      return;
    }
    if (req.url?.startsWith('/slow')) setTimeout(send, 30);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function script(name: string, source: string): string {
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
}

const run = (file: string, extra: Partial<Parameters<typeof runLoadTest>[0]> = {}) =>
  runLoadTest({ script: file, env: { BASE_URL: base }, quiet: true, stdout: () => {}, ...extra });

/**
 * Each test twice: on one worker per core (the engine's default), then as one instance on the
 * worker that ran the init context and setup (PEAKREADY_LOAD_WORKERS=1).
 */
function onBothThreads(name: string, tests: () => void): void {
  for (const oneWorker of [false, true]) {
    describe(`${name}${oneWorker ? ', one instance on the setup worker' : ''}`, () => {
      beforeAll(() => {
        if (oneWorker) process.env.PEAKREADY_LOAD_WORKERS = '1';
      });
      afterAll(() => {
        delete process.env.PEAKREADY_LOAD_WORKERS;
      });
      tests();
    });
  }
}

onBothThreads('runLoadTest against a local HTTP server', () => {
  it('runs a synchronous k6 script: groups, checks, custom metrics, setup data, __VU/__ITER', async () => {
    const file = script(
      'sync.js',
      `import http from 'k6/http';
import { check, group, sleep } from 'k6';
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';
import exec from 'k6/execution';

const orders = new Counter('orders_placed');
const basket = new Trend('basket_size');
const ok = new Rate('ok_rate');
const last = new Gauge('last_vu');
export const options = { scenarios: { shop: { executor: 'per-vu-iterations', vus: 2, iterations: 3 } } };

export function setup() {
  const res = http.get(__ENV.BASE_URL + '/products');
  return { ids: res.json('items').map((p) => p.id) };
}

function browse(data) {
  const res = http.get(__ENV.BASE_URL + '/products/' + data.ids[__ITER % data.ids.length], { tags: { name: 'product' } });
  check(res, { 'product is 200': (r) => r.status === 200, 'has items': (r) => r.json('items.#') === 2 });
  return res;
}

export default function (data) {
  group('browse', function () {
    browse(data);
    group('deeper', () => {
      const res = http.get(__ENV.BASE_URL + '/status/404', { tags: { name: 'missing' } });
      check(res, { 'missing is 404': (r) => r.status === 404 });
    });
  });
  orders.add(1, { vu: String(__VU) });
  basket.add(data.ids.length);
  ok.add(exec.scenario.name === 'shop');
  last.add(exec.vu.idInTest);
  sleep(0.01);
}
`,
    );
    const result = await run(file);
    expect(result.exitCode).toBe(0);
    const m = result.summary.metrics;
    expect(m.iterations!.values.count).toBe(6);
    expect(m.orders_placed!.values.count).toBe(6);
    expect(m.basket_size!.values.avg).toBe(2);
    expect(m.ok_rate!.values.rate).toBe(1);
    expect(m.http_reqs!.values.count).toBe(13); // 1 setup + 2 per iteration
    expect(m.http_req_failed!.values.rate).toBeCloseTo(6 / 13, 5); // 404s are failures by default
    const browse = result.summary.root_group.groups.find((g) => g.name === 'browse')!;
    expect(browse.path).toBe('::browse');
    expect(browse.checks.map((c) => [c.name, c.passes, c.fails])).toEqual([
      ['product is 200', 6, 0],
      ['has items', 6, 0],
    ]);
    expect(browse.groups[0]!.checks[0]).toMatchObject({ name: 'missing is 404', path: '::browse::deeper::missing is 404', passes: 6, fails: 0 });
  });

  it("sends a name's requests where options.hosts points them, with its Host header (setup too)", async () => {
    const port = (server.address() as AddressInfo).port;
    const file = script(
      'hosts.js',
      `import http from 'k6/http';
import { check } from 'k6';
export const options = { iterations: 2, hosts: { 'shop.example.test': '127.0.0.1:${port}' } };
export function setup() { return http.get('http://shop.example.test/status/201').status; }
export default function (code) {
  check(http.get('http://shop.example.test/products'), { 'mapped': (r) => r.status === 200 && code === 201 });
}
`,
    );
    seen.length = 0;
    const result = await run(file);
    expect(result.exitCode).toBe(0);
    expect(result.summary.metrics.checks!.values.rate).toBe(1);
    expect(seen.map((h) => h.host)).toEqual(['shop.example.test', 'shop.example.test', 'shop.example.test']);
  });

  it('runs an async script with http.asyncRequest and async default', async () => {
    const file = script(
      'async.js',
      `import http from 'k6/http';
import { check } from 'k6';
export const options = { iterations: 4, vus: 2 };
export default async function () {
  const [a, b] = await Promise.all([http.asyncRequest('GET', __ENV.BASE_URL + '/a'), http.asyncRequest('GET', __ENV.BASE_URL + '/b')]);
  check(a, { 'a ok': (r) => r.status === 200 && b.status === 200 });
}
`,
    );
    const result = await run(file);
    expect(result.exitCode).toBe(0);
    expect(result.summary.metrics.http_reqs!.values.count).toBe(8);
    expect(result.summary.metrics.checks!.values.rate).toBe(1);
  });

  it('exits 99 when a threshold fails, with the verdict in the summary', async () => {
    const file = script(
      'thresholds.js',
      `import http from 'k6/http';
export const options = { iterations: 5, thresholds: { 'http_req_duration{name:slow}': ['p(95)<1'], http_req_failed: ['rate<0.5'] } };
export default function () { http.get(__ENV.BASE_URL + '/slow', { tags: { name: 'slow' } }); }
`,
    );
    const result = await run(file);
    expect(result.exitCode).toBe(99);
    expect(result.thresholdsPassed).toBe(false);
    expect(result.summary.metrics['http_req_duration{name:slow}']!.thresholds!['p(95)<1']!.ok).toBe(false);
    expect(result.summary.metrics.http_req_failed!.thresholds!['rate<0.5']!.ok).toBe(true);
  });

  it('abortOnFail stops the run early (99), test.abort() ends it with 108', async () => {
    const abortOnFail = script(
      'abort-on-fail.js',
      `import http from 'k6/http';
export const options = { vus: 2, duration: '10m', thresholds: { http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: true }] } };
export default function () { http.get(__ENV.BASE_URL + '/status/500'); }
`,
    );
    // a 10-minute test that finishes at all was stopped by the threshold
    const first = await run(abortOnFail);
    expect(first.exitCode).toBe(99);
    expect(first.aborted).toMatch(/abortOnFail/);

    const testAbort = script(
      'test-abort.js',
      `import exec from 'k6/execution';
import { sleep } from 'k6';
export const options = { vus: 1, duration: '10m' };
export default function () { if (__ITER === 2) exec.test.abort('enough'); sleep(0.01); }
`,
    );
    const second = await run(testAbort);
    expect(second.exitCode).toBe(108);
    expect(second.aborted).toMatch(/enough/);
  });

  it('writes requests.ndjson with the traceparent it sent and x-peakready-* meta, and summary.json', async () => {
    seen.length = 0;
    const runDir = RunDirectory.create('run', dir);
    const file = script('records.js', `import http from 'k6/http';\nexport const options = { iterations: 3 };\nexport default function () { http.get(__ENV.BASE_URL + '/x', { tags: { name: 'x' } }); }\n`);
    const result = await run(file, { runDir });
    expect(result.exitCode).toBe(0);
    const records = runDir.readLines<RequestRecord>('requests');
    expect(records).toHaveLength(3);
    const sentTraceIds = seen.map((h) => String(h.traceparent).split('-')[1]);
    for (const r of records) {
      expect(r).toMatchObject({ scenario: 'default', name: 'x', method: 'GET', status: 200, failed: false, meta: { 'order-id': 'o-1' } });
      expect(sentTraceIds).toContain(r.traceId);
    }
    for (const h of seen) expect(h.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(JSON.parse(readFileSync(runDir.path('summary'), 'utf8')).metrics.http_reqs.values.count).toBe(3);
  });

  it('records coordinated-omission latency for arrival-rate scenarios', async () => {
    const file = script(
      'arrival.js',
      `import http from 'k6/http';
export const options = { scenarios: { steady: { executor: 'constant-arrival-rate', rate: 20, duration: '1s', preAllocatedVUs: 1, maxVUs: 10 } } };
export default function () { http.get(__ENV.BASE_URL + '/a'); }
`,
    );
    const result = await run(file, { overrides: {} });
    const dropped = result.summary.metrics.dropped_iterations?.values.count ?? 0;
    expect(result.summary.metrics.iterations!.values.count! + dropped).toBe(20);
    expect(result.summary.metrics.iteration_intended_latency!.values.max).toBeGreaterThanOrEqual(result.summary.metrics.iteration_duration!.values.max!);
  });
});

onBothThreads('k6/http behaviours', () => {
  it('keeps a cookie jar per VU, follows redirects, posts bodies, batches, and writes --out json', async () => {
    const out = join(dir, 'samples.json');
    const file = script(
      'http.js',
      `import http from 'k6/http';
import { check } from 'k6';
export const options = { vus: 2, iterations: 2 };
export default function () {
  if (__ITER === 0) http.get(__ENV.BASE_URL + '/login');
  const who = http.get(__ENV.BASE_URL + '/whoami');
  const moved = http.get(__ENV.BASE_URL + '/moved');
  const posted = http.post(__ENV.BASE_URL + '/echo', JSON.stringify({ a: 1 }), { headers: { 'Content-Type': 'application/json' } });
  const form = http.post(__ENV.BASE_URL + '/echo', { q: 'shoes' });
  const [a, b] = http.batch([__ENV.BASE_URL + '/a', ['GET', __ENV.BASE_URL + '/status/201']]);
  check(null, {
    'cookie sent back': () => who.body === 'session=vu-secret',
    'redirect followed': () => moved.status === 200 && moved.url.endsWith('/landed'),
    'json body': () => posted.json('body') === '{"a":1}' && posted.json('type') === 'application/json' && posted.request.headers['Content-Type'][0] === 'application/json',
    'form body': () => form.json('type') === 'application/x-www-form-urlencoded' && form.json('body') === 'q=shoes',
    'batch': () => a.status === 200 && b.status === 201,
  });
}
`,
    );
    const result = await run(file, { out: [`json=${out}`] });
    expect(result.summary.root_group.checks.map((c) => [c.name, c.fails]), JSON.stringify(result.summary.root_group.checks)).toEqual([
      ['cookie sent back', 0],
      ['redirect followed', 0],
      ['json body', 0],
      ['form body', 0],
      ['batch', 0],
    ]);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; metric: string });
    expect(lines.filter((l) => l.type === 'Point' && l.metric === 'http_reqs')).toHaveLength(result.summary.metrics.http_reqs!.values.count!);
  });

  it('times a request out with k6\'s 1050, and the next ones on the thread still get their answers', async () => {
    const file = script(
      'timeouts.js',
      `import http from 'k6/http';
import { check } from 'k6';
export const options = { iterations: 3 };
export default function () {
  const late = http.get(__ENV.BASE_URL + '/slow', { timeout: '5ms' });
  const ok = http.get(__ENV.BASE_URL + '/slow', { timeout: '1m30s' });
  check(null, { 'timed out': () => late.error_code === 1050 && late.status === 0, 'answered': () => ok.status === 200 });
}
`,
    );
    const result = await run(file);
    expect(result.summary.root_group.checks.map((c) => [c.name, c.passes, c.fails])).toEqual([
      ['timed out', 3, 0],
      ['answered', 3, 0],
    ]);
  });
});

describe('end of test', () => {
  it('handleSummary gets k6-shaped data; its files are written and the k6-summary jslib maps to our text summary', async () => {
    const target = join(dir, 'handled.json');
    const file = script(
      'handle-summary.js',
      `import http from 'k6/http';
import { textSummary } from 'https://jslib.k6.io/k6-summary/0.0.2/index.js';
export const options = { iterations: 2, thresholds: { http_reqs: ['count>=2'] } };
export function setup() { return { token: 't-1' }; }
export default function () { http.get(__ENV.BASE_URL + '/a'); }
export function handleSummary(data) {
  return { stdout: textSummary(data, { indent: ' ', enableColors: false }), ${JSON.stringify(target)}: JSON.stringify({ reqs: data.metrics.http_reqs.values.count, ok: data.metrics.http_reqs.thresholds['count>=2'].ok, setup: data.setup_data }) };
}
`,
    );
    let printed = '';
    const result = await run(file, { stdout: (t) => (printed += t) });
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(target, 'utf8'))).toEqual({ reqs: 2, ok: true, setup: { token: 't-1' } });
    expect(printed).toMatch(/http_reqs\.+: 2/);
  });
});

describe('bad scripts fail at start with file, line and field', () => {
  it('an unknown module names the module and --engine k6', async () => {
    const file = script('browser.js', `import http from 'k6/http';\nimport { browser } from 'k6/browser';\nexport default function () {}\n`);
    await expect(run(file)).rejects.toThrow(new ScriptError(`${file}:2: module "k6/browser" is not provided by the built-in engine; run this script with --engine k6 (a k6 binary on PATH)`));
  });

  it('a syntax error reports the original file:line:column', async () => {
    const file = script('syntax.js', `import http from 'k6/http';\n\nexport default function () {\n  const x = ;\n}\n`);
    await expect(run(file)).rejects.toThrow(`${file}:4:13: SyntaxError`);
  });

  it('an exception reports the original line (setup), past the rewrite', async () => {
    const file = script('throws.js', `import http from 'k6/http';\nexport function setup() {\n  const res = http.get(__ENV.BASE_URL + '/a');\n  return res.nothing.here;\n}\nexport default function () {}\n`);
    const error = await run(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScriptError);
    expect((error as ScriptError).exitCode).toBe(107);
    expect((error as Error).message).toContain(`${file}:4:`);
  });

  it('a blocking call inside .map() is refused with the fix', async () => {
    const file = script('map.js', `import http from 'k6/http';\nexport default function () {\n  ['/a'].map((p) => http.get(p));\n}\n`);
    await expect(run(file)).rejects.toThrow(/map\.js:3: .*\.map\(\) callback.*for\.\.\.of loop, or .*http\.batch/);
  });

  it('an unknown executor and bad option types are listed together', async () => {
    const file = script(
      'options.js',
      `export const options = { scenarios: { a: { executor: 'constant-vu', vus: 1 }, b: { executor: 'constant-arrival-rate', rate: 'ten', duration: '1x', preAllocatedVUs: 1 } } };\nexport default function () {}\n`,
    );
    const error = (await run(file).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('options.scenarios.a.executor: "constant-vu" is not an executor; did you mean "constant-vus"?');
    expect(error.message).toContain('options.scenarios.b.rate: must be a whole number, not "ten"');
    expect(error.message).toContain('options.scenarios.b.duration: "1x" is not a duration');
  });

  it('a remote host is refused without --allow-remote as k6 refuses a blocked one: no traffic, a failed response, the script goes on', async () => {
    const file = script(
      'remote.js',
      `import http from 'k6/http';
export function setup() {
  for (const [url, code] of [['http://192.0.2.1/', 1110], ['http://shop.example.com/', 1111]]) {
    const r = http.get(url);
    if (r.status !== 0 || r.error_code !== code || !String(r.error).includes('--allow-remote')) throw new Error('not refused: ' + url + ' ' + r.status + ' ' + r.error_code + ' ' + r.error);
  }
}
export default function () {}
`,
    );
    await expect(run(file)).resolves.toBeDefined();
  });

  it('inspectScript gives the scenarios as phase windows', async () => {
    const file = script(
      'phases.js',
      `export const options = { scenarios: {
  baseline: { executor: 'constant-arrival-rate', rate: 5, duration: '10s', preAllocatedVUs: 1 },
  surge: { executor: 'ramping-arrival-rate', startTime: '10s', stages: [{ duration: '5s', target: 50 }, { duration: '5s', target: 50 }], preAllocatedVUs: 1 },
} };\nexport default function () {}\n`,
    );
    const info = await inspectScript(file);
    expect(info.scenarios).toEqual([
      { name: 'baseline', startMs: 0, durationMs: 10_000, executor: 'constant-arrival-rate', peakRatePerSecond: 5 },
      { name: 'surge', startMs: 10_000, durationMs: 10_000, executor: 'ramping-arrival-rate', peakRatePerSecond: 50 },
    ]);
  });
});
