import type { RequestRecord } from '../../run/records.js';
import type { Trace } from './assemble.js';

/**
 * Tracing completeness: of the requests the load engine sent (each with the W3C trace id it put
 * in `traceparent`), the share whose trace arrived complete. A trace is complete when
 * 1. spans with that trace id arrived;
 * 2. its entry span is a SERVER span (of `entryService` when one is named: the service the load
 *    calls, e.g. the bundled shop's gateway; any service otherwise) that continued the client's
 *    context: its parent is the client's span id (the `parent-id` of the traceparent, when the
 *    engine recorded it as `spanId`), or otherwise a span id not in the trace (the client's span is
 *    never exported);
 * 3. no orphans: every other span's parent arrived.
 * Requests that got no response (status 0) and left no trace never reached a service and are
 * not counted; those that did leave a trace are.
 */

export interface CompletenessResult {
  sent: number;
  complete: number;
  /** complete / sent (1 when nothing was sent) */
  ratio: number;
  /** trace ids of requests whose trace was not complete */
  missing: string[];
  /** why, by reason: 'no-trace', 'entry-not-continued', 'wrong-entry', 'orphans' */
  reasons: Record<string, number>;
}

export function tracingCompleteness(
  requests: readonly RequestRecord[],
  traces: readonly Trace[],
  options: { entryService?: string } = {},
): CompletenessResult {
  const { entryService } = options;
  const byId = new Map(traces.map((t) => [t.traceId, t]));
  const seen = new Set<string>();
  const missing: string[] = [];
  const reasons: Record<string, number> = {};
  let sent = 0;
  let complete = 0;
  for (const request of requests) {
    const traceId = request.traceId?.toLowerCase();
    if (!traceId || seen.has(traceId)) continue;
    const trace = byId.get(traceId);
    if (!trace && request.status === 0) continue;
    seen.add(traceId);
    sent++;
    const reason = incompleteness(trace, request.spanId?.toLowerCase(), entryService);
    if (reason) {
      missing.push(traceId);
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    } else complete++;
  }
  return { sent, complete, ratio: sent ? complete / sent : 1, missing, reasons };
}

function incompleteness(trace: Trace | undefined, clientSpanId: string | undefined, entryService: string | undefined): string | undefined {
  if (!trace) return 'no-trace';
  const root = trace.root;
  if (root.kind !== 'SERVER' || (entryService !== undefined && root.service !== entryService)) return 'wrong-entry';
  if (!root.parentSpanId || (clientSpanId && root.parentSpanId !== clientSpanId)) return 'entry-not-continued';
  if (trace.orphans.length) return 'orphans';
  return undefined;
}
