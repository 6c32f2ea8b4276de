import { describe, expect, it } from 'vitest';
import { grafanaUrlFromEnv } from './env-settings.js';

describe('one environment variable per setting', () => {
  it('reads PEAKREADY_GRAFANA_URL; GRAFANA_URL, its old name, still works with a deprecation note', () => {
    const notes: string[] = [];
    const warn = (line: string) => void notes.push(line);
    expect(grafanaUrlFromEnv({ PEAKREADY_GRAFANA_URL: 'http://g:3000', GRAFANA_URL: 'http://old:3000' }, warn)).toBe('http://g:3000');
    expect(notes).toEqual([]);
    expect(grafanaUrlFromEnv({ GRAFANA_URL: 'http://old:3000' }, warn)).toBe('http://old:3000');
    expect(notes).toEqual(['GRAFANA_URL is deprecated; set PEAKREADY_GRAFANA_URL instead (read as PEAKREADY_GRAFANA_URL this time)']);
    expect(grafanaUrlFromEnv({}, warn)).toBeUndefined();
  });
});
