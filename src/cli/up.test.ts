import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../../test/support/cli.js';
import { packageRoot } from '../paths.js';
import type { StackState } from '../stack/contract.js';
import { queryPrometheus } from '../telemetry/metrics/prometheus-api.js';
import { prometheusInstalled } from '../telemetry/metrics/prometheus-server.js';
import { isListening, isPidAlive, privateDatabase, privateStateDir, waitFor } from '../../test/support/stack.js';

const cli = (args: string[], env: NodeJS.ProcessEnv) => runCli(args, env);

/** Pids whose process group is `pgid` (from /proc: field 5 of stat). */
function processesInGroup(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

async function portsOpen(base: number): Promise<number[]> {
  const ports = [...Array.from({ length: 10 }, (_, i) => base + i), ...Array.from({ length: 10 }, (_, i) => base + 100 + i), base + 300, base + 302];
  const open: number[] = [];
  for (const p of ports) if (await isListening(p)) open.push(p);
  return open;
}

describe('peakready up / status / down (real CLI, real services)', () => {
  let env: NodeJS.ProcessEnv;
  let home: string;
  let database: Awaited<ReturnType<typeof privateDatabase>>;
  beforeAll(async () => {
    database = await privateDatabase('cli_up');
  });
  afterAll(async () => {
    await database?.drop();
  });
  beforeEach(() => {
    home = privateStateDir();
    env = { ...process.env, PEAKREADY_HOME: home, DATABASE_URL: database.url };
  });

  it('foreground up: ready, serves the API; SIGTERM leaves no process of its group and no listening port', async () => {
    const base = 28_700;
    const child = spawn(process.execPath, [BIN, 'up', '--base-port', String(base)], { env, cwd: packageRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await waitFor(() => /Gateway: http:\/\/127\.0\.0\.1:28700/.test(output) || child.exitCode !== null, 'the ready line', 60_000);
    expect(output).toMatch(/gateway-1 ready/); // plain lines: stdout is not a terminal
    const state = JSON.parse(readFileSync(join(home, 'stack.json'), 'utf8')) as StackState;
    expect(state.supervisorPid).toBe(child.pid);
    const replicaPids = state.services.flatMap((s) => s.replicas.map((r) => r.pid));
    expect(replicaPids).toHaveLength(9);
    const products = await fetch(`http://127.0.0.1:${base}/api/products?pageSize=2`);
    expect(products.status).toBe(200);
    expect(((await products.json()) as { items: unknown[] }).items).toHaveLength(2);

    process.kill(child.pid!, 'SIGTERM');
    expect(await exited).toBe(143);
    expect(processesInGroup(child.pid!)).toEqual([]);
    for (const pid of replicaPids) expect(processesInGroup(pid)).toEqual([]);
    expect(replicaPids.filter(isPidAlive)).toEqual([]);
    expect(await portsOpen(base)).toEqual([]);
  });

  it('up with a port in use: one line naming the port, its owner and the fix; exit code 2', async () => {
    const base = 29_100;
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(base + 2, '127.0.0.1', r));
    try {
      const result = await cli(['up', '--base-port', String(base)], env);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^peakready: port 29102 \(the search balancer\) is already in use on 127\.0\.0\.1; .*--base-port/),
      ]);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    expect(await portsOpen(base)).toEqual([]);
  });

  it('up --detach, status, a SIGKILLed supervisor found and cleaned by the next up, then down', async () => {
    const base = 29_500;
    const up = await cli(['up', '--detach', '--base-port', String(base), '--replicas', 'catalog=2'], env);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/Gateway: http:\/\/127\.0\.0\.1:29500/);

    const status = await cli(['status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout.match(/ ready +healthy/g)).toHaveLength(10);
    const json = JSON.parse((await cli(['status', '--json'], env)).stdout) as StackState & { healthy: boolean };
    expect(json.healthy).toBe(true);
    expect(json.services.find((s) => s.name === 'catalog')!.replicas).toHaveLength(2);

    // a supervisor killed without a chance to clean up
    process.kill(json.supervisorPid, 'SIGKILL');
    await waitFor(() => !isPidAlive(json.supervisorPid), 'the supervisor to die');
    const dead = await cli(['status'], env);
    expect(dead.code).toBe(1);
    expect(dead.stdout).toMatch(/is not running \(supervisor pid \d+ is gone\); clean up with `peakready down`/);

    const again = await cli(['up', '--detach', '--base-port', String(base)], env);
    expect(again.code).toBe(0);
    const pids = (JSON.parse(readFileSync(join(home, 'stack.json'), 'utf8')) as StackState).services.flatMap((s) => s.replicas.map((r) => r.pid));

    const down = await cli(['down'], env);
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/stopped the stack/);
    expect(pids.filter(isPidAlive)).toEqual([]);
    expect(await portsOpen(base)).toEqual([]);
    expect(existsSync(join(home, 'stack.json'))).toBe(false);
  });

  it.runIf(prometheusInstalled())('up --detach --prometheus: a real Prometheus scrapes every replica and loads the shipped alerts; down stops it', async () => {
    const base = 29_900;
    const up = await cli(['up', '--detach', '--base-port', String(base), '--prometheus'], env);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const state = JSON.parse(readFileSync(join(home, 'stack.json'), 'utf8')) as StackState;
    expect(state.prometheusUrl).toBe(`http://127.0.0.1:${base + 303}`);
    expect((await cli(['status'], env)).stdout).toContain(`prometheus     http://127.0.0.1:${base + 303}`);
    // nine replicas and the supervisor, each scraped and up
    await expect
      .poll(async () => (await queryPrometheus(state.prometheusUrl!, 'up == 1')).map((s) => s.metric.replica).sort(), { timeout: 30_000, interval: 500 })
      .toEqual(['cart-1', 'catalog-1', 'checkout-1', 'gateway-1', 'inventory-1', 'orders-1', 'payments-1', 'recommendations-1', 'search-1', 'supervisor']);
    const rules = (await (await fetch(`${state.prometheusUrl}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ name: string }> }> } };
    expect(rules.data.groups.flatMap((g) => g.rules.map((r) => r.name))).toEqual(expect.arrayContaining(['RecommendationsDegraded']));

    expect((await cli(['down'], env)).code).toBe(0);
    expect(await isListening(base + 303)).toBe(false);
    expect(await portsOpen(base)).toEqual([]);
  });
});
