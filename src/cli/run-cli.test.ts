import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_HEADER } from '../load/metrics/csv-output.js';
import { queryPrometheus } from '../telemetry/metrics/prometheus-api.js';
import { prometheusInstalled, startPrometheus } from '../telemetry/metrics/prometheus-server.js';
import { runCli } from '../../test/support/cli.js';
import { tempDir } from '../../test/support/temp-dir.js';

// `peakready run` as a k6 user types it, against a real node:http target: /slow answers in 40 ms.
let server: Server;
let base: string;
let requests = 0;
const dir = tempDir('peakready-run-cli-');

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    const reply = () => res.end(JSON.stringify({ ok: true, path: req.url }));
    if (req.url?.startsWith('/slow')) setTimeout(reply, 40);
    else reply();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const SCRIPT = `
import http from 'k6/http';
import { check, group } from 'k6';
export const options = { vus: 1, iterations: 4, tags: { fromScript: 'yes' }, thresholds: { http_req_duration: ['p(95)<5000'] } };
export default function () {
  group('shop', () => {
    const res = http.get(__ENV.BASE_URL + '/slow');
    check(res, { 'status is 200': (r) => r.status === 200 });
  });
}
`;

describe('peakready run: k6 flags', () => {
  it("passes the system's environment to __ENV as k6 run does, under -e; --include-system-env-vars=false leaves it out", async () => {
    const script = file(
      'env.js',
      `export const options = { iterations: 1 };
export default function () { console.log('SHOP_REGION=' + __ENV.SHOP_REGION + ' TIER=' + __ENV.TIER); }
`,
    );
    const env = { ...process.env, SHOP_REGION: 'eu', TIER: 'system' };
    const withSystem = await runCli(['run', script, '-e', 'TIER=flag', '-q'], env);
    expect(withSystem.code, withSystem.stderr).toBe(0);
    expect(withSystem.stderr).toContain('SHOP_REGION=eu TIER=flag');
    const without = await runCli(['run', script, '-e', 'TIER=flag', '--include-system-env-vars=false', '-q'], env);
    expect(without.code, without.stderr).toBe(0);
    expect(without.stderr).toContain('SHOP_REGION=undefined TIER=flag');
    // a BASE_URL the environment holds is the script's data, as in k6; its requests off this machine are refused
    const remote = file('remote-env.js', `import http from 'k6/http';\nexport const options = { iterations: 1 };\nexport default function () { http.get(__ENV.BASE_URL + '/'); }\n`);
    const refused = await runCli(['run', remote, '-q'], { ...env, BASE_URL: 'http://shop.example.com' });
    expect(refused.code, refused.stderr).toBe(0);
    expect(refused.stderr).toContain('request to shop.example.com refused: peakready only sends load to 127.0.0.0/8 or ::1 unless you pass --allow-remote');
  });

  it('--stage replaces the scenarios with ramping-vus, --tag tags every sample, --out csv= writes k6 columns', async () => {
    const script = file('staged.js', SCRIPT);
    const csv = join(dir, 'samples.csv');
    const r = await runCli(['run', script, '--target', base, '-s', '1s:2', '--stage', '1s:0', '--tag', 'testid=pr-7', '--out', `csv=${csv}`, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const rows = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(rows[0]).toBe(CSV_HEADER);
    const header = rows[0]!.split(',');
    const reqs = rows.slice(1).map((row) => row.split(',')).filter((cells) => cells[0] === 'http_reqs');
    // ramping 0 -> 2 -> 0 VUs over 2 s: more than the script's 4 iterations of 1 VU
    expect(reqs.length).toBeGreaterThan(4);
    const cell = (cells: string[], column: string) => cells[header.indexOf(column)];
    expect(cell(reqs[0]!, 'metric_value')).toBe('1.000000');
    expect(cell(reqs[0]!, 'status')).toBe('200');
    expect(cell(reqs[0]!, 'group')).toBe('::shop');
    expect(cell(reqs[0]!, 'method')).toBe('GET');
    expect(Number(cell(reqs[0]!, 'timestamp'))).toBeCloseTo(Date.now() / 1000, -2);
    // --tag replaced the script's tags, as k6's flag does
    expect(cell(reqs[0]!, 'extra_tags')).toBe('testid=pr-7');
    // k6 1.x's compact summary by default
    expect(r.stdout).toContain('█ THRESHOLDS');
    expect(r.stdout).toMatch(/✓ 'p\(95\)<5000' p\(95\)=\d/);
    expect(r.stdout).toMatch(/checks_succeeded\.+: 100\.00% \d+ out of \d+/);
    expect(r.stdout).not.toContain('http_req_blocked');
  });

  it('closes with k6\'s "thresholds crossed" line and exits 99; --no-thresholds does not judge them', async () => {
    const script = file('strict.js', SCRIPT.replace("'p(95)<5000'", "'p(95)<1'"));
    const failed = await runCli(['run', script, '--target', base, '-q', '--summary-mode', 'full']);
    expect(failed.code).toBe(99);
    expect(failed.stderr).toMatch(/level=error msg="thresholds on metrics 'http_req_duration' have been crossed"/);
    expect(failed.stdout).toMatch(/✗ 'p\(95\)<1' p\(95\)=\d/);
    expect(failed.stdout).toContain('http_req_blocked'); // full mode shows every metric
    expect(failed.stdout).toContain('↳ GROUP: shop');
    const skipped = await runCli(['run', script, '--target', base, '-q', '--no-thresholds', '--summary-mode', 'legacy']);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).not.toContain('crossed');
    expect(skipped.stdout).toMatch(/http_req_duration\.+: avg=/); // k6's pre-1.0 layout
  });

  it('an invalid configuration exits 104 (k6\'s code): script options, the --config file, an output', async () => {
    const badOptions = await runCli(['run', file('bad.js', SCRIPT.replace('iterations: 4', "iterations: 'four'")), '--target', base]);
    expect(badOptions.code).toBe(104);
    expect(badOptions.stderr).toMatch(/bad\.js options\.iterations/);
    const badConfig = await runCli(['run', file('ok.js', SCRIPT), '--target', base, '--config', file('config.json', '{"vus": 2,')]);
    expect(badConfig.code).toBe(104);
    expect(badConfig.stderr).toContain('config.json: is not JSON');
    const badOut = await runCli(['run', file('ok.js', SCRIPT), '--target', base, '--out', 'influxdb=http://127.0.0.1:8086/k6']);
    expect(badOut.code).toBe(104);
    expect(badOut.stderr).toMatch(/"influxdb" is one of k6's outputs .* --engine k6/);
  });

  it('--config lays k6\'s JSON config under the script: its thresholds apply, the script\'s execution options win', async () => {
    const config = file('k6.json', JSON.stringify({ vus: 3, duration: '1m', thresholds: { checks: ['rate>0.99'] }, summaryTrendStats: ['min', 'max', 'count'] }));
    const script = file('cfg.js', SCRIPT.replace(", thresholds: { http_req_duration: ['p(95)<5000'] }", ''));
    const r = await runCli(['run', script, '--target', base, '--config', config, '-q', '--summary-export', join(dir, 'export.json')]);
    expect(r.code, r.stderr).toBe(0);
    const exported = JSON.parse(readFileSync(join(dir, 'export.json'), 'utf8')) as { metrics: Record<string, Record<string, unknown>> };
    expect(exported.metrics.http_reqs!.count).toBe(4); // the script's 4 iterations, not 3 VUs for 1m
    expect(Object.keys(exported.metrics.http_req_duration!)).toEqual(expect.arrayContaining(['min', 'max', 'count']));
    expect(exported.metrics.checks!.thresholds).toEqual({ 'rate>0.99': false });
  });

  it('--http-debug prints each request and response; =full adds the bodies', async () => {
    const script = file('one.js', SCRIPT.replace('iterations: 4', 'iterations: 1'));
    const headers = await runCli(['run', '--http-debug', script, '--target', base, '-q']);
    expect(headers.code, headers.stderr).toBe(0);
    expect(headers.stderr).toMatch(/Request:\nGET \/slow HTTP\/1\.1\nHost: 127\.0\.0\.1:\d+\n/);
    expect(headers.stderr).toMatch(/Response:\nHTTP\/1\.1 200 OK\n/);
    expect(headers.stderr).not.toContain('"ok":true');
    const full = await runCli(['run', script, '--http-debug=full', '--target', base, '-q']);
    expect(full.stderr).toContain('{"ok":true,"path":"/slow"}');
  });

  it('an unknown flag: a k6 flag peakready lacks says so; a typo names the nearest flag', async () => {
    const k6Flag = await runCli(['run', 'x.js', '--rps', '10']);
    expect(k6Flag.code).toBe(2);
    expect(k6Flag.stderr).toMatch(/unknown option '--rps': k6's --rps is not supported by peakready run \(use an arrival-rate scenario/);
    const typo = await runCli(['run', 'x.js', '--duraton', '10s']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('(Did you mean --duration?)');
    expect(typo.stderr).not.toContain('--target');
  });
});

describe.runIf(prometheusInstalled())('peakready run --out experimental-prometheus-rw', () => {
  it("lands the generator's metrics in Debian's Prometheus under k6's names, queryable back", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const prometheus = await startPrometheus({ targets: [], port, scrapeIntervalMs: 1000 });
    try {
      const before = requests;
      const script = file('rw.js', SCRIPT.replace('iterations: 4', 'iterations: 12'));
      const r = await runCli(['run', script, '--target', base, '-q', '-o', 'experimental-prometheus-rw', '--tag', 'testid=rw-1', '--summary-export', join(dir, 'rw.json')], {
        ...process.env,
        K6_PROMETHEUS_RW_SERVER_URL: `${prometheus.url}/api/v1/write`,
        K6_PROMETHEUS_RW_TREND_STATS: 'p(95),max,count',
        K6_PROMETHEUS_RW_PUSH_INTERVAL: '500ms',
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toContain('failed');
      expect(requests - before).toBe(12);
      const exported = JSON.parse(readFileSync(join(dir, 'rw.json'), 'utf8')) as { metrics: Record<string, Record<string, number>> };
      const value = async (promql: string) => (await queryPrometheus(prometheus.url, promql))[0]?.value;
      await expect.poll(() => value('sum(k6_http_reqs_total{testid="rw-1"})'), { timeout: 20_000, interval: 500 }).toBe(12);
      expect(await value('sum(k6_http_req_duration_count{testid="rw-1", expected_response="true"})')).toBe(12);
      // time values in seconds, as k6 sends them: the max is the summary's max (ms) / 1000
      expect(await value('max(k6_http_req_duration_max{testid="rw-1"})')).toBeCloseTo(exported.metrics.http_req_duration!.max! / 1000, 3);
      expect(await value('max(k6_http_req_duration_p95{testid="rw-1"})')).toBeGreaterThan(0.03);
      expect(await value('max(k6_checks_rate{testid="rw-1", check="status is 200"})')).toBe(1);
      expect(await value('max(k6_vus_max{testid="rw-1"})')).toBe(1);
    } finally {
      await prometheus.stop();
    }
  });

  it('a push that fails is said once, and the run still ends with its own verdict', async () => {
    const r = await runCli(['run', file('rw-down.js', SCRIPT), '--target', base, '-q', '-o', 'experimental-prometheus-rw'], {
      ...process.env,
      K6_PROMETHEUS_RW_SERVER_URL: 'http://127.0.0.1:9/api/v1/write',
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/--out experimental-prometheus-rw: push to http:\/\/127\.0\.0\.1:9\/api\/v1\/write failed/);
  });
});

describe('--out csv=FILE.gz', () => {
  it('is gzipped, as k6 does', async () => {
    const out = join(dir, 'samples.csv.gz');
    const r = await runCli(['run', file('gz.js', SCRIPT), '--target', base, '-q', '--out', `csv=${out}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(gunzipSync(readFileSync(out)).toString('utf8').split('\n')[0]).toBe(CSV_HEADER);
  });
});
