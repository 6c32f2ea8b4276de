import { request } from 'undici';
import type { MetricSample } from '../../run/records.js';
import type { RunDirectory } from '../../run/run-dir.js';
import { StackMetrics, SupervisorMetrics } from '../../stack/metric-names.js';
import { parseExposition, type ExpositionSample } from './exposition.js';

/**
 * Scrapes every replica's /metrics on an interval into metrics.ndjson (`scrape` samples). To keep
 * the run directory small it keeps only the families dashboards and checks use (the stack's
 * metric names), and reduces each histogram to its `_count` and `_sum` per label set plus its
 * buckets summed over all other labels (labels: `le` only), which still gives percentiles per
 * replica. Each target also gets `up` (1/0) and `scrape_duration_seconds`, as Prometheus adds.
 */

export interface ScrapeTarget {
  service: string;
  replica: string;
  url: string;
}

export interface ScraperOptions {
  targets: () => ScrapeTarget[];
  intervalMs: number;
  runDir: RunDirectory;
  /** metric families kept (default: every name in StackMetrics and SupervisorMetrics) */
  families?: readonly string[];
  /** per-request timeout (default: the interval, at most 5 s) */
  timeoutMs?: number;
  /** injected clock, for tests */
  now?: () => number;
}

export interface ScraperStats {
  scrapes: number;
  failures: number;
  samples: number;
  lastError?: string;
}

export interface MetricsScraper {
  stop(): Promise<void>;
  stats(): ScraperStats;
  /** runs one scrape of every target now (also what the interval does) */
  scrapeOnce(): Promise<void>;
}

export const DEFAULT_SCRAPED_FAMILIES: readonly string[] = [...Object.values(StackMetrics), ...Object.values(SupervisorMetrics)];

export function startMetricsScraper(options: ScraperOptions): MetricsScraper {
  const keep = new Set(options.families ?? DEFAULT_SCRAPED_FAMILIES);
  const wanted = (family: string) => keep.has(family);
  const now = options.now ?? Date.now;
  const timeout = options.timeoutMs ?? Math.min(options.intervalMs, 5000);
  const stats: ScraperStats = { scrapes: 0, failures: 0, samples: 0 };
  let stopped = false;

  const scrapeTarget = async (target: ScrapeTarget): Promise<MetricSample[]> => {
    const t = now();
    const started = performance.now();
    const meta = (name: string, value: number): MetricSample => ({ t, source: 'scrape', service: target.service, replica: target.replica, name, labels: {}, value });
    try {
      const res = await request(target.url, { headersTimeout: timeout, bodyTimeout: timeout, headers: { accept: 'text/plain;version=0.0.4' } });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`${target.url} answered ${res.statusCode}`);
      const samples = reduceSamples(parseExposition(text, wanted), keep).map(
        (s): MetricSample => ({ t, source: 'scrape', service: target.service, replica: target.replica, name: s.name, labels: s.labels, value: s.value }),
      );
      stats.scrapes++;
      samples.push(meta('up', 1), meta('scrape_duration_seconds', (performance.now() - started) / 1000));
      return samples;
    } catch (error) {
      stats.failures++;
      stats.lastError = `${target.service}/${target.replica}: ${(error as Error).message}`;
      return [meta('up', 0)];
    }
  };

  const scrapeOnce = async (): Promise<void> => {
    const results = await Promise.all(options.targets().map(scrapeTarget));
    const all = results.flat();
    stats.samples += all.length;
    if (!stopped || all.length) options.runDir.appendMetrics(all);
  };

  const loop = everyInterval(options.intervalMs, scrapeOnce);
  return {
    scrapeOnce,
    stats: () => ({ ...stats }),
    stop: async () => {
      stopped = true;
      await loop.stop();
    },
  };
}

/** Runs `work` now and every `intervalMs`; a slow round is never overlapped by the next one. */
export function everyInterval(intervalMs: number, work: () => Promise<void>): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = work().finally(() => (running = undefined));
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/** Keeps the wanted families; histograms: `_count`/`_sum` per label set, buckets summed per `le`. */
export function reduceSamples(samples: readonly ExpositionSample[], keep: ReadonlySet<string>): ExpositionSample[] {
  const out: ExpositionSample[] = [];
  const buckets = new Map<string, ExpositionSample>();
  for (const s of samples) {
    if (!keep.has(s.family) && !keep.has(s.name)) continue;
    if (s.type === 'histogram' && s.name === `${s.family}_bucket`) {
      const le = s.labels.le ?? '+Inf';
      const key = `${s.name}\u0000${le}`;
      const sum = buckets.get(key);
      if (sum) sum.value += s.value;
      else buckets.set(key, { ...s, labels: { le } });
      continue;
    }
    if (s.name.endsWith('_created')) continue;
    out.push(s);
  }
  return [...out, ...buckets.values()];
}
