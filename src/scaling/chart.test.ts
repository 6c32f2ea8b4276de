import { describe, expect, it } from 'vitest';
import { barChart, bucketMax, sparkline } from './chart.js';

describe('terminal charts', () => {
  it('keeps every peak when downsampling', () => {
    expect(bucketMax([1, 9, 1, 1, 1, 1, 2, 1], 4)).toEqual([9, 1, 1, 2]);
    expect(bucketMax([3, 4], 10)).toEqual([3, 4]);
  });

  it('draws bars to scale with a y axis, a max mark and a time axis', () => {
    const lines = barChart([0, 2, 4, 8], { width: 4, height: 4, endLabel: '1m', marks: [{ value: 8, label: 'max 8' }] });
    expect(lines).toEqual([
      '8 ┤···█ max 8',
      '  ┤   █',
      '  ┤  ██',
      '0 ┤ ███',
      '  └────',
      '   0s 1m',
    ]);
  });

  it('draws a sparkline relative to the maximum', () => {
    expect(sparkline([1, 2, 4, 8])).toBe('▁▂▄█');
    expect(sparkline([0, 0])).toBe('▁▁');
  });
});
