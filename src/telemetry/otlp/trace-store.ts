import type { SpanRecord } from '../../run/records.js';

/**
 * The spans a receiver keeps in memory for live queries, bounded: past `maxSpans` whole traces
 * are evicted oldest-first (by first arrival), so memory stays flat during a long drill while
 * every span still reaches the run directory on disk. Spans are held as their JSON lines (the
 * same text traces.ndjson gets): one flat string per span costs the garbage collector far less
 * than an object graph, which measured as the largest ingest cost; reads parse on demand.
 */
export class TraceStore {
  readonly maxSpans: number;
  private readonly byTrace = new Map<string, string[]>();
  private held = 0;
  private evictedTraces = 0;
  private evictedSpans = 0;

  constructor(maxSpans: number) {
    if (!Number.isInteger(maxSpans) || maxSpans < 1) throw new RangeError(`maxSpans must be a positive integer, got ${maxSpans}`);
    this.maxSpans = maxSpans;
  }

  add(spans: readonly SpanRecord[]): void {
    this.addEncoded(spans, spans.map((s) => JSON.stringify(s)));
  }

  /** `lines[i]` is `JSON.stringify(spans[i])`, already made for the disk. */
  addEncoded(spans: readonly SpanRecord[], lines: readonly string[]): void {
    for (let i = 0; i < spans.length; i++) {
      const traceId = spans[i]!.traceId;
      const trace = this.byTrace.get(traceId);
      if (trace) trace.push(lines[i]!);
      else this.byTrace.set(traceId, [lines[i]!]);
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

  trace(traceId: string): SpanRecord[] | undefined {
    return this.byTrace.get(traceId.toLowerCase())?.map((line) => JSON.parse(line) as SpanRecord);
  }

  traceIds(): string[] {
    return [...this.byTrace.keys()];
  }

  /** Every span held, oldest trace first. */
  spans(): SpanRecord[] {
    const out: SpanRecord[] = [];
    for (const lines of this.byTrace.values()) for (const line of lines) out.push(JSON.parse(line) as SpanRecord);
    return out;
  }
}
