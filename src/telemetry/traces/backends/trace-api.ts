import type { SpanRecord } from '../../../run/records.js';

/**
 * A trace backend's query API as one plug-in: where a trace is read by id, how its answer becomes
 * `SpanRecord`s, and where a dry run knocks. One file per backend (`tempo.ts`, `jaeger.ts`), all
 * registered in `index.ts`; the fetcher (`fetch-traces.ts`) knows none of them by name.
 */

/** Where the user's traces are stored: the base URL of the query API (a path prefix is kept). */
export type TraceBackend =
  | { kind: 'tempo'; url: string; api?: 'v1' | 'v2'; headers?: Record<string, string> }
  | { kind: 'jaeger'; url: string; api?: 'v1' | 'v3'; headers?: Record<string, string> };

export type TraceBackendKind = TraceBackend['kind'];

export type TraceApiId = 'tempo-v1' | 'tempo-v2' | 'jaeger-v1' | 'jaeger-v3';

/** What one answer held: the trace's spans, and why it may be incomplete (the backend said so). */
export interface DecodedTrace {
  spans: SpanRecord[];
  /** spans the decoder refused (invalid ids) */
  rejected: number;
  /** the backend's own word that the trace is partial (Tempo v2 `status: PARTIAL`, Jaeger `errors`) */
  partial?: string;
}

export interface TraceApi {
  id: TraceApiId;
  /** for messages: "Tempo", "Jaeger" */
  product: string;
  /** the usual port of the query API, for the fix in an "unreachable" message */
  defaultPort: number;
  /** path and query of one trace (the id is lower-case hex); `window` narrows the search where the API takes it */
  tracePath(traceId: string, window?: TimeWindow): string;
  /** a cheap GET that answers 200 when the query API serves (dry run) */
  readyPath: string;
  /** parses a 200 answer; throws BadTraceAnswer when it is not this API's shape */
  decode(body: string): DecodedTrace;
  /** the older API of the same backend, tried when this one's route does not exist and the user chose none */
  fallback?: TraceApiId;
}

/** Epoch milliseconds. */
export interface TimeWindow {
  startMs: number;
  endMs: number;
}

/** A 200 answer that is not the API's JSON: the URL points at something else. */
export class BadTraceAnswer extends Error {}

export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new BadTraceAnswer(`the answer is not JSON (${(error as Error).message}): ${body.slice(0, 80)}`);
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
