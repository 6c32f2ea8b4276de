import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors.js';
import { CSV_HEADER, csvConfig, csvField, CsvOutput, csvTime } from './csv-output.js';
import { openOutput } from './outputs.js';
import { prometheusRwConfig } from './prometheus-rw-config.js';
import { PrometheusRemoteWriteOutput, statSuffix } from './prometheus-rw-output.js';
import { encodeWriteRequest, promName } from './remote-write-encode.js';
import { tempDir } from '../../../test/support/temp-dir.js';

const context = { thresholds: new Map(), env: {}, collectors: {}, allowRemote: false };

describe('--out csv', () => {
  it("reads k6's argument forms and K6_CSV_* variables, the argument winning", () => {
    expect(csvConfig('out.csv', {})).toEqual({ fileName: 'out.csv', saveIntervalMs: 1000, timeFormat: 'unix' });
    expect(csvConfig('fileName=a.csv,timeFormat=rfc3339_nano,saveInterval=2s', {})).toEqual({ fileName: 'a.csv', saveIntervalMs: 2000, timeFormat: 'rfc3339_nano' });
    expect(csvConfig('', { K6_CSV_FILENAME: 'env.csv', K6_CSV_TIME_FORMAT: 'unix_milli' })).toEqual({ fileName: 'env.csv', saveIntervalMs: 1000, timeFormat: 'unix_milli' });
    expect(() => csvConfig('timeFormat=epoch', {})).toThrow(/timeFormat: "epoch" is not one of unix, unix_milli/);
    expect(() => csvConfig('color=red', {})).toThrow(ConfigError);
  });

  it('writes the header, then one row per sample: system tags in their columns, the rest in extra_tags', async () => {
    const fileName = join(tempDir('peakready-csv-'), 'out.csv');
    const out = new CsvOutput({ fileName, saveIntervalMs: 1000, timeFormat: 'unix_milli' });
    out.add({ metric: 'http_req_duration', time: 1_764_000_000_123.4, value: 12.5, tags: { method: 'GET', status: '200', name: 'a,b', testid: 'x', team: 'shop' } });
    out.add({ metric: 'vus', time: 1_764_000_001_000, value: 3, tags: {} });
    await out.close();
    const rows = readFileSync(fileName, 'utf8').trimEnd().split('\n');
    expect(rows[0]).toBe(CSV_HEADER);
    expect(CSV_HEADER).toBe('metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata');
    expect(rows[1]).toBe('http_req_duration,1764000000123,12.500000,,,,,,GET,"a,b",,,,200,,,,team=shop&testid=x,');
    expect(rows[2]).toBe('vus,1764000001000,3.000000,,,,,,,,,,,,,,,,');
  });

  it('quotes as Go does and writes every time format', () => {
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('plain')).toBe('plain');
    const t = Date.UTC(2026, 0, 2, 3, 4, 5, 678) + 0.9;
    expect(csvTime(t, 'unix')).toBe(String(Math.floor(t / 1000)));
    expect(csvTime(t, 'unix_micro')).toBe(String(Math.floor(t * 1000)));
    expect(csvTime(t, 'unix_nano')).toBe(`${Math.floor(t)}900000`);
  });
});

describe('--out experimental-prometheus-rw', () => {
  it("reads k6's variables and defaults, reporting every problem at once", () => {
    expect(prometheusRwConfig({})).toMatchObject({ serverUrl: 'http://localhost:9090/api/v1/write', pushIntervalMs: 5000, trendStats: ['p(99)'], labels: {}, headers: {} });
    const c = prometheusRwConfig({
      K6_PROMETHEUS_RW_SERVER_URL: 'http://127.0.0.1:9091/api/v1/write',
      K6_PROMETHEUS_RW_TREND_STATS: 'p(95),max,count',
      K6_PROMETHEUS_RW_PUSH_INTERVAL: '1s',
      K6_PROMETHEUS_RW_LABELS: 'env=ci,__name__=x',
      K6_PROMETHEUS_RW_HEADERS_X_SCOPE_ORGID: 'tenant',
      K6_PROMETHEUS_RW_USERNAME: 'u',
      K6_PROMETHEUS_RW_PASSWORD: 'p',
    }, { labels: { env: 'file', server: 'a' } });
    expect(c).toMatchObject({ pushIntervalMs: 1000, trendStats: ['p(95)', 'max', 'count'], labels: { env: 'ci', server: 'a' }, headers: { X_SCOPE_ORGID: 'tenant', Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` } });
    try {
      prometheusRwConfig({ K6_PROMETHEUS_RW_SERVER_URL: 'http://prom.example:9090/api/v1/write', K6_PROMETHEUS_RW_TREND_STATS: 'p(101),mode', K6_PROMETHEUS_RW_PUSH_INTERVAL: 'soon', K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM: 'true' });
      throw new Error('accepted');
    } catch (error) {
      expect((error as ConfigError).issues.map((i) => i.field)).toEqual([
        'K6_PROMETHEUS_RW_SERVER_URL',
        'K6_PROMETHEUS_RW_PUSH_INTERVAL',
        'K6_PROMETHEUS_RW_TREND_STATS',
        'K6_PROMETHEUS_RW_TREND_STATS',
        'K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM',
      ]);
    }
    expect(prometheusRwConfig({ K6_PROMETHEUS_RW_SERVER_URL: 'http://prom.example:9090/api/v1/write' }, {}, true).serverUrl).toContain('prom.example');
  });

  it("names series as k6 does: k6_ prefix, _total, _rate, trend stats, time in seconds", () => {
    const out = new PrometheusRemoteWriteOutput({ ...prometheusRwConfig({ K6_PROMETHEUS_RW_TREND_STATS: 'p(99.9),avg,count', K6_PROMETHEUS_RW_PUSH_INTERVAL: '1h' }), labels: { env: 'ci' } }, (b) => b);
    out.define({ name: 'http_reqs', type: 'counter', contains: 'default' });
    out.define({ name: 'http_req_duration', type: 'trend', contains: 'time' });
    out.define({ name: 'checks', type: 'rate', contains: 'default' });
    out.define({ name: 'vus', type: 'gauge', contains: 'default' });
    const tags = { method: 'GET', 'weird-tag': 'v', env: 'from-tag' };
    out.add({ metric: 'http_reqs', time: 0, value: 1, tags });
    out.add({ metric: 'http_reqs', time: 0, value: 1, tags });
    out.add({ metric: 'http_req_duration', time: 0, value: 100, tags });
    out.add({ metric: 'http_req_duration', time: 0, value: 300, tags });
    out.add({ metric: 'checks', time: 0, value: 1, tags: { check: 'ok' } });
    out.add({ metric: 'checks', time: 0, value: 0, tags: { check: 'ok' } });
    out.add({ metric: 'vus', time: 0, value: 7, tags: {} });
    const series = Object.fromEntries(out.snapshot(1000).map((s) => [s.labels.find(([k]) => k === '__name__')![1], s]));
    expect(Object.keys(series).sort()).toEqual(['k6_checks_rate', 'k6_http_req_duration_avg', 'k6_http_req_duration_count', 'k6_http_req_duration_p999', 'k6_http_reqs_total', 'k6_vus']);
    expect(series.k6_http_reqs_total!.samples).toEqual([{ value: 2, timestampMs: 1000 }]);
    expect(series.k6_http_req_duration_avg!.samples[0]!.value).toBeCloseTo(0.2, 9);
    expect(series.k6_http_req_duration_count!.samples[0]!.value).toBe(2);
    expect(series.k6_checks_rate!.samples[0]!.value).toBe(0.5);
    // sorted labels, a tag over a static label of the same name, names made valid
    expect(series.k6_http_reqs_total!.labels).toEqual([['__name__', 'k6_http_reqs_total'], ['env', 'from-tag'], ['method', 'GET'], ['weird_tag', 'v']]);
    expect(series.k6_vus!.labels).toEqual([['__name__', 'k6_vus'], ['env', 'ci']]);
    expect(statSuffix('p(95)')).toBe('p95');
    expect(promName('9lives')).toBe('_9lives');
  });

  it('encodes a WriteRequest that decodes under the remote-write protobuf definition', () => {
    const root = protobuf.parse(`syntax = "proto3";
      message WriteRequest { repeated TimeSeries timeseries = 1; }
      message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
      message Label { string name = 1; string value = 2; }
      message Sample { double value = 1; int64 timestamp = 2; }`).root;
    const bytes = encodeWriteRequest([{ labels: [['__name__', 'k6_vus'], ['testid', 'é']], samples: [{ value: 1.5, timestampMs: 1_764_000_000_123 }] }]);
    const decoded = root.lookupType('WriteRequest').toObject(root.lookupType('WriteRequest').decode(bytes), { longs: Number });
    expect(decoded).toEqual({ timeseries: [{ labels: [{ name: '__name__', value: 'k6_vus' }, { name: 'testid', value: 'é' }], samples: [{ value: 1.5, timestamp: 1_764_000_000_123 }] }] });
  });

  it("k6's other outputs and typos are answered with what to do", async () => {
    await expect(openOutput('influxdb=http://127.0.0.1:8086/k6', context)).rejects.toThrow(/one of k6's outputs .* --engine k6/);
    await expect(openOutput('jsn=out.json', context)).rejects.toThrow(/"jsn" is not an output; did you mean "json"\?/);
    await expect(openOutput('json', context)).rejects.toThrow(/needs a file: write --out json=FILE/);
  });
});
