import { describe, expect, it } from 'vitest';
import { GRPC_FIXTURES } from '../../../test/support/grpc-fixtures.js';
import { checkAddress, connectParamsOf, callParamsOf } from './grpc-params.js';
import { builtinTypes, decodeMessage, encodeMessage, loadProtoFiles, MethodTable } from './grpc-protos.js';

const root = loadProtoFiles([], ['shop.proto'], GRPC_FIXTURES);
const table = new MethodTable();
const infos = table.add(root);

describe('gRPC schemas and messages as k6 passes them', () => {
  it('lists every method and finds it with or without the leading slash', () => {
    expect(infos.map((i) => i.fullMethod)).toEqual([
      '/peakready.shop.v1.Inventory/GetStock',
      '/peakready.shop.v1.Inventory/WatchStock',
      '/peakready.shop.v1.Inventory/RecordSales',
      '/peakready.shop.v1.Inventory/Haggle',
    ]);
    expect(infos[0]).toMatchObject({ package: 'peakready.shop.v1', service: 'Inventory' });
    expect(table.get('peakready.shop.v1.Inventory/Haggle')).toMatchObject({ clientStream: true, serverStream: true });
    expect(() => table.get('')).toThrow('method to invoke cannot be empty');
    expect(() => table.get('peakready.shop.v1.Inventory/Nope')).toThrow('method "/peakready.shop.v1.Inventory/Nope" not found in file descriptors');
  });

  it('decodes with protojson names and values, every unpopulated field present (Go EmitUnpopulated)', () => {
    const { requestType, responseType } = table.get('/peakready.shop.v1.Inventory/GetStock');
    const stock = responseType.encode(responseType.fromObject({ sku: 'a', quantity: 7, checked_at: { seconds: 1700000000 } })).finish();
    expect(decodeMessage(responseType, stock)).toEqual({
      sku: 'a',
      quantity: '7',
      checkedAt: '2023-11-14T22:13:20Z',
      reserved: false,
      warehouses: [],
      status: 'STATUS_UNKNOWN',
      unitPrice: null,
    });
    const request = encodeMessage(requestType, { sku: 'b', updates: 3 });
    expect(requestType.toObject(requestType.decode(request))).toEqual({ sku: 'b', updates: 3 });
    // proto field names are accepted too, as protojson reads them
    expect(decodeMessage(responseType, encodeMessage(responseType, { unit_price: { cents: '5' } }))).toMatchObject({ unitPrice: { cents: '5', currency: '' } });
  });

  it('refuses what protojson refuses: unknown fields, a missing request, bad values', () => {
    const { requestType } = table.get('/peakready.shop.v1.Inventory/GetStock');
    expect(() => encodeMessage(requestType, { skew: 'x' })).toThrow('unable to serialise request object to protocol buffer');
    expect(() => encodeMessage(requestType, null)).toThrow('request cannot be nil');
    expect(() => encodeMessage(requestType, { updates: 'many' })).toThrow('unable to serialise request object to protocol buffer');
  });

  it('names the import paths when a .proto is not found', () => {
    expect(() => loadProtoFiles(['protos'], ['nope.proto'], GRPC_FIXTURES)).toThrow(/nope\.proto not found in the import paths \(.*protos\)/);
  });

  it('carries its own health and reflection types', () => {
    const { healthResponse, reflection } = builtinTypes();
    expect(healthResponse.decode(healthResponse.encode({ status: 1 }).finish()).toJSON()).toEqual({ status: 'SERVING' });
    expect(reflection.v1.request.fullName).toBe('.grpc.reflection.v1.ServerReflectionRequest');
  });
});

describe('gRPC params as k6 reads them', () => {
  it('connect params: defaults, k6 names, an unknown key refused', () => {
    expect(connectParamsOf(undefined)).toMatchObject({ plaintext: false, reflect: false, timeoutMs: 60_000 });
    expect(connectParamsOf({ plaintext: true, timeout: '2s', maxReceiveSize: 1024 })).toMatchObject({ plaintext: true, timeoutMs: 2000, maxReceiveSize: 1024 });
    expect(() => connectParamsOf({ plaintext: 'yes' })).toThrow("invalid plaintext value: 'yes', it needs to be boolean");
    expect(() => connectParamsOf({ timeout: 'soon' })).toThrow('"soon" is not a duration');
    expect(() => connectParamsOf({ tls: { cacerts: 5 } })).toThrow('invalid tls cacerts value');
  });

  it('call params: metadata strings and -bin bytes, tags, timeout', () => {
    const p = callParamsOf({ metadata: { 'x-a': 'b', 'x-c-bin': new Uint8Array([1]) }, tags: { n: 1 }, timeout: 500 }, 'invoke', 120_000);
    expect(p.metadata.get('x-a')).toEqual(['b']);
    expect(p.metadata.get('x-c-bin')).toEqual([Buffer.from([1])]);
    expect(p).toMatchObject({ tags: { n: '1' }, timeoutMs: 500 });
    expect(() => callParamsOf({ metadata: { 'x-a': 1 } }, 'invoke', 1)).toThrow('"x-a" value must be a string');
    expect(() => callParamsOf({ metadata: { 'x-a-bin': 'text' } }, 'invoke', 1)).toThrow('"x-a-bin" value must be binary');
    expect(() => callParamsOf({ header: {} }, 'invoke', 1)).toThrow('unknown param: "header"');
  });

  it('addresses: host:port on loopback unless --allow-remote', () => {
    expect(checkAddress('127.0.0.1:50051', false)).toBe('127.0.0.1');
    expect(checkAddress('[::1]:50051', false)).toBe('::1');
    expect(checkAddress('grpc.example.com:443', true)).toBe('grpc.example.com');
    expect(() => checkAddress('grpc.example.com:443', false)).toThrow('refused gRPC connection to grpc.example.com');
    expect(() => checkAddress('http://127.0.0.1:50051', false)).toThrow('is not host:port');
  });
});
