import { describe, expect, it } from 'vitest';
import {
  aggregationAllowed,
  compare,
  parseMetricSelector,
  parseThresholdExpression,
  tagsKey,
  ThresholdSyntaxError,
} from './threshold-parser.js';

describe('parseThresholdExpression', () => {
  it.each([
    ['p(95)<300', 'p(95)', '<', 300],
    ['p(99.9) <= 1.5', 'p(99.9)', '<=', 1.5],
    [' avg < 200 ', 'avg', '<', 200],
    ['med>=10', 'med', '>=', 10],
    ['min>0', 'min', '>', 0],
    ['max<2000', 'max', '<', 2000],
    ['rate<0.01', 'rate', '<', 0.01],
    ['count>100', 'count', '>', 100],
    ['value==1', 'value', '==', 1],
    ['value===1', 'value', '===', 1],
    ['count!=0', 'count', '!=', 0],
    ['rate>-1e-3', 'rate', '>', -0.001],
    ['p( 90 )<5', 'p(90)', '<', 5],
  ])('reads %s', (source, aggregation, operator, value) => {
    expect(parseThresholdExpression(source)).toEqual({ source, aggregation, operator, value });
  });

  it.each([
    ['p95<300', /not an aggregation/],
    ['p(101)<300', /0 ≤ N ≤ 100/],
    ['p(abc)<300', /percentile/],
    ['avg<<200', /not a number|not a threshold/],
    ['avg<', /not a threshold expression/],
    ['<200', /not a threshold expression/],
    ['avg<2x', /"2x" is not a number/],
    ['average<200', /"average" is not an aggregation/],
    ['', /not a threshold expression/],
    ['avg=200', /not a threshold expression/],
  ])('rejects %j', (source, message) => {
    expect(() => parseThresholdExpression(source)).toThrow(ThresholdSyntaxError);
    expect(() => parseThresholdExpression(source)).toThrow(message);
  });
});

describe('aggregationAllowed', () => {
  it('follows k6: counter count|rate, gauge value, rate rate, trend avg|min|max|med|p(N)', () => {
    expect(aggregationAllowed('counter', 'count')).toBe(true);
    expect(aggregationAllowed('counter', 'rate')).toBe(true);
    expect(aggregationAllowed('counter', 'avg')).toBe(false);
    expect(aggregationAllowed('gauge', 'value')).toBe(true);
    expect(aggregationAllowed('gauge', 'max')).toBe(false);
    expect(aggregationAllowed('rate', 'rate')).toBe(true);
    expect(aggregationAllowed('rate', 'count')).toBe(false);
    for (const a of ['avg', 'min', 'max', 'med', 'p(95)', 'p(99.99)']) expect(aggregationAllowed('trend', a)).toBe(true);
    expect(aggregationAllowed('trend', 'count')).toBe(false);
    expect(aggregationAllowed('trend', 'rate')).toBe(false);
  });
});

describe('compare', () => {
  it('applies every operator, == and === alike', () => {
    expect(compare(1, '>', 0)).toBe(true);
    expect(compare(0, '>', 0)).toBe(false);
    expect(compare(0, '>=', 0)).toBe(true);
    expect(compare(0, '<', 0)).toBe(false);
    expect(compare(0, '<=', 0)).toBe(true);
    expect(compare(2, '==', 2)).toBe(true);
    expect(compare(2, '===', 2)).toBe(true);
    expect(compare(2, '===', 3)).toBe(false);
    expect(compare(2, '!=', 3)).toBe(true);
    expect(compare(2, '!=', 2)).toBe(false);
  });
});

describe('parseMetricSelector', () => {
  it('reads a plain metric name', () => {
    expect(parseMetricSelector(' http_req_duration ')).toEqual({ metric: 'http_req_duration' });
  });

  it('reads tag filters, trimming spaces and quotes, keeping colons in values', () => {
    const { metric, selector } = parseMetricSelector('http_req_duration{ name : "checkout", url:http://127.0.0.1:8080/x }');
    expect(metric).toBe('http_req_duration');
    expect(selector?.tags).toEqual({ name: 'checkout', url: 'http://127.0.0.1:8080/x' });
    expect(selector?.name).toBe('http_req_duration{ name : "checkout", url:http://127.0.0.1:8080/x }');
  });

  it.each(['http_req_duration{name:x', '{name:x}', 'http_req_duration{name}', 'http_req_duration{:x}', 'a}b'])('rejects %j', (key) => {
    expect(() => parseMetricSelector(key)).toThrow(ThresholdSyntaxError);
  });

  it('keys tag sets independently of their order', () => {
    expect(tagsKey({ b: '2', a: '1' })).toBe(tagsKey({ a: '1', b: '2' }));
  });
});
