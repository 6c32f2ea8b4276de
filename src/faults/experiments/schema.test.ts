import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors.js';
import { shipped } from '../../paths.js';
import { proxiedUpstreams, referenceStack } from '../../stack/definition.js';
import { loadExperiment } from './load.js';
import { tempDir } from '../../../test/support/temp-dir.js';

function errorsOf(yaml: string): string[] {
  const file = join(tempDir('chaos-'), 'bad.yaml');
  writeFileSync(file, yaml);
  try {
    loadExperiment(file);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((i) => `${i.line}:${i.field}: ${i.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('chaos experiment schema', () => {
  it('loads every shipped experiment, each acting on proxies the stack has', () => {
    const files = readdirSync(shipped('chaos')).filter((f) => f.endsWith('.yaml'));
    expect(files).toEqual(expect.arrayContaining(['recommendations-outage.yaml', 'recommendations-latency.yaml', 'payments-latency-spike.yaml', 'postgres-latency.yaml', 'cart-reset-peer.yaml']));
    const proxies: string[] = proxiedUpstreams(referenceStack());
    for (const file of files) {
      const experiment = loadExperiment(shipped(`chaos/${file}`));
      expect(experiment.title.length).toBeGreaterThan(0);
      for (const action of experiment.method) expect(proxies).toContain(action.proxy);
    }
  });

  it('fills defaults: stream downstream, toxicity 1, at 0, probes checked before, during and after', () => {
    const file = join(tempDir('chaos-'), 'ok.yaml');
    writeFileSync(file, 'title: t\nsteady-state-hypothesis:\n  probes:\n    - name: p\n      http: { url: "http://127.0.0.1:1/" }\nmethod:\n  - action: add-toxic\n    proxy: cart\n    duration: 1m30s\n    toxic: { type: latency, attributes: { latency: 5 } }\n');
    const e = loadExperiment(file);
    expect(e.method[0]).toMatchObject({ at: 0, duration: 90_000, toxic: { stream: 'downstream', toxicity: 1, attributes: { latency: 5 } } });
    expect(e['steady-state-hypothesis'].probes[0]!.when).toEqual(['before', 'during', 'after']);
  });

  it('names line and field for a misspelt toxic type, with "did you mean"', () => {
    const errors = errorsOf('title: t\nmethod:\n  - action: add-toxic\n    proxy: cart\n    duration: 5s\n    toxic:\n      type: latncy\n');
    expect(errors).toEqual([expect.stringMatching(/^7:method\[0\]\.toxic\.type: "latncy" is not a toxic type; did you mean "latency"\?/)]);
  });

  it('reports unknown attributes, bad values, bad durations and unknown actions, all at once', () => {
    const errors = errorsOf(
      [
        'title: t',
        'method:',
        '  - action: add-toxic',
        '    proxy: cart',
        '    duration: 5 seconds',
        '    toxic:',
        '      type: latency',
        '      attributes: { latncy: 5, jitter: -1 }',
        '  - action: disable-proxi',
        '    proxy: cart',
      ].join('\n'),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^5:method\[0\]\.duration: "5 seconds" is not a duration/),
        expect.stringMatching(/^8:method\[0\]\.toxic\.attributes\.latncy: latency has no attribute "latncy"; did you mean "latency"\?/),
        expect.stringMatching(/^8:method\[0\]\.toxic\.attributes\.jitter: must not be negative/),
        expect.stringMatching(/^9:method\[1\]\.action: "disable-proxi" is not an action; did you mean "disable-proxy"\?/),
      ]),
    );
  });

  it('requires exactly one probe kind and a tolerance that fits it', () => {
    const errors = errorsOf(
      'title: t\nsteady-state-hypothesis:\n  probes:\n    - name: two\n      http: { url: "x" }\n      load: { metric: m }\n    - name: metric without bounds\n      metric: { url: "x", name: up }\nmethod:\n  - action: disable-proxy\n    proxy: cart\n    duration: 1s\n',
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^4:steady-state-hypothesis\.probes\[0\]: a probe has exactly one of http, metric, prometheus or load/),
        expect.stringMatching(/^7:steady-state-hypothesis\.probes\[1\]\.tolerance: give tolerance\.min, tolerance\.max or both/),
      ]),
    );
  });

  it('names a missing file', () => {
    expect(() => loadExperiment('/nonexistent/chaos.yaml')).toThrow(/chaos\.yaml: file not found/);
  });
});
