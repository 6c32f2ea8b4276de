import { describe, expect, it } from 'vitest';
import { exportContent, exportResponseBody, isRefusal, JSON_TYPE, PROTOBUF, routeRefusal, rpcCodeOf, statusBody } from './http-edge.js';
import { ExportTraceServiceResponse, RpcCode, RpcStatus } from './otlp-proto.js';

describe('OTLP/HTTP edge', () => {
  it('routes POST /v1/traces only', () => {
    expect(routeRefusal('POST', '/v1/traces')).toBeUndefined();
    expect(routeRefusal('POST', '/v1/traces?x=1')).toBeUndefined();
    expect(routeRefusal('POST', '/v1/metrics')).toMatchObject({ status: 404, message: expect.stringContaining('/v1/metrics') });
    expect(routeRefusal('GET', '/v1/traces')).toMatchObject({ status: 405, allow: 'POST' });
  });

  it('takes protobuf and JSON, plain or gzip, and answers 415 otherwise', () => {
    expect(exportContent({ 'content-type': 'application/x-protobuf' })).toEqual({ encoding: PROTOBUF, gzip: false });
    expect(exportContent({ 'content-type': 'Application/JSON; charset=utf-8', 'content-encoding': 'GZIP' })).toEqual({ encoding: JSON_TYPE, gzip: true });
    expect(exportContent({ 'content-type': 'application/json', 'content-encoding': 'identity' })).toEqual({ encoding: JSON_TYPE, gzip: false });
    // a type we do not speak is answered in JSON; an encoding we do not speak, in the request's type
    expect(exportContent({ 'content-type': 'text/plain' })).toMatchObject({ encoding: JSON_TYPE, refusal: { status: 415 } });
    expect(exportContent({})).toMatchObject({ encoding: JSON_TYPE, refusal: { status: 415 } });
    expect(exportContent({ 'content-type': 'application/x-protobuf', 'content-encoding': 'br' })).toMatchObject({ encoding: PROTOBUF, refusal: { status: 415, message: expect.stringContaining('"br"') } });
  });

  it('pairs statuses with google.rpc codes and writes Status bodies in the request encoding', () => {
    expect([400, 413, 415, 429, 500, 503].map(rpcCodeOf)).toEqual([3, 3, 3, RpcCode.resourceExhausted, RpcCode.unavailable, RpcCode.unavailable]);
    expect(RpcStatus.toObject(RpcStatus.decode(statusBody(PROTOBUF, 429, 'slow down')))).toEqual({ code: 8, message: 'slow down' });
    expect(JSON.parse(statusBody(JSON_TYPE, 400, 'bad').toString())).toEqual({ code: 3, message: 'bad' });
  });

  it('writes ExportTraceServiceResponse, with partial_success only when spans were rejected', () => {
    expect(ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(exportResponseBody(PROTOBUF, 0)))).toEqual({});
    const partial = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(exportResponseBody(PROTOBUF, 2, 'bad ids')), { longs: String });
    expect(partial).toEqual({ partialSuccess: { rejectedSpans: '2', errorMessage: 'bad ids' } });
    expect(JSON.parse(exportResponseBody(JSON_TYPE, 0).toString())).toEqual({});
    // OTLP/JSON: int64 as a decimal string
    expect(JSON.parse(exportResponseBody(JSON_TYPE, 3).toString())).toEqual({ partialSuccess: { rejectedSpans: '3', errorMessage: '' } });
  });

  it('tells refusals from bodies', () => {
    expect(isRefusal({ status: 400, message: 'x' })).toBe(true);
    expect(isRefusal(Buffer.from('x'))).toBe(false);
    expect(isRefusal({ spans: [], lines: [], rejected: 0 })).toBe(false);
  });
});
