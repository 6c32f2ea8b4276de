import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { request } from 'undici';
import type { ChaosProbe } from './schema.js';

export interface ProbeOutcome {
  ok: boolean;
  value: number | string | null;
  detail?: string;
}

export interface ProbeContext {
  /** `${gateway}` and friends in URLs */
  vars: Record<string, string>;
  loadMetrics?: () => Record<string, number>;
  signal?: AbortSignal;
}

/** Runs one probe once and judges it against its tolerance. Never throws: a failure is a failed probe. */
export async function runProbe(probe: ChaosProbe, ctx: ProbeContext): Promise<ProbeOutcome> {
  try {
    if (probe.http) return await httpProbe(probe, ctx);
    if (probe.load) {
      const value = ctx.loadMetrics?.()[probe.load.metric];
      if (value === undefined) return { ok: true, value: null, detail: ctx.loadMetrics ? `no value yet for ${probe.load.metric}` : 'skipped: no load run' };
      return withinBounds(probe, value);
    }
    const value = probe.metric ? await scrapeMetric(probe.metric, ctx) : await queryPrometheus(probe.prometheus!, ctx);
    return withinBounds(probe, value);
  } catch (error) {
    return { ok: false, value: null, detail: error instanceof Error ? error.message : String(error) };
  }
}

export function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

async function httpProbe(probe: ChaosProbe, ctx: ProbeContext): Promise<ProbeOutcome> {
  const http = probe.http!;
  const statuses = probe.tolerance?.status;
  const started = performance.now();
  const response = await request(expand(http.url, ctx.vars), {
    method: http.method,
    headers: { 'user-agent': 'peakready-chaos-probe', ...http.headers },
    ...(http.body !== undefined ? { body: http.body } : {}),
    headersTimeout: http.timeout,
    bodyTimeout: http.timeout,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  await response.body.dump();
  const latency = Math.round((performance.now() - started) * 10) / 10;
  const statusOk = statuses ? statuses.includes(response.statusCode) : response.statusCode >= 200 && response.statusCode < 300;
  const latencyOk = probe.tolerance?.latency === undefined || latency <= probe.tolerance.latency;
  const detail = `status ${response.statusCode} in ${latency} ms` + (latencyOk ? '' : ` (over ${probe.tolerance!.latency} ms)`) + (statusOk ? '' : ` (expected ${statuses?.join('/') ?? '2xx'})`);
  return { ok: statusOk && latencyOk, value: latency, detail };
}

/** Sum of the samples of `name` whose labels include `labels` (counters, gauges, untyped; `_count`/`_sum` of histograms). */
async function scrapeMetric(metric: NonNullable<ChaosProbe['metric']>, ctx: ProbeContext): Promise<number> {
  const url = expand(metric.url, ctx.vars);
  const response = await request(url, { headersTimeout: 5000, bodyTimeout: 5000, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`${url}: status ${response.statusCode}`);
  const wanted = Object.entries(metric.labels ?? {});
  const suffix = /_(count|sum)$/.exec(metric.name);
  const family = parsePrometheusTextFormat(text).find((f) => f.name === metric.name || (suffix && f.name === metric.name.slice(0, -suffix[0].length)));
  if (!family) throw new Error(`${url} has no metric ${metric.name}`);
  let total = 0;
  let matched = 0;
  for (const sample of family.metrics) {
    if (!wanted.every(([k, v]) => sample.labels?.[k] === v)) continue;
    const raw = family.name === metric.name ? sample.value : suffix?.[1] === 'count' ? sample.count : sample.sum;
    if (raw === undefined) continue;
    total += Number(raw);
    matched++;
  }
  if (matched === 0) throw new Error(`${url}: no ${metric.name} series with labels ${JSON.stringify(metric.labels ?? {})}`);
  return total;
}

async function queryPrometheus(prom: NonNullable<ChaosProbe['prometheus']>, ctx: ProbeContext): Promise<number> {
  const url = `${expand(prom.url, ctx.vars).replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(expand(prom.query, ctx.vars))}`;
  const response = await request(url, { headersTimeout: 5000, bodyTimeout: 5000, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  const body = (await response.body.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown } };
  if (body.status !== 'success') throw new Error(`Prometheus: ${body.error ?? `status ${response.statusCode}`}`);
  const result = body.data!.result;
  if (body.data!.resultType === 'scalar') return Number((result as [number, string])[1]);
  const vector = result as Array<{ value: [number, string] }>;
  if (vector.length === 0) throw new Error(`Prometheus query returned no series: ${prom.query}`);
  return Number(vector[0]!.value[1]);
}

function withinBounds(probe: ChaosProbe, value: number): ProbeOutcome {
  const { min, max } = probe.tolerance ?? {};
  const ok = (min === undefined || value >= min) && (max === undefined || value <= max);
  const range = `${min ?? '-∞'}..${max ?? '∞'}`;
  return { ok, value, detail: ok ? `within ${range}` : `outside ${range}` };
}
