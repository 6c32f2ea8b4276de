import type { SpanRecord } from '../../run/records.js';
import { ExportTraceServiceRequest, SPAN_KINDS, STATUS_CODES } from './otlp-proto.js';

/**
 * OTLP ExportTraceServiceRequest bodies (protobuf or OTLP/JSON) -> SpanRecords. Spans without a
 * valid trace id (16 bytes, not all zero) or span id (8 bytes), a span whose trace and span id
 * came earlier in the same request, and a span that ends before it starts are rejected and
 * counted, as the spec's partial success asks; everything else is kept. Throws BadOtlpBody for a
 * body that is not a request at all.
 */

export class BadOtlpBody extends Error {}

export interface DecodedSpans {
  spans: SpanRecord[];
  /** `JSON.stringify` of each span (the traces.ndjson line), built with the resource serialised once per resource */
  lines: string[];
  rejected: number;
  /** why the first rejected span was rejected (for partial_success.error_message) */
  rejectReason?: string;
}

type Attr = SpanRecord['attributes'][string];

interface LongLike {
  low: number;
  high: number;
  unsigned?: boolean;
  toString(): string;
  toNumber(): number;
}

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
const HEX = /^[0-9a-f]*$/;

// ---------- protobuf ----------

interface PbAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: LongLike | number;
  doubleValue?: number;
  arrayValue?: { values: PbAnyValue[] };
  kvlistValue?: { values: PbKeyValue[] };
  bytesValue?: Uint8Array;
}
interface PbKeyValue {
  key: string;
  value?: PbAnyValue | null;
}
interface PbSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array;
  name: string;
  kind: number;
  startTimeUnixNano: LongLike | number;
  endTimeUnixNano: LongLike | number;
  attributes: PbKeyValue[];
  status?: { code: number; message: string } | null;
}
interface PbRequest {
  resourceSpans: Array<{ resource?: { attributes: PbKeyValue[] } | null; scopeSpans: Array<{ spans: PbSpan[] }> }>;
}

export function decodeProtobufRequest(body: Uint8Array): DecodedSpans {
  let message: PbRequest;
  try {
    message = ExportTraceServiceRequest.decode(body) as unknown as PbRequest;
  } catch (error) {
    throw new BadOtlpBody(`protobuf body is not an ExportTraceServiceRequest: ${(error as Error).message}`);
  }
  const out: DecodedSpans = { spans: [], lines: [], rejected: 0 };
  const seen = new Set<string>();
  for (const rs of message.resourceSpans) {
    const resource = pbAttributes(rs.resource?.attributes ?? []);
    const service = String(resource['service.name'] ?? 'unknown_service');
    const flatResource = flatScalars(resource);
    const resourceJson = JSON.stringify(flatResource);
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        const traceId = hex(span.traceId);
        const spanId = hex(span.spanId);
        const problem = span.traceId.length === 16 && span.spanId.length === 8 && traceId !== ZERO_TRACE && spanId !== ZERO_SPAN ? undefined : idProblem(traceId, spanId);
        if (problem) {
          reject(out, problem);
          continue;
        }
        const parent = span.parentSpanId.length ? hex(span.parentSpanId) : '';
        const status = span.status;
        const record: SpanRecord = {
          traceId,
          spanId,
          name: span.name,
          kind: SPAN_KINDS[span.kind] ?? 'UNSPECIFIED',
          service,
          startTimeUnixNano: nanos(span.startTimeUnixNano),
          endTimeUnixNano: nanos(span.endTimeUnixNano),
          status: STATUS_CODES[status?.code ?? 0] ?? 'UNSET',
          attributes: pbAttributes(span.attributes),
        };
        if (parent && parent !== ZERO_SPAN) record.parentSpanId = parent;
        if (status?.message) record.statusMessage = status.message;
        keep(out, seen, record, flatResource, resourceJson);
      }
    }
  }
  return out;
}

function hex(bytes: Uint8Array): string {
  return Buffer.isBuffer(bytes) ? bytes.toString('hex') : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** fixed64 nanoseconds exceed 2^53: keep them exact as decimal strings. */
function nanos(value: LongLike | number): string {
  if (typeof value === 'number') return String(value);
  return ((BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0)).toString();
}

function pbAttributes(list: PbKeyValue[]): Record<string, Attr> {
  const out: Record<string, Attr> = {};
  for (const kv of list) {
    const v = pbValue(kv.value);
    if (v !== undefined) out[kv.key] = v;
  }
  return out;
}

/** The field of AnyValue that was on the wire (decoded messages own only the fields they read). */
function pbValue(av: PbAnyValue | null | undefined): Attr | undefined {
  if (!av) return undefined;
  const has = (k: keyof PbAnyValue) => Object.prototype.hasOwnProperty.call(av, k);
  if (has('stringValue')) return av.stringValue!;
  if (has('intValue')) return typeof av.intValue === 'number' ? av.intValue : av.intValue!.toNumber();
  if (has('boolValue')) return av.boolValue!;
  if (has('doubleValue')) return av.doubleValue!;
  if (has('arrayValue')) return homogeneous((av.arrayValue!.values ?? []).map(pbValue));
  if (has('kvlistValue')) return JSON.stringify(pbAttributes(av.kvlistValue!.values ?? []));
  if (has('bytesValue')) return Buffer.from(av.bytesValue!).toString('base64');
  return undefined;
}

// ---------- OTLP/JSON ----------

/**
 * OTLP/JSON is the protobuf JSON mapping with two exceptions the spec sets: ids are hex, and
 * enums are integers. Keys are lowerCamelCase; the original snake_case names are accepted too
 * (the proto3 JSON mapping allows both), unknown keys are ignored, int64 may be a number or a
 * decimal string.
 */
export function decodeJsonRequest(text: string): DecodedSpans {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new BadOtlpBody(`JSON body does not parse: ${(error as Error).message}`);
  }
  return decodeJsonObject(body);
}

export interface JsonDecodeOptions {
  /**
   * Also take ids written base64 (16 bytes: 24 characters, 8 bytes: 12), as the proto3 JSON
   * mapping writes bytes. Trace backends answer so (Tempo's JSON); OTLP senders must write hex.
   */
  base64Ids?: boolean;
}

/**
 * An already parsed OTLP/JSON ExportTraceServiceRequest (or TracesData: the same shape) to spans.
 * `instrumentationLibrarySpans`, the name of `scopeSpans` before OTLP 0.15 that older trace
 * backends still answer, is read as `scopeSpans`.
 */
export function decodeJsonObject(body: unknown, options: JsonDecodeOptions = {}): DecodedSpans {
  if (!isObject(body)) throw new BadOtlpBody('JSON body must be an object (an ExportTraceServiceRequest)');
  const id = options.base64Ids ? hexOrBase64Id : lowerHex;
  const out: DecodedSpans = { spans: [], lines: [], rejected: 0 };
  const seen = new Set<string>();
  for (const rs of list(field(body, 'resourceSpans', 'resource_spans'), 'resourceSpans')) {
    const resource = jsonAttributes(field(field(rs, 'resource'), 'attributes'));
    const service = String(resource['service.name'] ?? 'unknown_service');
    const flatResource = flatScalars(resource);
    const resourceJson = JSON.stringify(flatResource);
    const scopes = field(rs, 'scopeSpans', 'scope_spans') ?? field(rs, 'instrumentationLibrarySpans', 'instrumentation_library_spans');
    for (const ss of list(scopes, 'scopeSpans')) {
      for (const span of list(field(ss, 'spans'), 'spans')) {
        if (!isObject(span)) throw new BadOtlpBody('a span must be an object');
        const traceId = id(field(span, 'traceId', 'trace_id'));
        const spanId = id(field(span, 'spanId', 'span_id'));
        const problem = idProblem(traceId, spanId);
        if (problem) {
          reject(out, problem);
          continue;
        }
        const status = field(span, 'status');
        const code = Number(field(status, 'code') ?? 0);
        const record: SpanRecord = {
          traceId,
          spanId,
          name: String(field(span, 'name') ?? ''),
          kind: SPAN_KINDS[Number(field(span, 'kind') ?? 0)] ?? jsonEnumName(field(span, 'kind'), 'SPAN_KIND_', SPAN_KINDS),
          service,
          startTimeUnixNano: jsonNanos(field(span, 'startTimeUnixNano', 'start_time_unix_nano')),
          endTimeUnixNano: jsonNanos(field(span, 'endTimeUnixNano', 'end_time_unix_nano')),
          status: STATUS_CODES[code] ?? jsonEnumName(field(status, 'code'), 'STATUS_CODE_', STATUS_CODES),
          attributes: jsonAttributes(field(span, 'attributes')),
        };
        const parent = id(field(span, 'parentSpanId', 'parent_span_id'));
        if (parent && parent !== ZERO_SPAN) record.parentSpanId = parent;
        const message = field(status, 'message');
        if (typeof message === 'string' && message) record.statusMessage = message;
        keep(out, seen, record, flatResource, resourceJson);
      }
    }
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(obj: unknown, camel: string, snake?: string): unknown {
  if (!isObject(obj)) return undefined;
  const v = obj[camel];
  return v !== undefined || !snake ? v : obj[snake];
}

function list(v: unknown, name: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new BadOtlpBody(`"${name}" must be an array`);
  return v;
}

function lowerHex(v: unknown): string {
  return typeof v === 'string' ? v.toLowerCase() : '';
}

const BASE64_ID = /^[A-Za-z0-9+/]{22}==$|^[A-Za-z0-9+/]{11}=$/;

/** The lengths tell the encodings apart: hex ids are 32 or 16 characters, base64 ones 24 or 12. */
function hexOrBase64Id(v: unknown): string {
  if (typeof v === 'string' && BASE64_ID.test(v)) return Buffer.from(v, 'base64').toString('hex');
  return lowerHex(v);
}

/** Tolerates senders that write enums by name ("SPAN_KIND_SERVER") despite the spec. */
function jsonEnumName(v: unknown, prefix: string, names: readonly string[]): string {
  if (typeof v === 'string') {
    const n = v.startsWith(prefix) ? v.slice(prefix.length) : v;
    if (names.includes(n)) return n;
  }
  return names[0]!;
}

function jsonNanos(v: unknown): string {
  if (typeof v === 'string' && /^\d+$/.test(v)) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.round(v)).toString();
  return '0';
}

function jsonAttributes(v: unknown): Record<string, Attr> {
  const out: Record<string, Attr> = {};
  if (!Array.isArray(v)) return out;
  for (const kv of v) {
    if (!isObject(kv) || typeof kv.key !== 'string') continue;
    const value = jsonValue(kv.value);
    if (value !== undefined) out[kv.key] = value;
  }
  return out;
}

function jsonValue(av: unknown): Attr | undefined {
  if (!isObject(av)) return undefined;
  for (const [key, v] of Object.entries(av)) {
    switch (key) {
      case 'stringValue':
      case 'string_value':
        return String(v);
      case 'boolValue':
      case 'bool_value':
        return Boolean(v);
      case 'intValue':
      case 'int_value':
      case 'doubleValue':
      case 'double_value':
        return Number(v);
      case 'bytesValue':
      case 'bytes_value':
        return String(v);
      case 'arrayValue':
      case 'array_value':
        return homogeneous(list(field(v, 'values'), 'values').map(jsonValue));
      case 'kvlistValue':
      case 'kvlist_value':
        return JSON.stringify(jsonAttributes(field(v, 'values')));
    }
  }
  return undefined;
}

// ---------- shared ----------

/** Adds the span and its line (the resource, the same for every span of a resource, is serialised once), or rejects it. */
function keep(out: DecodedSpans, seen: Set<string>, record: SpanRecord, resource: Record<string, string | number | boolean>, resourceJson: string): void {
  const problem = spanProblem(record, seen);
  if (problem) return reject(out, problem);
  const json = JSON.stringify(record);
  out.lines.push(`${json.slice(0, -1)},"resource":${resourceJson}}`);
  record.resource = resource;
  out.spans.push(record);
}

/** A second copy of a span in one request, or a span that ends before it starts (its duration would be negative). */
function spanProblem(record: SpanRecord, seen: Set<string>): string | undefined {
  const key = record.traceId + record.spanId;
  if (seen.has(key)) return `span ${record.spanId} of trace ${record.traceId} came more than once; kept once`;
  if (nanosBefore(record.endTimeUnixNano, record.startTimeUnixNano)) {
    return `span ${record.spanId} ends before it starts (end ${record.endTimeUnixNano} < start ${record.startTimeUnixNano} ns)`;
  }
  seen.add(key);
  return undefined;
}

/** a < b for decimal strings of nanoseconds (past 2^53, so compared as digits). */
function nanosBefore(a: string, b: string): boolean {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  return x.length !== y.length ? x.length < y.length : x < y;
}

function idProblem(traceId: string, spanId: string): string | undefined {
  if (traceId.length !== 32 || !HEX.test(traceId) || traceId === ZERO_TRACE) return `invalid trace id "${traceId}" (want 16 bytes, not all zero)`;
  if (spanId.length !== 16 || !HEX.test(spanId) || spanId === ZERO_SPAN) return `invalid span id "${spanId}" (want 8 bytes, not all zero)`;
  return undefined;
}

function reject(out: DecodedSpans, reason: string): void {
  out.rejected++;
  out.rejectReason ??= reason;
}

/** SpanRecord arrays are homogeneous (string[] | number[] | boolean[]); mixed arrays become strings. */
function homogeneous(values: Array<Attr | undefined>): Attr {
  const kept = values.filter((x): x is Attr => x !== undefined && !Array.isArray(x));
  if (kept.every((x) => typeof x === 'number')) return kept as number[];
  if (kept.every((x) => typeof x === 'boolean')) return kept as boolean[];
  return kept.map(String);
}

function flatScalars(attrs: Record<string, Attr>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(attrs)) out[k] = Array.isArray(v) ? JSON.stringify(v) : v;
  return out;
}
