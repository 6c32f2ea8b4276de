import { describe, expect, it } from 'vitest';
import { isValidMetricName } from './metrics.js';

describe("custom metric names, as k6 checks them (since v0.48)", () => {
  it('takes ASCII letters, digits and _ after a letter or _, up to 129 characters in all', () => {
    for (const ok of ['orders_placed', '_private', 'QuickResponsesRate', 'Gauge', 'p95_ms', `a${'b'.repeat(128)}`]) expect(isValidMetricName(ok), ok).toBe(true);
  });

  it('refuses spaces, dots, dashes, non-ASCII letters, a leading digit, one character and non-strings', () => {
    for (const bad of ['Duration Trend by Scenario', 'my.metric', 'my-metric', 'café', '1st', 'x', '', `a${'b'.repeat(129)}`, 42, undefined]) {
      expect(isValidMetricName(bad), String(bad)).toBe(false);
    }
  });
});
