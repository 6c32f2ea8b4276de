import { failureLine, getAnswer, classifyError, type HttpAnswer, type Lookup } from './backend-http.js';
import { baseUrl, traceApiFor, traceApiRegistry } from './registry.js';
import type { TraceApi, TraceBackend } from './trace-api.js';

/**
 * The dry run's knock on a trace backend: one cheap GET (Tempo `/api/echo`, or `/ready` on a
 * Tempo without it; Jaeger `/api/v3/services`, or `/api/services`), 2 s at most, with the
 * user's headers, so a wrong URL or missing credentials show before anything starts.
 */
export async function reachable(
  backend: TraceBackend,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const { api: first, chosen } = traceApiFor(backend);
  let api: TraceApi = first;
  for (;;) {
    let lookup: Lookup | undefined;
    try {
      lookup = readyLookup(await getAnswer(baseUrl(backend) + api.readyPath, backend.headers ?? {}, timeoutMs, options.signal ?? new AbortController().signal));
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      lookup = classifyError(error, timeoutMs);
    }
    if (!lookup) return { ok: true };
    if (lookup.kind === 'no-api' && api.fallback && !chosen) {
      api = traceApiRegistry[api.fallback];
      continue;
    }
    return { ok: false, reason: failureLine(api, backend, lookup, api.readyPath) };
  }
}

/** undefined when the API answered 2xx */
function readyLookup(answer: HttpAnswer): Lookup | undefined {
  const { status } = answer;
  if (status >= 200 && status < 300) return undefined;
  if (status === 404) return { kind: 'no-api', status };
  if (status === 401 || status === 403) return { kind: 'failed', status, fatal: 'unauthorized', message: `answered ${status}` };
  return { kind: 'failed', status, message: `answered ${status}` };
}
