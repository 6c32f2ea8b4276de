import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../run/records.js';
import { RunDirectory } from '../../run/run-dir.js';
import { startFaultProxyServer, type FaultProxyServer } from '../server.js';
import { clearOwnedFaults, inspectFaults } from './clear.js';
import { FaultClient, type ServerProxy } from './client.js';
import { ledgerPath, readLedger, recordChange } from './ledger.js';
import { loadExperiment } from './load.js';
import { runExperiment } from './runner.js';
import { tempDir } from '../../../test/support/temp-dir.js';

let faults: FaultProxyServer;
let service: Server;
let proxyPort: number;
let home: string;

function experiment(yaml: string) {
  const file = join(home, `e${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  return loadExperiment(file);
}

const HYPOTHESIS = `steady-state-hypothesis:
  interval: 100ms
  settle: 50ms
  probes:
    - name: shop answers fast
      http: { url: "\${gateway}/ping" }
      tolerance: { status: [200], latency: 150ms }
`;

async function waitUntil(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 10));
}

async function inspect(name: string): Promise<ServerProxy> {
  const proxy = (await new FaultClient(faults.url).proxies())[name]!;
  return { ...proxy, toxics: [...proxy.toxics].sort((a, b) => a.name.localeCompare(b.name)) };
}

function timeline(run: RunDirectory): TimelineEvent[] {
  return readFileSync(run.path('timeline'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TimelineEvent);
}

beforeAll(async () => {
  home = tempDir('peakready-chaos-');
  process.env.PEAKREADY_HOME = home;
  service = createServer((_, res) => res.end('pong'));
  await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
  faults = await startFaultProxyServer({ port: 0 });
  const proxy = await new Toxiproxy(faults.url).createProxy({ name: 'shop', listen: '127.0.0.1:0', upstream: `127.0.0.1:${(service.address() as AddressInfo).port}` });
  proxyPort = Number(proxy.listen.split(':')[1]);
});
afterAll(async () => {
  await faults.close();
  service.closeAllConnections();
  service.close();
});
beforeEach(async () => {
  await new Toxiproxy(faults.url).reset();
});

const options = (run?: RunDirectory) => ({ toxiproxyUrl: faults.url, vars: { gateway: `http://127.0.0.1:${proxyPort}` }, ...(run ? { runDir: run } : {}) });

describe('runExperiment', () => {
  it('checks the hypothesis before, during and after, and rolls the toxic back', async () => {
    const run = RunDirectory.create('chaos', home);
    const e = experiment(`title: slow shop\n${HYPOTHESIS}method:\n  - action: add-toxic\n    proxy: shop\n    duration: 500ms\n    toxic: { name: lag, type: latency, attributes: { latency: 300 } }\n`);
    const result = await runExperiment(e, options(run));
    expect(result.status).toBe('deviated');
    const byStage = (stage: string) => result.probes.filter((p) => p.stage === stage);
    expect(byStage('before').every((p) => p.ok)).toBe(true);
    expect(byStage('during').length).toBeGreaterThan(0);
    expect(byStage('during').some((p) => !p.ok && (p.value as number) >= 300)).toBe(true);
    expect(byStage('after').every((p) => p.ok)).toBe(true);
    expect(result.rollback.errors).toEqual([]);
    expect((await inspectFaults(faults.url)).toxics).toEqual([]);
    const events = timeline(run);
    const faultEvents = events.filter((x) => x.type === 'fault');
    expect(faultEvents.map((x) => x.type === 'fault' && [x.state, x.proxy, x.kind, x.toxic?.name, x.toxic?.attributes.latency])).toEqual([
      ['on', 'shop', 'toxic', 'peakready-lag', 300],
      ['off', 'shop', 'toxic', 'peakready-lag', 300],
    ]);
    const on = faultEvents[0]!.t;
    const off = faultEvents[1]!.t;
    expect(off - on).toBeGreaterThanOrEqual(490);
    expect(events.filter((x) => x.type === 'probe').length).toBe(result.probes.length);
  });

  it('with the seeded defect leave-toxic, the toxic outlives the experiment and the sweep of owned faults', async () => {
    const e = experiment(`title: left behind\nmethod:\n  - action: add-toxic\n    proxy: shop\n    duration: 100ms\n    toxic: { name: lag, type: latency, attributes: { latency: 10 } }\n`);
    const result = await runExperiment(e, { ...options(), leaveToxic: true });
    expect(result.rollback.toxicsRemoved).toEqual([]);
    await clearOwnedFaults(faults.url);
    expect((await inspectFaults(faults.url)).toxics).toMatchObject([{ proxy: 'shop', toxic: 'lag', owned: false }]);
  });

  it('holds when the fault stays within tolerance', async () => {
    const e = experiment(`title: slight lag\n${HYPOTHESIS}method:\n  - action: add-toxic\n    proxy: shop\n    duration: 300ms\n    toxic: { type: latency, attributes: { latency: 20 } }\n`);
    expect((await runExperiment(e, options())).status).toBe('ok');
  });

  it('does not count a probe as passing during the fault when it passed only because the fault was lifted', async () => {
    // a request that waits behind a 2 s latency toxic is released when the toxic goes at 300 ms: it
    // then answers within the 1 s tolerance, but only because the fault ended
    const e = experiment(
      `title: lifted\nsteady-state-hypothesis:\n  interval: 100ms\n  settle: 50ms\n  probes:\n    - name: shop answers\n      http: { url: "\${gateway}/ping" }\n      tolerance: { status: [200], latency: 1s }\nmethod:\n  - action: add-toxic\n    proxy: shop\n    duration: 300ms\n    toxic: { name: lag, type: latency, attributes: { latency: 2000 } }\n`,
    );
    const result = await runExperiment(e, options());
    expect(result.probes.filter((p) => p.stage === 'during' && p.ok)).toEqual([]);
    expect(result.probes.filter((p) => p.stage === 'after').every((p) => p.ok)).toBe(true);
  });

  it('does not count a probe that passed while the fault was still being applied', async () => {
    // a fault API that takes 300 ms to answer a change: the proxy is still up for the first
    // `during` probe, which passes, and must not make the outage look harmless
    const slowApi = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const forward = async () => {
          const upstream = await fetch(faults.url + req.url!, { method: req.method!, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}) });
          res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await upstream.arrayBuffer()));
        };
        setTimeout(() => void forward(), req.method === 'GET' ? 0 : 300);
      });
    });
    await new Promise<void>((r) => slowApi.listen(0, '127.0.0.1', r));
    try {
      const e = experiment(`title: slow switch\n${HYPOTHESIS}method:\n  - action: disable-proxy\n    proxy: shop\n    duration: 700ms\n`);
      const result = await runExperiment(e, { ...options(), toxiproxyUrl: `http://127.0.0.1:${(slowApi.address() as AddressInfo).port}` });
      const during = result.probes.filter((p) => p.stage === 'during');
      expect(during.length).toBeGreaterThan(0);
      expect(during.every((p) => !p.ok)).toBe(true);
      expect(result.status).toBe('deviated');
    } finally {
      slowApi.close();
    }
  });

  it('disables a proxy with a ledger entry written first, and re-enables it at the end', async () => {
    const e = experiment(`title: shop down\n${HYPOTHESIS}method:\n  - action: disable-proxy\n    proxy: shop\n    duration: 400ms\n`);
    let seenInLedger = false;
    let seenDisabled = false;
    const watcher = setInterval(() => {
      seenInLedger ||= readLedger().some((entry) => entry.change.kind === 'proxy-disabled' && entry.change.proxy === 'shop');
      void inspectFaults(faults.url).then((f) => (seenDisabled ||= f.disabledProxies.includes('shop')));
    }, 20);
    const result = await runExperiment(e, options());
    clearInterval(watcher);
    expect(seenInLedger && seenDisabled).toBe(true);
    expect(result.status).toBe('deviated');
    expect(result.probes.filter((p) => p.stage === 'during').every((p) => !p.ok)).toBe(true);
    expect(result.rollback.proxiesEnabled).toEqual([]); // the method's own duration re-enabled it
    expect(readLedger()).toEqual([]);
    expect((await inspectFaults(faults.url)).disabledProxies).toEqual([]);
  });

  it('does not inject anything when the steady state does not hold before', async () => {
    await new Toxiproxy(faults.url).get('shop').then((p) => p.addToxic({ name: 'user-lag', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 400 } } as never));
    const e = experiment(`title: x\n${HYPOTHESIS}method:\n  - action: disable-proxy\n    proxy: shop\n    duration: 1s\n`);
    const result = await runExperiment(e, options());
    expect(result.status).toBe('aborted');
    expect((await inspectFaults(faults.url)).disabledProxies).toEqual([]);
  });

  it('with gateOnHypothesis false, records the failed steady state and injects anyway (the drill)', async () => {
    const lag = await new Toxiproxy(faults.url).get('shop');
    await lag.addToxic({ name: 'user-lag-2', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 400 } } as never);
    const e = experiment(`title: x\n${HYPOTHESIS}method:\n  - action: disable-proxy\n    proxy: shop\n    duration: 300ms\n`);
    const run = RunDirectory.create('chaos', home);
    const result = await runExperiment(e, { ...options(run), gateOnHypothesis: false });
    await (await lag.getToxic('user-lag-2')).remove();
    expect(result.status).toBe('deviated');
    expect(result.probes.some((p) => p.stage === 'before' && !p.ok)).toBe(true);
    const faultEvents = run.timeline().filter((ev) => ev.type === 'fault');
    expect(faultEvents.map((ev) => (ev.type === 'fault' ? ev.state : ''))).toEqual(['on', 'off']);
    expect((await inspectFaults(faults.url)).disabledProxies).toEqual([]);
  });

  it('rolls back what it did when an action fails midway', async () => {
    const e = experiment(
      `title: broken\n${HYPOTHESIS}method:\n  - action: add-toxic\n    proxy: shop\n    duration: 5s\n    toxic: { type: latency, attributes: { latency: 10 } }\n  - action: update-toxic\n    at: 100ms\n    proxy: shop\n    duration: 1s\n    toxic: { name: missing, attributes: { latency: 1 } }\n`,
    );
    const result = await runExperiment(e, options());
    expect(result.status).toBe('error');
    expect(result.error).toMatch(/no toxic "missing"/);
    expect(result.rollback.toxicsRemoved).toEqual(['shop/peakready-latency_downstream']);
    expect((await inspectFaults(faults.url)).toxics).toEqual([]);
  });

  it('rolls back at once when aborted mid-fault', async () => {
    const e = experiment(`title: long\n${HYPOTHESIS}method:\n  - action: add-toxic\n    proxy: shop\n    duration: 1h\n    toxic: { type: timeout, attributes: { timeout: 0 } }\n  - action: disable-proxy\n    proxy: shop\n    at: 50ms\n    duration: 1h\n`);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const result = await runExperiment(e, { ...options(), signal: abort.signal });
    expect(result.status).toBe('interrupted');
    expect(result.rollback.toxicsRemoved).toHaveLength(1);
    expect(result.rollback.proxiesEnabled).toEqual(['shop']);
    expect(await inspectFaults(faults.url)).toEqual({ toxics: [], disabledProxies: [] });
  });

  it('leaves a proxy the user had disabled disabled, at the end and when aborted mid-fault', async () => {
    const shop = await new Toxiproxy(faults.url).get('shop');
    await shop.update({ ...shop.toJson(), enabled: false });
    const run = RunDirectory.create('chaos', home);
    const e = experiment(`title: already down\nmethod:\n  - action: disable-proxy\n    proxy: shop\n    duration: 1h\n`);
    const abort = new AbortController();
    const running = runExperiment(e, { ...options(run), signal: abort.signal, gateOnHypothesis: false });
    await waitUntil(() => run.timeline().some((ev) => ev.type === 'note'));
    expect(readLedger()).toEqual([]);
    abort.abort();
    const result = await running;
    expect(result.rollback).toEqual({ toxicsRemoved: [], proxiesEnabled: [], restored: [], errors: [] });
    expect((await inspect('shop')).enabled).toBe(false);
    expect(run.timeline().filter((ev) => ev.type === 'fault')).toEqual([]);
    expect(run.timeline().find((ev) => ev.type === 'note')).toMatchObject({ level: 'warn', message: expect.stringMatching(/"shop" was already disabled .*left as it was found/) });
    await clearOwnedFaults(faults.url);
    expect((await inspect('shop')).enabled).toBe(false);
  });

  it('disables again a proxy it found disabled and enabled, and puts back a user toxic it changed or removed, when aborted', async () => {
    const client = new Toxiproxy(faults.url);
    const shop = await client.get('shop');
    const other = await client.createProxy({ name: 'other', listen: '127.0.0.1:0', upstream: shop.upstream });
    await shop.addToxic({ name: 'users-lag', type: 'latency', stream: 'downstream', toxicity: 0.5, attributes: { latency: 5, jitter: 1 } } as never);
    await shop.addToxic({ name: 'users-cut', type: 'bandwidth', stream: 'upstream', toxicity: 1, attributes: { rate: 100 } } as never);
    await other.update({ ...other.toJson(), enabled: false });
    const before = { shop: await inspect('shop'), other: await inspect('other') };
    const e = experiment(
      `title: meddler\nmethod:\n  - action: update-toxic\n    proxy: shop\n    duration: 1h\n    toxic: { name: users-lag, toxicity: 1, attributes: { latency: 800 } }\n` +
        `  - action: remove-toxic\n    proxy: shop\n    duration: 1h\n    toxic: { name: users-cut }\n  - action: enable-proxy\n    proxy: other\n    duration: 1h\n`,
    );
    const abort = new AbortController();
    const running = runExperiment(e, { ...options(), signal: abort.signal });
    await waitUntil(async () => (await inspect('other')).enabled);
    abort.abort();
    const result = await running;
    expect(result.rollback.errors).toEqual([]);
    expect(result.rollback.restored).toHaveLength(3);
    expect(await inspect('shop')).toEqual(before.shop);
    expect(await inspect('other')).toEqual(before.other);
    expect(readLedger()).toEqual([]);
    await other.remove();
    for (const name of ['users-lag', 'users-cut']) await (await shop.getToxic(name)).remove();
  });

  it('names a proxy that does not exist, with "did you mean", before changing anything', async () => {
    const e = experiment(`title: typo\nmethod:\n  - action: disable-proxy\n    proxy: shp\n    duration: 1s\n`);
    await expect(runExperiment(e, options())).rejects.toThrow(/proxy "shp" not found .*did you mean "shop"\?/);
  });
});

describe('clearOwnedFaults', () => {
  it("removes only peakready's toxics and re-enables only the proxies its ledger names", async () => {
    const client = new Toxiproxy(faults.url);
    const shop = await client.get('shop');
    const other = await client.createProxy({ name: 'other', listen: '127.0.0.1:0', upstream: shop.upstream });
    await shop.addToxic({ name: 'peakready-left-behind', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 1 } } as never);
    await shop.addToxic({ name: 'users-own', type: 'latency', stream: 'upstream', toxicity: 1, attributes: { latency: 1 } } as never);
    await shop.update({ ...shop.toJson(), enabled: false });
    await other.update({ ...other.toJson(), enabled: false });
    // a ledger in the format written before changes were recorded
    writeFileSync(ledgerPath(), JSON.stringify({ disabled: [{ toxiproxyUrl: faults.url + '/', proxy: 'shop', experiment: 'x', pid: 1, t: 0 }] }));
    expect(await clearOwnedFaults(faults.url)).toEqual({ toxicsRemoved: ['shop/peakready-left-behind'], proxiesEnabled: ['shop'], restored: [] });
    const after = await inspectFaults(faults.url);
    expect(after.toxics.map((t) => t.toxic)).toEqual(['users-own']);
    expect(after.disabledProxies).toEqual(['other']);
    expect(readLedger()).toEqual([]);
    await other.remove();
  });

  it('after a killed run, puts back what it found: a proxy it enabled is disabled again, a user toxic gets its attributes back', async () => {
    const shop = await new Toxiproxy(faults.url).get('shop');
    await shop.addToxic({ name: 'users-lag', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 7 } } as never);
    const found = (await inspect('shop')).toxics[0]!;
    // what a run SIGKILLed mid-fault leaves: its ledger, and the user's disabled proxy enabled, the user's toxic changed
    recordChange(faults.url, 'killed', { kind: 'proxy-enabled', proxy: 'shop' });
    recordChange(faults.url, 'killed', { kind: 'toxic-updated', proxy: 'shop', before: found });
    await (await shop.getToxic('users-lag')).update({ ...found, attributes: { latency: 900, jitter: 0 } } as never);
    const cleared = await clearOwnedFaults(faults.url);
    expect(cleared).toEqual({ toxicsRemoved: [], proxiesEnabled: [], restored: ['toxic shop/users-lag restored to {"toxicity":1,"latency":7,"jitter":0}', 'proxy shop disabled again (as found)'] });
    const after = await inspect('shop');
    expect(after.enabled).toBe(false);
    expect(after.toxics.map((t) => [t.name, t.attributes.latency])).toEqual([['users-lag', 7]]);
    expect(readLedger()).toEqual([]);
    expect(await clearOwnedFaults(faults.url)).toEqual({ toxicsRemoved: [], proxiesEnabled: [], restored: [] });
  });

  it('says how to fix an unreachable Toxiproxy', async () => {
    await expect(clearOwnedFaults('http://127.0.0.1:1')).rejects.toThrow(/cannot reach the Toxiproxy API at http:\/\/127\.0\.0\.1:1 .*--toxiproxy URL/);
  });
});
