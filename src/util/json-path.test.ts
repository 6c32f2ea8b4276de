import { describe, expect, it } from 'vitest';
import { JsonPathError, parseJsonPath, readJsonPath } from './json-path.js';

const doc = { orderId: 'o-1', order: { id: 42, items: [{ sku: 'tv' }, { sku: 'radio' }] }, 'odd key': true, total: 0, none: null };
const read = (path: string) => readJsonPath(doc, parseJsonPath(path));

describe('JSON path subset', () => {
  it('reads dotted fields, array indexes and quoted keys', () => {
    expect(read('$.orderId')).toBe('o-1');
    expect(read('$.order.id')).toBe(42);
    expect(read('$.order.items[1].sku')).toBe('radio');
    expect(read("$['odd key']")).toBe(true);
    expect(read('$["order"]["items"][0]')).toEqual({ sku: 'tv' });
    expect(read('$')).toEqual(doc);
  });

  it('takes a bare field name as $.name', () => {
    expect(parseJsonPath('total').segments).toEqual(['total']);
    expect(read('order.items[0].sku')).toBe('tv');
    expect(read('total')).toBe(0);
  });

  it('gives undefined for any missing step, never throws on data', () => {
    expect(read('$.missing')).toBeUndefined();
    expect(read('$.missing.deeper')).toBeUndefined();
    expect(read('$.none.id')).toBeUndefined();
    expect(read('$.order.items[9].sku')).toBeUndefined();
    expect(read('$.order[0]')).toBeUndefined();
    expect(read('$.orderId.length')).toBeUndefined();
    expect(readJsonPath('text', parseJsonPath('$.a'))).toBeUndefined();
  });

  it('refuses what it does not support, naming the position', () => {
    expect(() => parseJsonPath('$.items[*].id')).toThrow(JsonPathError);
    expect(() => parseJsonPath('$.items[*].id')).toThrow(/unexpected "\[" at character 8/);
    expect(() => parseJsonPath('$..id')).toThrow(/expected a field name at character 3/);
    expect(() => parseJsonPath('[0]')).toThrow(/expected \$ or a field name/);
    expect(() => parseJsonPath('$.a b')).toThrow(/unexpected " "/);
    expect(() => parseJsonPath('$.items[-1]')).toThrow(JsonPathError);
  });
});
