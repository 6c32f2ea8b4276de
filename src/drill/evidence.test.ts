import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBudgets } from '../budgets/load.js';
import { packageRoot } from '../paths.js';
import { readRunData } from '../run/run-data.js';
import { RunDirectory } from '../run/run-dir.js';
import { checkTracing } from '../verify/tracing.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { gatherEvidence } from './evidence.js';
import type { DrillPlan } from './plan.js';
import type { DrillRig } from './rig.js';

/** A Tempo (v2 API) that holds one of the run's two traces, as test/fixtures/traces/tempo-v2.json has it. */
const HELD = '4bf92f3577b34da6a3ce929d0e0e4736';
const LOST = 'ab'.repeat(16);
let server: Server;
afterAll(() => new Promise((resolve) => server.close(resolve)));

async function tempo(): Promise<string> {
  const body = readFileSync(join(packageRoot, 'test/fixtures/traces/tempo-v2.json'), 'utf8');
  server = createServer((req, res) => {
    const id = /^\/api\/v2\/traces\/([0-9a-f]+)/.exec(req.url ?? '')?.[1];
    if (id === HELD) res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('trace not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("the drill's evidence on a system whose traces go to Tempo", () => {
  it('fetches every sent trace by id into traces.ndjson, so the tracing check judges them as received ones', async () => {
    const url = await tempo();
    const run = new RunDirectory(tempDir('peakready-evidence-'));
    const t = Date.now();
    run.appendRequests([HELD, LOST].map((traceId, i) => ({ t: t + i, scenario: 'peak', name: 'checkout', method: 'POST', status: 201, duration: 20, failed: false, traceId })));
    const lines: string[] = [];
    const plan = { traceBackend: { kind: 'tempo', url } } as DrillPlan;
    const rig = { runningStack: undefined } as unknown as DrillRig;
    await gatherEvidence(plan, rig, run, new AbortController().signal, (line) => lines.push(line));

    expect(lines).toContain('peakready: 1 traces found, 1 missing, 0 lookups failed (tempo-v2)');
    const spans = run.readLines<{ traceId: string }>('traces');
    expect(spans.length).toBeGreaterThan(0);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([HELD]));
    // one of two sent traces reached the backend: the tracing check sees exactly that
    const result = checkTracing(readRunData(run), parseBudgets('checks: { tracing: { completeness: 0.95 } }'), { traceRules: { rules: [] } });
    expect(result.status).toBe('fail');
    expect(result.figure).toMatch(/^50% complete/);
  });
});
