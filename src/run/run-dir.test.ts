import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { MetricSample, SpanRecord } from './records.js';
import { RunDirectory } from './run-dir.js';
import { tempDir } from '../../test/support/temp-dir.js';

describe('RunDirectory', () => {
  it('creates a run, appends events and finds it again as the newest run', () => {
    const base = tempDir('peakready-run-');
    const run = RunDirectory.create('drill', base);
    run.appendTimeline({ t: 1, type: 'phase', state: 'start', phase: 'baseline' });
    run.appendTimeline({ t: 2, type: 'phase', state: 'end', phase: 'baseline' });
    const again = RunDirectory.open(undefined, base);
    expect(again.root).toBe(run.root);
    expect(again.timeline().map((e) => e.t)).toEqual([1, 2]);
  });

  it('skips a line torn by a crash', () => {
    const base = tempDir('peakready-run-');
    const run = RunDirectory.create('run', base);
    run.appendTimeline({ t: 1, type: 'phase', state: 'start', phase: 'baseline' });
    appendFileSync(run.path('timeline'), '{"t": 2, "ty');
    expect(run.readLines('timeline')).toHaveLength(1);
  });

  it('writes requests, metrics and spans as gzip members, one per batch, and reads them back in order', () => {
    const run = RunDirectory.create('drill', tempDir('peakready-run-'));
    const record = (t: number) => ({ t, scenario: 's', name: 'n', method: 'GET', status: 200, duration: 3, failed: false });
    run.appendRequests([record(1), record(2)]);
    run.appendRequests([record(3)]);
    expect(run.writtenPath('requests')).toBe(`${run.path('requests')}.gz`);
    expect(existsSync(run.path('requests'))).toBe(false);
    // two members, each a whole gzip stream
    const bytes = readFileSync(run.writtenPath('requests'));
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(gunzipSync(bytes).toString('utf8').trim().split('\n')).toHaveLength(3);
    expect(run.readLines<{ t: number }>('requests').map((r) => r.t)).toEqual([1, 2, 3]);
    expect(run.has('requests')).toBe(true);
    // the timeline stays plain: it is tailed live
    run.appendTimeline({ t: 1, type: 'phase', state: 'start', phase: 'baseline' });
    expect(readFileSync(run.path('timeline'), 'utf8')).toContain('"phase":"baseline"');
  });

  it('keeps what a member torn by a crash holds, and reads an older run\'s plain file beside a compressed one', () => {
    const run = RunDirectory.create('drill', tempDir('peakready-run-'));
    const spans: SpanRecord[] = Array.from({ length: 50 }, (_, i) => ({ traceId: `t${i}`, spanId: `s${i}`, name: 'GET', service: 'gateway', kind: 'SERVER', startTimeUnixNano: String(i), endTimeUnixNano: String(i + 1), status: 'UNSET', attributes: { 'url.path': `/p/${i}` } }));
    run.appendSpans(spans.slice(0, 10));
    const whole = readFileSync(run.writtenPath('traces')).length;
    run.appendSpans(spans.slice(10));
    const file = run.writtenPath('traces');
    // a crash mid-append: the second member cut short
    writeFileSync(file, readFileSync(file).subarray(0, whole + Math.floor((readFileSync(file).length - whole) / 2)));
    const read = run.readLines<{ traceId: string }>('traces');
    expect(read.length).toBeGreaterThanOrEqual(10);
    expect(read.length).toBeLessThan(50);
    expect(read.map((s) => s.traceId).slice(0, 10)).toEqual(spans.slice(0, 10).map((s) => s.traceId));
    writeFileSync(run.path('metrics'), '{"source":"cpu","t":1}\n');
    run.appendMetrics([{ source: 'cpu', t: 2 } as unknown as MetricSample]);
    expect(run.readLines<{ t: number }>('metrics').map((m) => m.t)).toEqual([1, 2]);
  });

  it('names the places it looked when a run is missing', () => {
    const base = tempDir('peakready-run-');
    expect(() => RunDirectory.open('nope', base)).toThrow(/run "nope" not found/);
    expect(() => RunDirectory.open(undefined, base)).toThrow(/no runs found/);
  });
});
