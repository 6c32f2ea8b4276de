import { EnvironmentError } from '../../../errors.js';
import type { SpanRecord } from '../../../run/records.js';
import { realClock, type Clock } from '../../../util/clock.js';
import { classifyAnswer, classifyError, failureLine, getAnswer, type Lookup } from './backend-http.js';
import { baseUrl, traceApiFor, traceApiRegistry } from './registry.js';
import type { TimeWindow, TraceApi, TraceApiId, TraceBackend } from './trace-api.js';

/**
 * After a run, each trace the load engine started, fetched by id from the user's trace backend
 * (when spans went there instead of to our receiver), as the receiver's own SpanRecords. A trace
 * the backend does not hold is `missing`, not an error: the tracing check counts it. A backend
 * that cannot answer at all (unreachable, 401/403, no such API at the URL, or every one of the
 * first lookups failing before any answered) throws a TraceBackendError whose one line names the
 * URL and the fix, instead of reporting every trace as lost.
 */

export interface FetchTracesOptions {
  /** requests in flight at once (default 8): a game day must not become a load test of the backend */
  concurrency?: number;
  /** per request (default 10 s) */
  timeoutMs?: number;
  /** further tries of a lookup answered 429 or 503, after Retry-After (default 2) */
  retries?: number;
  /** when the traces started (the run): Tempo and Jaeger v3 then search only those blocks */
  window?: TimeWindow;
  /** failures in a row, before any lookup answered, that mean the backend is down (default 3) */
  failFastAfter?: number;
  onProgress?: (progress: FetchProgress) => void;
  /** aborting stops the lookups and rejects with the signal's reason */
  signal?: AbortSignal;
  /** waits between retries */
  clock?: Clock;
}

export interface FetchProgress {
  done: number;
  total: number;
  found: number;
  missing: number;
  errors: number;
}

export interface TraceFetchError {
  traceId: string;
  message: string;
  /** the HTTP status, when the backend answered */
  status?: number;
}

export interface FetchTracesResult {
  /** every span of every trace found, trace by trace in the order asked */
  spans: SpanRecord[];
  /** traces found (with at least one span) */
  found: number;
  /** trace ids the backend does not hold */
  missing: string[];
  /** lookups that failed (timeouts, 5xx, answers that did not decode, ids that are not trace ids) */
  errors: TraceFetchError[];
  /** traces the backend itself called incomplete (Tempo v2 `PARTIAL`, Jaeger `errors`) */
  partial: Array<{ traceId: string; message: string }>;
  /** spans dropped for invalid ids, as the receiver drops them */
  rejectedSpans: number;
  /** the API that answered (after any fallback to an older one) */
  api: TraceApiId;
}

/** A trace backend that cannot serve the lookups at all. Exit code 2, like any unreachable dependency. */
export class TraceBackendError extends EnvironmentError {}

const TRACE_ID = /^[0-9a-f]{32}$/;

export async function fetchTraces(backend: TraceBackend, traceIds: Iterable<string>, options: FetchTracesOptions = {}): Promise<FetchTracesResult> {
  const ids = [...new Set([...traceIds].map((id) => id.toLowerCase()))];
  const valid = ids.filter((id) => TRACE_ID.test(id));
  const run = new TraceFetch(backend, valid.length, options);
  await run.fetchAll(valid);
  return run.result(ids);
}

type Outcome = Exclude<Lookup, { kind: 'no-api' }>;

class TraceFetch {
  private api: TraceApi;
  private readonly chosen: boolean;
  private readonly controller = new AbortController();
  private readonly outcomes = new Map<string, Outcome>();
  private readonly counts = { done: 0, found: 0, missing: 0, errors: 0 };
  private answered = 0;
  private leadingFailures = 0;

  constructor(
    private readonly backend: TraceBackend,
    private readonly total: number,
    private readonly options: FetchTracesOptions,
  ) {
    ({ api: this.api, chosen: this.chosen } = traceApiFor(backend));
  }

  async fetchAll(ids: readonly string[]): Promise<void> {
    const outer = this.options.signal;
    if (outer?.aborted) throw outer.reason;
    const stop = () => this.controller.abort(outer?.reason);
    outer?.addEventListener('abort', stop, { once: true });
    try {
      await eachLimited(ids, this.options.concurrency ?? 8, (id) => this.one(id), this.controller.signal);
    } finally {
      outer?.removeEventListener('abort', stop);
      this.controller.abort();
    }
    if (outer?.aborted) throw outer.reason;
  }

  result(ids: readonly string[]): FetchTracesResult {
    const out: FetchTracesResult = { spans: [], found: 0, missing: [], errors: [], partial: [], rejectedSpans: 0, api: this.api.id };
    for (const traceId of ids) {
      const outcome = this.outcomes.get(traceId) ?? { kind: 'failed', message: 'not a trace id (want 32 hex characters)' };
      if (outcome.kind === 'missing') out.missing.push(traceId);
      else if (outcome.kind === 'failed') out.errors.push({ traceId, message: outcome.message, ...(outcome.status ? { status: outcome.status } : {}) });
      else {
        out.found++;
        out.spans.push(...outcome.trace.spans);
        out.rejectedSpans += outcome.trace.rejected;
        if (outcome.trace.partial) out.partial.push({ traceId, message: outcome.trace.partial });
      }
    }
    return out;
  }

  private async one(traceId: string): Promise<void> {
    const retries = this.options.retries ?? 2;
    for (let attempt = 0; ; attempt++) {
      const api = this.api;
      const lookup = await this.lookUp(api, traceId);
      if (this.controller.signal.aborted) return;
      if (lookup.kind === 'no-api' && this.fallBack(api)) continue;
      if (lookup.kind === 'failed' && lookup.retryAfterMs !== undefined && attempt < retries) {
        await (this.options.clock ?? realClock).sleep(lookup.retryAfterMs, this.controller.signal);
        continue;
      }
      return this.record(traceId, api, lookup);
    }
  }

  private async lookUp(api: TraceApi, traceId: string): Promise<Lookup> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const url = baseUrl(this.backend) + api.tracePath(traceId, this.options.window);
    try {
      return classifyAnswer(api, await getAnswer(url, this.backend.headers ?? {}, timeoutMs, this.controller.signal));
    } catch (error) {
      return classifyError(error, timeoutMs);
    }
  }

  /** An older server without the newest API: use the older one, unless the user chose the version. */
  private fallBack(failed: TraceApi): boolean {
    if (this.api !== failed) return true;
    if (this.chosen || !failed.fallback) return false;
    this.api = traceApiRegistry[failed.fallback];
    return true;
  }

  private record(traceId: string, api: TraceApi, lookup: Lookup): void {
    if (lookup.kind === 'no-api') this.fail(failureLine(api, this.backend, lookup, api.tracePath(traceId)));
    if (lookup.kind === 'failed') this.failed(traceId, api, lookup);
    else this.answered++;
    this.outcomes.set(traceId, lookup);
    this.counts.done++;
    this.counts[lookup.kind === 'failed' ? 'errors' : lookup.kind]++;
    this.options.onProgress?.({ ...this.counts, total: this.total });
  }

  /** Before any lookup answered, a failure may mean the backend cannot answer any. */
  private failed(traceId: string, api: TraceApi, lookup: Extract<Lookup, { kind: 'failed' }>): void {
    if (this.answered > 0) return;
    const path = api.tracePath(traceId);
    if (lookup.fatal) this.fail(failureLine(api, this.backend, lookup, path));
    this.leadingFailures++;
    if (this.leadingFailures >= Math.min(this.options.failFastAfter ?? 3, this.total)) this.fail(failureLine(api, this.backend, lookup, path, this.leadingFailures));
  }

  private fail(line: string): never {
    this.controller.abort();
    throw new TraceBackendError(line);
  }
}

/** Runs `work` on every item with at most `limit` at once; stops taking items once `signal` aborts. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>, signal: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal.aborted) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
