import { ConfigError, type ConfigIssue } from '../../errors.js';
import { durationMs, notADuration } from '../../util/duration.js';
import { isLoopbackHost } from '../../util/loopback.js';

/**
 * `--out experimental-prometheus-rw`: configured as k6 configures it, by environment variables
 * (K6_PROMETHEUS_RW_*, k6's names and defaults) and by `collectors.experimental-prometheus-rw` in
 * k6's `--config` file; the environment wins. Every problem is reported at once.
 */
export interface PrometheusRwConfig {
  serverUrl: string;
  pushIntervalMs: number;
  /** trend stats sent per trend, e.g. p(99) → `k6_http_req_duration_p99` */
  trendStats: string[];
  headers: Record<string, string>;
  /** static labels added to every series (existing labels win) */
  labels: Record<string, string>;
  staleMarkers: boolean;
  insecureSkipTLSVerify: boolean;
}

const TREND_STAT = /^(avg|min|med|max|count|sum|p\((\d+(\.\d+)?)\))$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const DEFAULT_RW_URL = 'http://localhost:9090/api/v1/write';

/** One option's text: the environment first, then the config file's `collectors` entry. */
type Reader = { text(variable: string, fileKey: string): string | undefined; bool(variable: string, fileKey: string): boolean; problem(variable: string, message: string): void };

export function prometheusRwConfig(env: NodeJS.ProcessEnv, fromFile: Record<string, unknown> = {}, allowRemote = false): PrometheusRwConfig {
  const issues: ConfigIssue[] = [];
  const read: Reader = {
    problem: (variable, message) => void issues.push({ file: 'experimental-prometheus-rw', field: variable, message }),
    text: (variable, fileKey) => {
      const fromEnv = env[variable];
      if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
      const value = fromFile[fileKey];
      return value === undefined || value === null ? undefined : String(value);
    },
    bool: (variable, fileKey) => {
      const value = read.text(variable, fileKey);
      if (value === undefined) return false;
      if (!/^(true|false|1|0)$/i.test(value)) read.problem(variable, `"${value}" is not true or false`);
      return /^(true|1)$/i.test(value);
    },
  };
  const serverUrl = serverUrlOf(read, allowRemote);
  const pushIntervalMs = pushIntervalOf(read);
  const trendStats = trendStatsOf(read);
  const headers = headersOf(read, env);
  const labels = labelsOf(read, env, fromFile);
  const staleMarkers = read.bool('K6_PROMETHEUS_RW_STALE_MARKERS', 'staleMarkers');
  const insecureSkipTLSVerify = read.bool('K6_PROMETHEUS_RW_INSECURE_SKIP_TLS_VERIFY', 'insecureSkipTLSVerify');
  if (issues.length) throw new ConfigError(issues);
  return { serverUrl, pushIntervalMs, trendStats, headers, labels, staleMarkers, insecureSkipTLSVerify };
}

function serverUrlOf(read: Reader, allowRemote: boolean): string {
  const serverUrl = read.text('K6_PROMETHEUS_RW_SERVER_URL', 'url') ?? DEFAULT_RW_URL;
  let parsed: URL | undefined;
  try {
    parsed = new URL(serverUrl);
    if (!/^https?:$/.test(parsed.protocol)) read.problem('K6_PROMETHEUS_RW_SERVER_URL', `"${serverUrl}" is not an http(s) URL`);
  } catch {
    read.problem('K6_PROMETHEUS_RW_SERVER_URL', `"${serverUrl}" is not a URL; write it like ${DEFAULT_RW_URL}`);
  }
  if (parsed && !allowRemote && !isLoopbackHost(parsed.hostname)) {
    read.problem('K6_PROMETHEUS_RW_SERVER_URL', `${parsed.hostname} is not a loopback address; pass --allow-remote to send metrics off this machine`);
  }
  return serverUrl;
}

function pushIntervalOf(read: Reader): number {
  const interval = read.text('K6_PROMETHEUS_RW_PUSH_INTERVAL', 'pushInterval') ?? '5s';
  const ms = durationMs(interval);
  if (ms === undefined || ms < 100) read.problem('K6_PROMETHEUS_RW_PUSH_INTERVAL', ms === undefined ? notADuration(interval) : 'must be at least 100ms');
  return ms ?? 5000;
}

function trendStatsOf(read: Reader): string[] {
  const trendStats = (read.text('K6_PROMETHEUS_RW_TREND_STATS', 'trendStats') ?? 'p(99)').split(',').map((s) => s.trim()).filter(Boolean);
  for (const stat of trendStats) {
    const m = TREND_STAT.exec(stat);
    if (!m || (m[2] !== undefined && Number(m[2]) > 100)) read.problem('K6_PROMETHEUS_RW_TREND_STATS', `"${stat}" is not a trend stat; use count, sum, min, max, avg, med or p(N)`);
  }
  if (read.bool('K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM', 'trendAsNativeHistogram')) {
    read.problem('K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM', 'native histograms are not sent by the built-in engine; leave it unset (trends go as K6_PROMETHEUS_RW_TREND_STATS gauges) or use --engine k6');
  }
  return trendStats;
}

function headersOf(read: Reader, env: NodeJS.ProcessEnv): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (read.text('K6_PROMETHEUS_RW_HTTP_HEADERS', 'headers') ?? '').split(',').filter(Boolean)) {
    const colon = pair.indexOf(':');
    if (colon <= 0) read.problem('K6_PROMETHEUS_RW_HTTP_HEADERS', `"${pair}" is not name:value`);
    else headers[pair.slice(0, colon).trim()] = pair.slice(colon + 1).trim();
  }
  for (const [variable, value] of Object.entries(env)) {
    if (variable.startsWith('K6_PROMETHEUS_RW_HEADERS_') && value !== undefined) headers[variable.slice('K6_PROMETHEUS_RW_HEADERS_'.length)] = value;
  }
  const user = read.text('K6_PROMETHEUS_RW_USERNAME', 'username');
  const password = read.text('K6_PROMETHEUS_RW_PASSWORD', 'password');
  if (user !== undefined || password !== undefined) headers.Authorization = `Basic ${Buffer.from(`${user ?? ''}:${password ?? ''}`).toString('base64')}`;
  const token = read.text('K6_PROMETHEUS_RW_BEARER_TOKEN', 'bearerToken');
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

function labelsOf(read: Reader, env: NodeJS.ProcessEnv, fromFile: Record<string, unknown>): Record<string, string> {
  const labels: Record<string, string> = {};
  const fileLabels = fromFile.labels;
  if (fileLabels && typeof fileLabels === 'object') for (const [k, v] of Object.entries(fileLabels)) labels[k] = String(v);
  for (const pair of (env.K6_PROMETHEUS_RW_LABELS ?? '').split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) read.problem('K6_PROMETHEUS_RW_LABELS', `"${pair}" is not name=value`);
    else labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  for (const [name, value] of Object.entries(labels)) {
    // as k6: empty names or values and the reserved __name__ are ignored; other bad names are refused
    if (!name || !value || name === '__name__') delete labels[name];
    else if (!LABEL_NAME.test(name)) read.problem('K6_PROMETHEUS_RW_LABELS', `"${name}" is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)`);
  }
  return labels;
}
