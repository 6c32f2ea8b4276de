import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../../run/records.js';
import { RunDirectory } from '../../run/run-dir.js';
import { SpanSpool, traceFileSink } from './span-spool.js';
import type { Every } from './ticker.js';
import { TraceStore } from './trace-store.js';
import { tempDir } from '../../../test/support/temp-dir.js';

function spans(traceId: string, count: number): { spans: SpanRecord[]; lines: string[] } {
  const out = Array.from({ length: count }, (_, i): SpanRecord => ({
    traceId,
    spanId: String(i + 1).padStart(16, '0'),
    service: 'checkout',
    name: 'GET /',
    kind: 'SERVER',
    startTimeUnixNano: '1',
    endTimeUnixNano: '2',
    status: 'UNSET',
    attributes: {},
  }));
  return { spans: out, lines: out.map((s) => JSON.stringify(s)) };
}

function memorySpool(options: ConstructorParameters<typeof SpanSpool>[2] = {}) {
  const written: string[][] = [];
  const store = new TraceStore(1000);
  const spool = new SpanSpool(store, (lines) => written.push([...lines]), options);
  return { spool, store, written };
}

describe('SpanSpool', () => {
  it('holds spans in the store at once and writes them only on flush', () => {
    const { spool, store, written } = memorySpool();
    const a = spans('a'.repeat(32), 3);
    spool.take(a.spans, a.lines);
    expect(store.spanCount).toBe(3);
    expect(spool.pendingSpans).toBe(3);
    expect(written).toEqual([]);
    spool.flush();
    expect(written).toEqual([a.lines]);
    expect(spool.pendingSpans).toBe(0);
    spool.flush();
    expect(written).toHaveLength(1);
    expect(spool.spansReceived).toBe(3);
  });

  it('writes as soon as a batch is full', () => {
    const { spool, written } = memorySpool({ batchSpans: 4 });
    const a = spans('a'.repeat(32), 3);
    const b = spans('b'.repeat(32), 3);
    spool.take(a.spans, a.lines);
    expect(written).toHaveLength(0);
    spool.take(b.spans, b.lines);
    expect(written.map((batch) => batch.length)).toEqual([6]);
  });

  it('hands every non-empty batch to live consumers', () => {
    const seen: number[] = [];
    const { spool } = memorySpool({ onSpans: (s) => seen.push(s.length) });
    spool.take([], []);
    const a = spans('a'.repeat(32), 2);
    spool.take(a.spans, a.lines);
    expect(seen).toEqual([2]);
  });

  it('keeps nothing waiting without a sink', () => {
    const store = new TraceStore(10);
    const spool = new SpanSpool(store, undefined);
    const a = spans('a'.repeat(32), 2);
    spool.take(a.spans, a.lines);
    expect(spool.pendingSpans).toBe(0);
    expect(store.spanCount).toBe(2);
  });

  it('flushes on its timer and once more on close', () => {
    const { spool, written } = memorySpool();
    let tick: (() => void) | undefined;
    let stopped = 0;
    const every: Every = (ms, fn) => {
      expect(ms).toBe(100);
      tick = fn;
      return () => stopped++;
    };
    spool.start(100, every);
    const a = spans('a'.repeat(32), 2);
    spool.take(a.spans, a.lines);
    tick!();
    expect(written).toHaveLength(1);
    const b = spans('b'.repeat(32), 2);
    spool.take(b.spans, b.lines);
    spool.close();
    expect(written).toHaveLength(2);
    expect(stopped).toBe(1);
  });

  it('appends lines to traces.ndjson of a run directory', () => {
    const run = new RunDirectory(tempDir('peakready-spool-'));
    const spool = new SpanSpool(new TraceStore(10), traceFileSink(run));
    const a = spans('a'.repeat(32), 2);
    const b = spans('b'.repeat(32), 2);
    spool.take(a.spans, a.lines);
    spool.flush();
    spool.take(b.spans, b.lines);
    spool.close();
    expect(run.readLines<SpanRecord>('traces')).toEqual([...a.spans, ...b.spans]);
  });

  it('takes a span the store already holds once: a retried export is counted, not stored or written twice', () => {
    const { spool, store, written } = memorySpool();
    const a = spans('a'.repeat(32), 3);
    expect(spool.take(a.spans, a.lines)).toBe(0);
    const retried = spans('a'.repeat(32), 4); // the same three spans and one new
    expect(spool.take(retried.spans, retried.lines)).toBe(3);
    spool.close();
    expect(store.spanCount).toBe(4);
    expect(spool.spansReceived).toBe(4);
    expect(written.flat()).toEqual(retried.lines);
  });
});
