import type { RunDirectory } from '../../run/run-dir.js';
import type { SpanRecord } from '../../run/records.js';
import { everyUnref, type Every } from './ticker.js';
import type { TraceStore } from './trace-store.js';

/**
 * Where accepted spans go: into the bounded in-memory TraceStore at once, to live consumers at
 * once, and to traces.ndjson in batches (every `flushIntervalMs`, or as soon as `batchSpans`
 * lines wait, and on close), so the disk sees a few large appends instead of one per export.
 * Lines wait as the JSON text the decoder already made (the same line RunDirectory.appendSpans
 * would write), shared with the store: a span is serialised once.
 */

/** Appends span lines (without newlines) to the record of the run. */
export type SpanSink = (lines: readonly string[]) => void;

export interface SpanSpoolOptions {
  /** lines waiting that trigger a write before the timer (default 5,000) */
  batchSpans?: number;
  /** called with every accepted batch (live consumers) */
  onSpans?: (spans: readonly SpanRecord[]) => void;
}

/** The run directory's traces record (traces.ndjson.gz) as a sink. */
export function traceFileSink(runDir: RunDirectory): SpanSink {
  return (lines) => runDir.appendLines('traces', lines);
}

export class SpanSpool {
  private waiting: string[] = [];
  private received = 0;
  private stopTimer: (() => void) | undefined;
  private readonly batchSpans: number;

  /** Without a sink, spans are only held in the store. */
  constructor(
    private readonly store: TraceStore,
    private readonly sink: SpanSink | undefined,
    private readonly options: SpanSpoolOptions = {},
  ) {
    this.batchSpans = options.batchSpans ?? 5000;
  }

  /** `lines[i]` is `JSON.stringify(spans[i])`. Returns how many the store already held (not taken again). */
  take(spans: readonly SpanRecord[], lines: readonly string[]): number {
    if (!spans.length) return 0;
    const kept = this.store.addEncoded(spans, lines);
    if (!kept.spans.length) return kept.duplicates;
    this.received += kept.spans.length;
    if (this.sink) for (const line of kept.lines) this.waiting.push(line);
    if (this.waiting.length >= this.batchSpans) this.flush();
    this.options.onSpans?.(kept.spans);
    return kept.duplicates;
  }

  /** span lines not yet written */
  get pendingSpans(): number {
    return this.waiting.length;
  }

  /** spans taken since the start */
  get spansReceived(): number {
    return this.received;
  }

  /** Writes every waiting line now; when the write fails, the lines wait on (and the error is thrown). */
  flush(): void {
    if (!this.waiting.length || !this.sink) return;
    const batch = this.waiting;
    this.waiting = [];
    try {
      this.sink(batch);
    } catch (error) {
      this.waiting = batch.concat(this.waiting);
      throw error;
    }
  }

  /** Flushes every `intervalMs` until `close`. */
  start(intervalMs: number, every: Every = everyUnref): this {
    this.stopTimer ??= every(intervalMs, () => {
      try {
        this.flush();
      } catch {
        // the lines wait for the next flush; meanwhile admission refuses exports past maxPendingSpans
      }
    });
    return this;
  }

  /** Stops the timer and writes what waits. */
  close(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
    try {
      this.flush();
    } catch {
      // only spans never acknowledged wait here (an export is answered after its spans are written)
    }
  }
}
