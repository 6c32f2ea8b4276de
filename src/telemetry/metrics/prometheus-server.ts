import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { EnvironmentError } from '../../errors.js';
import { spawnManaged, stopChild } from '../../lifecycle/children.js';
import { onShutdown } from '../../lifecycle/shutdown.js';
import { packageRoot } from '../../paths.js';
import type { RunDirectory } from '../../run/run-dir.js';
import type { ScrapeTarget } from './scraper.js';

/**
 * Debian's Prometheus as a managed child with a generated configuration: one job whose targets
 * come from a file_sd file we rewrite whenever the replica set changes (Prometheus re-reads it
 * every 5 s), so scaled-out replicas are scraped without restarts. Listens on 127.0.0.1 only.
 */

export interface PrometheusOptions {
  targets: ScrapeTarget[] | (() => ScrapeTarget[]);
  port: number;
  runDir?: RunDirectory;
  /** scrape and evaluation interval (default 5 s) */
  scrapeIntervalMs?: number;
  /** rule files to load (e.g. alerts/*.rules.yml) */
  ruleFiles?: string[];
  /** a TSDB folder (e.g. written by `promtool tsdb create-blocks-from`) whose blocks the server starts with: history without waiting for scrapes */
  seedBlocks?: string;
  binary?: string;
}

export interface RunningPrometheus {
  url: string;
  /** rewrites the file_sd targets now (also done every 5 s when targets is a function) */
  refreshTargets(): void;
  stop(): Promise<void>;
}

export const PROMETHEUS_BINARY = '/usr/bin/prometheus';

/** The shipped alerting rules (alerts/*.rules.yml), loaded by a Prometheus that `up --prometheus` starts. */
export function shippedRuleFiles(): string[] {
  const dir = join(packageRoot, 'alerts');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.rules.yml'))
    .sort()
    .map((f) => join(dir, f));
}

export function prometheusInstalled(binary = PROMETHEUS_BINARY): boolean {
  return existsSync(binary);
}

/** The file_sd content: one group per replica, carrying `service` and `replica` labels. */
export function fileSdGroups(targets: readonly ScrapeTarget[]): Array<{ targets: string[]; labels: Record<string, string> }> {
  return targets.map((t) => {
    const url = new URL(t.url);
    return {
      targets: [url.host],
      labels: { service: t.service, replica: t.replica, __metrics_path__: url.pathname || '/metrics', __scheme__: url.protocol.replace(':', '') },
    };
  });
}

export function prometheusConfig(targetsFile: string, intervalMs: number, ruleFiles: readonly string[] = []): string {
  const seconds = `${Math.max(1, Math.round(intervalMs / 1000))}s`;
  const lines = [
    'global:',
    `  scrape_interval: ${seconds}`,
    `  evaluation_interval: ${seconds}`,
    `  scrape_timeout: ${seconds}`,
  ];
  if (ruleFiles.length) lines.push('rule_files:', ...ruleFiles.map((f) => `  - ${JSON.stringify(f)}`));
  // honor_labels: the supervisor's per-service gauges carry their own `service` label, which must
  // win over the target's (otherwise Prometheus renames it exported_service and dashboards break)
  lines.push('scrape_configs:', '  - job_name: peakready', '    honor_labels: true', '    file_sd_configs:', `      - files: [${JSON.stringify(targetsFile)}]`, '        refresh_interval: 5s');
  return lines.join('\n') + '\n';
}

export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const binary = options.binary ?? PROMETHEUS_BINARY;
  if (!prometheusInstalled(binary)) {
    throw new EnvironmentError(`Prometheus is not installed (${binary} not found); install Debian's package (apt-get install prometheus) or pass --prometheus URL of your own`);
  }
  const files = writePrometheusFiles(options);
  const url = `http://127.0.0.1:${options.port}`;
  const child = spawnManaged({ name: 'prometheus', command: binary, args: prometheusArgs(files, options.port), logFile: files.logFile });
  const refresher = typeof options.targets === 'function' ? setInterval(files.refreshTargets, 5000) : undefined;
  refresher?.unref();
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (refresher) clearInterval(refresher);
      unregister();
      await stopChild(child, 5000);
      if (!options.runDir) rmSync(files.dir, { recursive: true, force: true });
    })());
  const unregister = onShutdown('prometheus', stop);
  try {
    await waitUntilReady(child, url, `see ${files.logFile} (port ${options.port} in use?)`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, refreshTargets: files.refreshTargets, stop };
}

interface PrometheusFiles {
  /** the run's prometheus/ folder, or a temporary one removed on stop */
  dir: string;
  configFile: string;
  logFile: string;
  refreshTargets(): void;
}

/** The configuration, the first file_sd targets and the folders Prometheus writes to. */
function writePrometheusFiles(options: PrometheusOptions): PrometheusFiles {
  const dir = options.runDir ? join(options.runDir.root, 'prometheus') : mkdtempSync(join(tmpdir(), 'peakready-prometheus-'));
  mkdirSync(join(dir, 'data'), { recursive: true });
  if (options.seedBlocks) cpSync(options.seedBlocks, join(dir, 'data'), { recursive: true });
  if (options.runDir) mkdirSync(options.runDir.logPath(''), { recursive: true });
  const targetsFile = join(dir, 'targets.json');
  const targetsOf = typeof options.targets === 'function' ? options.targets : () => options.targets as ScrapeTarget[];
  const refreshTargets = () => {
    // write-then-rename: Prometheus must never read a half-written file
    writeFileSync(`${targetsFile}.tmp`, JSON.stringify(fileSdGroups(targetsOf()), null, 2));
    renameSync(`${targetsFile}.tmp`, targetsFile);
  };
  refreshTargets();
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, prometheusConfig(targetsFile, options.scrapeIntervalMs ?? 5000, options.ruleFiles));
  const logFile = options.runDir ? options.runDir.logPath('prometheus.log') : join(dir, 'prometheus.log');
  return { dir, configFile, logFile, refreshTargets };
}

function prometheusArgs(files: PrometheusFiles, port: number): string[] {
  return [
    `--config.file=${files.configFile}`,
    `--storage.tsdb.path=${join(files.dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=2d',
    '--web.enable-lifecycle',
    // the load generator's metrics land here too: `peakready run -o experimental-prometheus-rw`
    '--web.enable-remote-write-receiver',
  ];
}

/** Polls /-/ready until 200; throws when the child exits first (`hint` says where to look) or after 30 s. */
async function waitUntilReady(child: ChildProcess, url: string, hint: string): Promise<void> {
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));
  child.once('error', (error) => (exited = error.message));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new EnvironmentError(`Prometheus ${exited} before it was ready; ${hint}`);
    if (await answersReady(url)) return;
    if (Date.now() > deadline) throw new EnvironmentError(`Prometheus did not become ready on ${url} within 30 s`);
    await sleep(100);
  }
}

async function answersReady(url: string): Promise<boolean> {
  try {
    const res = await request(`${url}/-/ready`, { headersTimeout: 1000, bodyTimeout: 1000 });
    await res.body.dump();
    return res.statusCode === 200;
  } catch {
    // not listening yet
    return false;
  }
}
