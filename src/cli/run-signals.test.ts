import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/support/tcp-peers.js';
import { packageRoot } from '../paths.js';

let server: Server;
let target = '';
let served = 0;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'peakready-run-signals-'));
  server = createServer((_req, res) => {
    served++;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('peakready run, interrupted', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`stops on ${signal} and still prints the summary and writes --summary-export of what ran`, async () => {
      const script = join(dir, 'long.js');
      writeFileSync(script, "import http from 'k6/http';\nimport { sleep } from 'k6';\nexport const options = { vus: 2, duration: '10m' };\nexport default function () { http.get(__ENV.BASE_URL); sleep(0.01); }\n");
      const exportFile = join(dir, `summary-${signal}.json`);
      const child = spawn(process.execPath, [join(packageRoot, 'bin/peakready.js'), 'run', script, '--target', target, '--quiet', '--summary-export', exportFile], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const before = served;
      await waitFor(() => served - before >= 20);
      child.kill(signal);
      const code = await exited;
      expect(code, output).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(output).toContain('run aborted: stopped by the user');
      expect(output).toMatch(/http_reqs\.+: \d+/);
      const exported = JSON.parse(readFileSync(exportFile, 'utf8')) as { metrics: { http_reqs: { count: number } } };
      expect(exported.metrics.http_reqs.count).toBeGreaterThanOrEqual(20);
      expect(exported.metrics.http_reqs.count).toBeLessThanOrEqual(served - before);
    });
  }
});
