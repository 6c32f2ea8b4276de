import type { MetricSample } from '../../run/records.js';
import type { RunDirectory } from '../../run/run-dir.js';
import { queryPrometheus, type InstantSample } from './prometheus-api.js';
import { DEFAULT_SCRAPED_FAMILIES, everyInterval, reduceSamples, type MetricsScraper, type ScraperStats } from './scraper.js';
import type { ExpositionSample } from './exposition.js';

/**
 * The other metrics source of a run (`--prometheus URL`): instead of scraping every replica
 * itself, peakready asks the user's Prometheus with PromQL, on the same interval, for the same
 * families, and writes the answers into metrics.ndjson as the same `scrape` samples, so checks
 * and reports cannot tell the two sources apart.
 *
 * A series' service and replica come from its labels: `service` and `replica` (what the stack's
 * own Prometheus config adds), else Kubernetes' usual `job` and `pod`, else `instance`.
 */

export interface PrometheusSamplerOptions {
  url: string;
  intervalMs: number;
  runDir: RunDirectory;
  /** metric families kept (default: the stack's metric names, as the scraper keeps) */
  families?: readonly string[];
}

const SERIES_LABELS = ['__name__', 'service', 'replica', 'job', 'pod', 'instance'];
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

/** One PromQL selector for every sample of the families: `{__name__=~"(a|b)(_bucket|_sum|_count)?"}` (metric names need no escaping). */
export function familiesSelector(families: readonly string[]): string {
  return `{__name__=~"(${families.join('|')})(_bucket|_sum|_count)?"}`;
}

/** Instant-query answers -> `scrape` samples, grouped per (service, replica), histograms reduced as a scrape's are. */
export function samplesFromPrometheus(answers: readonly InstantSample[], families: readonly string[]): MetricSample[] {
  const keep = new Set(families);
  const groups = new Map<string, { service: string; replica: string; t: number; samples: ExpositionSample[] }>();
  for (const a of answers) {
    const name = a.metric.__name__;
    if (!name) continue;
    const suffix = HISTOGRAM_SUFFIXES.find((s) => name.endsWith(s) && keep.has(name.slice(0, -s.length)));
    const family = suffix ? name.slice(0, -suffix.length) : name;
    const service = a.metric.service ?? a.metric.job ?? 'unknown';
    const replica = a.metric.replica ?? a.metric.pod ?? a.metric.instance ?? service;
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(a.metric)) if (!SERIES_LABELS.includes(k)) labels[k] = v;
    // the stack's metrics carry `service` themselves: keep it, as a scrape of the replica would
    if (a.metric.service !== undefined) labels.service = a.metric.service;
    const key = `${service}\u0000${replica}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { service, replica, t: a.t, samples: [] }));
    group.samples.push({ name, family, type: suffix ? 'histogram' : 'untyped', labels, value: a.value });
  }
  return [...groups.values()].flatMap((g) =>
    reduceSamples(g.samples, keep).map((s): MetricSample => ({ t: g.t, source: 'scrape', service: g.service, replica: g.replica, name: s.name, labels: s.labels, value: s.value })),
  );
}

export function startPrometheusSampler(options: PrometheusSamplerOptions): MetricsScraper {
  const families = options.families ?? DEFAULT_SCRAPED_FAMILIES;
  const selector = familiesSelector(families);
  const stats: ScraperStats = { scrapes: 0, failures: 0, samples: 0 };

  const scrapeOnce = async (): Promise<void> => {
    try {
      const samples = samplesFromPrometheus(await queryPrometheus(options.url, selector), families);
      stats.scrapes++;
      stats.samples += samples.length;
      options.runDir.appendMetrics(samples);
    } catch (error) {
      stats.failures++;
      stats.lastError = (error as Error).message;
    }
  };
  const loop = everyInterval(options.intervalMs, scrapeOnce);
  return { scrapeOnce, stats: () => ({ ...stats }), stop: () => loop.stop() };
}
