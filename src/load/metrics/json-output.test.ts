import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { MetricsAggregator } from './aggregator.js';
import { JsonLinesOutput, rfc3339Nano } from './json-output.js';
import { parseK6JsonLines, parseRfc3339Nano } from './k6-json-lines.js';

const dir = mkdtempSync(join(tmpdir(), 'peakready-json-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('JsonLinesOutput', () => {
  it('writes one Metric line per metric, before its first Point, then a Point per sample', async () => {
    const file = join(dir, 'out.json');
    const out = new JsonLinesOutput(file, {
      thresholds: new Map([['http_req_duration', ['p(95)<300']]]),
      submetrics: [{ metric: 'http_req_duration', tags: { name: 'checkout' }, name: 'http_req_duration{name:checkout}' }],
      bufferChars: 100, // several flushes
    });
    out.define({ name: 'http_req_duration', type: 'trend', contains: 'time' });
    out.define({ name: 'vus', type: 'gauge', contains: 'default' });
    out.add({ metric: 'vus', time: Date.UTC(2026, 10, 27, 8, 0, 0, 250), value: 5, tags: {} });
    out.add({ metric: 'http_req_duration', time: Date.UTC(2026, 10, 27, 8, 0, 1) + 0.123456, value: 12.5, tags: { name: 'checkout', status: '200' } });
    out.add({ metric: 'http_req_duration', time: Date.UTC(2026, 10, 27, 8, 0, 2), value: 7, tags: { name: 'browse', status: '200' } });
    await out.close();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => `${l.type}:${l.metric}`)).toEqual(['Metric:vus', 'Point:vus', 'Metric:http_req_duration', 'Point:http_req_duration', 'Point:http_req_duration']);
    expect(lines[0]).toEqual({ type: 'Metric', data: { name: 'vus', type: 'gauge', contains: 'default', thresholds: [], submetrics: null }, metric: 'vus' });
    expect(lines[2].data).toEqual({
      name: 'http_req_duration',
      type: 'trend',
      contains: 'time',
      thresholds: ['p(95)<300'],
      submetrics: [{ name: 'http_req_duration{name:checkout}', suffix: 'name:checkout', tags: { name: 'checkout' } }],
    });
    expect(lines[3].data.value).toBe(12.5);
    expect(lines[3].data.tags).toEqual({ name: 'checkout', status: '200' });
    expect(parseRfc3339Nano(lines[3].data.time)).toBeCloseTo(Date.UTC(2026, 10, 27, 8, 0, 1) + 0.123456, 6);
  });

  it('round-trips through the k6 JSON-lines reader into the same aggregates', async () => {
    const file = join(dir, 'roundtrip.json');
    const out = new JsonLinesOutput(file);
    const direct = new MetricsAggregator();
    for (let i = 0; i < 500; i++) {
      const sample = { metric: 'http_req_duration', time: 1_700_000_000_000 + i, value: (i * 37) % 400, tags: { status: '200' } };
      out.define({ name: 'http_req_duration', type: 'trend', contains: 'time' });
      out.add(sample);
      direct.add(sample);
    }
    await out.close();
    const read = new MetricsAggregator();
    const { createReadStream } = await import('node:fs');
    const counts = await parseK6JsonLines(createReadStream(file), { onMetric: (d) => read.define(d), onSample: (s) => read.add(s) });
    expect(counts).toEqual({ metrics: 1, points: 500 });
    for (const stat of ['avg', 'min', 'max', 'p(95)', 'med']) {
      expect(read.view('http_req_duration')!.stat(stat)).toBe(direct.view('http_req_duration')!.stat(stat));
    }
  });

  it('gzips FILE.gz as k6 does', async () => {
    const file = join(dir, 'out.json.gz');
    const out = new JsonLinesOutput(file);
    out.define({ name: 'iterations', type: 'counter', contains: 'default' });
    out.add({ metric: 'iterations', time: 0, value: 1, tags: { scenario: 'default' } });
    await out.close();
    const text = gunzipSync(readFileSync(file)).toString('utf8');
    expect(text.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('reports a file it cannot write on close', async () => {
    const out = new JsonLinesOutput(join(dir, 'missing-dir', 'x.json'));
    out.add({ metric: 'vus', time: 0, value: 1, tags: {} });
    await expect(out.close()).rejects.toThrow(/--out json=.*missing-dir.*ENOENT/);
  });
});

describe('rfc3339Nano', () => {
  it('writes Go RFC3339Nano: trailing fraction zeros trimmed, Z in UTC, an offset elsewhere', () => {
    // a float epoch-ms time holds about 0.25 µs near 2017, so the last digits are not asserted
    const when = Date.UTC(2017, 4, 9, 12, 34, 45, 239) + 0.531499;
    const text = rfc3339Nano(when);
    if (new Date(when).getTimezoneOffset() === 0) expect(text).toMatch(/^2017-05-09T12:34:45\.23953\d*Z$/);
    else expect(text).toMatch(/^2017-05-09T\d\d:\d\d:45\.23953\d*[+-]\d\d:\d\d$/);
    expect(Math.abs(parseRfc3339Nano(text)! - when)).toBeLessThan(0.001);
    expect(rfc3339Nano(Date.UTC(2017, 4, 9, 12, 34, 45, 0))).toMatch(/^2017-05-09T\d\d:\d\d:45(Z|[+-]\d\d:\d\d)$/);
    expect(rfc3339Nano(Date.UTC(2017, 4, 9, 12, 34, 45, 500))).toMatch(/:45\.5(Z|[+-])/);
  });
});
