import { TraceFlags, type SpanContext } from '@opentelemetry/api';

/**
 * W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header),
 * read and written by hand: a scan of the 55 characters and one template per hop instead of the
 * SDK's composite propagator, which runs several getters, regexes and a TraceState parse on every
 * request.
 *
 *   version "-" trace-id "-" parent-id "-" trace-flags      e.g. 00-0af7...319c-b7ad6b7169203331-01
 *
 * Version ff is invalid; version 00 is exactly 55 characters; a later version may append fields
 * after a "-" (read as version 00, as the spec asks). All-zero ids are invalid. Upper-case hex
 * is invalid.
 */

const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
const DASH = 0x2d;
/** version 00 is exactly this long; a later version may add "-" and more after it */
const LENGTH = 55;

/** whether `text[from, to)` is lower-case hex */
function isHex(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** The caller's span from a `traceparent` header value; undefined when absent or invalid. */
export function parseTraceparent(header: string | string[] | undefined): SpanContext | undefined {
  if (typeof header !== 'string') return undefined;
  const value = header.length === LENGTH ? header : header.trim();
  if (value.length < LENGTH || value.charCodeAt(2) !== DASH || value.charCodeAt(35) !== DASH || value.charCodeAt(52) !== DASH) return undefined;
  if (!isHex(value, 0, 2) || !isHex(value, 3, 35) || !isHex(value, 36, 52) || !isHex(value, 53, LENGTH)) return undefined;
  const version = value.slice(0, 2);
  if (version === 'ff') return undefined;
  if (value.length > LENGTH && (version === '00' || value.charCodeAt(LENGTH) !== DASH)) return undefined;
  const traceId = value.slice(3, 35);
  const spanId = value.slice(36, 52);
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return undefined;
  return { traceId, spanId, traceFlags: parseInt(value.slice(53, LENGTH), 16) & TraceFlags.SAMPLED, isRemote: true };
}

/**
 * Whether a parent's ids can be continued: what the API's `isSpanContextValid` checks, without
 * its two regexes, for the contexts this stack holds (its own spans and parseTraceparent's).
 */
export function hasValidIds(span: SpanContext): boolean {
  return span.traceId.length === 32 && span.spanId.length === 16 && span.traceId !== ZERO_TRACE_ID && span.spanId !== ZERO_SPAN_ID;
}

/** The `traceparent` (or `traceresponse`) value naming `span`. */
export function formatTraceparent(span: SpanContext): string {
  return `00-${span.traceId}-${span.spanId}-${span.traceFlags & TraceFlags.SAMPLED ? '01' : '00'}`;
}
