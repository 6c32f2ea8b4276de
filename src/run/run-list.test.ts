import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listRuns, prunable, removeRuns, type RunEntry } from './run-list.js';
import { tempDir } from '../../test/support/temp-dir.js';

function makeRun(base: string, id: string, files: Record<string, unknown>): void {
  const root = join(base, 'runs', id);
  mkdirSync(root, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(root, name), typeof content === 'string' ? content : JSON.stringify(content));
}

describe('listRuns', () => {
  it('lists every run oldest first with its date, command, profile, verdict and size', () => {
    const base = tempDir('peakready-runs-');
    makeRun(base, '20261201T100000Z-drill', { 'config.json': { command: 'drill', profile: 'smoke', startedAt: '2026-12-01T10:00:00.000Z' }, 'report.json': { verdict: 'fail' }, 'traces.ndjson.gz': 'x'.repeat(1000) });
    makeRun(base, '20261130T090000Z-run', { 'summary.json': { metrics: { http_req_duration: { thresholds: { 'p(95)<100': { ok: true } } } } } });
    makeRun(base, '20261202T080000Z-chaos', { 'config.json': { command: 'chaos run' }, 'chaos-result.json': { status: 'ok' } });
    makeRun(base, '20261202T090000Z-up', {});
    const runs = listRuns(base);
    expect(runs.map((r) => [r.id, r.command, r.profile, r.verdict])).toEqual([
      ['20261130T090000Z-run', 'run', undefined, 'thresholds ok'],
      ['20261201T100000Z-drill', 'drill', 'smoke', 'fail'],
      ['20261202T080000Z-chaos', 'chaos', undefined, 'chaos ok'],
      ['20261202T090000Z-up', 'up', undefined, undefined],
    ]);
    expect(runs[1]!.bytes).toBeGreaterThan(1000);
    expect(runs[0]!.startedAt.toISOString()).toBe('2026-11-30T09:00:00.000Z');
    expect(listRuns(join(base, 'nowhere'))).toEqual([]);
  });
});

describe('prunable', () => {
  const day = 86_400_000;
  const now = Date.UTC(2026, 11, 10);
  const entry = (id: string, daysAgo: number): RunEntry => ({ id, root: `/runs/${id}`, command: 'drill', startedAt: new Date(now - daysAgo * day), bytes: 1 });
  const runs = [entry('a', 30), entry('b', 10), entry('c', 3), entry('d', 1)];

  it('--keep N removes all but the newest N', () => {
    expect(prunable(runs, { keep: 2, now }).map((r) => r.id)).toEqual(['b', 'a']);
    expect(prunable(runs, { keep: 0, now })).toHaveLength(4);
    expect(prunable(runs, { keep: 10, now })).toEqual([]);
  });

  it('--older-than removes runs started longer ago; with --keep a run must meet both', () => {
    expect(prunable(runs, { olderThanMs: 7 * day, now }).map((r) => r.id)).toEqual(['b', 'a']);
    expect(prunable(runs, { olderThanMs: 2 * day, keep: 3, now }).map((r) => r.id)).toEqual(['a']);
  });

  it('never removes a run in use', () => {
    expect(prunable(runs, { keep: 0, inUse: new Set(['/runs/a']), now }).map((r) => r.id)).toEqual(['d', 'c', 'b']);
  });

  it('removeRuns deletes the directories', () => {
    const base = tempDir('peakready-runs-');
    makeRun(base, '20261201T100000Z-drill', { 'config.json': {} });
    removeRuns(listRuns(base));
    expect(listRuns(base)).toEqual([]);
  });
});
