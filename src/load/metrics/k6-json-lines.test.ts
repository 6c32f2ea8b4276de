import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MetricsAggregator } from './aggregator.js';
import { parseK6JsonLines, parseRfc3339Nano } from './k6-json-lines.js';
import type { MetricDefinition, Sample, SubmetricSelector } from './types.js';

/**
 * Lines in the shape k6's documentation gives for `--out json` (older k6 without data.name, with
 * `tainted`; newer with data.name and an optional Point `metadata`; tags null or an object; times
 * with a zone offset and ns).
 */
const FIXTURE = [
  '{"type":"Metric","data":{"type":"gauge","contains":"default","tainted":null,"thresholds":[],"submetrics":null},"metric":"vus"}',
  '{"type":"Point","data":{"time":"2026-11-27T09:00:00.000000001+01:00","value":5,"tags":null},"metric":"vus"}',
  '{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":["p(95)\\u003c500"],"submetrics":[{"name":"http_req_duration{name:checkout}","suffix":"name:checkout","tags":{"name":"checkout"}}]},"metric":"http_req_duration"}',
  '{"type":"Point","data":{"time":"2026-11-27T08:00:01.5Z","value":120.25,"tags":{"group":"::shop","method":"GET","name":"checkout","status":"200","expected_response":"true","scenario":"default"}},"metric":"http_req_duration"}',
  '',
  '{"type":"Point","data":{"time":"2026-11-27T10:00:02.123456789+02:00","value":80,"tags":{"method":"GET","name":"browse","status":"200","expected_response":"true","scenario":"default"}},"metric":"http_req_duration"}',
  '{"type":"Metric","data":{"name":"checks","type":"rate","contains":"default","thresholds":[],"submetrics":null},"metric":"checks"}',
  '{"type":"Point","data":{"time":"2026-11-27T08:00:03Z","value":1,"tags":{"check":"status is 200","group":"::shop"}},"metric":"checks"}',
  '{"type":"Point","data":{"time":"2026-11-27T08:00:03Z","value":0,"tags":{"check":"status is 200","group":"::shop"},"metadata":{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}},"metric":"checks"}',
].join('\n');

async function collect(text: string | string[]): Promise<{ metrics: MetricDefinition[]; samples: Sample[]; submetrics: SubmetricSelector[] }> {
  const metrics: MetricDefinition[] = [];
  const samples: Sample[] = [];
  const submetrics: SubmetricSelector[] = [];
  await parseK6JsonLines(Readable.from(Array.isArray(text) ? text : [text]), {
    onMetric: (m, subs) => {
      metrics.push(m);
      submetrics.push(...subs);
    },
    onSample: (s) => samples.push(s),
  });
  return { metrics, samples, submetrics };
}

describe('parseK6JsonLines', () => {
  it('reads Metric and Point lines of both documented generations', async () => {
    const { metrics, samples, submetrics } = await collect(FIXTURE);
    expect(submetrics).toEqual([{ metric: 'http_req_duration', tags: { name: 'checkout' }, name: 'http_req_duration{name:checkout}' }]);
    expect(metrics).toEqual([
      { name: 'vus', type: 'gauge', contains: 'default' },
      { name: 'http_req_duration', type: 'trend', contains: 'time' },
      { name: 'checks', type: 'rate', contains: 'default' },
    ]);
    expect(samples).toHaveLength(5);
    expect(samples[0]).toEqual({ metric: 'vus', time: Date.UTC(2026, 10, 27, 8, 0, 0) + 0.000001, value: 5, tags: {} });
    expect(samples[1]!.time).toBe(Date.UTC(2026, 10, 27, 8, 0, 1, 500));
    expect(samples[2]!.time).toBeCloseTo(Date.UTC(2026, 10, 27, 8, 0, 2, 123) + 0.456789, 6);
    expect(samples[1]!.tags.name).toBe('checkout');
  });

  it('takes submetric tags from the name when k6 gives none', async () => {
    const { submetrics } = await collect('{"type":"Metric","data":{"type":"rate","contains":"default","submetrics":[{"name":"checks{group:::shop}"}]},"metric":"checks"}');
    expect(submetrics[0]!.tags).toEqual({ group: '::shop' });
  });

  it('handles lines split across chunks', async () => {
    const chunks = FIXTURE.match(/[\s\S]{1,37}/g)!;
    const { samples } = await collect(chunks);
    expect(samples).toHaveLength(5);
  });

  it('feeds an aggregator to the same summary values', async () => {
    const agg = new MetricsAggregator();
    await parseK6JsonLines(Readable.from([FIXTURE]), { onMetric: (d) => agg.define(d), onSample: (s) => agg.add(s) });
    expect(agg.view('http_req_duration')!.stat('max')).toBe(120.25);
    expect(agg.view('checks')!.stat('rate')).toBe(0.5);
    expect(agg.checks()).toEqual([{ name: 'status is 200', group: '::shop', passes: 1, fails: 1 }]);
  });

  it.each([
    ['{"type":"Point"', /line 1: not JSON/],
    ['{"type":"Point","data":{"time":"2026-11-27T08:00:03Z","value":1,"tags":{}},"metric":"mystery"}', /line 1: Point for metric "mystery" before its Metric line/],
    ['{"type":"Metric","data":{"type":"histogram","contains":"default"},"metric":"x"}', /type "histogram" is not counter, gauge, rate or trend/],
    ['{"type":"Metric","data":{"type":"trend","contains":"time","submetrics":[{"suffix":"a:b"}]},"metric":"x"}', /a submetric needs a name/],
    ['{"type":"Sample","data":{},"metric":"x"}', /"Sample" is neither "Metric" nor "Point"/],
    [`${FIXTURE.split('\n')[0]}\n{"type":"Point","data":{"time":"yesterday","value":1,"tags":{}},"metric":"vus"}`, /line 2: .*time "yesterday" is not an RFC 3339 time/],
    [`${FIXTURE.split('\n')[0]}\n{"type":"Point","data":{"time":"2026-11-27T08:00:03Z","value":"1","tags":{}},"metric":"vus"}`, /value must be a number/],
  ])('rejects %j naming the line', async (text, message) => {
    await expect(collect(text)).rejects.toThrow(message);
  });
});

describe('parseRfc3339Nano', () => {
  it('keeps nanoseconds and zone offsets', () => {
    expect(parseRfc3339Nano('2017-05-09T14:34:45.239531499+02:00')).toBeCloseTo(Date.UTC(2017, 4, 9, 12, 34, 45, 239) + 0.531499, 6);
    expect(parseRfc3339Nano('2017-05-09T14:34:45Z')).toBe(Date.UTC(2017, 4, 9, 14, 34, 45));
    expect(parseRfc3339Nano('2017-05-09 14:34:45Z')).toBeUndefined();
  });
});
