import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeK6Operator } from '../../test/support/fake-k6-operator.js';
import { shipped } from '../paths.js';
import { describePlan, reachEndpoints } from './dry-run.js';
import { planDrill } from './plan.js';

let fake: Awaited<ReturnType<typeof startFakeK6Operator>>;
let file: string;

beforeAll(async () => {
  fake = await startFakeK6Operator();
  file = join(fake.dir, 'cluster.gameday.yaml');
  writeFileSync(
    file,
    `name: cluster shop
system: { target: http://gateway.shop.svc:8080, allowRemote: true }
load:
  script: ${shipped('scenarios/smoke.js')}
  engine: k6-operator
  k6Operator: { parallelism: 4, kubeconfig: ${fake.kubeconfig}, context: recorded, separate: true }
`,
  );
});

afterAll(async () => {
  await fake.close();
});

describe('drill --dry-run with engine k6-operator (recorded Kubernetes API answers)', () => {
  it('prints the TestRun it will create and what the checks cannot read, and checks the API serves TestRuns', async () => {
    fake.reset();
    const plan = await planDrill({ gameDayFile: file });
    const text = describePlan(plan).join('\n');
    expect(text).toMatch(/cluster: {2}TestRun smoke-[a-z0-9]{5} \(k6\.io\/v1alpha1\) and ConfigMap smoke-[a-z0-9]{5}-script in namespace load on http:\/\/127\.0\.0\.1:\d+ \(context recorded\): parallelism 4, one per node/);
    expect(text).toContain("thresholds   skipped: the k6-operator gives no summary back, so the script's thresholds cannot be read");
    expect(text).toContain('completeness skipped (the runners give back no trace ids of the requests sent)');
    expect(text).toMatch(/cleanup +the ConfigMap and TestRun left in namespace load/);
    expect(plan.k6Operator!.rendered.testRun).toMatchObject({ spec: { parallelism: 4, separate: true } });
    const operator = (await reachEndpoints(plan)).find((r) => r.what === 'k6-operator');
    expect(operator).toMatchObject({ ok: true, detail: 'TestRuns (k6.io/v1alpha1) served in namespace load' });
    // a dry run creates nothing
    expect(fake.cluster.requests).toEqual(['GET /apis/k6.io/v1alpha1/namespaces/load/testruns']);
  });

  it('says how to fix a cluster without the operator', async () => {
    fake.reset();
    fake.cluster.crdInstalled = false;
    const plan = await planDrill({ gameDayFile: file });
    const operator = (await reachEndpoints(plan)).find((r) => r.what === 'k6-operator');
    expect(operator?.ok).toBe(false);
    expect(operator?.detail).toMatch(/no TestRun resource .*: install the k6-operator in the cluster/);
  });
});
