import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeStarter } from '../gameday/starter.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { UsageError } from '../errors.js';
import { shipped } from '../paths.js';
import { describePlan } from './dry-run.js';
import { planDrill } from './plan.js';

describe('drill --dry-run', () => {
  it("prints the bundled shop's game day: phases from the script, when the fault is on and off, what each check reads", async () => {
    const plan = await planDrill({ profile: 'smoke' });
    const text = describePlan(plan).join('\n');
    expect(text).toContain('game day: Black Friday on the bundled shop (profile smoke)');
    expect(text).toMatch(/phases:\n {2}baseline\s+00:00 - 00:15\n {2}surge\s+00:15 - 00:39\n {2}cooldown\s+00:39 - 00:48\n {2}doorbuster\s+00:40 - 00:55/);
    // 40 % into the 24 s surge, the experiment's 60 s outage compressed 20 times
    expect(text).toMatch(/from 00:25 in the surge:\n {4}00:25 on {2}add-toxic recommendations\n {4}00:28 off add-toxic recommendations/);
    expect(text).toMatch(/scale-out\s+the local autoscaler \(Kubernetes' HPA algorithm, sync every 1.5 s\)/);
    expect(text).toMatch(/isolation\s+requests named "checkout" while recommendations is faulted, against the surge phase; "product" may degrade, not fail/);
    expect(plan.scriptEnv).toMatchObject({ TIME_SCALE: '0.05', PEAK_RPS: '120', BASE_URL: 'http://127.0.0.1:7100' });
  });

  it("a target: the file's toxiproxy, no local autoscaler, and the checks it cannot judge yet say so", async () => {
    const plan = await planDrill({ profile: 'smoke', target: 'http://127.0.0.1:8080', toxiproxyUrl: 'http://127.0.0.1:8474' });
    const text = describePlan(plan).join('\n');
    expect(plan.withStack).toBe(false);
    expect(plan.autoscaler).toBeUndefined();
    expect(text).toContain('faults:   through http://127.0.0.1:8474');
    expect(text).toMatch(/scale-out\s+not observed on this system \(skipped\): add observe.scaling/);
  });

  it('faults but nothing named to protect: the plan says what to add to the file', async () => {
    const dir = tempDir('peakready-dry-run-');
    writeStarter(dir);
    const file = join(dir, 'gameday.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^ {4}protect: \[home\]$/m, '    protect: []'));
    const text = describePlan(await planDrill({ gameDayFile: file })).join('\n');
    expect(text).toMatch(/isolation\s+no requests named to protect: add checks\.isolation\.protect: \[the requests that must keep working\] \(their k6 name tags\) \(skipped\)/);
  });
});

describe('drill --dry-run: SQL checks', () => {
  /** A target's game-day file driving the shipped smoke script, with two SQL invariants. */
  function targetFile(integrity: string): string {
    const file = join(tempDir('peakready-sql-plan-'), 'gameday.yaml');
    writeFileSync(
      file,
      `name: my shop\nsystem: { target: "http://127.0.0.1:8080" }\nload: { script: ${shipped('scenarios/smoke.js')} }\n` +
        `checks:\n  integrity:\n${integrity}    sql:\n      - { name: orders-once-per-key, query: "SELECT k FROM orders GROUP BY 1 HAVING count(*) > 1", description: one order per key }\n` +
        '      - { name: stock-never-negative, query: "SELECT sku FROM stock WHERE available < 0", timeout: 3s }\n',
    );
    return file;
  }

  it("the bundled shop's SQL invariants run on its embedded PGlite, each listed with its timeout", async () => {
    const plan = await planDrill({ profile: 'smoke' });
    expect(plan.sqlChecks?.database).toEqual({ kind: 'stack' });
    const text = describePlan(plan).join('\n');
    expect(text).toMatch(/integrity .*; 6 SQL invariants \(below\)/);
    expect(text).toMatch(/ {2}sql {10}each must return 0 rows, in its own READ ONLY transaction, rolled back; on the bundled shop's embedded PGlite/);
    expect(text).toMatch(/ {4}orders-once-per-key\s+timeout 10 s — a retried or duplicated checkout stores one order/);
    // with --database-url the stack and its SQL checks use that PostgreSQL
    const onPostgres = await planDrill({ profile: 'smoke', databaseUrl: 'postgres://shop:pw@127.0.0.1:5432/shop', environmentDatabaseUrl: 'postgres://other@h/x' });
    expect(onPostgres.databaseUrl).toBe('postgres://shop:pw@127.0.0.1:5432/shop');
    expect(describePlan(onPostgres).join('\n')).toContain('on postgres://shop:***@127.0.0.1:5432/shop (--database-url)');
  });

  it("a target's database URL from the file, ${NAME} expanded from the environment; the flag overrides it", async () => {
    const file = targetFile('    databaseUrl: "postgres://reader:${PEAKREADY_TEST_SQL_PW}@127.0.0.1:5432/shop"\n');
    process.env.PEAKREADY_TEST_SQL_PW = 's3cret';
    try {
      const plan = await planDrill({ gameDayFile: file });
      expect(plan.sqlChecks?.database).toEqual({ kind: 'url', url: 'postgres://reader:s3cret@127.0.0.1:5432/shop', from: 'checks.integrity.databaseUrl' });
      expect(plan.sqlChecks?.invariants.map((i) => [i.name, i.timeoutMs])).toEqual([['orders-once-per-key', 10_000], ['stock-never-negative', 3000]]);
      const text = describePlan(plan).join('\n');
      expect(text).toContain('on postgres://reader:***@127.0.0.1:5432/shop (checks.integrity.databaseUrl)');
      expect(text).not.toContain('s3cret');
      const flagged = await planDrill({ gameDayFile: file, databaseUrl: 'postgres://ro@127.0.0.1:6543/shop' });
      expect(flagged.sqlChecks?.database).toMatchObject({ url: 'postgres://ro@127.0.0.1:6543/shop', from: '--database-url' });
    } finally {
      delete process.env.PEAKREADY_TEST_SQL_PW;
    }
    await expect(planDrill({ gameDayFile: file })).rejects.toThrow(/checks\.integrity\.databaseUrl names \$\{PEAKREADY_TEST_SQL_PW\}, but it is not set/);
  });

  it('a target without a database URL: the plan says the SQL checks need one; $DATABASE_URL is never taken for a target', async () => {
    const plan = await planDrill({ gameDayFile: targetFile(''), environmentDatabaseUrl: 'postgres://someone@127.0.0.1/other' });
    expect(plan.sqlChecks?.database).toEqual({ kind: 'none' });
    expect(describePlan(plan).join('\n')).toContain('NOT RUN: no database URL; SQL checks need a PostgreSQL URL: give --database-url or checks.integrity.databaseUrl');
  });

  it('refuses --database-url on a target that declares no SQL checks, and a databaseUrl on the bundled shop', async () => {
    await expect(planDrill({ profile: 'smoke', target: 'http://127.0.0.1:8080', databaseUrl: 'postgres://a@127.0.0.1/b' })).resolves.toBeDefined();
    const noSql = join(tempDir('peakready-sql-plan-'), 'gameday.yaml');
    writeFileSync(noSql, `name: x\nsystem: { target: "http://127.0.0.1:8080" }\nload: { script: ${shipped('scenarios/smoke.js')} }\n`);
    await expect(planDrill({ gameDayFile: noSql, databaseUrl: 'postgres://a@127.0.0.1/b' })).rejects.toThrow(UsageError);
    const bundled = join(tempDir('peakready-sql-plan-'), 'gameday.yaml');
    writeFileSync(bundled, `name: x\nsystem: { bundled: {} }\nload: { script: ${shipped('scenarios/smoke.js')} }\nchecks: { integrity: { databaseUrl: "postgres://a@h/b" } }\n`);
    await expect(planDrill({ gameDayFile: bundled })).rejects.toThrow(/the bundled shop's SQL checks read its own database/);
  });
});
