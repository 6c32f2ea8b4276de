import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { k6Arguments } from './engine-k6.js';
import { loadEngine } from './engines.js';

describe('loadEngine', () => {
  it('finds the engines by name; auto (and no name) is the built-in one', () => {
    expect(loadEngine().name).toBe('builtin');
    expect(loadEngine('auto').name).toBe('builtin');
    expect(loadEngine('builtin').name).toBe('builtin');
    expect(loadEngine('k6').name).toBe('k6');
  });

  it('the built-in engine reads scripts; a real k6 leaves that to it', () => {
    expect(loadEngine('builtin').inspect).toBeTypeOf('function');
    expect(loadEngine('k6').inspect).toBeUndefined();
  });

  it('refuses a name that is no engine, naming the ones there are', () => {
    expect(() => loadEngine('k7' as never)).toThrow(new UsageError('--engine: "k7" is not an engine; use auto, builtin or k6'));
  });
});

describe('--engine k6: the run flags handed to a real k6', () => {
  it("are k6's own flags for every override", () => {
    const args = k6Arguments({
      script: 's.js',
      overrides: {
        vus: 2,
        stages: [{ duration: '30s', target: 10 }],
        noThresholds: true,
        options: { tags: { testid: 'pr-1' }, summaryTrendStats: ['avg', 'p(99)'], insecureSkipTLSVerify: true, httpDebug: 'full', maxRedirects: 3 },
      },
      env: { BASE_URL: 'http://127.0.0.1:7100' },
      out: ['csv=x.csv'],
    });
    expect(args).toEqual([
      '--vus', '2',
      '-e', 'BASE_URL=http://127.0.0.1:7100',
      '--stage', '30s:10',
      '--no-thresholds',
      '--tag', 'testid=pr-1',
      '--summary-trend-stats', 'avg,p(99)',
      '--insecure-skip-tls-verify',
      '--http-debug=full',
      '--max-redirects', '3',
      '--out', 'csv=x.csv',
    ]);
  });
});
