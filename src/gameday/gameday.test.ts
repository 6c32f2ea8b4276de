import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, UsageError } from '../errors.js';
import { shipped } from '../paths.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { GAMEDAY_JSON_SCHEMA_FILE, gameDayJsonSchema } from './json-schema.js';
import { loadGameDay } from './load.js';

function gameDayFile(text: string): string {
  const file = join(tempDir('peakready-gameday-'), 'gameday.yaml');
  writeFileSync(file, text);
  return file;
}

function problems(file: string): string[] {
  try {
    loadGameDay(file);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.line ?? '-'} ${i.field ?? ''}: ${i.message}`);
    throw error;
  }
  throw new Error('the file was accepted');
}

describe('the game-day file', () => {
  it("plays the bundled shop's own file: the game day by default, the smoke profile on request", () => {
    const day = loadGameDay();
    expect(day.profile).toBe('black-friday');
    expect(day.system).toEqual({ kind: 'bundled' });
    expect(day.load).toMatchObject({ script: shipped('scenarios/black-friday.js'), timeScale: 0.2, env: { PEAK_RPS: '250' }, engine: 'builtin' });
    expect(day.faults.experiments).toEqual([{ file: shipped('chaos/recommendations-outage.yaml'), during: 'surge', at: { percent: 45 } }]);
    expect(day.observe.scaling.local).toEqual({ syncPeriod: 3000 });
    expect(day.checks.budgets).toBe(shipped('scenarios/budgets.yaml'));

    const smoke = loadGameDay(undefined, 'smoke');
    expect(smoke.load).toMatchObject({ timeScale: 0.05, env: { PEAK_RPS: '120' } });
    expect(smoke.faults.experiments[0]!.at).toEqual({ percent: 40 });
    expect(smoke.observe.scaling.local).toEqual({ syncPeriod: 1500 });
  });

  it("describes someone else's system: a target, its Toxiproxy, offsets in time, declared phases, paths from the file", () => {
    const file = gameDayFile(`
name: my shop
system: { target: http://127.0.0.1:8080 }
load:
  script: load/peak.js
  phases: [{ name: peak, start: 1m, duration: 5m }]
faults:
  toxiproxy: http://127.0.0.1:8474
  experiments: [{ file: chaos/payments.yaml, during: peak, at: 90s }]
checks:
  budgets: budgets.yaml
  isolation: { protect: [buy, pay], degraded: [] }
`);
    const day = loadGameDay(file);
    expect(day.system).toEqual({ kind: 'target', url: 'http://127.0.0.1:8080', allowRemote: false });
    expect(day.load.script).toBe(join(file, '..', 'load/peak.js'));
    expect(day.load.phases).toEqual([{ name: 'peak', start: 60_000, duration: 300_000 }]);
    expect(day.faults).toEqual({ toxiproxy: 'http://127.0.0.1:8474', experiments: [{ file: join(file, '..', 'chaos/payments.yaml'), during: 'peak', at: { ms: 90_000 } }] });
    expect(day.checks.isolation).toMatchObject({ protect: ['buy', 'pay'], degraded: [], p95Ratio: 1.5 });
    expect(day.checks.tracing).toBeUndefined();
    expect(day.profile).toBeUndefined();
  });

  it('names every problem at once, with its line and field, and a did-you-mean for a misspelt key', () => {
    const file = gameDayFile(`name: broken
system: { bundled: {}, target: http://127.0.0.1:8080 }
laod: { script: a.js }
faults:
  experiments:
    - { file: x.yaml, during: surge, at: soon }
observe: { scaling: { local: { syncPeriod: 5 seconds } } }
profile: fast
profiles: { smoke: { load: { timeScale: -1 } } }
`);
    const found = problems(file);
    expect(found.some((p) => /^2 system: say either `bundled: \{\}`/.test(p))).toBe(true);
    expect(found.some((p) => p.includes('unknown key "laod"; did you mean "load"?'))).toBe(true);
    expect(found.some((p) => /^6 faults.experiments\[0\].at: "soon" is not an offset/.test(p))).toBe(true);
    expect(found.some((p) => /^7 observe.scaling.local.syncPeriod: "5 seconds" is not a duration/.test(p))).toBe(true);
    expect(found.some((p) => /^9 profiles.smoke.load.timeScale:/.test(p))).toBe(true);
  });

  it('refuses what a target cannot have: the embedded fault proxy, the local autoscaler, a started Prometheus', () => {
    const file = gameDayFile(`name: my shop
system: { target: http://127.0.0.1:8080 }
load: { script: a.js }
faults: { experiments: [{ file: x.yaml, during: peak }] }
observe: { scaling: { local: {} }, metrics: { prometheus: started } }
`);
    const found = problems(file);
    expect(found.some((p) => p.startsWith('4 faults.toxiproxy: a target has no embedded fault proxy'))).toBe(true);
    expect(found.some((p) => p.startsWith('5 observe.scaling.local: the local autoscaler scales the bundled shop only'))).toBe(true);
    expect(found.some((p) => p.startsWith('5 observe.metrics.prometheus: "started" starts a Prometheus for the bundled shop'))).toBe(true);
  });

  it('reads SQL invariants: each needs a name and a query, names are distinct, the URL is PostgreSQL or names a variable', () => {
    const good = loadGameDay(gameDayFile(`name: my shop
system: { target: http://127.0.0.1:8080 }
load: { script: a.js }
checks:
  integrity:
    databaseUrl: \${SHOP_DATABASE_URL}
    sql: [{ name: no-dupes, query: "SELECT 1 WHERE false", timeout: 2s }]
`));
    expect(good.checks.integrity).toMatchObject({ databaseUrl: '${SHOP_DATABASE_URL}', sql: [{ name: 'no-dupes', query: 'SELECT 1 WHERE false', timeoutMs: 2000 }] });
    const found = problems(gameDayFile(`name: my shop
system: { target: http://127.0.0.1:8080 }
load: { script: a.js }
checks:
  integrity:
    databaseUrl: mysql://root@db/shop
    sql:
      - { name: "no query" }
`));
    expect(found.some((p) => p.startsWith('6 checks.integrity.databaseUrl: write a PostgreSQL URL'))).toBe(true);
    expect(found.some((p) => p.startsWith('8 checks.integrity.sql[0].query: required field "query" is missing'))).toBe(true);
    const twice = problems(gameDayFile(`name: my shop
system: { target: http://127.0.0.1:8080 }
load: { script: a.js }
checks:
  integrity:
    sql:
      - { name: twice, query: "SELECT 1" }
      - { name: twice, query: "SELECT 2" }
`));
    expect(twice).toEqual(['8 checks.integrity.sql[1].name: "twice" names another SQL check already; give each its own name']);
  });

  it('engine k6-operator: needs its block, a target the cluster can reach, never the bundled shop', () => {
    const bundled = gameDayFile(`name: x\nsystem: { bundled: {} }\nload: { script: a.js, engine: k6-operator, k6Operator: { parallelism: 2 } }\n`);
    expect(problems(bundled)).toEqual(["3 load.engine: the bundled shop runs on this machine, out of the cluster's reach: use engine builtin or k6 for it, or drill your cluster's shop with `system.target`"]);
    const loopback = gameDayFile(`name: x\nsystem: { target: http://127.0.0.1:8080 }\nload: { script: a.js, engine: k6-operator }\n`);
    const found = problems(loopback);
    expect(found.some((p) => p.includes('load.k6Operator: engine k6-operator needs `k6Operator: { parallelism: N }`'))).toBe(true);
    expect(found.some((p) => p.startsWith('2 system.target: the runners run in the cluster, where 127.0.0.1 is the runner pod itself'))).toBe(true);
    const stray = gameDayFile(`name: x\nsystem: { target: http://127.0.0.1:8080 }\nload: { script: a.js, k6Operator: { parallelism: 2 } }\n`);
    expect(problems(stray)).toEqual(['3 load.k6Operator: is read only with `engine: k6-operator`; drop it or choose that engine']);

    const file = gameDayFile(`name: cluster shop
system: { target: http://gateway.shop.svc:8080, allowRemote: true }
load:
  script: load/peak.js
  engine: k6-operator
  k6Operator: { parallelism: 4, namespace: load, kubeconfig: kube/config, context: staging, runnerImage: grafana/k6:0.54.0 }
`);
    expect(loadGameDay(file).load.k6Operator).toEqual({ parallelism: 4, namespace: 'load', kubeconfig: join(file, '..', 'kube/config'), context: 'staging', runnerImage: 'grafana/k6:0.54.0', separate: false });
  });

  it('reads scaling from the Kubernetes API: the kubeconfig relative to the file (or ~/), its context, namespace and workloads', () => {
    const file = gameDayFile(`name: my cluster
system: { target: http://127.0.0.1:8080 }
load: { script: a.js }
observe:
  scaling:
    kubernetes: { kubeconfig: kube/config, context: staging, namespace: shop, workloads: [checkout, catalog] }
`);
    const day = loadGameDay(file);
    expect(day.observe.scaling.kubernetes).toEqual({ kubeconfig: join(file, '..', 'kube/config'), context: 'staging', namespace: 'shop', workloads: ['checkout', 'catalog'] });
    const home = loadGameDay(gameDayFile(`name: x\nsystem: { target: http://127.0.0.1:8080 }\nload: { script: a.js }\nobserve: { scaling: { kubernetes: { kubeconfig: ~/.kube/staging } } }\n`));
    expect(home.observe.scaling.kubernetes?.kubeconfig).toBe(join(homedir(), '.kube/staging'));
    const defaults = loadGameDay(gameDayFile(`name: x\nsystem: { target: http://127.0.0.1:8080 }\nload: { script: a.js }\nobserve: { scaling: { kubernetes: {} } }\n`));
    expect(defaults.observe.scaling.kubernetes).toEqual({});
  });

  it('reads scaling from one place, naming the sources given', () => {
    const file = gameDayFile(`name: both
system: { bundled: {} }
load: { script: a.js }
observe:
  scaling:
    local: { syncPeriod: 3s }
    kubernetes: { namespace: shop }
`);
    expect(problems(file)).toEqual([
      '6 observe.scaling: read scaling from one place: the local autoscaler (`local`), Prometheus (`prometheus`) or the Kubernetes API (`kubernetes`), not `local` and `kubernetes`',
    ]);
  });

  it('refuses a misspelt or empty field of the Kubernetes block, with its line', () => {
    const file = gameDayFile(`name: typo
system: { target: http://127.0.0.1:8080 }
load: { script: a.js }
observe:
  scaling:
    kubernetes: { namespace: shop, workload: [checkout], context: "" }
`);
    const found = problems(file);
    expect(found.some((p) => /^6 observe.scaling.kubernetes.*unknown key "workload"; did you mean "workloads"\?/.test(p)), found.join('\n')).toBe(true);
    expect(found.some((p) => p.startsWith('6 observe.scaling.kubernetes.context:')), found.join('\n')).toBe(true);
  });

  it('names a default profile the file does not have', () => {
    const file = gameDayFile(`name: x\nsystem: { bundled: {} }\nload: { script: a.js }\nprofile: fast\nprofiles: { smoke: {} }\n`);
    expect(problems(file)).toEqual(['4 profile: "fast" is not among profiles (smoke)']);
  });

  it('names the profiles a file has when asked for another', () => {
    expect(() => loadGameDay(undefined, 'blackfriday')).toThrow(UsageError);
    expect(() => loadGameDay(undefined, 'blackfriday')).toThrow(/use one of black-friday, smoke/);
  });

  it('publishes a JSON Schema for editors that matches the schema the file is validated with', () => {
    expect(readFileSync(shipped(GAMEDAY_JSON_SCHEMA_FILE), 'utf8'), 'run `npm run gameday:schema`').toBe(gameDayJsonSchema());
  });
});
