import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { RunDirectory } from '../run/run-dir.js';
import type { TimelineEvent } from '../run/records.js';
import { Toxiproxy } from 'toxiproxy-node-client';
import { proxiedUpstreams, proxyPort, servicePort } from '../stack/definition.js';
import { fixtureStack } from '../../test/support/fixture-stack.js';
import { readStackState } from '../stack/stack-state.js';
import { startStack, type RunningStack } from './supervisor.js';
import { isListening, isPidAlive, privateStateDir, TEST_DATABASE_URL, waitFor } from '../../test/support/stack.js';

const BASE = 27_100;

describe('startStack with contract-following fixture services', () => {
  let home: string;
  let stack: RunningStack;
  let runDir: RunDirectory;

  beforeAll(async () => {
    home = privateStateDir();
    runDir = RunDirectory.create('stack-test', home);
    stack = await startStack({
      definition: fixtureStack(BASE),
      basePort: BASE,
      databaseUrl: TEST_DATABASE_URL,
      replicas: { catalog: 2 },
      runDir,
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('serves every service through its balancer once ready, every edge through its named fault proxy', async () => {
    const res = await fetch(`${stack.gatewayUrl}/echo`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ service: 'gateway', replica: 'gateway-1' });
    const call = (await (await fetch(`${stack.gatewayUrl}/call/catalog`)).json()) as { via: string; upstream: { service: string } };
    expect(call.via).toBe(`http://127.0.0.1:${proxyPort(stack.definition, 'catalog')}`);
    expect(call.upstream.service).toBe('catalog');
    expect(stack.replicas('catalog').map((r) => r.state)).toEqual(['ready', 'ready']);

    const toxiproxy = new Toxiproxy(stack.toxiproxyUrl!);
    const proxies = await toxiproxy.getAll();
    expect(Object.keys(proxies).sort()).toEqual(proxiedUpstreams(stack.definition));
    expect(proxies.catalog!.upstream).toBe(`127.0.0.1:${servicePort(stack.definition, 'catalog')}`);
    expect(proxies.postgres!.upstream).toBe(`127.0.0.1:${new URL(TEST_DATABASE_URL).port}`);
    // the edge really runs through the proxy: disabling it breaks gateway -> catalog only
    await proxies.catalog!.update({ ...proxies.catalog!.toJson(), enabled: false });
    try {
      expect((await fetch(`${stack.gatewayUrl}/call/catalog`)).status).toBe(502);
      expect((await fetch(`${stack.gatewayUrl}/call/search`)).status).toBe(200);
    } finally {
      await toxiproxy.reset();
    }
    expect((await fetch(`${stack.gatewayUrl}/call/catalog`)).status).toBe(200);
  });

  it('spreads requests round-robin over the replicas of a service', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const body = (await (await fetch(`http://127.0.0.1:${servicePort(stack.definition, 'catalog')}/echo`)).json()) as { replica: string };
      seen.add(body.replica);
    }
    expect([...seen].sort()).toEqual(['catalog-1', 'catalog-2']);
  });

  it('writes stack.json with every service, replica, pid and port', () => {
    const state = readStackState(join(home, 'stack.json'))!;
    expect(state.supervisorPid).toBe(process.pid);
    expect(state.gatewayUrl).toBe(stack.gatewayUrl);
    expect(state.services.map((s) => s.name)).toHaveLength(9);
    const catalog = state.services.find((s) => s.name === 'catalog')!;
    expect(catalog.port).toBe(BASE + 1);
    expect(catalog.replicas.every((r) => r.pid > 0 && r.port > 0 && r.state === 'ready')).toBe(true);
  });

  it('exports the supervisor metrics', async () => {
    stack.setAutoscalerStatus('catalog', { desired: 2, min: 1, max: 6, utilization: 0.42 });
    const text = await (await fetch(stack.metricsUrl)).text();
    expect(text).toContain('peakready_ready_replicas{service="catalog"} 2');
    expect(text).toContain('peakready_replicas{service="gateway"} 1');
    expect(text).toContain('peakready_cpu_utilization_ratio{service="catalog"} 0.42');
    expect(text).toContain('peakready_max_replicas{service="catalog"} 6');
  });

  it('answers 503 in JSON when a service has no ready replica', async () => {
    await stack.setReplicas('recommendations', 0);
    await waitFor(() => stack.replicas('recommendations').length === 0, 'recommendations scaled to 0');
    const res = await fetch(`http://127.0.0.1:${servicePort(stack.definition, 'recommendations')}/echo`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toMatch(/no ready replica of recommendations/);
    await stack.setReplicas('recommendations', 1);
    await waitFor(() => stack.replicas('recommendations')[0]?.state === 'ready', 'recommendations back');
  });

  it('replaces a replica that is SIGKILLed, and records it on the timeline', async () => {
    const [victim] = stack.replicas('search');
    process.kill(victim!.pid, 'SIGKILL');
    await waitFor(() => stack.replicas('search').some((r) => r.id !== victim!.id && r.state === 'ready'), 'a replacement search replica');
    expect(stack.replicas('search')).toHaveLength(1);
    const events = runDir.timeline().filter((e): e is Extract<TimelineEvent, { type: 'replica' }> => e.type === 'replica' && e.service === 'search');
    const crashedAt = events.findIndex((e) => e.replica === victim!.id && e.state === 'crashed');
    expect(crashedAt).toBeGreaterThanOrEqual(0);
    expect(events.slice(crashedAt).some((e) => e.replica !== victim!.id && e.state === 'ready')).toBe(true);
    const res = await fetch(`http://127.0.0.1:${servicePort(stack.definition, 'search')}/echo`);
    expect(res.status).toBe(200);
  });

  it('scales up and down under keep-alive load without a failed request', async () => {
    const port = servicePort(stack.definition, 'cart');
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 8 });
    const byReplica = new Map<string, number>();
    const failures: string[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        try {
          const res = await pool.request({ path: '/slow?ms=15', method: 'GET' });
          const body = (await res.body.json()) as { replica?: string };
          if (res.statusCode !== 200) failures.push(`${res.statusCode} ${JSON.stringify(body)}`);
          else byReplica.set(body.replica!, (byReplica.get(body.replica!) ?? 0) + 1);
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    const ready = (n: number) => () => stack.replicas('cart').filter((r) => r.state === 'ready').length === n;
    await stack.setReplicas('cart', 3);
    await waitFor(ready(3), 'cart at 3 ready replicas');
    await new Promise((r) => setTimeout(r, 400));
    const before = stack.state().services.find((s) => s.name === 'cart')!.replicas.map((r) => r.pid);
    await stack.setReplicas('cart', 1);
    await new Promise((r) => setTimeout(r, 300));
    await stack.setReplicas('cart', 2);
    await waitFor(ready(2), 'cart at 2 ready replicas');
    await new Promise((r) => setTimeout(r, 300));
    running = false;
    await Promise.all(workers);
    await pool.close();
    expect(failures).toEqual([]);
    // new replicas got traffic although every client connection was kept alive
    expect(byReplica.get('cart-2')).toBeGreaterThan(0);
    expect(byReplica.get('cart-3')).toBeGreaterThan(0);
    await waitFor(() => before.filter((pid) => isPidAlive(pid)).length === 1, 'the scaled-down replicas to exit');
  });

  it('leaves no process, port or stack.json behind when stopped', async () => {
    const pids = stack.state().services.flatMap((s) => s.replicas.map((r) => r.pid));
    await stack.stop();
    await stack.stop(); // idempotent
    expect(pids.filter(isPidAlive)).toEqual([]);
    for (let p = BASE; p < BASE + 9; p++) expect(await isListening(p)).toBe(false);
    for (let p = BASE + 100; p < BASE + 110; p++) expect(await isListening(p)).toBe(false);
    expect(await isListening(BASE + 300)).toBe(false);
    expect(await isListening(BASE + 302)).toBe(false);
    expect(existsSync(join(home, 'stack.json'))).toBe(false);
    const states = runDir.timeline().filter((e) => e.type === 'stack').map((e) => (e as { state: string }).state);
    expect(states).toEqual(['starting', 'ready', 'stopping', 'stopped']);
    expect(readFileSync(runDir.logPath('catalog-1.log'), 'utf8')).toContain('listening on');
  });
});
