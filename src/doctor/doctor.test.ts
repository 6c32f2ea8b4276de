import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxyServer } from '../faults/server.js';
import { packageRoot } from '../paths.js';
import { diagnose, type ComponentStatus } from './doctor.js';

const DATABASE_URL = process.env.PEAKREADY_TEST_DATABASE_URL ?? 'postgres://peakready:peakready@127.0.0.1:5432/peakready';
const tmp = mkdtempSync(join(tmpdir(), 'peakready-doctor-'));
const bin = join(tmp, 'bin');
const kubeconfig = join(tmp, 'kubeconfig');
let toxiproxy: Awaited<ReturnType<typeof startFaultProxyServer>>;

beforeAll(async () => {
  mkdirSync(bin);
  // a k6 on PATH (k6 itself cannot be installed here): what doctor runs is `k6 version`
  writeFileSync(join(bin, 'k6'), '#!/bin/sh\n[ "$1" = version ] && echo "k6 v1.3.0 (go1.24, linux/amd64)"\n');
  chmodSync(join(bin, 'k6'), 0o755);
  writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\ncurrent-context: shop-staging\ncontexts: []\nclusters: []\nusers: []\n');
  toxiproxy = await startFaultProxyServer({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await toxiproxy?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const byName = (list: ComponentStatus[]) => Object.fromEntries(list.map((c) => [c.component, c]));

describe('peakready doctor', () => {
  it('finds every real component it is pointed at, by asking it', async () => {
    const found = byName(await diagnose({ env: { PATH: `${bin}:/usr/bin:/bin`, KUBECONFIG: kubeconfig, DATABASE_URL, TOXIPROXY_URL: toxiproxy.url } }));
    expect(found.k6).toMatchObject({ available: true, detail: `${join(bin, 'k6')}: k6 v1.3.0 (go1.24, linux/amd64)` });
    expect(found.toxiproxy!.available).toBe(true);
    expect(found.toxiproxy!.detail).toMatch(/: version \S+/);
    expect(found.postgresql).toMatchObject({ available: true, detail: expect.stringMatching(/peakready:\*\*\*@127\.0\.0\.1:5432.*PostgreSQL \d+/) });
    expect(found.kubeconfig).toMatchObject({ available: true, detail: `${kubeconfig}: context shop-staging` });
    expect(found.promtool).toMatchObject({ available: true, detail: expect.stringContaining('/usr/bin/promtool: promtool, version') });
    expect(found.chromium!.detail).toMatch(/Chromium \d+/);
  });

  it('names the embedded default for everything that is absent or does not answer', async () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty, { recursive: true });
    const found = byName(
      await diagnose({ env: { PATH: empty, HOME: tmp, DATABASE_URL: 'postgres://u:secret@127.0.0.1:9/x' }, toxiproxyUrl: 'http://127.0.0.1:9', timeoutMs: 1000 }),
    );
    expect(Object.values(found).every((c) => !c.available)).toBe(true);
    expect(found.k6!.uses).toBe('embedded k6-compatible runtime');
    expect(found.toxiproxy).toMatchObject({ uses: 'embedded Toxiproxy-compatible server', detail: expect.stringContaining('did not answer /version') });
    expect(found.postgresql).toMatchObject({ uses: 'embedded PostgreSQL (PGlite)', detail: expect.stringContaining('cannot connect (ECONNREFUSED)') });
    expect(found.postgresql!.detail).not.toContain('secret');
    expect(found.kubeconfig!.uses).toMatch(/^local autoscaler/);
  });

  it('prints a table and exits 0 whatever it finds', () => {
    const cli = join(packageRoot, 'bin', 'peakready.js');
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:/usr/bin:/bin`, NO_COLOR: '1', KUBECONFIG: kubeconfig, TOXIPROXY_URL: toxiproxy.url };
    delete env.DATABASE_URL;
    const table = spawnSync(process.execPath, [cli, 'doctor'], { env, encoding: 'utf8' });
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/│ k6\s+│ yes\s+│/);
    expect(table.stdout).toMatch(/│ postgresql\s+│ no\s+│ no DATABASE_URL or --database-url\s+│ embedded PostgreSQL \(PGlite\)/);
    expect(table.stdout).not.toContain('\u001b[');
  });
});
