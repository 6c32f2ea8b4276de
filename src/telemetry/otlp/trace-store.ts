import type { SpanRecord } from '../../run/records.js';

/** What an add kept (new spans, for the disk) and how many it had already. */
export interface StoredSpans {
  spans: SpanRecord[];
  lines: string[];
  /** spans whose trace and span id were already held: not added again */
  duplicates: number;
}

/**
 * The spans a receiver keeps in memory for live queries, bounded: past `maxSpans` whole traces
 * are evicted oldest-first (by first arrival), so memory stays flat during a long drill while
 * every span still reaches the run directory on disk. Spans are held as their JSON lines (the
 * same text traces.ndjson gets): one flat string per span costs the garbage collector far less
 * than an object graph, which measured as the largest ingest cost; reads parse on demand. A span
 * id is held once per trace: a second copy (a retried export) is counted, not stored, as long as
 * its trace is still held (not evicted).
 */
export class TraceStore {
  readonly maxSpans: number;
  /** per trace, its spans' lines by span id, in arrival order */
  private readonly byTrace = new Map<string, Map<string, string>>();
  private held = 0;
  private evictedTraces = 0;
  private evictedSpans = 0;

  constructor(maxSpans: number) {
    if (!Number.isInteger(maxSpans) || maxSpans < 1) throw new RangeError(`maxSpans must be a positive integer, got ${maxSpans}`);
    this.maxSpans = maxSpans;
  }

  add(spans: readonly SpanRecord[]): StoredSpans {
    return this.addEncoded(spans, spans.map((s) => JSON.stringify(s)));
  }

  /**
   * `lines[i]` is `JSON.stringify(spans[i])`, already made for the disk. A span whose trace and
   * span id the store already holds (an exporter retrying a batch whose answer it lost) is not
   * added again; what was added is returned, for the disk.
   */
  addEncoded(spans: readonly SpanRecord[], lines: readonly string[]): StoredSpans {
    const kept: StoredSpans = { spans: [], lines: [], duplicates: 0 };
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      let trace = this.byTrace.get(span.traceId);
      if (!trace) this.byTrace.set(span.traceId, (trace = new Map()));
      if (trace.has(span.spanId)) {
        kept.duplicates++;
        continue;
      }
      trace.set(span.spanId, lines[i]!);
      kept.spans.push(span);
      kept.lines.push(lines[i]!);
    }
    this.held += kept.spans.length;
    this.evict();
    return kept;
  }

  private evict(): void {
    // Map iteration is insertion order: the first key is the oldest trace
    for (const [traceId, spans] of this.byTrace) {
      if (this.held <= this.maxSpans) return;
      this.byTrace.delete(traceId);
      this.held -= spans.size;
      this.evictedTraces++;
      this.evictedSpans += spans.size;
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
    const lines = this.byTrace.get(traceId.toLowerCase());
    return lines && [...lines.values()].map((line) => JSON.parse(line) as SpanRecord);
  }

  traceIds(): string[] {
    return [...this.byTrace.keys()];
  }

  /** Every span held, oldest trace first. */
  spans(): SpanRecord[] {
    const out: SpanRecord[] = [];
    for (const lines of this.byTrace.values()) for (const line of lines.values()) out.push(JSON.parse(line) as SpanRecord);
    return out;
  }
}
