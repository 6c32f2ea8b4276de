import { Agent, request } from 'undici';
import type { PrometheusRwConfig } from './prometheus-rw-config.js';
import { encodeWriteRequest, promName, STALE_NAN, type RemoteSeries } from './remote-write-encode.js';
import { TrendHistogram } from './trend-histogram.js';
import type { MetricDefinition, MetricType, Sample, SampleSink } from './types.js';

/**
 * `--out experimental-prometheus-rw`: every sample aggregated per series (metric + tags), and
 * every push interval the series' current values sent to a Prometheus remote-write endpoint, so
 * the load generator's metrics sit in the same Prometheus as the system's. Names as k6 gives
 * them: `k6_` + the metric, counters `_total`, rates `_rate`, gauges as they are, trends one
 * gauge per K6_PROMETHEUS_RW_TREND_STATS stat (`k6_http_req_duration_p99`); time values in
 * seconds, as k6 sends them. Each series keeps its values from the test's start (k6 does the
 * same), so a push is a snapshot, never a delta.
 */
interface Series {
  name: string;
  type: MetricType;
  /** seconds for `time` metrics */
  scale: number;
  labels: Array<[string, string]>;
  value: number;
  passes: number;
  total: number;
  trend: TrendHistogram | undefined;
}

export interface PushReport {
  pushes: number;
  failures: number;
  lastError?: string;
}

export class PrometheusRemoteWriteOutput implements SampleSink {
  private readonly definitions = new Map<string, MetricDefinition>();
  private readonly series = new Map<string, Series>();
  /** tags objects are shared by a request's samples: their label text is built once per object */
  private readonly labelKeys = new WeakMap<object, string>();
  private readonly timer: NodeJS.Timeout;
  private readonly dispatcher: Agent;
  private pushing: Promise<void> = Promise.resolve();
  private closed = false;
  readonly report: PushReport = { pushes: 0, failures: 0 };

  constructor(
    private readonly config: PrometheusRwConfig,
    private readonly compress: (body: Uint8Array) => Uint8Array,
    private readonly warn: (line: string) => void = (line) => void process.stderr.write(`peakready: ${line}\n`),
  ) {
    this.dispatcher = new Agent({ connect: { rejectUnauthorized: !config.insecureSkipTLSVerify } });
    this.timer = setInterval(() => this.push(), config.pushIntervalMs);
    this.timer.unref();
  }

  define(definition: MetricDefinition): void {
    if (!this.definitions.has(definition.name)) this.definitions.set(definition.name, definition);
  }

  add(sample: Sample): void {
    if (this.closed) return;
    let tagsKey = this.labelKeys.get(sample.tags);
    if (tagsKey === undefined) this.labelKeys.set(sample.tags, (tagsKey = JSON.stringify(sample.tags)));
    const key = `${sample.metric}\u0000${tagsKey}`;
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = this.newSeries(sample)));
    const value = sample.value * s.scale;
    switch (s.type) {
      case 'counter':
        s.value += value;
        break;
      case 'gauge':
        s.value = value;
        break;
      case 'rate':
        s.total++;
        if (sample.value !== 0) s.passes++;
        break;
      case 'trend':
        s.trend!.add(value);
    }
  }

  /** The series as remote-write time series at `timestampMs` (exported for tests). */
  snapshot(timestampMs: number, stale = false): RemoteSeries[] {
    const out: RemoteSeries[] = [];
    const at = (name: string, s: Series, value: number) =>
      out.push({ labels: withName(s.labels, name), samples: [{ value: stale ? STALE_NAN : value, timestampMs }] });
    for (const s of this.series.values()) {
      const base = `k6_${promName(s.name)}`;
      if (s.type === 'counter') at(`${base}_total`, s, s.value);
      else if (s.type === 'gauge') at(base, s, s.value);
      else if (s.type === 'rate') at(`${base}_rate`, s, s.total ? s.passes / s.total : 0);
      else for (const stat of this.config.trendStats) at(`${base}_${statSuffix(stat)}`, s, trendStat(s.trend!, stat));
    }
    return out;
  }

  /** Sends the last values (and, with K6_PROMETHEUS_RW_STALE_MARKERS, ends every series), then reports failures. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    this.push();
    if (this.config.staleMarkers) this.push(true);
    this.closed = true;
    await this.pushing;
    await this.dispatcher.close();
    if (this.report.failures) {
      this.warn(`--out experimental-prometheus-rw: ${this.report.failures} of ${this.report.pushes} pushes to ${this.config.serverUrl} failed (last: ${this.report.lastError})`);
    }
  }

  private newSeries(sample: Sample): Series {
    const definition = this.definitions.get(sample.metric) ?? { name: sample.metric, type: 'trend', contains: 'default' };
    const labels = new Map<string, string>(Object.entries(this.config.labels));
    for (const [k, v] of Object.entries(sample.tags)) if (v !== '') labels.set(promName(k, true), v);
    return {
      name: sample.metric,
      type: definition.type,
      scale: definition.contains === 'time' ? 0.001 : 1,
      labels: [...labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      value: 0,
      passes: 0,
      total: 0,
      trend: definition.type === 'trend' ? new TrendHistogram() : undefined,
    };
  }

  /** Pushes are chained: one in flight at a time, in order (Prometheus refuses out-of-order samples). */
  private push(stale = false): void {
    if (this.closed || this.series.size === 0) return;
    const body = this.compress(encodeWriteRequest(this.snapshot(Date.now(), stale)));
    this.pushing = this.pushing.then(() => this.send(body));
  }

  private async send(body: Uint8Array): Promise<void> {
    this.report.pushes++;
    try {
      const res = await request(this.config.serverUrl, {
        method: 'POST',
        body,
        dispatcher: this.dispatcher,
        headers: {
          'content-type': 'application/x-protobuf',
          'content-encoding': 'snappy',
          'x-prometheus-remote-write-version': '0.1.0',
          'user-agent': 'peakready (k6-compatible experimental-prometheus-rw)',
          ...this.config.headers,
        },
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      const text = await res.body.text();
      if (res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode}${text ? `: ${text.trim().slice(0, 200)}` : ''}`);
    } catch (error) {
      this.report.failures++;
      this.report.lastError = (error as Error).message;
      // the first failure is said at once; the count comes at the end
      if (this.report.failures === 1) this.warn(`--out experimental-prometheus-rw: push to ${this.config.serverUrl} failed: ${this.report.lastError}`);
    }
  }
}

/** The series' labels with `__name__` in its sorted place (the spec wants labels sorted by name; `A` sorts before `_`). */
function withName(labels: ReadonlyArray<[string, string]>, name: string): Array<[string, string]> {
  const at = labels.findIndex(([k]) => k > '__name__');
  return at < 0 ? [...labels, ['__name__', name]] : [...labels.slice(0, at), ['__name__', name], ...labels.slice(at)];
}

/** `p(99)` → `p99`, `p(99.9)` → `p999`, as k6 names trend stats. */
export function statSuffix(stat: string): string {
  const p = /^p\(([\d.]+)\)$/.exec(stat);
  return p ? `p${p[1]!.replace('.', '')}` : stat;
}

function trendStat(trend: TrendHistogram, stat: string): number {
  switch (stat) {
    case 'count':
      return trend.count;
    case 'sum':
      return trend.sum;
    case 'min':
      return trend.count ? trend.min : 0;
    case 'max':
      return trend.count ? trend.max : 0;
    case 'avg':
      return trend.avg();
    case 'med':
      return trend.percentile(50);
    default:
      return trend.percentile(Number(/^p\(([\d.]+)\)$/.exec(stat)![1]));
  }
}
