import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { resolveOptions } from './options.js';

const scenarios = { browse: { executor: 'constant-vus', vus: 2, duration: '1m' } };

describe('resolveOptions: the command line and k6 config file over a script', () => {
  it('--stage replaces the script\'s scenarios with a ramping-vus default (startVUs from --vus)', () => {
    const o = resolveOptions({ scenarios }, 's.js', { stages: [{ duration: '30s', target: 10 }, { duration: '10s', target: 0 }], vus: 2 });
    expect(o.scenarios.map((s) => [s.name, s.executor.name])).toEqual([['default', 'ramping-vus']]);
    expect(o.scenarios[0]!.config).toMatchObject({ startVUs: 2, stages: [{ duration: 30_000, target: 10 }, { duration: 10_000, target: 0 }] });
  });

  it('--stage wins over the script\'s own duration and iterations shortcuts', () => {
    const o = resolveOptions({ vus: 1, duration: '5m', iterations: 9 }, 's.js', { stages: [{ duration: '20s', target: 4 }] });
    expect(o.scenarios[0]!.executor.name).toBe('ramping-vus');
  });

  it('--tag and other plain flags replace the script\'s option, as k6\'s flags do', () => {
    const o = resolveOptions({ tags: { team: 'shop' }, summaryTrendStats: ['avg'] }, 's.js', { options: { tags: { testid: 'pr-1' }, summaryTrendStats: ['p(99)'], httpDebug: 'full' } });
    expect(o.tags).toEqual({ testid: 'pr-1' });
    expect(o.summaryTrendStats).toEqual(['p(99)']);
    expect(o.httpDebug).toBe('full');
  });

  it('--no-thresholds leaves no threshold to judge', () => {
    expect(resolveOptions({ thresholds: { http_req_failed: ['rate<0.01'] } }, 's.js', { noThresholds: true }).thresholds).toEqual({});
  });

  it('the config file lies under the script: the script wins per option, and its scenarios drop the file\'s shortcuts', () => {
    const config = { vus: 5, duration: '1m', userAgent: 'from-config', maxRedirects: 2, thresholds: { checks: ['rate>0.9'] } };
    const o = resolveOptions({ scenarios, maxRedirects: 4 }, 's.js', { config });
    expect(o.scenarios.map((s) => s.name)).toEqual(['browse']);
    expect(o.userAgent).toBe('from-config');
    expect(o.maxRedirects).toBe(4);
    expect(o.thresholds).toEqual({ checks: ['rate>0.9'] });
    // a script without execution options runs the file's
    expect(resolveOptions({}, 's.js', { config }).scenarios[0]!.config).toMatchObject({ executor: 'constant-vus', vus: 5, duration: 60_000 });
  });

  it('a bad option in the config file is a ConfigError like one in the script', () => {
    expect(() => resolveOptions({}, 's.js', { config: { vus: 'five' } })).toThrow(ConfigError);
  });
});

describe('options.hosts', () => {
  it('is validated with the other options and reaches the resolved options, from the script or --config', () => {
    expect(resolveOptions({ hosts: { 'test.k6.io': '127.0.0.1:7000' } }, 's.js').hosts).toEqual({ 'test.k6.io': { host: '127.0.0.1', port: 7000 } });
    expect(resolveOptions({}, 's.js', { config: { hosts: { '*.k6.io': '127.0.0.1' } } }).hosts).toEqual({ '*.k6.io': { host: '127.0.0.1' } });
    expect(resolveOptions({}, 's.js').hosts).toBeUndefined();
    expect(() => resolveOptions({ hosts: { 'test.k6.io': 'somewhere' } }, 's.js')).toThrow(/options\.hosts\["test\.k6\.io"\].*not an IP address/s);
  });
});
