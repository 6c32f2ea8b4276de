import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunDirectory } from '../run/run-dir.js';
import type { ReplicaInfo, StackState } from '../stack/contract.js';
import { formatWatchTable, watchReplicas, watchRows } from './replica-watch.js';

let home: string;
const saved = process.env.PEAKREADY_HOME;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'peakready-watch-'));
  process.env.PEAKREADY_HOME = home;
});
afterAll(() => {
  if (saved === undefined) delete process.env.PEAKREADY_HOME;
  else process.env.PEAKREADY_HOME = saved;
  rmSync(home, { recursive: true, force: true });
});

const replica = (id: string, state: ReplicaInfo['state']): ReplicaInfo => ({ service: 'catalog', id, pid: 1, port: 1, state, startedAt: 0, cpuRequestMillicores: 200 });
const decision = (t: number, current: number, desired: number, utilization: number) =>
  ({ t, type: 'scale-decision', service: 'catalog', current, desired, utilization, target: 60, limitedBy: desired > current ? 'policy:Pods' : 'none', reason: 'x' }) as const;

function stackState(runDir: string, replicas: ReplicaInfo[]): StackState {
  return {
    supervisorPid: process.pid,
    startedAt: 0,
    basePort: 7100,
    gatewayUrl: 'http://127.0.0.1:7100',
    databaseUrl: 'postgres://x',
    runDir,
    services: [
      { name: 'catalog', port: 7101, replicas },
      { name: 'search', port: 7102, replicas: [] },
    ],
  };
}

describe('peakready scale watch', () => {
  it('builds rows from the stack state and the latest decisions', () => {
    const rows = watchRows(stackState('x', [replica('catalog-1', 'ready'), replica('catalog-2', 'starting'), replica('catalog-3', 'stopped')]), [decision(1, 1, 2, 140), decision(2, 2, 2, 70)]);
    expect(rows[0]).toMatchObject({ service: 'catalog', current: 2, ready: 1, desired: 2, utilization: 70, limitedBy: 'none', history: [2, 2] });
    expect(rows[1]).toMatchObject({ service: 'search', current: 0, desired: null });
    const table = formatWatchTable(rows, new Date(0));
    expect(table[1]).toMatch(/^service\s+current\s+ready\s+desired\s+cpu/);
    expect(table[2]).toMatch(/^catalog\s+2\s+1\s+2\s+70%\/60%\s+none/);
  });

  it('prints plain lines when not a TTY, follows new decisions, and stops when the stack goes away', async () => {
    const run = RunDirectory.create('drill', home);
    const stackFile = join(home, 'stack.json');
    mkdirSync(home, { recursive: true });
    writeFileSync(stackFile, JSON.stringify(stackState(run.root, [replica('catalog-1', 'ready')])));
    run.appendTimeline(decision(Date.now(), 1, 3, 150));
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const watching = watchReplicas({ intervalMs: 100, out });
    await new Promise((r) => setTimeout(r, 250));
    writeFileSync(stackFile, JSON.stringify(stackState(run.root, [replica('catalog-1', 'ready'), replica('catalog-2', 'ready'), replica('catalog-3', 'starting')])));
    run.appendTimeline(decision(Date.now(), 3, 3, 90));
    await new Promise((r) => setTimeout(r, 250));
    rmSync(stackFile);
    await watching;
    expect(text).toMatch(/catalog current=1 ready=1 desired=3 cpu=150% limitedBy=policy:Pods/);
    expect(text).toMatch(/catalog current=3 ready=2 desired=3 cpu=90% limitedBy=none/);
    expect(text.trimEnd().endsWith('peakready: the stack has stopped')).toBe(true);
    expect(text).not.toContain('\x1b[');
  });

  it('refuses to start without a running stack', async () => {
    await expect(watchReplicas({ intervalMs: 100, out: new PassThrough() })).rejects.toThrow(/no running stack/);
  });
});
