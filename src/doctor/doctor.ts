import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { parse } from 'yaml';
import { findK6 } from '../load/k6-binary.js';
import { redactUrl } from '../stack/environment.js';

const run = promisify(execFile);

/** One real component peakready can use, whether it is here, and what runs instead when it is not. */
export interface ComponentStatus {
  component: string;
  available: boolean;
  /** version, address or why not */
  detail: string;
  /** what peakready will use */
  uses: string;
}

export interface DoctorOptions {
  env?: NodeJS.ProcessEnv;
  /** --toxiproxy URL (else $TOXIPROXY_URL) */
  toxiproxyUrl?: string;
  /** --database-url (else $DATABASE_URL) */
  databaseUrl?: string;
  /** per probe; a component that does not answer in time counts as absent */
  timeoutMs?: number;
}

/** Probes every component at once: binaries by `--version`, servers by a real request or connection. */
export async function diagnose(options: DoctorOptions = {}): Promise<ComponentStatus[]> {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? 3000;
  return Promise.all([
    k6(env, timeoutMs),
    toxiproxy(options.toxiproxyUrl ?? env.TOXIPROXY_URL, timeoutMs),
    binary('prometheus', ['prometheus'], env, timeoutMs, '`up --prometheus` / `drill --prometheus` start it for the stack and read PromQL (default: the drill scrapes /metrics itself)', 'scrape of each service /metrics'),
    binary('promtool', ['promtool'], env, timeoutMs, 'checks the generated SLO rules (`promtool test rules alerts/budgets.test.yml`)', 'rules are generated; not unit-tested here'),
    kubeconfig(env),
    postgres(options.databaseUrl ?? env.DATABASE_URL, timeoutMs),
    binary('chromium', ['chromium', 'chromium-browser', 'google-chrome'], env, timeoutMs, 'renders report.html in the HTML report test', 'report.html is still written; its render test is skipped'),
  ]);
}

async function k6(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ComponentStatus> {
  const path = findK6(env);
  if (!path) return { component: 'k6', available: false, detail: 'no k6 on PATH', uses: 'embedded k6-compatible runtime' };
  const version = await versionOf(path, ['version'], env, timeoutMs);
  return { component: 'k6', available: true, detail: `${path}: ${version}`, uses: '`peakready run --engine k6` runs it; drills use the embedded runtime' };
}

async function toxiproxy(url: string | undefined, timeoutMs: number): Promise<ComponentStatus> {
  const fallback = 'embedded Toxiproxy-compatible server';
  if (!url) return { component: 'toxiproxy', available: false, detail: 'no --toxiproxy URL or TOXIPROXY_URL', uses: fallback };
  try {
    const response = await fetch(new URL('/version', url), { signal: AbortSignal.timeout(timeoutMs) });
    const text = (await response.text()).trim();
    if (!response.ok) return { component: 'toxiproxy', available: false, detail: `${url}/version answered ${response.status}`, uses: fallback };
    let version = text;
    try {
      version = (JSON.parse(text) as { version?: string }).version ?? text;
    } catch {
      // older Toxiproxy servers answer the bare version string
    }
    return { component: 'toxiproxy', available: true, detail: `${url}: version ${version}`, uses: `that server (--toxiproxy ${url})` };
  } catch (error) {
    return { component: 'toxiproxy', available: false, detail: `${url} did not answer /version (${reason(error)})`, uses: fallback };
  }
}

async function binary(component: string, names: string[], env: NodeJS.ProcessEnv, timeoutMs: number, usesWhenFound: string, fallback: string): Promise<ComponentStatus> {
  const path = names.map((n) => onPath(n, env)).find(Boolean);
  if (!path) return { component, available: false, detail: `not on PATH (${names.join(', ')})`, uses: fallback };
  return { component, available: true, detail: `${path}: ${await versionOf(path, ['--version'], env, timeoutMs)}`, uses: usesWhenFound };
}

function kubeconfig(env: NodeJS.ProcessEnv): ComponentStatus {
  const fallback = 'local autoscaler (Kubernetes HPA algorithm on local processes)';
  const candidates = env.KUBECONFIG ? env.KUBECONFIG.split(delimiter).filter(Boolean) : [join(env.HOME ?? homedir(), '.kube', 'config')];
  const file = candidates.find((f) => existsSync(f));
  if (!file) return { component: 'kubeconfig', available: false, detail: `none at ${candidates.join(', ')}`, uses: fallback };
  try {
    const config = parse(readFileSync(file, 'utf8')) as { 'current-context'?: string; clusters?: Array<{ name: string; cluster?: { server?: string } }> } | null;
    const context = config?.['current-context'];
    if (!context) return { component: 'kubeconfig', available: false, detail: `${file} has no current-context`, uses: fallback };
    return { component: 'kubeconfig', available: true, detail: `${file}: context ${context}`, uses: '`peakready k8s` and `scale watch` against that cluster; drills still scale locally' };
  } catch (error) {
    return { component: 'kubeconfig', available: false, detail: `${file} is not valid YAML (${reason(error)})`, uses: fallback };
  }
}

async function postgres(url: string | undefined, timeoutMs: number): Promise<ComponentStatus> {
  const fallback = 'embedded PostgreSQL (PGlite)';
  if (!url) return { component: 'postgresql', available: false, detail: 'no DATABASE_URL or --database-url', uses: fallback };
  const shown = redactUrl(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    return { component: 'postgresql', available: true, detail: `${shown}: PostgreSQL ${result.rows[0]?.server_version ?? '?'}`, uses: 'that database (DATABASE_URL)' };
  } catch (error) {
    return { component: 'postgresql', available: false, detail: `${shown}: cannot connect (${reason(error)})`, uses: fallback };
  } finally {
    await client.end().catch(() => undefined);
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

async function versionOf(path: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  try {
    const { stdout, stderr } = await run(path, args, { env, timeout: timeoutMs * 2 });
    return ((stdout || stderr).split('\n').find((l) => l.trim()) ?? '').trim() || 'version unknown';
  } catch (error) {
    return `found, but \`${args.join(' ')}\` failed (${reason(error)})`;
  }
}

function reason(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.code ?? e.cause?.message ?? e.message ?? String(error);
}
