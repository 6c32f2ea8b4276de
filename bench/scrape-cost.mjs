// Cost of metrics collection during a run: CPU of peakready's scraper (parse + reduce + append to
// metrics.ndjson) per target scrape, side by side with Debian's Prometheus scraping the same
// targets at the same interval, and what the targets themselves spend rendering /metrics.
// Run: npm run build && node bench/scrape-cost.mjs [targets] [seconds]
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunDirectory } from '../dist/src/run/run-dir.js';
import { startMetricsScraper } from '../dist/src/telemetry/metrics/scraper.js';
import { prometheusInstalled, startPrometheus } from '../dist/src/telemetry/metrics/prometheus-server.js';

const targetsCount = Number(process.argv[2] ?? 20);
const seconds = Number(process.argv[3] ?? 8);
const intervalMs = 1000;

const child = fork(fileURLToPath(new URL('./scrape-targets-child.mjs', import.meta.url)), { env: { ...process.env, TARGETS: String(targetsCount) } });
const { ports } = await new Promise((resolve) => child.once('message', resolve));
const targetCpu = () => new Promise((resolve) => (child.once('message', (m) => resolve((m.cpu.user + m.cpu.system) / 1e6)), child.send('cpu')));
const targets = ports.map((port, i) => ({ service: `svc${i % 9}`, replica: `r${i}`, url: `http://127.0.0.1:${port}/metrics` }));
const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

// peakready's scraper, in this process
const dir = mkdtempSync(join(tmpdir(), 'peakready-bench-scrape-'));
const run = new RunDirectory(dir);
const idle0 = cpuNow();
await sleep(1000);
const idlePerSecond = cpuNow() - idle0;
const t0 = cpuNow();
const tt0 = await targetCpu();
const scraper = startMetricsScraper({ targets: () => targets, intervalMs, runDir: run });
await sleep(seconds * 1000);
await scraper.stop();
const ours = cpuNow() - t0 - idlePerSecond * seconds;
const oursTargets = (await targetCpu()) - tt0;
const stats = scraper.stats();
const bytes = statSync(run.writtenPath('metrics')).size;
rmSync(dir, { recursive: true, force: true });

// Prometheus scraping the same targets
let prom;
if (prometheusInstalled()) {
  const port = 19090 + Math.floor(Math.random() * 500);
  const server = await startPrometheus({ targets, port, scrapeIntervalMs: intervalMs });
  const promCpu = async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return Number(/^process_cpu_seconds_total (\S+)/m.exec(text)[1]);
  };
  await sleep(3000); // let it load the targets and settle
  const p0 = await promCpu();
  const pt0 = await targetCpu();
  const w0 = performance.now();
  await sleep(seconds * 1000);
  const elapsed = (performance.now() - w0) / 1000;
  const scrapes = (elapsed * 1000 / intervalMs) * targets.length;
  prom = { cpu: (await promCpu()) - p0, targets: (await targetCpu()) - pt0, scrapes };
  await server.stop();
}
child.kill();

const perScrape = (cpu, n) => `${((cpu / n) * 1000).toFixed(2)} ms`;
console.log(`Scraping ${targetsCount} prom-client targets (stack metric names, ~${Math.round(bytes / stats.scrapes)} bytes kept per scrape) every ${intervalMs} ms for ${seconds} s`);
console.log(`peakready scraper: ${stats.scrapes} scrapes, ${stats.failures} failures, CPU ${ours.toFixed(2)} s = ${perScrape(ours, stats.scrapes)} per target scrape = ${((ours / seconds) * 100).toFixed(1)} % of one core; targets spent ${perScrape(oursTargets, stats.scrapes)} per scrape rendering /metrics`);
console.log(`  metrics.ndjson.gz grew ${(bytes / 1024).toFixed(0)} KiB (${((bytes / seconds) / 1024).toFixed(0)} KiB/s; ${stats.samples} samples)`);
if (prom) {
  console.log(`Prometheus 2 (Debian) on the same targets: CPU ${prom.cpu.toFixed(2)} s for ~${Math.round(prom.scrapes)} scrapes = ${perScrape(prom.cpu, prom.scrapes)} per target scrape (incl. TSDB ingest, rule-less)`);
  console.log(`ratio peakready / Prometheus CPU per scrape: ${((ours / stats.scrapes) / (prom.cpu / prom.scrapes)).toFixed(2)}x`);
} else console.log('Prometheus not installed: no side-by-side figure');
