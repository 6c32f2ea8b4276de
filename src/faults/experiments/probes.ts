import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { parseExposition } from '../../telemetry/metrics/exposition.js';
import { queryPrometheus } from '../../telemetry/metrics/prometheus-api.js';
import type { ChaosProbe } from './schema.js';

export interface ProbeOutcome {
  ok: boolean;
  value: number | string | null;
  detail?: string;
  /** nothing to judge (a load probe with no load running, or no value yet): not a failure, not a pass */
  skipped?: true;
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
      if (value === undefined) {
        const detail = ctx.loadMetrics ? `no value yet for ${probe.load.metric}` : `it reads the load's ${probe.load.metric}, and no load runs (run it in a drill or with \`peakready run --chaos\`)`;
        return { ok: true, value: null, detail, skipped: true };
      }
      return withinBounds(probe, value);
    }
    const value = probe.metric ? await scrapeMetric(probe.metric, ctx) : await promqlValue(probe.prometheus!, ctx);
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
    // a traceparent of its own, as the load engine sends: the probe's trace is client-rooted, not an orphan
    headers: { 'user-agent': 'peakready-chaos-probe', traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`, ...http.headers },
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

/** Sum of the samples named `name` whose labels include `labels` (a counter's `_total`, a gauge, a histogram's `_count`/`_sum`/`_bucket`). */
async function scrapeMetric(metric: NonNullable<ChaosProbe['metric']>, ctx: ProbeContext): Promise<number> {
  const url = expand(metric.url, ctx.vars);
  const response = await request(url, { headersTimeout: 5000, bodyTimeout: 5000, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`${url}: status ${response.statusCode}`);
  const wanted = Object.entries(metric.labels ?? {});
  const named = parseExposition(text).filter((sample) => sample.name === metric.name);
  if (named.length === 0) throw new Error(`${url} has no metric ${metric.name}`);
  const matching = named.filter((sample) => wanted.every(([k, v]) => sample.labels[k] === v));
  if (matching.length === 0) throw new Error(`${url}: no ${metric.name} series with labels ${JSON.stringify(metric.labels ?? {})}`);
  return matching.reduce((sum, sample) => sum + sample.value, 0);
}

/** The first value a PromQL instant query returns. */
async function promqlValue(prom: NonNullable<ChaosProbe['prometheus']>, ctx: ProbeContext): Promise<number> {
  const query = expand(prom.query, ctx.vars);
  const [first] = await queryPrometheus(expand(prom.url, ctx.vars), query, undefined, 5000);
  if (!first) throw new Error(`Prometheus query returned no series: ${query}`);
  return first.value;
}

function withinBounds(probe: ChaosProbe, value: number): ProbeOutcome {
  const { min, max } = probe.tolerance ?? {};
  const ok = (min === undefined || value >= min) && (max === undefined || value <= max);
  return { ok, value, detail: `${Number(value.toPrecision(4))} ${ok ? 'is' : 'is not'} ${boundText(min, max)}` };
}

/** `at most 0.01`, `at least 4`, `between 4 and 8`: a tolerance as a reader says it. */
export function boundText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return min === max ? `exactly ${min}` : `between ${min} and ${max}`;
  if (max !== undefined) return `at most ${max}`;
  if (min !== undefined) return `at least ${min}`;
  return 'any value';
}
