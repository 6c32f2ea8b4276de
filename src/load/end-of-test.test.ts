import { describe, expect, it } from 'vitest';
import { writeSummaryResult } from './end-of-test.js';

describe("handleSummary's result", () => {
  it('goes to stdout, stderr and files; a file that cannot be written is logged, as k6 logs it, and the rest is still written', () => {
    const out: string[] = [];
    const err: string[] = [];
    const written: Record<string, string> = {};
    const write = (path: string, data: string | Buffer) => {
      if (path.startsWith('missing/')) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      written[path] = String(data);
    };
    const failures = writeSummaryResult({ 'missing/summary.json': '{}', stdout: 'text', stderr: 'note', 'summary.json': { ok: true } }, (t) => out.push(t), (t) => err.push(t), write);
    expect(out).toEqual(['text']);
    expect(written).toEqual({ 'summary.json': '{"ok":true}' });
    expect(failures).toEqual(["could not open 'missing/summary.json': ENOENT: no such file or directory, open 'missing/summary.json'"]);
    expect(err[0]).toBe('note');
    expect(err[1]).toMatch(/^peakready: failed to handle the end-of-test summary: could not save some summary information: could not open 'missing\/summary\.json'/);
  });
});
