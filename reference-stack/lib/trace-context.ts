import { TraceFlags, type SpanContext } from '@opentelemetry/api';

/**
 * W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header),
 * read and written by hand: one regex and one template per hop instead of the SDK's composite
 * propagator, which runs several getters, a regex and a TraceState parse on every request.
 *
 *   version "-" trace-id "-" parent-id "-" trace-flags      e.g. 00-0af7...319c-b7ad6b7169203331-01
 *
 * Version ff is invalid; version 00 is exactly 55 characters; a later version may append fields
 * after a "-" (read as version 00, as the spec asks). All-zero ids are invalid. Upper-case hex
 * is invalid.
 */

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/** The caller's span from a `traceparent` header value; undefined when absent or invalid. */
export function parseTraceparent(header: string | string[] | undefined): SpanContext | undefined {
  if (typeof header !== 'string') return undefined;
  const match = TRACEPARENT.exec(header.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
}

/** The `traceparent` (or `traceresponse`) value naming `span`. */
export function formatTraceparent(span: SpanContext): string {
  return `00-${span.traceId}-${span.spanId}-${span.traceFlags & TraceFlags.SAMPLED ? '01' : '00'}`;
}
