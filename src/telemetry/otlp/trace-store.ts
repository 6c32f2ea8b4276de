import type { SpanRecord } from '../../run/records.js';

/**
 * The spans a receiver keeps in memory for live queries, bounded: past `maxSpans` whole traces
 * are evicted oldest-first (by first arrival), so memory stays flat during a long drill while
 * every span still reaches the run directory on disk.
 */
export class TraceStore {
  readonly maxSpans: number;
  private readonly byTrace = new Map<string, SpanRecord[]>();
  private held = 0;
  private evictedTraces = 0;
  private evictedSpans = 0;

  constructor(maxSpans: number) {
    if (!Number.isInteger(maxSpans) || maxSpans < 1) throw new RangeError(`maxSpans must be a positive integer, got ${maxSpans}`);
    this.maxSpans = maxSpans;
  }

  add(spans: readonly SpanRecord[]): void {
    for (const span of spans) {
      let trace = this.byTrace.get(span.traceId);
      if (!trace) {
        trace = [];
        this.byTrace.set(span.traceId, trace);
      }
      trace.push(span);
    }
    this.held += spans.length;
    this.evict();
  }

  private evict(): void {
    // Map iteration is insertion order: the first key is the oldest trace
    for (const [traceId, spans] of this.byTrace) {
      if (this.held <= this.maxSpans) return;
      this.byTrace.delete(traceId);
      this.held -= spans.length;
      this.evictedTraces++;
      this.evictedSpans += spans.length;
    }
  }

  get spanCount(): number {
    return this.held;
  }

  get traceCount(): number {
    return this.byTrace.size;
  }

  get tracesEvicted(): number {
    return this.evictedTraces;
  }

  get spansEvicted(): number {
    return this.evictedSpans;
  }

  trace(traceId: string): readonly SpanRecord[] | undefined {
    return this.byTrace.get(traceId.toLowerCase());
  }

  traceIds(): string[] {
    return [...this.byTrace.keys()];
  }

  /** Every span held, oldest trace first. */
  spans(): SpanRecord[] {
    const out: SpanRecord[] = [];
    for (const spans of this.byTrace.values()) out.push(...spans);
    return out;
  }
}
