import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { ExportTraceServiceResponse, RpcCode, RpcStatus } from './otlp-proto.js';

/**
 * The receiver's HTTP edge, as the OTLP/HTTP specification describes it: one route (POST
 * /v1/traces), two content types (binary protobuf and OTLP/JSON), gzip or no content encoding,
 * and answers in the request's encoding: an ExportTraceServiceResponse on success, a
 * google.rpc.Status on failure. Pure decisions over method, path and headers; the two writers at
 * the end are the only I/O.
 */

export const TRACES_PATH = '/v1/traces';
export const PROTOBUF = 'application/x-protobuf';
export const JSON_TYPE = 'application/json';
export type OtlpEncoding = typeof PROTOBUF | typeof JSON_TYPE;

/** An error answer: status, a message for the google.rpc.Status body, and headers it needs. */
export interface Refusal {
  status: number;
  message: string;
  /** seconds; sent as Retry-After, which OTLP exporters honour on 429 and 503 */
  retryAfter?: number;
  /** sent as Allow (405) */
  allow?: string;
}

/** What a request to the traces route carries. */
export type ExportContent = { encoding: OtlpEncoding; gzip: boolean; refusal?: undefined } | { encoding: OtlpEncoding; refusal: Refusal };

export function isRefusal(value: object): value is Refusal {
  return typeof (value as Partial<Refusal>).status === 'number' && typeof (value as Partial<Refusal>).message === 'string';
}

/** 404 for any other path, 405 for any other method. */
export function routeRefusal(method: string | undefined, url: string | undefined): Refusal | undefined {
  const path = (url ?? '/').split('?')[0];
  if (path !== TRACES_PATH) return { status: 404, message: `no such endpoint ${path}; this receiver takes traces at POST ${TRACES_PATH}` };
  if (method !== 'POST') return { status: 405, message: `use POST ${TRACES_PATH}`, allow: 'POST' };
  return undefined;
}

/** The body's encoding from Content-Type and Content-Encoding, or 415 (answered in JSON when the type is not one we speak). */
export function exportContent(headers: IncomingHttpHeaders): ExportContent {
  const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== PROTOBUF && type !== JSON_TYPE) {
    return { encoding: JSON_TYPE, refusal: { status: 415, message: `unsupported content type "${type}"; send ${PROTOBUF} or ${JSON_TYPE}` } };
  }
  const contentEncoding = (headers['content-encoding'] ?? 'identity').toLowerCase();
  if (contentEncoding !== 'identity' && contentEncoding !== 'gzip') {
    return { encoding: type, refusal: { status: 415, message: `unsupported content encoding "${contentEncoding}"; send gzip or none` } };
  }
  return { encoding: type, gzip: contentEncoding === 'gzip' };
}

/** google.rpc.Status codes for our HTTP statuses, as the OTLP spec pairs them. */
export function rpcCodeOf(status: number): number {
  if (status === 429) return RpcCode.resourceExhausted;
  return status >= 500 ? RpcCode.unavailable : RpcCode.invalidArgument;
}

export function statusBody(encoding: OtlpEncoding, status: number, message: string): Buffer {
  const code = rpcCodeOf(status);
  if (encoding === PROTOBUF) return Buffer.from(RpcStatus.encode(RpcStatus.create({ code, message })).finish());
  return Buffer.from(JSON.stringify({ code, message }));
}

/** ExportTraceServiceResponse, with partial_success when spans were rejected. */
export function exportResponseBody(encoding: OtlpEncoding, rejectedSpans: number, errorMessage = ''): Buffer {
  if (encoding === PROTOBUF) {
    const response = rejectedSpans ? { partialSuccess: { rejectedSpans, errorMessage } } : {};
    return Buffer.from(ExportTraceServiceResponse.encode(ExportTraceServiceResponse.create(response)).finish());
  }
  // OTLP/JSON writes int64 as a decimal string
  return Buffer.from(JSON.stringify(rejectedSpans ? { partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } } : {}));
}

export function writeRefusal(res: ServerResponse, encoding: OtlpEncoding, refusal: Refusal): void {
  const body = statusBody(encoding, refusal.status, refusal.message);
  const headers: Record<string, string | number> = { 'content-type': encoding, 'content-length': body.length };
  if (refusal.retryAfter !== undefined) headers['retry-after'] = refusal.retryAfter;
  if (refusal.allow) headers.allow = refusal.allow;
  // a body we did not read must not be parsed as the next request on this connection
  if (!res.req.complete) headers.connection = 'close';
  res.writeHead(refusal.status, headers).end(body);
}

export function writeExportResponse(res: ServerResponse, encoding: OtlpEncoding, rejectedSpans: number, errorMessage?: string): void {
  const body = exportResponseBody(encoding, rejectedSpans, errorMessage);
  res.writeHead(200, { 'content-type': encoding, 'content-length': body.length }).end(body);
}
