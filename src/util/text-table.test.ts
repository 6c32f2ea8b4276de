import { describe, expect, it } from 'vitest';
import { tableCells } from '../../test/support/table-cells.js';
import { displayWidth, outputWidth, renderTable, truncate, wrapText } from './text-table.js';

const widest = (text: string) => Math.max(...text.split('\n').map(displayWidth));

describe('wrapText', () => {
  it('breaks at spaces, cuts a word longer than the width, keeps newlines', () => {
    expect(wrapText('the quick brown fox jumps', 10)).toEqual(['the quick', 'brown fox', 'jumps']);
    expect(wrapText('0123456789abcdef', 6)).toEqual(['012345', '6789ab', 'cdef']);
    expect(wrapText('a\nb c', 10)).toEqual(['a', 'b c']);
    expect(wrapText('', 10)).toEqual(['']);
  });

  it('counts columns, not code units: wide characters take two, colour codes none', () => {
    expect(displayWidth('✗ FAIL')).toBe(6);
    expect(displayWidth('\u001b[31mFAIL\u001b[39m')).toBe(4);
    expect(displayWidth('⏭️')).toBe(2);
    expect(truncate('abcdefgh', 5)).toBe('abcd…');
    expect(truncate('abc', 5)).toBe('abc');
  });
});

describe('renderTable', () => {
  const head = ['check', 'figure', 'limit', 'result'];
  const rows = [
    ['Performance budgets', '9/10 met', 'all met', 'FAIL'],
    ['Scale-out', 'scaled out at the first sync above target; peak gateway 3, catalog 2, cart 4; 6 others held', '<= 6s, no flaps (Kubernetes time ×0.1)', 'PASS'],
    ['Trace id', 'ab'.repeat(16), '-', 'PASS'],
  ];

  it('keeps its natural width when it fits', () => {
    const text = renderTable({ head, rows: [rows[0]!], width: 200 });
    expect(text.split('\n')).toHaveLength(5);
    expect(text).toContain('│ Performance budgets │ 9/10 met │ all met │ FAIL   │');
  });

  for (const width of [80, 120, 60]) {
    it(`fits ${width} columns by wrapping cells, never rows`, () => {
      const text = renderTable({ head, rows, width });
      expect(widest(text)).toBeLessThanOrEqual(width);
      const lines = text.split('\n');
      // every row starts with its check in the first column, its result on the same line
      for (const row of rows) {
        const first = lines.find((l) => l.startsWith(`│ ${row[0]!.split(' ')[0]}`))!;
        expect(first, row[0]).toBeDefined();
        expect(first).toContain(row[3]!);
      }
      // nothing is lost: each cell's wrapped lines put back together are the cell
      const squeeze = (s: string) => s.replace(/\s+/g, '');
      expect(tableCells(text).slice(1).map((r) => r.map(squeeze))).toEqual(rows.map((r) => r.map(squeeze)));
    });
  }

  it('too narrow for columns: each row becomes a block of head: value lines', () => {
    const text = renderTable({ head, rows, width: 30 });
    expect(widest(text)).toBeLessThanOrEqual(30);
    expect(text).toContain('Performance budgets\n  figure  9/10 met\n  limit   all met\n  result  FAIL');
  });

  it('styles each wrapped line of a cell, so colour never breaks the layout', () => {
    const red = (s: string) => `\u001b[31m${s}\u001b[39m`;
    const text = renderTable({ head: ['a', 'b'], rows: [['x', { text: 'one two three four five six', style: red }]], width: 20 });
    expect(widest(text)).toBeLessThanOrEqual(20);
    // eslint-disable-next-line no-control-regex
    for (const line of text.split('\n').filter((l) => l.includes('\u001b'))) expect(line).toMatch(/\u001b\[31m[^\u001b]+\u001b\[39m/);
  });

  it('aligns numbers right', () => {
    expect(renderTable({ head: ['n'], rows: [[5], [123]], width: 40, align: ['right'] })).toContain('│   5 │');
  });

  it('takes the terminal width, else $COLUMNS, else 100', () => {
    expect(outputWidth({ isTTY: true, columns: 132 }, {})).toBe(132);
    expect(outputWidth({ isTTY: false }, { COLUMNS: '80' })).toBe(80);
    expect(outputWidth({ isTTY: false }, {})).toBe(100);
  });
});
