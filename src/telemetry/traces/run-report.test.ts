import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shipped } from '../../paths.js';
import { readRecordText, RunDirectory } from '../../run/run-dir.js';
import type { RequestRecord } from '../../run/records.js';
import { otlpProtobufRequest, sampleCheckoutTrace } from '../otlp/sample-traces.js';
import { buildTraceRunReport, formatTraceReport } from './run-report.js';
import { tempDir } from '../../../test/support/temp-dir.js';

const cli = shipped('bin/peakready.js');

describe('peakready otlp serve + peakready traces', () => {
  it('receives spans until SIGTERM, leaves the run readable by `traces`, and prints links', async () => {
    const out = join(tempDir('peakready-serve-'), 'run');
    const child = spawn(process.execPath, [cli, 'otlp', 'serve', '--port', '0', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
    await expect.poll(() => /listening on (http:\/\/\S+)\/v1\/traces/.exec(stdout)?.[1], { timeout: 20_000 }).toBeDefined();
    const url = /listening on (http:\/\/\S+)\/v1\/traces/.exec(stdout)![1]!;

    const traces = [sampleCheckoutTrace(Date.now()), sampleCheckoutTrace(Date.now() + 5)];
    traces[1]!.spans[7]!.span.status = { code: 2, message: 'card declined' };
    const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: otlpProtobufRequest(traces) });
    expect(res.status).toBe(200);
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(143);
    expect(stdout).toMatch(/received 20 spans in 1 requests/);
    expect(readRecordText(join(out, 'traces.ndjson.gz')).trim().split('\n')).toHaveLength(20);
    // the port is free again
    await expect(fetch(`${url}/v1/traces`, { method: 'POST' })).rejects.toThrow();

    const requests: RequestRecord[] = traces.map((t, i) => ({ t: Date.now(), scenario: 's', name: 'checkout', method: 'POST', status: i ? 502 : 200, duration: 5, failed: i === 1, traceId: t.traceId, spanId: t.clientSpanId }));
    writeFileSync(join(out, 'requests.ndjson'), requests.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const report = buildTraceRunReport(RunDirectory.open(out), 5);
    expect(report).toMatchObject({ spans: 20, traces: 2, problems: [], completeness: { sent: 2, complete: 2, ratio: 1 }, failedRequestsTotal: 1 });
    expect(report.errors).toEqual([{ service: 'payments', spans: 2, errors: 1, top: [{ what: 'POST /charges: card declined', count: 1 }] }]);
    expect(report.slowestCheckout!.path[0]).toMatchObject({ service: 'gateway', kind: 'SERVER' });
    const text = formatTraceReport(report, { grafanaUrl: 'http://grafana:3000', tempoDatasource: 'tempo-1', color: false });
    expect(text).toMatch(/tracing completeness: 2\/2 requests \(100\.0 %\)/);
    expect(text).toContain(`checkout -> 502  ${traces[1]!.traceId}`);
    expect(text).toContain(`${traces[1]!.traceId}  http://grafana:3000/explore?schemaVersion=1&panes=`);
  });
});
