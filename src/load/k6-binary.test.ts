import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../errors.js';
import { findK6, runK6Binary } from './k6-binary.js';
import { validateSummaryData } from './metrics/summary.js';
import type { Sample } from './metrics/types.js';

/**
 * k6 cannot be installed on this machine, so these tests put a stand-in `k6` executable on PATH:
 * a real process that takes k6's flags and writes k6's documented `--out json` lines (slowly, so
 * the adapter reads them while it runs) and a `--summary-export` file, then exits like k6.
 */
const bin = mkdtempSync(join(tmpdir(), 'peakready-fake-k6-'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));

const FAKE_K6 = `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2);
const out = args[args.indexOf('--out') + 1].replace(/^json=/, '');
const exportFile = args.find((a) => a.startsWith('--summary-export=')).slice('--summary-export='.length);
const mode = process.env.FAKE_K6_MODE;
fs.writeFileSync(process.env.FAKE_K6_ARGS, JSON.stringify(args));
const line = (o) => fs.appendFileSync(out, JSON.stringify(o) + '\\n');
const metric = (name, type, contains, submetrics = null) => line({ type: 'Metric', data: { name, type, contains, thresholds: [], submetrics }, metric: name });
const point = (name, value, tags) => line({ type: 'Point', data: { time: new Date().toISOString().replace('Z', '123Z'), value, tags }, metric: name });
metric('http_req_duration', 'trend', 'time', [{ name: 'http_req_duration{name:checkout}', suffix: 'name:checkout', tags: { name: 'checkout' } }]);
metric('http_reqs', 'counter', 'default');
metric('checks', 'rate', 'default');
metric('group_duration', 'trend', 'time');
let i = 0;
const one = () => {
  i++;
  const tags = { name: i % 2 ? 'checkout' : 'browse', status: '200', expected_response: 'true', group: '::shop' };
  point('http_req_duration', 10 * i, tags);
  point('http_reqs', 1, tags);
  point('checks', i % 4 ? 1 : 0, { check: 'status is 200', group: '::shop' });
  point('group_duration', 10 * i + 1, { group: '::shop' });
};
const finish = (code) => {
  fs.writeFileSync(exportFile, JSON.stringify({ root_group: {}, metrics: { http_req_duration: { 'p(95)': 1, thresholds: { 'p(95)<30': true, 'avg<1000': false } }, 'http_req_duration{name:checkout}': { max: 70, thresholds: { 'max<100': false } }, 'http_reqs{status:500}': { count: 0, thresholds: { 'count<1': false } } } }));
  // an unterminated last line, as a killed writer may leave
  fs.appendFileSync(out, JSON.stringify({ type: 'Point', data: { time: new Date().toISOString(), value: 1, tags: {} }, metric: 'http_reqs' }));
  console.log('k6 text summary goes to the log');
  process.exit(code);
};
if (mode === 'until-signal') {
  const timer = setInterval(one, 20);
  process.on('SIGTERM', () => { clearInterval(timer); finish(105); });
} else {
  for (let k = 0; k < 4; k++) one();
  setTimeout(() => { for (let k = 0; k < 4; k++) one(); finish(99); }, 1000);
}
`;
writeFileSync(join(bin, 'k6'), FAKE_K6);
chmodSync(join(bin, 'k6'), 0o755);
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_K6_ARGS: join(bin, 'args.json'), ...extra });

describe('findK6', () => {
  it('finds an executable k6 on PATH, and nothing on a PATH without one', () => {
    expect(findK6(env())).toBe(join(bin, 'k6'));
    expect(findK6({ PATH: '/nonexistent' })).toBeUndefined();
  });
});

describe('runK6Binary', () => {
  it('runs k6 with --out json and --summary-export, reads its samples live and returns k6-shaped data', async () => {
    const seen: Sample[] = [];
    const arrival: number[] = [];
    const result = await runK6Binary({
      script: 'scenarios/smoke.js',
      args: ['--vus', '2'],
      env: env(),
      pollMs: 50,
      onSample: (s) => {
        seen.push(s);
        arrival.push(performance.now());
      },
    });
    expect(result.exitCode).toBe(99);
    const args = JSON.parse((await import('node:fs')).readFileSync(join(bin, 'args.json'), 'utf8')) as string[];
    expect(args[0]).toBe('run');
    expect(args).toContain('--vus');
    expect(args[args.length - 1]).toBe('scenarios/smoke.js');
    // 8 iterations × 4 points, plus the final unterminated line
    expect(seen).toHaveLength(33);
    // read while k6 runs: the first 16 samples arrive well before k6's 1 s pause ends
    expect(arrival[16]! - arrival[15]!).toBeGreaterThan(200);
    const summary = validateSummaryData(JSON.parse(JSON.stringify(result.summary)));
    expect(summary.metrics.http_reqs!.values.count).toBe(9);
    expect(summary.metrics.http_req_duration!.values.max).toBe(80);
    expect(summary.metrics.http_req_duration!.thresholds).toEqual({ 'p(95)<30': { ok: false }, 'avg<1000': { ok: true } });
    expect(summary.metrics['http_req_duration{expected_response:true}']!.values.min).toBe(10);
    // the submetric k6 declared is tracked from the start; one it did not declare still shows its verdict
    expect(summary.metrics['http_req_duration{name:checkout}']).toMatchObject({ values: { max: 70, min: 10 }, thresholds: { 'max<100': { ok: true } } });
    expect(summary.metrics['http_reqs{status:500}']).toEqual({ type: 'counter', contains: 'default', values: { count: 0, rate: 0 }, thresholds: { 'count<1': { ok: true } } });
    expect(summary.metrics.checks!.values).toEqual({ rate: 6 / 8, passes: 6, fails: 2 });
    expect(summary.root_group.groups[0]!.checks[0]).toMatchObject({ name: 'status is 200', path: '::shop::status is 200', passes: 6, fails: 2 });
  });

  it('stops k6 when aborted and still returns what it wrote', async () => {
    const controller = new AbortController();
    // abort once k6 is producing samples (its SIGTERM handler is installed by then)
    const result = await runK6Binary({
      script: 's.js',
      args: [],
      env: env({ FAKE_K6_MODE: 'until-signal' }),
      signal: controller.signal,
      pollMs: 50,
      onSample: () => controller.abort(),
    });
    expect(result.exitCode).toBe(105);
    expect(result.summary.metrics.http_reqs!.values.count).toBeGreaterThan(1);
  });

  it('says how to get k6, or to use the built-in engine, when k6 is not on PATH', async () => {
    await expect(runK6Binary({ script: 's.js', args: [], env: { PATH: '/nonexistent' } })).rejects.toThrow(EnvironmentError);
    await expect(runK6Binary({ script: 's.js', args: [], env: { PATH: '/nonexistent' } })).rejects.toThrow(/no k6 executable on PATH.*--engine builtin/);
  });
});
