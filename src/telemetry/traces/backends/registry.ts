import { jaegerV1, jaegerV3 } from './jaeger.js';
import { tempoV1, tempoV2 } from './tempo.js';
import type { TraceApi, TraceApiId, TraceBackend } from './trace-api.js';

/**
 * Every trace backend API by id. Adding one: a file with its `TraceApi` (path, decoder, ready
 * path), one line here, and its kind and versions in `TraceBackend` (trace-api.ts).
 */
export const traceApiRegistry: Readonly<Record<TraceApiId, TraceApi>> = {
  'tempo-v1': tempoV1,
  'tempo-v2': tempoV2,
  'jaeger-v1': jaegerV1,
  'jaeger-v3': jaegerV3,
};

/** The newest API of each backend; when the user names none, an older server falls back (`TraceApi.fallback`). */
const DEFAULT_VERSION = { tempo: 'v2', jaeger: 'v3' } as const;

export function traceApiFor(backend: TraceBackend): { api: TraceApi; chosen: boolean } {
  const version = backend.api ?? DEFAULT_VERSION[backend.kind];
  return { api: traceApiRegistry[`${backend.kind}-${version}` as TraceApiId], chosen: backend.api !== undefined };
}

export function baseUrl(backend: TraceBackend): string {
  return backend.url.replace(/\/+$/, '');
}
