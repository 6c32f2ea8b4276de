import { createHash } from 'node:crypto';
import type { CreateCapture } from '../run/records.js';
import { readJsonPath } from '../util/json-path.js';
import type { CompiledCapture } from './contract.js';

/**
 * What the load engine keeps of an acknowledged create, pure over the response: the id at the
 * contract's path, the fields' digests, the idempotency key, and for a bounded sample what it
 * takes to send the same create again.
 */

export interface CreateExchange {
  status: number;
  /** the response body as received (the engine keeps it for captured requests) */
  body: Buffer | string | null;
  method: string;
  url: string;
  /** the request's headers, lower-case names */
  requestHeaders: Readonly<Record<string, string>>;
  requestBody: string | Uint8Array | null;
}

/**
 * One create in this many keeps its replay data, up to the capture's `replayCandidates`: the
 * sample then spans the load's phases instead of its first seconds.
 */
export const REPLAY_STRIDE = 10;
/** a larger create body is not kept for replay: the sample must stay small in requests.ndjson */
export const MAX_REPLAY_BODY = 16 * 1024;
/** a field's canonical JSON longer than this is kept as its sha256 */
const MAX_FIELD_JSON = 200;
/** never written to the run directory; the read-back gets credentials from its caller instead */
const NOT_REPLAYED = new Set(['host', 'traceparent', 'cookie', 'authorization', 'proxy-authorization', 'user-agent', 'content-length', 'connection', 'transfer-encoding']);

/** The capture of one response; undefined unless it is 2xx (only acknowledged creates count). */
export function captureCreate(capture: CompiledCapture, exchange: CreateExchange): CreateCapture | undefined {
  if (exchange.status < 200 || exchange.status > 299) return undefined;
  capture.seen++;
  const out: CreateCapture = {};
  const key = capture.idempotencyHeader ? exchange.requestHeaders[capture.idempotencyHeader] : undefined;
  if (key !== undefined) out.idempotencyKey = key;
  const parsed = parseBody(exchange.body);
  if ('error' in parsed) out.error = parsed.error;
  else {
    const id = idOf(readJsonPath(parsed.value, capture.id));
    if (id === undefined) out.error = `no id at ${capture.id.source} in the response`;
    else out.id = id;
    if (capture.fields.length) out.fields = Object.fromEntries(capture.fields.map((f) => [f.name, fieldDigest(readJsonPath(parsed.value, f.path))]));
  }
  const replay = key !== undefined && out.id !== undefined ? replayOf(capture, exchange) : undefined;
  if (replay) out.replay = replay;
  return out;
}

/** A field's value as compared between the create and its read-back: canonical JSON (keys sorted), hashed when long. */
export function fieldDigest(value: unknown): string {
  if (value === undefined) return '(absent)';
  const json = canonicalJson(value);
  return json.length > MAX_FIELD_JSON ? `sha256:${createHash('sha256').update(json).digest('hex')}` : json;
}

/** An id as a string: a JSON string or number; anything else is no id. */
export function idOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export function parseBody(body: Buffer | string | null): { value: unknown } | { error: string } {
  const text = typeof body === 'string' ? body : body?.toString('utf8') ?? '';
  if (!text.length) return { error: 'empty response body' };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return { error: `response body is not JSON: ${JSON.stringify(text.slice(0, 40))}` };
  }
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function replayOf(capture: CompiledCapture, exchange: CreateExchange): CreateCapture['replay'] {
  if ((capture.seen - 1) % REPLAY_STRIDE !== 0 || capture.kept >= capture.replayCandidates) return undefined;
  const body = exchange.requestBody;
  if (body !== null && (typeof body !== 'string' || body.length > MAX_REPLAY_BODY)) return undefined;
  capture.kept++;
  const headers: Record<string, string> = {};
  for (const name in exchange.requestHeaders) if (!NOT_REPLAYED.has(name)) headers[name] = exchange.requestHeaders[name]!;
  return { method: exchange.method, url: exchange.url, headers, ...(body !== null ? { body } : {}) };
}
